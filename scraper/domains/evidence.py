"""Evidence that a publisher moved house, read off what the crawler sees anyway (pure).

Kinds, each counted per (from host, to host):

``redirect``   a permanent (301/308) redirect from one host to another, for a feed or a page;
``canonical``  a page declares (rel=canonical / og:url / JSON-LD) its URL on another host;
``feed_link``  a feed's channel link points at a host other than the feed's own;
``notice``     the text says "now hosted at X", "we have moved to X", "new address: X" …;
``slug``       the same article (same path) is met under two hosts of one publisher;
``failover``   a host failed (unreachable or blocked) and another domain answered for it.

A publisher's volume moving from one host to another is computed from the archive when
suggestions are listed (see :mod:`scraper.domains.moves`), not recorded per event.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from scraper.idn import ascii_host
from scraper.models import Hop

_PERMANENT = frozenset({301, 308})
_VARIANT_PREFIXES = ("www.", "m.", "mobile.", "amp.")
_HOST = r"((?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63})"
_NOTICE = re.compile(
    r"(?:now|newly)\s+(?:hosted|located|available|published|live)\s+(?:at|on)\s+(?:https?://)?"
    + _HOST
    + r"|(?:we(?:'ve|\s+have)?|site\s+has|has)\s+moved\s+to\s+(?:https?://)?"
    + _HOST
    + r"|new\s+(?:address|domain|home|url)\s*(?:is|:)\s*(?:https?://)?"
    + _HOST,
)  # matched against lower-cased text: IGNORECASE made this 2.5× slower (it runs on every page)


@dataclass(frozen=True, slots=True)
class Evidence:
    from_host: str
    to_host: str
    kind: str
    url: str


@dataclass(frozen=True, slots=True)
class EvidenceCount:
    """Stored evidence of one kind for one (from, to) pair."""

    publisher_id: str | None
    from_host: str
    to_host: str
    kind: str
    count: int
    example_url: str
    first_seen_at: datetime
    last_seen_at: datetime


@dataclass(frozen=True, slots=True)
class Adoption:
    """A move that was accepted: ``to_host`` is the publisher's home from then on."""

    publisher_id: str
    from_host: str
    to_host: str
    source: str
    adopted_at: datetime


def host_of(url: str) -> str:
    """Lower-case ASCII host without the www./m./amp. variant prefix (variants are not moves),
    spelled as configured domains are."""
    try:
        host = (urlsplit(url).hostname or "").lower().rstrip(".")
        if not host.isascii():
            host = ascii_host(host)
    except (ValueError, UnicodeError):
        return ""
    for prefix in _VARIANT_PREFIXES:
        if host.startswith(prefix) and host.count(".") > 1:
            return host[len(prefix) :]
    return host


def _moved(from_url: str, to_url: str, kind: str, example: str) -> list[Evidence]:
    src, dst = host_of(from_url), host_of(to_url)
    if not src or not dst or src == dst:
        return []
    return [Evidence(src, dst, kind, example)]


def from_redirects(hops: Iterable[Hop]) -> list[Evidence]:
    """Permanent cross-host redirects; temporary ones prove nothing about a move."""
    found: list[Evidence] = []
    for hop in hops:
        if hop.status in _PERMANENT:
            found += _moved(hop.url, hop.location, "redirect", hop.url)
    return found


def from_declared_url(page_url: str, declared: str | None) -> list[Evidence]:
    """The page says its real address is on another host."""
    if not declared:
        return []
    return _moved(page_url, declared, "canonical", page_url)


def from_feed_link(feed_url: str, channel_link: str | None) -> list[Evidence]:
    if not channel_link:
        return []
    return _moved(feed_url, channel_link, "feed_link", feed_url)


def from_notice(text: str, page_url: str, home: str) -> list[Evidence]:
    """A "we moved" notice naming a host other than the publisher's configured home ``home``:
    the move is from ``home`` to the named host (even when the page came from that host)."""
    found: list[Evidence] = []
    for match in _NOTICE.finditer(text.lower()):
        named = host_of("http://" + next(g for g in match.groups() if g).rstrip(".") + "/")
        if named and named != home:
            found.append(Evidence(home, named, "notice", page_url))
    return found


def from_urls_of_one_article(urls: Iterable[str]) -> list[Evidence]:
    """One article reached under several hosts with the same path: its slug moved host."""
    by_path: dict[str, str] = {}
    found: list[Evidence] = []
    for url in urls:
        try:
            path = urlsplit(url).path.rstrip("/")
        except ValueError:
            continue
        if len(path) < 2:
            continue
        first = by_path.setdefault(path, url)
        found += _moved(first, url, "slug", url)
    return found


def from_fetch(requested: str, failed_over_from: str | None, hops: Iterable[Hop]) -> list[Evidence]:
    """What one fetch says: its permanent redirects, and a failover if one was needed."""
    found = from_redirects(hops)
    if failed_over_from is not None:
        found += _moved(failed_over_from, requested, "failover", failed_over_from)
    return found


def from_page(page_url: str, declared: str | None, raw_text: str, home: str) -> list[Evidence]:
    """What a page says about where it lives: its declared URL (on another host than the one
    that served it, or than the publisher's configured ``home``) and any "we moved" notice."""
    found = from_declared_url(page_url, declared)
    target = host_of(declared) if declared else ""
    if target and target != home and target == host_of(page_url):
        found.append(Evidence(home, target, "canonical", page_url))
    return found + from_notice(raw_text, page_url, home)
