"""Failover: when a publisher's host is unreachable or blocked, ask its other domains.

A domain that dies (DNS gone, connection refused or reset, TLS broken) or answers as blocked
(HTTP 451, or a page matching one of the publisher's ``block_signatures``) is not the end of a
publisher: the same path is tried on its other live domains, canonical first. The caller learns
which URL answered, so it can remember it for the feed and record the event.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from scraper.errors import FetchError
from scraper.fetch.fetcher import Fetcher
from scraper.models import FetchResult, Hop

# Failures that say "this host cannot serve you", not "this page does not exist".
FAILOVER_REASONS = frozenset({"dns", "connect", "tls", "network", "protocol", "blocked", "proxy"})


@dataclass(frozen=True, slots=True)
class Answer:
    """A successful fetch, and the alternative URL that gave it when the first one failed."""

    result: FetchResult
    failed_over_from: str | None = None
    failure: FetchError | None = None
    from_archive: bool = False  # fetched from a web archive: every live domain failed

    @property
    def redirects(self) -> tuple[Hop, ...]:
        """Every redirect answered on the way, including those before a failed host."""
        before = self.failure.redirects if self.failure is not None else ()
        return before + self.result.redirects


def same_scheme(url: str, like: str) -> str:
    """``url`` with the scheme of ``like``: failover changes the host, not how we speak to it
    (servers redirect http→https themselves; a plain-http proxy cannot carry https)."""
    try:
        scheme = urlsplit(like).scheme
        parts = urlsplit(url)
    except ValueError:
        return url
    return urlunsplit((scheme or parts.scheme, *parts[1:]))


def is_block_page(result: FetchResult, signatures: Sequence[str]) -> bool:
    if not signatures or not result.body:
        return False
    head = result.body[:65536].decode("utf-8", "replace")
    return any(re.search(s, head, re.IGNORECASE) for s in signatures)


async def fetch_with_failover(
    fetcher: Fetcher,
    url: str,
    alternatives: Callable[[str], Sequence[str]],
    *,
    block_signatures: Sequence[str] = (),
    **kwargs: Any,
) -> Answer:
    """Fetch ``url``; on a host-level failure, try the alternatives in order.

    ``alternatives(u)`` lists the same page on the other domains of ``u``'s publisher. It is
    asked for ``url`` and, when a redirect led elsewhere before the failure (an unknown old
    domain redirecting to a blocked one), for the URL that failed too. Conditional headers go
    only to the first URL: another host's validators differ. Raises the *first* failure when
    every alternative fails too.
    """
    try:
        result = await fetcher.fetch(url, **kwargs)
        if not is_block_page(result, block_signatures):
            return Answer(result)
        first = FetchError(url, "blocked", "the page is a block notice", transient=False)
    except FetchError as exc:
        if exc.reason not in FAILOVER_REASONS:
            raise
        first = exc
    plain = {k: v for k, v in kwargs.items() if k not in ("etag", "last_modified")}
    candidates = [*alternatives(url)]
    if first.url != url:
        candidates += alternatives(first.url)
    tried = {url, first.url}
    for alternative in candidates:
        candidate = same_scheme(alternative, url)
        if candidate in tried:
            continue
        tried.add(candidate)
        try:
            result = await fetcher.fetch(candidate, **plain)
        except FetchError:
            continue
        if not is_block_page(result, block_signatures):
            return Answer(result, failed_over_from=url, failure=first)
    raise first
