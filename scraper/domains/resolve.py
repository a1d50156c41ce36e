"""Resolve any URL to its publisher, its canonical URL and a host-independent identity.

Publishers move: SouthFront wrote on southfront.com (2013–2015), then southfront.org (later
blocked), now southfront.press. A story linked under any of them is one article, so:

* a URL on a configured domain of a publisher, or on a variant of one (``www.``, ``m.``,
  ``mobile.``, ``amp.``), moves to the **same path on the canonical domain, over https**: the
  ``alias-host:old→new`` rule (plus ``path-rewrite:PATTERN`` for each of the alias's configured
  ``rewrite`` rules that changed the path, and ``https``); port and user info, which belong
  to the old server, are dropped (``drop-port-userinfo``);
* a URL on another subdomain (``feeds.example.com`` when ``example.com`` is configured) belongs
  to the publisher but keeps its own host: it may be a different site of the same owner;
* the longest configured zone wins, on label boundaries, so ``notsouthfront.press`` and
  ``news.other.example.com`` (another publisher's ``other.example.com``) are never confused;
* any other host is foreign: generic canonicalisation only, publisher ``None``.

:attr:`Resolution.identity_key` is ``"{publisher_id}:{path?query}"`` for URLs moved to the
canonical domain, ``"{publisher_id}:{host}{path?query}"`` for kept subdomains, and the canonical
URL itself for foreign hosts, so old.tld/2019/05/x/ and new.tld/2019/05/x/ meet before any text
is compared.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from scraper.config import Publisher
from scraper.domains.canonical import (
    UrlParts,
    join_url,
    normalise_parts,
    normalise_path,
    normalise_query,
    split_url,
)
from scraper.domains.hosts import HostIndex, normalise_hostport, zone_of
from scraper.domains.policy import DEFAULT_POLICY, UrlPolicy, publisher_variants

_FAILOVER_STATUSES = frozenset({"live", "unknown"})
_PUBLISHER_SCHEMES = frozenset({"http", "https", ""})
_CACHE_LIMIT = 65536


@dataclass(frozen=True, slots=True)
class Resolution:
    """Where a URL belongs.

    ``rules`` names every rule that changed the URL, in order; ``url`` is the input as given;
    ``domain`` is the configured domain (canonical, alias or mirror) whose host or zone the URL
    matched, ``None`` for foreign URLs.
    """

    publisher_id: str | None
    canonical_url: str
    rules: tuple[str, ...]
    identity_key: str
    url: str = ""
    domain: str | None = None  # the configured domain the URL matched, if any

    def describe(self) -> list[str]:
        """Aligned ``label  value`` lines for the CLI."""
        return [
            f"url        {self.url}",
            f"publisher  {self.publisher_id or '(unknown)'}",
            f"domain     {self.domain or '-'}",
            f"canonical  {self.canonical_url}",
            f"identity   {self.identity_key}",
            f"rules      {', '.join(self.rules) or '(none)'}",
        ]


@dataclass(frozen=True, slots=True)
class _Domain:
    """One configured domain and what moving a URL from it to the canonical domain means."""

    publisher: Publisher
    domain: str
    rewrites: tuple[tuple[re.Pattern[str], str, str], ...]  # (compiled, replacement, source)


@dataclass(frozen=True, slots=True)
class _Match:
    """Everything per host that resolving needs, computed once per host and cached."""

    entry: _Domain
    policy: UrlPolicy
    moves_home: bool  # the configured domain or a variant of it, not another subdomain
    fold_rule: str  # "www-fold"/"amp" when the host is a variant, else ""
    alias_rule: str  # "alias-host:old→new" when the domain is not the canonical one, else ""

    @property
    def publisher_id(self) -> str:
        return self.entry.publisher.id


class Resolver:
    """Maps URLs to publishers; build once from the configuration, then share (read-only)."""

    def __init__(self, publishers: Iterable[Publisher]) -> None:
        self._publishers = {publisher.id: publisher for publisher in publishers}
        self._index: HostIndex[_Domain] = HostIndex()
        entries = [
            _entry(publisher, domain)
            for publisher in self._publishers.values()
            for domain in publisher.domains
        ]
        # Claim order decides conflicts: configured domains of every publisher first, then
        # their www-less zones, then variant hosts (a first claim is never overwritten).
        for entry in entries:
            self._index.add_exact([entry.domain], entry)
            self._index.add_zone(entry.domain, entry)
        for entry in entries:
            self._index.add_zone(zone_of(entry.domain), entry)
        self._policies = {
            pid: UrlPolicy.for_publisher(publisher, self._claim_variants(publisher))
            for pid, publisher in self._publishers.items()
        }
        self._cache: dict[str, _Match | None] = {}

    def _claim_variants(self, publisher: Publisher) -> dict[str, str]:
        """Claim the publisher's variant hosts; return those it won (variant → domain)."""
        won: dict[str, str] = {}
        for host, domain in publisher_variants(publisher).items():
            owner = self._index.exact(domain)
            self._index.add_exact([host], owner)
            if owner is not None and self._index.exact(host) is owner:
                won[host] = domain
        return won

    def publisher_for_host(self, host: str) -> str | None:
        """The publisher ``host`` belongs to, if any; any case, a port or a whole URL is fine."""
        if "/" in host:
            parts = split_url(host, [])
            host = parts.host if isinstance(parts, UrlParts) else ""
        clean = normalise_hostport(host.strip(), "")[0]
        match = self._cache[clean] if clean in self._cache else self._lookup(clean)
        return match.publisher_id if match else None

    def resolve(self, url: str) -> Resolution:
        """Publisher, canonical URL, identity key and applied rules of ``url``."""
        return self._resolve(url)[0]

    def failover_urls(self, url: str) -> list[str]:
        """The same article on the publisher's domains that may answer, canonical first.

        Aliases and mirrors whose status is ``live`` or ``unknown`` follow, in configuration
        order; ``blocked``, ``dead`` and ``redirecting`` ones are skipped, and so are aliases
        with ``rewrite`` rules (their URL layout differs, the path would not exist there). A
        foreign URL or one on a kept subdomain has no alternative: just its canonical URL.
        """
        resolution, path_query, match = self._resolve(url)
        if match is None or not match.moves_home:
            return [resolution.canonical_url]
        return [
            resolution.canonical_url,
            *(
                f"https://{alias.domain}{path_query}"
                for alias in match.entry.publisher.aliases
                if alias.status in _FAILOVER_STATUSES and not alias.rewrite
            ),
        ]

    def lookup_urls(self, url: str) -> list[str]:
        """Every spelling the archive may hold this page under: ``url``, its canonical URL,
        then the same path on each other domain of its publisher.

        An article keeps the canonical URL it was stored with; once a move is adopted (or the
        canonical domain edited) the canonical URL of the same link is on the new home, so
        a lookup by the new spelling alone would miss everything archived before the move.
        Aliases with ``rewrite`` rules lay out their URLs differently and are left out.
        """
        resolution, path_query, match = self._resolve(url)
        found = [url, resolution.canonical_url]
        if match is not None and match.moves_home:
            publisher = match.entry.publisher
            domains = [publisher.canonical_domain]
            domains += [a.domain for a in publisher.aliases if not a.rewrite]
            found += [f"https://{domain}{path_query}" for domain in domains]
        return list(dict.fromkeys(found))

    def _resolve(self, url: str) -> tuple[Resolution, str, _Match | None]:
        """(resolution, normalised path?query, host match) of ``url``."""
        rules: list[str] = []
        parts = split_url(url, rules)
        if isinstance(parts, str):
            return _foreign(url, parts, rules), "", None
        host = parts.host
        if parts.scheme not in _PUBLISHER_SCHEMES:
            match = None
        elif host in self._cache:
            match = self._cache[host]
        else:
            match = self._lookup(host)
        if match is None:
            canonical = join_url(normalise_parts(parts, DEFAULT_POLICY, rules))
            return _foreign(url, canonical, rules), "", None
        if match.moves_home:
            resolution, path_query = _moved(url, parts, match, rules)
            return resolution, path_query, match
        parts = normalise_parts(parts, match.policy, rules)
        path_query = f"{parts.path}?{parts.query}" if parts.query else parts.path
        identity = f"{match.publisher_id}:{parts.host}{parts.port}{path_query}"
        resolution = Resolution(
            match.publisher_id, join_url(parts), _unique(rules), identity, url, match.entry.domain
        )
        return resolution, path_query, match

    def _lookup(self, host: str) -> _Match | None:
        """Host → match, cached; the cache is bounded so hostile input cannot grow it forever."""
        found = self._index.lookup(host)
        match = None
        if found is not None:
            entry, exact = found
            match = _match_of(entry, host, exact, self._policies[entry.publisher.id])
        if len(self._cache) >= _CACHE_LIMIT:
            self._cache.clear()
        self._cache[host] = match
        return match


def _entry(publisher: Publisher, domain: str) -> _Domain:
    alias = next((a for a in publisher.aliases if a.domain == domain), None)
    rewrites = tuple(
        (re.compile(pattern), replace, pattern)
        for pattern, replace in (alias.rewrite if alias else ())
    )
    return _Domain(publisher, domain, rewrites)


def _match_of(entry: _Domain, host: str, exact: bool, policy: UrlPolicy) -> _Match:
    home = entry.publisher.canonical_domain
    fold_rule = ""
    if exact and host != entry.domain:
        fold_rule = "amp" if host.startswith("amp.") else "www-fold"
    alias_rule = f"alias-host:{entry.domain}→{home}" if entry.domain != home else ""
    return _Match(entry, policy, exact, fold_rule, alias_rule)


def _unique(rules: list[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(rules)) if len(rules) > 1 else tuple(rules)


def _foreign(url: str, canonical: str, rules: list[str]) -> Resolution:
    return Resolution(None, canonical, _unique(rules), canonical, url)


def _moved(url: str, parts: UrlParts, match: _Match, rules: list[str]) -> tuple[Resolution, str]:
    """The same article on the publisher's canonical domain, over https, without port or
    user info (they belong to the old server). Also returns the path?query."""
    if match.fold_rule:
        rules.append(match.fold_rule)
    policy = match.policy
    path, query = normalise_path(parts.path, policy, rules), parts.query
    if match.entry.rewrites:
        path, query = _rewrite(path, query, match, rules)
    query = normalise_query(query, policy, rules) if query else ""
    if match.alias_rule:
        rules.append(match.alias_rule)
    if parts.scheme != "https":
        rules.append("https")
    if parts.port or parts.userinfo:
        rules.append("drop-port-userinfo")
    path_query = f"{path}?{query}" if query else path
    home = match.entry.publisher.canonical_domain
    pid = match.publisher_id
    resolution = Resolution(
        pid,
        f"https://{home}{path_query}",
        _unique(rules),
        f"{pid}:{path_query}",
        url,
        match.entry.domain,
    )
    return resolution, path_query


def _rewrite(path: str, query: str, match: _Match, rules: list[str]) -> tuple[str, str]:
    """Apply the alias's path rewrites in order; a ``?`` in a replacement starts parameters
    that go before the URL's own (``/story/12`` → ``/?p=12``). The path is normalised again:
    a rewrite may leave ``//``, dot-segments or an AMP form behind."""
    original = path
    for pattern, replace, source in match.entry.rewrites:
        rewritten = pattern.sub(replace, path, count=1)
        if rewritten != path:
            rules.append(f"path-rewrite:{source}")
            path = rewritten if rewritten.startswith("/") else "/" + rewritten
    if path == original:
        return path, query
    path, question, extra = path.partition("?")
    if question:
        query = f"{extra}&{query}" if query else extra
    return normalise_path(path, match.policy, rules), query
