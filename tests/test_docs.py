"""Docs cannot drift: every setting and every CLI command is documented."""

from __future__ import annotations

from pathlib import Path

import click

from scraper.cli import cli
from scraper.settings import Settings

ROOT = Path(__file__).resolve().parents[1]


def test_every_setting_is_in_the_configuration_doc() -> None:
    doc = (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")
    missing = [n for n in Settings.model_fields if f"SCRAPER_{n.upper()}" not in doc]
    assert not missing, f"document these settings in docs/configuration.md: {missing}"


def _commands(group: click.Group, prefix: str = "") -> list[str]:
    names = []
    for name, command in group.commands.items():
        names.append(f"{prefix}{name}")
        if isinstance(command, click.Group):
            names += _commands(command, f"{prefix}{name} ")
    return names


def test_every_command_is_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    missing = [c for c in _commands(cli) if f"scraper {c}" not in readme]
    assert not missing, f"document these commands in README.md: {missing}"
