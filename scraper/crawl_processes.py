"""A one-off crawl split over several processes, for archives one core cannot crawl fast enough.

One crawl process is bound by its interpreter: on a cold crawl its event loop is ≈ 95 % busy
and the GIL held ≈ 80 % of the time (fetching, extraction, fingerprints, building SQL;
docs/performance.md, "Session 7"). More processes are the way to more cores. Feeds are split
by publisher, so a publisher's politeness limits, failover and boilerplate stay inside one
process; each process crawls its part with its own event loop, HTTP client and archive
connection, exactly as :func:`scraper.crawl.crawl` does alone. Each feed's outcome comes back
to the parent as the feed ends (progress and the summary are the same as in one process), and
what a crawl does once — boilerplate learning, raw page pruning, domain-move adoption — runs
once, in the parent, after every part.

Writers of several processes serialise on the archive's own locks (PostgreSQL: per-story
advisory locks; SQLite: its single writer, waited for up to ``busy_timeout``), so any number
of parts store what one process would.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import pickle
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from typing import Any, cast

from scraper.config import Config
from scraper.crawl import CrawlSummary, crawl, finish_crawl, learned_boilerplate
from scraper.errors import ScraperError
from scraper.models import FeedRef
from scraper.pipeline import FeedOutcome
from scraper.settings import Settings
from scraper.store.archive import Archive, open_archive
from scraper.store.db import timeouts_from
from scraper.store.faults import classify, quiet
from scraper.store.feeds import Failure

log = logging.getLogger(__name__)

PARENT_CHECK_S = 1.0  # how often a part checks that its parent still waits for it


class CrawlProcessError(ScraperError):
    """A crawl process ended without reporting every feed it was given."""


def split_by_publisher(feeds: Sequence[FeedRef], parts: int) -> list[list[FeedRef]]:
    """At most ``parts`` non-empty lists of feeds, each publisher's feeds in one list, lists
    as even in feeds as whole publishers allow (largest publisher first, to the emptiest)."""
    by_publisher: dict[str, list[FeedRef]] = {}
    for feed in feeds:
        by_publisher.setdefault(feed.publisher_id, []).append(feed)
    groups = sorted(by_publisher.values(), key=lambda g: (-len(g), g[0].publisher_id))
    split: list[list[FeedRef]] = [[] for _ in range(max(1, min(parts, len(groups))))]
    for group in groups:
        min(split, key=len).extend(group)
    return [part for part in split if part]


@dataclass(frozen=True, slots=True)
class _Done:
    """A part's last message: None when it crawled every feed, else why it stopped."""

    error: BaseException | None


async def _while_parent_lives(crawling: Coroutine[Any, Any, object], parent: int) -> None:
    """Run the part's crawl, cancelled if the parent goes away (killed, SIGTERM): nobody
    would read its outcomes, and a crawl the user stopped must not go on in the background."""
    task = asyncio.ensure_future(crawling)
    while not task.done():
        await asyncio.wait({task}, timeout=PARENT_CHECK_S)
        if os.getppid() != parent and not task.done():
            log.warning("Crawl stopped: its parent process is gone", extra={"parent": parent})
            task.cancel()
    await task


def _crawl_part(
    settings: Settings,
    config: Config,
    feeds: list[FeedRef],
    proxy: str | None,
    log_setup: tuple[str, str],
    out: Connection,
    parent: int,
) -> None:
    """One part, in its own (spawned) process: each feed's outcome to ``out``, then _Done."""
    from scraper import logging_setup

    logging_setup.configure(*log_setup)
    error: BaseException | None = None
    try:
        archive = open_archive(settings.database_url, timeouts=timeouts_from(settings))
        try:
            crawling = crawl(settings, config, archive, feeds, proxy=proxy,
                             on_feed_done=out.send, epilogue=False)  # fmt: skip
            asyncio.run(quiet(_while_parent_lives(crawling, parent)))
        finally:
            archive.close()
    except BaseException as exc:  # reported to the parent, which decides
        error = _portable(classify(exc, settings.database_url) or exc)
    out.send(_Done(error))
    out.close()


def _portable(error: BaseException) -> BaseException:
    """The error itself when it survives pickling (the parent must be able to read it back),
    else its words in a :class:`CrawlProcessError`."""
    try:
        pickle.loads(pickle.dumps(error))
    except Exception:
        return CrawlProcessError(f"{type(error).__name__}: {error}")
    return error


def crawl_in_processes(
    settings: Settings,
    config: Config,
    archive: Archive,
    feeds: Sequence[FeedRef],
    processes: int,
    on_feed_done: Callable[[FeedOutcome], None] | None = None,
    *,
    proxy: str | None = None,
) -> CrawlSummary:
    """:func:`scraper.crawl.crawl` over ``processes`` processes (one: in this one).

    A part that fails as a whole (the archive cannot be written, a crash) stops the others;
    its error is raised once they have ended, as one process would raise it. A part that
    dies without a word (killed) costs only its unreported feeds, each recorded as failed."""
    parts = split_by_publisher(feeds, processes)
    if len(parts) <= 1:
        return asyncio.run(
            quiet(crawl(settings, config, archive, feeds, proxy=proxy, on_feed_done=on_feed_done))
        )
    before = learned_boilerplate(archive, sorted({f.publisher_id for f in feeds}), settings)
    root = logging.getLogger()
    log_setup = (logging.getLevelName(root.level), settings.log_format)
    # ``concurrency`` is requests in flight across all hosts: the parts share it
    share = settings.model_copy(update={"concurrency": max(1, settings.concurrency // len(parts))})
    context = multiprocessing.get_context("spawn")  # no fork of a process with threads
    # One pipe per part: a part that dies, even halfway through a message, closes its pipe,
    # and the parent reads EOF instead of waiting for the rest of the message.
    pipes = [context.Pipe(duplex=False) for _ in parts]
    workers = [
        context.Process(
            target=_crawl_part,
            args=(share, config, part, proxy, log_setup, sender, os.getpid()),
            name=f"scraper-crawl-{i}",
        )
        for i, (part, (_, sender)) in enumerate(zip(parts, pipes, strict=True))
    ]
    summary = CrawlSummary()
    reported: set[int] = set()
    errors: list[BaseException] = []
    for worker, (_, sender) in zip(workers, pipes, strict=True):
        worker.start()
        sender.close()  # the part holds the only writing end now
    open_pipes = [receiver for receiver, _ in pipes]
    try:
        while open_pipes:
            for ready in wait(open_pipes):
                receiver = cast(Connection, ready)
                try:
                    message = receiver.recv()
                except (EOFError, OSError):  # the part ended (or died) and closed its pipe
                    open_pipes.remove(receiver)
                    continue
                if isinstance(message, _Done):
                    open_pipes.remove(receiver)
                    if message.error is not None:
                        errors.append(message.error)
                        for worker in workers:  # the archive, not a feed, failed: stop all
                            worker.terminate()
                    continue
                reported.add(message.feed.id)
                summary.add(message)
                if on_feed_done is not None:
                    on_feed_done(message)
    finally:
        for worker in workers:
            worker.join(timeout=30)
            if worker.is_alive():
                worker.kill()
                worker.join()
        for receiver, _ in pipes:
            receiver.close()
    if errors:
        raise errors[0]
    for part, worker in zip(parts, workers, strict=True):
        for feed in part:
            if feed.id not in reported:
                lost = FeedOutcome(feed, status="failed")
                lost.failures.append(
                    Failure(url=feed.url, stage="crawl", reason="process_died",
                            message=f"its crawl process {worker.name} ended with exit code "
                                    f"{worker.exitcode} before this feed was done",
                            feed_id=feed.id)
                )  # fmt: skip
                summary.add(lost)
                log.error("Crawl process died; feed not crawled",
                          extra={"feed_id": feed.id, "feed_url": feed.url,
                                 "part": worker.name, "exit_code": worker.exitcode})  # fmt: skip
                if on_feed_done is not None:
                    on_feed_done(lost)
    summary.adopted = finish_crawl(archive, config, settings, before, summary.new)
    return summary
