"""What every command needs, built once: settings, the config, the archive."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError

from scraper import logging_setup
from scraper.config import Config, load_config
from scraper.dedup.policy import policy_from
from scraper.errors import ConfigError
from scraper.settings import Settings
from scraper.store.archive import Archive, open_archive
from scraper.store.db import timeouts_from


@dataclass
class AppContext:
    settings: Settings
    _config: Config | None = field(default=None, repr=False)
    _archive: Archive | None = field(default=None, repr=False)

    @classmethod
    def create(cls, config_path: Path | None, verbose: int) -> AppContext:
        try:
            settings = Settings(config=config_path) if config_path else Settings()
        except ValidationError as exc:
            raise ConfigError(f"invalid settings: {describe_settings_error(exc)}") from exc
        level = {0: settings.log_level, 1: "INFO"}.get(verbose, "DEBUG")
        logging_setup.configure(level, settings.log_format)
        return cls(settings)

    @property
    def config(self) -> Config:
        if self._config is None:
            self._config = load_config(self.settings.config)
        return self._config

    def effective_config(self) -> Config:
        """The publishers file with adopted domain moves applied (needs the archive)."""
        from scraper.domains.moves import effective_config

        return effective_config(self.config, self.archive().adoptions())

    def archive(self) -> Archive:
        """Open the archive; SQLite is upgraded automatically so zero-setup needs no step."""
        if self._archive is None:
            self._archive = open_archive(
                self.settings.database_url,
                auto_upgrade=self.settings.is_sqlite,
                policy=policy_from(self.settings),
                timeouts=timeouts_from(self.settings),
            )
        return self._archive


def describe_settings_error(exc: ValidationError) -> str:
    """One line per problem, each naming its variable. Checks across fields (min vs max) have
    no single field; their message names the variables itself."""
    problems = []
    for e in exc.errors():
        message = str(e["msg"]).removeprefix("Value error, ")
        name = "_".join(str(p) for p in e["loc"]).upper()
        problems.append(f"SCRAPER_{name}: {message}" if name else message)
    return "; ".join(problems)
