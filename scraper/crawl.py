"""A one-off crawl: every selected feed through the pipeline, concurrently, with a summary."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import partial

import httpx

from scraper.clean import clean_text
from scraper.config import Config
from scraper.domains import Resolver
from scraper.domains.moves import Suggestion, auto_adoptions, suggest, volume_evidence
from scraper.domains.moves import effective_config as apply_adoptions
from scraper.errors import ConfigError
from scraper.extract_pool import ExtractPool
from scraper.fetch import Fetcher, build_client
from scraper.models import FeedRef
from scraper.pipeline import Deps, FeedOutcome, LearnedBoilerplate, StoreRunner, refresh_feed
from scraper.settings import Settings
from scraper.store.archive import Archive
from scraper.store.feeds import Failure


@dataclass
class CrawlSummary:
    feeds: int = 0
    feeds_ok: int = 0
    feeds_not_modified: int = 0
    feeds_failed: int = 0
    new: int = 0
    updated: int = 0
    known: int = 0
    failures: list[Failure] = field(default_factory=list)
    failovers: list[tuple[str, str]] = field(default_factory=list)
    adopted: list[Suggestion] = field(default_factory=list)

    def add(self, outcome: FeedOutcome) -> None:
        self.feeds += 1
        if outcome.status == "failed":
            self.feeds_failed += 1
        elif outcome.status in ("not_modified", "unchanged"):
            self.feeds_not_modified += 1
        else:
            self.feeds_ok += 1
        self.new += outcome.new
        self.updated += outcome.updated
        self.known += outcome.known
        self.failures.extend(outcome.failures)
        self.failovers.extend(outcome.failovers)

    @property
    def errors_by_kind(self) -> dict[str, int]:
        return dict(Counter(f"{f.stage}:{f.reason}" for f in self.failures).most_common())

    @property
    def nothing_crawled(self) -> bool:
        """True when no feed could be read at all: the one case a crawl exits non-zero."""
        return self.feeds == 0 or self.feeds_failed == self.feeds

    def as_dict(self) -> dict[str, object]:
        return {
            "feeds": {"total": self.feeds, "ok": self.feeds_ok,
                      "not_modified": self.feeds_not_modified, "failed": self.feeds_failed},
            "articles": {"new": self.new, "updated": self.updated, "known": self.known},
            "errors_by_kind": self.errors_by_kind,
            "failovers": [{"from": a, "to": b} for a, b in self.failovers],
            "adopted": [{"publisher": s.publisher_id, "from": s.from_host, "to": s.to_host}
                        for s in self.adopted],
            "errors": [{"url": f.url, "stage": f.stage, "reason": f.reason,
                        "message": f.message} for f in self.failures],
        }  # fmt: skip


def select_feeds(
    archive: Archive, config: Config, publishers: Sequence[str], feed_urls: Sequence[str]
) -> list[FeedRef]:
    """Feeds chosen on the command line; an unknown publisher or feed is an error, not a no-op."""
    for publisher_id in publishers:
        config.publisher(publisher_id)
    refs = archive.feed_refs(publishers, feed_urls)
    missing = set(feed_urls) - {r.url for r in refs}
    if missing:
        raise ConfigError(
            "feed(s) not in the configuration: "
            + ", ".join(sorted(missing))
            + " (add them to a publisher's feeds list)"
        )
    return refs


async def crawl(
    settings: Settings,
    config: Config,
    archive: Archive,
    feeds: Sequence[FeedRef],
    *,
    transport: httpx.AsyncBaseTransport | None = None,
    proxy: str | None = None,
    on_feed_done: Callable[[FeedOutcome], None] | None = None,
    extract_workers: int = 0,
    store_writers: int = 1,
    epilogue: bool = True,
) -> CrawlSummary:
    """``extract_workers``: extraction processes (0: inline, the default); ``store_writers``:
    archive calls at once (1, the default; more only on PostgreSQL). See docs/performance.md.
    ``epilogue=False`` leaves :func:`finish_crawl` to the caller (one part of a crawl split
    over processes, :mod:`scraper.crawl_processes`)."""
    summary = CrawlSummary()
    extractor = ExtractPool(extract_workers)
    async with build_client(settings, transport=transport, proxy=proxy) as client:
        publisher_ids = sorted({f.publisher_id for f in feeds})
        before = LearnedBoilerplate(
            load=partial(learned_boilerplate, archive, publisher_ids, settings)
        )
        deps = Deps(
            settings,
            config,
            Resolver(config.publishers),
            Fetcher(client, settings),
            StoreRunner(archive, store_writers if archive.dialect == "postgresql" else 1),
            before,
            extractor,
        )
        # Feeds in progress at once: enough to keep every fetch slot busy, few enough that
        # drafts waiting for the store do not pile up (peak RSS, docs/performance.md).
        gate = asyncio.Semaphore(2 * settings.concurrency)

        async def gated(feed: FeedRef) -> FeedOutcome:
            async with gate:
                return await refresh_feed(feed, deps)

        try:
            for outcome in asyncio.as_completed([gated(f) for f in feeds]):
                done = await outcome
                summary.add(done)
                if on_feed_done is not None:
                    on_feed_done(done)
        finally:
            await deps.fetcher.aclose()
            extractor.close()
    if epilogue:  # ``before`` was loaded if anything new was stored: its text was cleaned with it
        summary.adopted = await asyncio.to_thread(
            finish_crawl, archive, config, settings, dict(before), summary.new
        )
    return summary


def finish_crawl(
    archive: Archive,
    config: Config,
    settings: Settings,
    before: dict[str, frozenset[str]],
    new: int,
) -> list[Suggestion]:
    """What a crawl does once, after its feeds: learn boilerplate from what it stored (only
    when it stored something new: paragraph counts change with new articles alone), prune old
    raw pages, adopt the domain moves publishers gathered evidence for."""
    if new:
        learn_boilerplate(archive, config, settings, before)
    archive.prune_raw_pages(settings.raw_pages_keep_days)
    return adopt_moves(archive, config, settings)


def learned_boilerplate(
    archive: Archive, publisher_ids: Sequence[str], settings: Settings
) -> dict[str, frozenset[str]]:
    return archive.learned_boilerplate(
        publisher_ids, settings.boilerplate_min_articles, settings.boilerplate_min_share
    )


def learn_boilerplate(
    archive: Archive, config: Config, settings: Settings, before: dict[str, frozenset[str]]
) -> dict[str, int]:
    """Publishers whose learned boilerplate grew in this crawl get it removed from what was
    stored before it crossed the threshold; returns articles cleaned per publisher."""
    cleaned = {}
    for publisher_id, known in learned_boilerplate(archive, list(before), settings).items():
        if known - before[publisher_id]:
            publisher = config.publisher(publisher_id)
            cleaned[publisher_id] = archive.reclean(
                publisher_id, partial(clean_text, publisher=publisher, learned=known)
            )
    return cleaned


def suggestions(archive: Archive, config: Config) -> list[Suggestion]:
    """Candidate moves from the recorded evidence plus the last year's volume per host."""
    now = datetime.now(UTC)
    volume = volume_evidence(archive.host_activity(now - timedelta(days=365)), now)
    return suggest(config, [*archive.evidence(), *volume])


def adopt_moves(archive: Archive, config: Config, settings: Settings) -> list[Suggestion]:
    """Adopt the moves that publishers with ``auto_adopt`` have gathered enough evidence for."""
    if not any(p.auto_adopt for p in config.publishers):
        return []  # nobody may move by itself: skip the evidence scan
    chosen = auto_adoptions(config, suggestions(archive, config), settings.auto_adopt_min_kinds)
    for item in chosen:
        assert item.publisher_id is not None
        archive.adopt(item.publisher_id, item.from_host, item.to_host, "auto")
    return chosen


def effective_config(archive: Archive, config: Config) -> Config:
    """The publishers file with every adopted domain move applied."""
    return apply_adoptions(config, archive.adoptions())
