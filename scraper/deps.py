"""What one feed poll needs (:class:`Deps`) and what it reports (:class:`FeedOutcome`).

Shared by the crawl, the daemon and the two halves of a poll (:mod:`scraper.pipeline` for the
feed, :mod:`scraper.drafts` for its items), so none of them imports another's internals.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
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
from scraper.store.feeds import Failure, FeedPoll, PollRecord

P = ParamSpec("P")
R = TypeVar("R")

log = logging.getLogger(__name__)


class StoreRunner:
    """Runs archive calls on worker threads: the event loop never blocks on the database.
    ``writers`` calls at once (1, the default, for SQLite's single writer; PostgreSQL saves
    serialise on their own keys, so several overlap their round-trips)."""

    def __init__(self, archive: Archive, writers: int = 1) -> None:
        self.archive = archive
        self._lock = asyncio.Semaphore(writers)
        self._polls: list[_PendingPoll] = []
        self._poll_lock = asyncio.Lock()

    async def __call__(self, fn: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
        async with self._lock:
            call = asyncio.ensure_future(asyncio.to_thread(fn, *args, **kwargs))
            try:
                return await asyncio.shield(call)
            except asyncio.CancelledError:
                # A thread cannot be stopped: its transaction commits after the caller is
                # gone. Keep the slot until it has, so the next call on this runner (a
                # shutdown's lease release) comes after that commit, never beside it.
                await _outlast(call, fn)
                raise

    async def record_poll(
        self,
        poll: FeedPoll,
        failures: Sequence[Failure] = (),
        evidence: Sequence[tuple[str | None, Evidence]] = (),
    ) -> None:
        """Write one feed's new state; returns once it is committed.

        Polls that finish while an earlier write is in flight are committed together in one
        transaction: a re-poll of many unchanged feeds would otherwise wait on one commit per
        feed, one after the other (docs/performance.md)."""
        entry = _PendingPoll(
            PollRecord(poll, tuple(failures), tuple(evidence)),
            asyncio.get_running_loop().create_future(),
        )
        self._polls.append(entry)
        async with self._poll_lock:
            if not entry.done.done():
                batch, self._polls = self._polls, []
                try:
                    await self._write(batch)
                finally:  # cancelled mid-write: whoever comes next writes them
                    self._polls[:0] = [e for e in batch if not e.done.done()]
        await entry.done

    async def _write(self, batch: list[_PendingPoll]) -> None:
        try:
            await self(self.archive.record_polls, [e.record for e in batch])
        except Exception:
            for e in batch:
                try:
                    r = e.record
                    await self(self.archive.record_poll, r.poll, r.failures, r.evidence)
                except Exception as exc:
                    e.done.set_exception(exc)
                else:
                    e.done.set_result(None)
        else:
            for e in batch:
                e.done.set_result(None)


async def _outlast(call: asyncio.Future[R], fn: Callable[..., R]) -> None:
    """Wait for ``call`` to end, through further cancellations; a failure nobody awaits any
    more is logged here rather than lost."""
    while not call.done():
        try:
            await asyncio.wait([call])
        except asyncio.CancelledError:
            continue
    if not call.cancelled() and (exc := call.exception()) is not None:
        log.warning(
            "Store call failed after its caller was cancelled",
            extra={"call": getattr(fn, "__qualname__", repr(fn)), "error": str(exc)},
        )


class LearnedBoilerplate(dict[str, frozenset[str]]):
    """Learned boilerplate paragraph hashes per publisher, read from the archive by the first
    poll that has a new item to clean: a re-poll that finds nothing new never pays for the
    query (it grows with the archive; docs/performance.md). Without ``load`` it is complete
    as given (the daemon loads it at start and refreshes it hourly)."""

    def __init__(
        self,
        known: dict[str, frozenset[str]] | None = None,
        load: Callable[[], dict[str, frozenset[str]]] | None = None,
    ) -> None:
        super().__init__(known or {})
        self._load = load
        self._lock = asyncio.Lock()

    @property
    def loaded(self) -> bool:
        return self._load is None

    async def ready(self, store: StoreRunner) -> None:
        """Load it once (concurrent callers wait for the first); later calls return at once."""
        if self._load is None:
            return
        async with self._lock:
            if (load := self._load) is not None:
                self.update(await store(load))
                self._load = None


@dataclass(frozen=True)
class _PendingPoll:
    record: PollRecord
    done: asyncio.Future[None]


@dataclass(frozen=True)
class Deps:
    settings: Settings
    config: Config
    resolver: Resolver
    fetcher: Fetcher
    store: StoreRunner
    # Learned boilerplate per publisher; a crawl loads it on first need (see pipeline.py).
    learned: LearnedBoilerplate = field(default_factory=LearnedBoilerplate)
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
