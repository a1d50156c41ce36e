"""One feed poll, end to end. The only place that knows the order of the stages.

fetch feed (conditional) → 304 or same body? stop → parse → resolve every item URL →
skip items already archived (before any page request) → text from the feed when it is the full
article, else fetch and extract the page → strip publisher boilerplate → store the feed's new
articles in one transaction (one bad article costs only itself) → write the feed's new state.

Every failure becomes a :class:`Failure` on the outcome (and in the fetch log); the poll goes on
with the next item. The feed's validators (ETag, Last-Modified, body hash) only advance when no
page failed *transiently*, so the next poll retries those pages instead of skipping them as
"not modified".
"""

from __future__ import annotations

import asyncio
import hashlib
import logging

from scraper.deps import Deps, FeedOutcome, LearnedBoilerplate, StoreRunner
from scraper.domains import Resolution
from scraper.domains import evidence as moves
from scraper.drafts import PAGE_ACCEPT, draft_for_item, is_full_text
from scraper.errors import ConfigError, FetchError, ParseError, ScraperError, StorageError
from scraper.extract.language import load_model, model_loaded
from scraper.feeds import parse_feed
from scraper.fetch.failover import Answer, fetch_with_failover
from scraper.models import FeedItem, FeedRef, FetchResult, StoreOutcome
from scraper.schedule.hints import feed_ttl_seconds
from scraper.store.feeds import FeedPoll

log = logging.getLogger(__name__)


FEED_ACCEPT = (
    "application/rss+xml, application/atom+xml, application/rdf+xml, "
    "application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"
)

__all__ = [
    "FEED_ACCEPT",
    "PAGE_ACCEPT",
    "Deps",
    "FeedOutcome",
    "LearnedBoilerplate",
    "StoreRunner",
    "is_full_text",
    "refresh_feed",
]


async def refresh_feed(feed: FeedRef, deps: Deps) -> FeedOutcome:
    """Poll one feed and archive what is new in it."""
    outcome = FeedOutcome(feed)
    try:
        publisher = deps.config.publisher(feed.publisher_id)
    except ConfigError as exc:  # its publisher left the file after the feed was claimed
        gone = FetchError(feed.url, "unknown_publisher", str(exc), transient=False)
        return await _feed_failed(outcome, "config", gone, deps)
    try:
        answer = await fetch_with_failover(
            deps.fetcher,
            feed.location,
            deps.resolver.failover_urls,
            block_signatures=publisher.block_signatures,
            etag=feed.etag,
            last_modified=feed.last_modified,
            max_bytes=deps.settings.max_feed_bytes,
            accept=FEED_ACCEPT,
            kind="feed",
            proxy=publisher.proxy,
        )
    except FetchError as exc:
        return await _feed_failed(outcome, "fetch", exc, deps)
    result = answer.result
    await _follow_feed(feed, answer, outcome, deps)
    outcome.http_status, outcome.headers = result.status, result.headers
    if result.not_modified:
        outcome.status = "not_modified"
        await deps.store.record_poll(FeedPoll(feed.id, status=304), [], outcome.evidence)
        return outcome
    body_hash = hashlib.sha256(result.body).hexdigest()
    if body_hash == feed.body_hash:
        outcome.status = "unchanged"
        await deps.store.record_poll(_poll(feed, result, body_hash), [], outcome.evidence)
        return outcome
    try:
        parsed = parse_feed(
            result.body,
            result.final_url,
            result.headers,
            max_items=deps.settings.feed_items_limit,
            max_bytes=deps.settings.max_feed_bytes,
        )
    except ParseError as exc:
        return await _feed_failed(outcome, "parse", exc, deps, result.status)
    for skipped in parsed.skipped:  # an unusable item costs only itself, and is said
        outcome.fail("item", skipped, skipped.url)
    outcome.item_dates = tuple(i.published_at for i in parsed.items if i.published_at)
    outcome.ttl_s = feed_ttl_seconds(result.body)
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
    for declared in (parsed.link, parsed.self_link):  # vs. the URL the feed is known by
        found = moves.from_feed_link(feed.url, declared)
        outcome.evidence += [(feed.publisher_id, e) for e in found]
    if parsed.self_link and parsed.self_link != feed.location:
        # Where the feed says it lives: any later reference to that URL means this feed.
        await deps.store(deps.store.archive.remember_feed_url, feed.id, parsed.self_link)
    await deps.store.record_poll(poll, outcome.failures, outcome.evidence)
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


async def _follow_feed(feed: FeedRef, answer: Answer, outcome: FeedOutcome, deps: Deps) -> None:
    """A feed that answered from another domain, or through permanent redirects only, is
    fetched there from now on; it keeps its identity (and its items) under its first URL."""
    result = answer.result
    found = moves.from_fetch(result.url, answer.failed_over_from, answer.redirects)
    outcome.evidence += [(feed.publisher_id, e) for e in found]
    permanent = bool(result.redirects) and all(h.status in (301, 308) for h in result.redirects)
    if answer.failed_over_from is not None:
        outcome.failovers.append((answer.failed_over_from, result.url))
    if (answer.failed_over_from or permanent) and result.final_url != feed.location:
        source = "failover" if answer.failed_over_from else "redirect"
        await deps.store(deps.store.archive.move_feed, feed.id, result.final_url, source)


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
    outcome.http_status = failure.status or status
    outcome.retry_after = getattr(exc, "retry_after", None)
    poll = FeedPoll(
        outcome.feed.id,
        status=failure.status or status,
        error=failure.message,
        error_reason=failure.reason,
    )
    await deps.store.record_poll(poll, outcome.failures)
    log.warning(
        "Unable to refresh feed",
        extra={"feed_id": outcome.feed.id, "feed_url": outcome.feed.url, "reason": failure.reason},
    )
    return outcome


async def _archive_items(items: tuple[FeedItem, ...], outcome: FeedOutcome, deps: Deps) -> bool:
    """Archive the feed's new items; returns whether any failed in a way worth retrying."""
    resolved = [(item, deps.resolver.resolve(item.url)) for item in items]
    # Every spelling an item's article may be archived under, old homes of its publisher
    # included (articles keep the canonical URL they were stored with when a move is adopted).
    spellings = {item.url: deps.resolver.lookup_urls(item.url) for item, _ in resolved}
    urls = [u for ways in spellings.values() for u in ways]
    known = await deps.store(deps.store.archive.known_urls, urls)
    fresh: dict[str, tuple[FeedItem, Resolution]] = {}
    new_ways: list[tuple[int, str]] = []
    sightings: list[tuple[int, str]] = []
    for item, res in resolved:
        article_id = next((known[u] for u in spellings[item.url] if u in known), None)
        if article_id is not None:
            outcome.known += 1
            sightings.append((article_id, item.url))  # met again: where and when is kept
            if item.url not in known:
                new_ways.append((article_id, item.url))  # …and a new way in
        elif res.canonical_url in fresh:
            outcome.known += 1
        else:
            fresh[res.canonical_url] = (item, res)
    if new_ways:
        await deps.store(deps.store.archive.attach_urls, new_ways, "feed")
    if sightings:
        await deps.store(deps.store.archive.record_sightings, sightings, outcome.feed.id)
    if fresh:  # what cleaning needs, loaded by the first poll with something new
        await deps.learned.ready(deps.store)
        if not model_loaded():
            await asyncio.to_thread(load_model)  # off the event loop (see its docstring)
    drafts = await asyncio.gather(
        *(draft_for_item(item, res, outcome, deps) for item, res in fresh.values())
    )
    transient = False
    ready = []
    for draft in drafts:
        if isinstance(draft, FetchError):
            transient = transient or draft.transient
        else:
            ready.append(draft)
    stored: list[StoreOutcome | StorageError]
    try:
        stored = await deps.store(deps.store.archive.save_batch, ready) if ready else []
    except StorageError as exc:  # the database stayed away through every retry
        stored = [exc] * len(ready)
    for draft, result in zip(ready, stored, strict=True):
        if isinstance(result, StorageError):
            outcome.fail("store", result, draft.canonical_url)
            transient = True
        else:
            setattr(outcome, result.status, getattr(outcome, result.status) + 1)
    return transient
