"""Resolve any URL to (publisher, canonical URL) (minimal first version)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

from scraper.config import Publisher
from scraper.domains.canonical import canonicalise


@dataclass(frozen=True, slots=True)
class Resolution:
    publisher_id: str | None
    canonical_url: str
    rules: tuple[str, ...] = ()


class Resolver:
    """Maps hosts to publishers; built once from the configuration."""

    def __init__(self, publishers: Iterable[Publisher]) -> None:
        self._home: dict[str, tuple[str, str]] = {}
        for publisher in publishers:
            for host in publisher.domains:
                self._home[host] = (publisher.id, publisher.canonical_domain)

    def resolve(self, url: str) -> Resolution:
        canonical = canonicalise(url)
        parts = urlsplit(canonical)
        host = parts.hostname or ""
        for candidate in (host, host.removeprefix("www.")):
            if candidate in self._home:
                publisher_id, home = self._home[candidate]
                rules: tuple[str, ...] = ()
                if host != home:
                    rules = ("alias-host",)
                    canonical = urlunsplit(("https", home, *parts[2:]))
                return Resolution(publisher_id, canonical, rules)
        return Resolution(None, canonical)
