"""A one-off crawl: every selected feed through the pipeline, concurrently, with a summary."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import httpx

from scraper.config import Config
from scraper.domains import Resolver
from scraper.errors import ConfigError
from scraper.fetch import Fetcher, build_client
from scraper.models import FeedRef
from scraper.pipeline import Deps, FeedOutcome, StoreRunner, refresh_feed
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
) -> CrawlSummary:
    summary = CrawlSummary()
    async with build_client(settings, transport=transport, proxy=proxy) as client:
        deps = Deps(
            settings,
            config,
            Resolver(config.publishers),
            Fetcher(client, settings),
            StoreRunner(archive),
        )
        for outcome in asyncio.as_completed([refresh_feed(f, deps) for f in feeds]):
            done = await outcome
            summary.add(done)
            if on_feed_done is not None:
                on_feed_done(done)
    await asyncio.to_thread(archive.prune_raw_pages, settings.raw_pages_keep_days)
    return summary
