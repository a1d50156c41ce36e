"""Publisher configuration: load and validate ``publishers.toml`` into typed values.

Users write this file by hand, so every error must say *where*: the file, the publisher (by id
when it has one, by position otherwise) and the field. Validation is done once here; every other
stage receives frozen :class:`Publisher` values and never re-checks them.

The shape users write::

    [[publisher]]
    id = "southfront"
    name = "SouthFront: Analysis and Intelligence"
    canonical_domain = "southfront.press"
    feeds = ["https://southfront.press/feed/"]
    aliases = [
      { domain = "southfront.org", status = "blocked" },
      { domain = "southfront.com", since = 2013, until = 2015 },
    ]
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from scraper.errors import ConfigError
from scraper.idn import ascii_host

DomainStatus = Literal["live", "redirecting", "blocked", "dead", "unknown"]
DomainRole = Literal["alias", "mirror"]

_HOST_RE = re.compile(r"^(?=.{1,253}$)([a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?\.)*[a-z0-9-]{1,63}$")


def _normalise_host(value: str) -> str:
    """Accept what users paste (``https://WWW.Example.com/``) and keep only the host."""
    host = value.strip().lower()
    host = re.sub(r"^[a-z][a-z0-9+.-]*://", "", host).split("/", 1)[0].split(":", 1)[0]
    host = host.rstrip(".")
    try:
        host = ascii_host(host)
    except UnicodeError as exc:
        raise ValueError(f"{value!r} is not a valid domain name") from exc
    if not _HOST_RE.match(host):
        raise ValueError(f"{value!r} is not a valid domain name")
    return host


class _Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


class Alias(_Strict):
    """Another domain the publisher is, or was, reachable under."""

    domain: str
    status: DomainStatus = "unknown"
    role: DomainRole = "alias"
    since: int | None = Field(default=None, ge=1990, le=2100)
    until: int | None = Field(default=None, ge=1990, le=2100)
    rewrite: tuple[tuple[str, str], ...] = Field(
        default=(),
        description="Path rewrites applied, in order, when a URL on this domain is moved to the "
        'canonical domain: a list of { pattern = "…", replace = "…" } tables (or '
        "[pattern, replace] pairs). The pattern is a Python regex searched in the URL path; "
        "replace may use \\1 or \\g<name> groups, and a ? in it starts query parameters.",
    )

    _check_domain = field_validator("domain")(classmethod(lambda cls, v: _normalise_host(v)))

    @field_validator("rewrite", mode="before")
    @classmethod
    def _rewrite_pairs(cls, rules: Any) -> Any:
        """Accept the table form users write; check patterns and replacements compile."""
        if not isinstance(rules, list | tuple):
            return rules
        pairs: list[Any] = []
        for rule in rules:
            if isinstance(rule, dict):
                if set(rule) != {"pattern", "replace"}:
                    raise ValueError("each rewrite needs exactly 'pattern' and 'replace'")
                rule = (rule["pattern"], rule["replace"])
            if isinstance(rule, list | tuple) and len(rule) == 2:
                pattern, replace = rule
                try:
                    re.compile(pattern).sub(replace, "")  # checks the replacement's groups too
                except (re.error, TypeError) as exc:
                    raise ValueError(f"rewrite {pattern!r} → {replace!r}: {exc}") from exc
            pairs.append(rule)
        return pairs

    @model_validator(mode="after")
    def _years_in_order(self) -> Alias:
        if self.since is not None and self.until is not None and self.since > self.until:
            raise ValueError(f"since ({self.since}) is after until ({self.until})")
        return self


class Publisher(_Strict):
    """One publisher: its current home, its other domains, its feeds and its text rules."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$")
    name: str = Field(min_length=1)
    canonical_domain: str
    feeds: tuple[str, ...] = ()
    aliases: tuple[Alias, ...] = ()
    boilerplate: tuple[str, ...] = Field(
        default=(),
        description="Regular expressions; a paragraph of text matching one (in full) is dropped, "
        "and a line of underscores or dashes followed by a match cuts the text there.",
    )
    article_selector: str | None = None
    drop_selectors: tuple[str, ...] = ()
    block_signatures: tuple[str, ...] = Field(
        default=(),
        description="Regular expressions that mark a 200 page as a block page (a censor's or "
        "a registrar's notice); such an answer triggers failover like HTTP 451.",
    )
    auto_adopt: bool = Field(
        default=False,
        description="Adopt a suggested move away from canonical_domain by itself once enough "
        "independent kinds of evidence agree (SCRAPER_AUTO_ADOPT_MIN_KINDS).",
    )
    proxy: str | None = Field(
        default=None,
        pattern=r"^(https?|socks5h?)://",
        description="Proxy for this publisher's requests only (http://, https://, socks5://).",
    )
    trailing_slash: Literal["keep", "add", "strip"] = Field(
        default="keep",
        description="How this publisher's article URLs end: keep them as written, add a slash "
        "(except after a file name such as story.html) or strip it.",
    )
    fold_amp: bool = Field(
        default=True,
        description="Fold AMP spellings (/amp/, ?amp=1, .amp.html, amp. host, /amp/ prefix) "
        "into the article URL.",
    )
    fold_variants: bool = Field(
        default=True,
        description="Treat www./m./mobile. (and amp. with fold_amp) hosts of each domain as the "
        "domain itself.",
    )
    obey_robots: bool = Field(
        default=True,
        description="Honour the robots.txt of this publisher's hosts (`scraper run`); false "
        "only for publishers who agreed to be archived.",
    )
    tracking_params: tuple[str, ...] = Field(
        default=(),
        description="Query parameters to drop in addition to the built-in tracking list "
        '(case-insensitive); a trailing * makes a prefix, e.g. "at_*".',
    )

    _check_domain = field_validator("canonical_domain")(
        classmethod(lambda cls, v: _normalise_host(v))
    )

    @field_validator("feeds")
    @classmethod
    def _feeds_are_http(cls, feeds: tuple[str, ...]) -> tuple[str, ...]:
        for url in feeds:
            if not re.match(r"^https?://[^/\s]+", url, re.IGNORECASE):
                raise ValueError(f"feed {url!r} is not an http(s) URL")
        return feeds

    @field_validator("boilerplate")
    @classmethod
    def _patterns_compile(cls, patterns: tuple[str, ...]) -> tuple[str, ...]:
        for pattern in patterns:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ValueError(f"pattern {pattern!r} is not a valid regex: {exc}") from exc
        return patterns

    @model_validator(mode="after")
    def _no_alias_repeats_home(self) -> Publisher:
        seen = {self.canonical_domain}
        for alias in self.aliases:
            if alias.domain in seen:
                raise ValueError(f"domain {alias.domain!r} is listed twice")
            seen.add(alias.domain)
        return self

    @property
    def domains(self) -> tuple[str, ...]:
        """Every host of the publisher, canonical first."""
        return (self.canonical_domain, *(a.domain for a in self.aliases))


class Config(_Strict):
    publishers: tuple[Publisher, ...] = ()

    def publisher(self, publisher_id: str) -> Publisher:
        for publisher in self.publishers:
            if publisher.id == publisher_id:
                return publisher
        known = ", ".join(p.id for p in self.publishers) or "none"
        raise ConfigError(f"unknown publisher {publisher_id!r} (configured: {known})")


def _describe_error(path: Path, raw: list[Any], err: dict[str, Any]) -> str:
    loc = list(err["loc"])
    where = f"{path}"
    if loc[:1] == ["publisher"] and len(loc) > 1 and isinstance(loc[1], int):
        index = loc[1]
        entry = raw[index] if index < len(raw) and isinstance(raw[index], dict) else {}
        ident = entry.get("id")
        where += f": publisher {ident!r}" if ident else f": publisher #{index + 1}"
        loc = loc[2:]
    field = ".".join(f"[{p}]" if isinstance(p, int) else str(p) for p in loc).replace(".[", "[")
    message = str(err["msg"]).removeprefix("Value error, ")
    return f"{where}: {field or '(entry)'}: {message}" if field else f"{where}: {message}"


def parse_config(data: dict[str, Any], path: Path) -> Config:
    """Validate already-parsed TOML; errors name the file, the publisher and the field."""
    unknown = set(data) - {"publisher"}
    if unknown:
        raise ConfigError(f"{path}: unknown top-level key(s): {', '.join(sorted(unknown))}")
    raw = data.get("publisher", [])
    if not isinstance(raw, list):
        raise ConfigError(f"{path}: 'publisher' must be an array of tables ([[publisher]])")
    try:
        config = Config.model_validate({"publishers": raw})
    except ValidationError as exc:
        lines = [
            _describe_error(path, raw, dict(e) | {"loc": ("publisher", *e["loc"][1:])})
            for e in exc.errors()
        ]
        raise ConfigError("invalid configuration:\n  " + "\n  ".join(lines)) from exc
    _check_unique(config, path)
    return config


def _check_unique(config: Config, path: Path) -> None:
    ids: set[str] = set()
    hosts: dict[str, str] = {}
    for publisher in config.publishers:
        if publisher.id in ids:
            raise ConfigError(f"{path}: publisher {publisher.id!r} is defined twice")
        ids.add(publisher.id)
        for host in publisher.domains:
            owner = hosts.setdefault(host, publisher.id)
            if owner != publisher.id:
                raise ConfigError(
                    f"{path}: publisher {publisher.id!r}: domain {host!r} "
                    f"already belongs to publisher {owner!r}"
                )


def load_config(path: Path) -> Config:
    """Read and validate a publishers file. Every way it can be unreadable is a
    :class:`ConfigError` naming the file, so the CLI prints one line and a running daemon keeps
    its old configuration instead of dying on an exception it does not expect."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError as exc:
        raise ConfigError(f"{path}: configuration file not found") from exc
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read configuration: {exc.strerror}") from exc
    text = decode_config(raw, path)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from exc
    return parse_config(data, path)


def decode_config(data: bytes, path: Path) -> str:
    """TOML is UTF-8 by definition; a file saved in Latin-1 or UTF-16 by an editor is told
    apart from a broken one by saying where the first byte that is not UTF-8 is (line and
    byte offset), which is what the operator needs to find it."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise ConfigError(
            f"{path}: not UTF-8: byte 0x{data[exc.start]:02x} at byte offset {exc.start} "
            f"(line {line}); save the file as UTF-8"
        ) from exc
