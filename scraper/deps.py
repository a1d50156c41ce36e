"""What one feed poll needs (:class:`Deps`) and what it reports (:class:`FeedOutcome`).

Shared by the crawl, the daemon and the two halves of a poll (:mod:`scraper.pipeline` for the
feed, :mod:`scraper.drafts` for its items), so none of them imports another's internals.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import ParamSpec, TypeVar

from scraper.config import Config
from scraper.domains import Resolver
from scraper.domains.evidence import Evidence
from scraper.errors import ScraperError
from scraper.extract_pool import ExtractPool
from scraper.fetch import Fetcher
from scraper.models import FeedRef
from scraper.settings import Settings
from scraper.store.archive import Archive
from scraper.store.feeds import Failure

P = ParamSpec("P")
R = TypeVar("R")


class StoreRunner:
    """Runs archive calls on worker threads: the event loop never blocks on the database.
    ``writers`` calls at once (1, the default, for SQLite's single writer; PostgreSQL saves
    serialise on their own keys, so several overlap their round-trips)."""

    def __init__(self, archive: Archive, writers: int = 1) -> None:
        self.archive = archive
        self._lock = asyncio.Semaphore(writers)

    async def __call__(self, fn: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
        async with self._lock:
            return await asyncio.to_thread(fn, *args, **kwargs)


@dataclass(frozen=True)
class Deps:
    settings: Settings
    config: Config
    resolver: Resolver
    fetcher: Fetcher
    store: StoreRunner
    # Learned boilerplate per publisher, loaded at the start of a crawl (see crawl.py).
    learned: dict[str, frozenset[str]] = field(default_factory=dict)
    # Page extraction in worker processes (scraper/extract_pool.py); None: inline.
    extractor: ExtractPool | None = None


@dataclass
class FeedOutcome:
    feed: FeedRef
    status: str = "ok"  # ok | not_modified | unchanged | failed
    new: int = 0
    updated: int = 0
    known: int = 0
    failures: list[Failure] = field(default_factory=list)
    evidence: list[tuple[str | None, Evidence]] = field(default_factory=list)
    failovers: list[tuple[str, str]] = field(default_factory=list)
    # What the scheduler reads (scraper.schedule): the server's answer and the feed's own hints.
    http_status: int | None = None
    headers: dict[str, str] = field(default_factory=dict)
    item_dates: tuple[datetime, ...] = ()
    ttl_s: float | None = None
    retry_after: float | None = None

    def fail(self, stage: str, exc: ScraperError, url: str) -> Failure:
        failure = Failure(
            url=getattr(exc, "url", url),
            stage=stage,
            reason=getattr(exc, "reason", type(exc).__name__),
            message=str(getattr(exc, "message", exc)),
            feed_id=self.feed.id,
            status=getattr(exc, "status", None),
        )
        self.failures.append(failure)
        return failure
