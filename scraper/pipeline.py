"""One feed poll, end to end. The only place that knows the order of the stages.

fetch feed (conditional) → 304 or same body? stop → parse → resolve every item URL →
skip items already archived (before any page request) → text from the feed when it is the full
article, else fetch and extract the page → strip publisher boilerplate → store, one article per
transaction → write the feed's new state.

Every failure becomes a :class:`Failure` on the outcome (and in the fetch log); the poll goes on
with the next item. The feed's validators (ETag, Last-Modified, body hash) only advance when no
page failed *transiently*, so the next poll retries those pages instead of skipping them as
"not modified".
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import ParamSpec, TypeVar

from scraper.clean import feed_text, page_text
from scraper.config import Config, Publisher
from scraper.domains import Resolution, Resolver
from scraper.errors import ExtractError, FetchError, ParseError, ScraperError, StorageError
from scraper.extract.language import detect_language
from scraper.feeds import parse_feed
from scraper.fetch import Fetcher
from scraper.models import (
    ArticleDraft,
    FeedItem,
    FeedRef,
    FetchResult,
    RawPage,
    TextSource,
    UrlSource,
)
from scraper.settings import Settings
from scraper.store.archive import Archive
from scraper.store.feeds import Failure, FeedPoll

log = logging.getLogger(__name__)

FEED_ACCEPT = (
    "application/rss+xml, application/atom+xml, application/rdf+xml, "
    "application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"
)
PAGE_ACCEPT = "text/html, application/xhtml+xml;q=0.9, */*;q=0.5"
_TEASER_ENDINGS = ("…", "...", "[…]", "[...]", "read more", "continue reading", "more »")

P = ParamSpec("P")
R = TypeVar("R")


class StoreRunner:
    """Runs archive calls on one worker thread: the event loop never blocks on the database,
    and SQLite sees a single writer."""

    def __init__(self, archive: Archive) -> None:
        self.archive = archive
        self._lock = asyncio.Lock()

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


@dataclass
class FeedOutcome:
    feed: FeedRef
    status: str = "ok"  # ok | not_modified | unchanged | failed
    new: int = 0
    updated: int = 0
    known: int = 0
    failures: list[Failure] = field(default_factory=list)

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


async def refresh_feed(feed: FeedRef, deps: Deps) -> FeedOutcome:
    """Poll one feed and archive what is new in it."""
    outcome = FeedOutcome(feed)
    try:
        result = await deps.fetcher.fetch(
            feed.url,
            etag=feed.etag,
            last_modified=feed.last_modified,
            max_bytes=deps.settings.max_feed_bytes,
            accept=FEED_ACCEPT,
        )
    except FetchError as exc:
        return await _feed_failed(outcome, "fetch", exc, deps)
    if result.not_modified:
        outcome.status = "not_modified"
        await deps.store(deps.store.archive.record_poll, FeedPoll(feed.id, status=304))
        return outcome
    body_hash = hashlib.sha256(result.body).hexdigest()
    if body_hash == feed.body_hash:
        outcome.status = "unchanged"
        await deps.store(deps.store.archive.record_poll, _poll(feed, result, body_hash))
        return outcome
    try:
        parsed = parse_feed(
            result.body, result.final_url, result.headers, max_items=deps.settings.feed_items_limit
        )
    except ParseError as exc:
        return await _feed_failed(outcome, "parse", exc, deps, result.status)
    transient = await _archive_items(parsed.items, outcome, deps)
    poll = _poll(feed, result, body_hash, parsed.title)
    if transient:  # keep the old validators so the next poll retries the failed pages
        poll = FeedPoll(
            feed.id,
            status=result.status,
            etag=feed.etag,
            last_modified=feed.last_modified,
            body_hash=feed.body_hash,
        )
    await deps.store(deps.store.archive.record_poll, poll, outcome.failures)
    log.info(
        "Polled feed",
        extra={
            "feed_id": feed.id,
            "feed_url": feed.url,
            "new": outcome.new,
            "known": outcome.known,
        },
    )
    return outcome


def _poll(feed: FeedRef, result: FetchResult, body_hash: str, title: str | None = None) -> FeedPoll:
    return FeedPoll(
        feed.id,
        status=result.status,
        etag=result.etag,
        last_modified=result.last_modified,
        body_hash=body_hash,
        title=title,
    )


async def _feed_failed(
    outcome: FeedOutcome, stage: str, exc: ScraperError, deps: Deps, status: int | None = None
) -> FeedOutcome:
    outcome.status = "failed"
    failure = outcome.fail(stage, exc, outcome.feed.url)
    poll = FeedPoll(
        outcome.feed.id,
        status=failure.status or status,
        error=failure.message,
        error_reason=failure.reason,
    )
    await deps.store(deps.store.archive.record_poll, poll, outcome.failures)
    log.warning(
        "Unable to refresh feed",
        extra={"feed_id": outcome.feed.id, "feed_url": outcome.feed.url, "reason": failure.reason},
    )
    return outcome


async def _archive_items(items: tuple[FeedItem, ...], outcome: FeedOutcome, deps: Deps) -> bool:
    """Archive the feed's new items; returns whether any failed in a way worth retrying."""
    resolved = [(item, deps.resolver.resolve(item.url)) for item in items]
    urls = [u for item, res in resolved for u in (item.url, res.canonical_url)]
    known = await deps.store(deps.store.archive.known_urls, urls)
    fresh: dict[str, tuple[FeedItem, Resolution]] = {}
    for item, res in resolved:
        if item.url in known or res.canonical_url in known or res.canonical_url in fresh:
            outcome.known += 1
        else:
            fresh[res.canonical_url] = (item, res)
    drafts = await asyncio.gather(
        *(_draft(item, res, outcome, deps) for item, res in fresh.values())
    )
    transient = False
    for draft in drafts:
        if isinstance(draft, FetchError):
            transient = transient or draft.transient
            continue
        try:
            stored = await deps.store(deps.store.archive.save, draft)
        except StorageError as exc:
            outcome.fail("store", exc, draft.canonical_url)
            transient = True
            continue
        setattr(outcome, stored.status, getattr(outcome, stored.status) + 1)
    return transient


async def _draft(
    item: FeedItem, res: Resolution, outcome: FeedOutcome, deps: Deps
) -> ArticleDraft | FetchError:
    """The article an item stands for: feed text when it is the full article, else the page."""
    publisher = deps.config.publisher(res.publisher_id or outcome.feed.publisher_id)
    from_feed = feed_text(item.content_html, publisher) if item.content_html else ""
    if is_full_text(from_feed, deps.settings.full_text_min_words):
        return _from_feed(item, res, publisher, from_feed, outcome.feed.id, "feed")
    try:
        page = await deps.fetcher.fetch(item.url, accept=PAGE_ACCEPT)
        return _from_page(item, page, publisher, outcome.feed.id, deps)
    except (FetchError, ExtractError) as exc:
        outcome.fail("page", exc, item.url)
        teaser = from_feed or (feed_text(item.summary_html, publisher) if item.summary_html else "")
        if isinstance(exc, FetchError) and (exc.transient or not teaser):
            return exc
        if not teaser:
            return FetchError(item.url, exc.reason, exc.message, transient=False)
        # A page that is gone for good: keep what the feed said rather than lose the item.
        return _from_feed(item, res, publisher, teaser, outcome.feed.id, "summary")


def is_full_text(text: str, min_words: int) -> bool:
    """A feed body is the full article unless it is short or ends like a teaser."""
    if not text or len(text.split()) < min_words:
        return False
    return not text.rstrip().lower().endswith(_TEASER_ENDINGS)


def _from_feed(
    item: FeedItem,
    res: Resolution,
    publisher: Publisher,
    text: str,
    feed_id: int,
    source: TextSource,
) -> ArticleDraft:
    return ArticleDraft(
        publisher_id=publisher.id,
        canonical_url=res.canonical_url,
        urls=((item.url, "feed"),),
        title=item.title,
        authors=item.authors,
        published_at=item.published_at,
        language=detect_language(text),
        text=text,
        text_source=source,
        guid=item.guid,
        feed_id=feed_id,
    )


def _from_page(
    item: FeedItem, page: FetchResult, publisher: Publisher, feed_id: int, deps: Deps
) -> ArticleDraft:
    extraction, text = page_text(page.body, page.final_url, publisher)
    if not text.strip():
        raise ExtractError(page.final_url, "empty_text", "no article text found on the page")
    urls: list[tuple[str, UrlSource]] = [(item.url, "feed")]
    urls += [(hop.location, "redirect") for hop in page.redirects]
    res = deps.resolver.resolve(page.final_url)
    raw = None
    if deps.settings.store_raw_pages:
        raw = RawPage(page.final_url, page.status, page.headers, page.body, datetime.now(UTC))
    return ArticleDraft(
        publisher_id=res.publisher_id or publisher.id,
        canonical_url=res.canonical_url,
        urls=tuple(dict.fromkeys(urls)),
        title=item.title or extraction.title,
        authors=item.authors or extraction.authors,
        published_at=item.published_at or extraction.published_at,
        language=extraction.language,
        text=text,
        text_source="page",
        guid=item.guid,
        feed_id=feed_id,
        description=extraction.description,
        raw=raw,
    )
