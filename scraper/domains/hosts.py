"""Hosts: one spelling per host, variant hosts of a domain, and host → domain lookup.

A crawl sees few distinct hosts and millions of URLs, so everything per host is computed once
and cached (:func:`normalise_hostport` is an LRU cache; :class:`HostIndex` lookups are cached by
the resolver).

Spelling: lowercase; a trailing dot dropped; Unicode labels encoded by :func:`ascii_host`
(UTS #46, non-transitional: what browsers and httpx dial, and what :mod:`scraper.config` uses
for configured domains, so both sides agree); the port dropped when it is the scheme's default
or empty and written without leading zeros otherwise. A host:port that cannot
be parsed (``a:b:c``, ``[::1]x``) is only lowercased, so garbage stays stable.

Variants: ``www.``, ``m.`` and ``mobile.`` (and ``amp.`` when AMP folding is on) in front of a
domain, or the bare domain when the configured one starts with ``www.``, serve the same pages.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from typing import Generic, TypeVar

from scraper.idn import ascii_host

T = TypeVar("T")

DEFAULT_PORTS = {"http": "80", "https": "443", "ws": "80", "wss": "443", "ftp": "21"}
VARIANT_PREFIXES = ("www.", "m.", "mobile.")
AMP_PREFIX = "amp."


@lru_cache(maxsize=16384)
def normalise_hostport(hostport: str, scheme: str) -> tuple[str, str, tuple[str, ...]]:
    """(host, ``":port"`` or ``""``, names of the rules that changed something)."""
    host, port = _split_port(hostport)
    if host is None:
        lowered = hostport.lower()
        return lowered, "", ("lowercase-host",) if lowered != hostport else ()
    rules: list[str] = []
    clean = _normalise_host(host, rules)
    return clean, _normalise_port(port, scheme, rules), tuple(rules)


def _split_port(hostport: str) -> tuple[str | None, str | None]:
    """Split ``host:port`` (port ``None`` when there is no colon); ``None`` as host when the
    text is not a host:port at all."""
    if hostport.startswith("["):
        end = hostport.find("]")
        rest = hostport[end + 1 :]
        if end < 0 or (rest and not rest.startswith(":")):
            return None, None
        return hostport[: end + 1], rest[1:] if rest else None
    colons = hostport.count(":")
    if colons == 0:
        return hostport, None
    host, _, port = hostport.partition(":")
    if colons > 1 or (port and not (port.isascii() and port.isdigit())):
        return None, None
    return host, port


def _normalise_host(host: str, rules: list[str]) -> str:
    lowered = host.lower()
    if lowered != host:
        rules.append("lowercase-host")
    # Trailing dots go before IDNA (it rejects empty labels) and after it (it turns "。" into
    # "."), so that the result is a fixed point.
    stripped = lowered.rstrip(".")
    if not stripped.isascii():
        try:
            stripped = ascii_host(stripped).rstrip(".")
            rules.append("idna")
        except (UnicodeError, ValueError):
            pass  # Not a valid IDN: keep it readable rather than guess.
    if stripped != lowered and "idna" not in rules:
        rules.append("host-trailing-dot")
    return stripped


def _normalise_port(port: str | None, scheme: str, rules: list[str]) -> str:
    if port is None:
        return ""
    if not port:
        rules.append("default-port")
        return ""
    number = port.lstrip("0") or "0"  # not int(): no limit on digits, no int() surprises
    if number == DEFAULT_PORTS.get(scheme):
        rules.append("default-port")
        return ""
    if number != port:
        rules.append("port-zeros")
    return ":" + number


def zone_of(domain: str) -> str:
    """The domain whose subdomains belong to ``domain``'s owner (``www.`` dropped)."""
    return domain[4:] if domain.startswith("www.") else domain


def variants_of(domain: str, *, www: bool = True, amp: bool = False) -> list[str]:
    """Hosts that serve the same pages as ``domain``, ``domain`` itself excluded.

    ``www`` covers the bare zone and its www./m./mobile. hosts; ``amp`` adds the amp. host.
    """
    zone = zone_of(domain)
    hosts = [zone, *(prefix + zone for prefix in VARIANT_PREFIXES)] if www else []
    if amp:
        hosts.append(AMP_PREFIX + zone)
    return [host for host in hosts if host != domain]


class HostIndex(Generic[T]):
    """Host → value by exact host first, then by the longest zone the host lies in.

    Zones match on a label boundary: ``feeds.example.com`` lies in ``example.com``,
    ``notexample.com`` does not. Walking from the full host towards the TLD makes the longest
    (most specific) zone win, so publishers with nested domains are never confused.
    """

    def __init__(self) -> None:
        self._exact: dict[str, T] = {}
        self._zones: dict[str, T] = {}

    def add_exact(self, hosts: Iterable[str], value: T | None) -> None:
        """Claim ``hosts``; a host already claimed keeps its first owner."""
        if value is None:
            return
        for host in hosts:
            self._exact.setdefault(host, value)

    def add_zone(self, zone: str, value: T) -> None:
        self._zones.setdefault(zone, value)

    def exact(self, host: str) -> T | None:
        """The value ``host`` itself was claimed with, if any."""
        return self._exact.get(host)

    def lookup(self, host: str) -> tuple[T, bool] | None:
        """(value, whether the match was exact), or ``None`` for a foreign host."""
        value = self._exact.get(host)
        if value is not None:
            return value, True
        start = 0
        while start >= 0:
            value = self._zones.get(host[start:])
            if value is not None:
                return value, False
            start = host.find(".", start) + 1 or -1  # next label, or -1 after the last
        return None
