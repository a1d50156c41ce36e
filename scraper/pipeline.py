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
from scraper.domains import evidence as moves
from scraper.domains.evidence import Evidence, host_of
from scraper.errors import ExtractError, FetchError, ParseError, ScraperError, StorageError
from scraper.extract import Extraction
from scraper.extract.language import detect_language
from scraper.extract_pool import ExtractPool
from scraper.feeds import parse_feed
from scraper.fetch import Fetcher
from scraper.fetch.failover import FAILOVER_REASONS, Answer, fetch_with_failover, same_scheme
from scraper.models import (
    ArticleDraft,
    FeedItem,
    FeedRef,
    FetchResult,
    RawPage,
    TextSource,
    UrlSource,
)
from scraper.schedule.hints import feed_ttl_seconds
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


async def refresh_feed(feed: FeedRef, deps: Deps) -> FeedOutcome:
    """Poll one feed and archive what is new in it."""
    outcome = FeedOutcome(feed)
    publisher = deps.config.publisher(feed.publisher_id)
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
        await deps.store(
            deps.store.archive.record_poll, FeedPoll(feed.id, status=304), [], outcome.evidence
        )
        return outcome
    body_hash = hashlib.sha256(result.body).hexdigest()
    if body_hash == feed.body_hash:
        outcome.status = "unchanged"
        await deps.store(
            deps.store.archive.record_poll, _poll(feed, result, body_hash), [], outcome.evidence
        )
        return outcome
    try:
        parsed = parse_feed(
            result.body, result.final_url, result.headers, max_items=deps.settings.feed_items_limit
        )
    except ParseError as exc:
        return await _feed_failed(outcome, "parse", exc, deps, result.status)
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
    await deps.store(deps.store.archive.record_poll, poll, outcome.failures, outcome.evidence)
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
    new_ways: list[tuple[int, str]] = []
    sightings: list[tuple[int, str]] = []
    for item, res in resolved:
        article_id = known.get(item.url) or known.get(res.canonical_url)
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
    learned = deps.learned.get(publisher.id, frozenset())
    from_feed = feed_text(item.content_html, publisher, learned) if item.content_html else ""
    if is_full_text(from_feed, deps.settings.full_text_min_words):
        return _from_feed(item, res, publisher, from_feed, outcome.feed.id, "feed")
    try:
        answer = await _fetch_page(item.url, publisher, deps)
        if answer.failed_over_from is not None:
            outcome.failovers.append((answer.failed_over_from, answer.result.url))
        extracted = await _pooled_page_text(answer.result, publisher, deps)
        return _from_page(item, answer, publisher, outcome, deps, extracted)
    except (FetchError, ExtractError) as exc:
        outcome.fail("page", exc, item.url)
        summary = item.summary_html
        teaser = from_feed or (feed_text(summary, publisher, learned) if summary else "")
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


async def _fetch_page(url: str, publisher: Publisher, deps: Deps) -> Answer:
    """Old links to dead or blocked domains go straight to a live one; a page no domain of
    its publisher serves any more may come from a web archive (when one is configured)."""
    first = url
    if _host_status(publisher, host_of(url)) in ("blocked", "dead"):
        first = same_scheme(deps.resolver.failover_urls(url)[0], url)
    options = {"accept": PAGE_ACCEPT, "kind": "page", "proxy": publisher.proxy}
    try:
        return await fetch_with_failover(
            deps.fetcher, first, deps.resolver.failover_urls,
            block_signatures=publisher.block_signatures,
            **options,
        )  # fmt: skip
    except FetchError as exc:
        archive = deps.settings.archive_fallback_url
        if archive is None or exc.reason not in FAILOVER_REASONS:
            raise
        archived = await deps.fetcher.fetch(archive + url, accept=PAGE_ACCEPT, kind="page")
        return Answer(archived, failure=exc, from_archive=True)


def _host_status(publisher: Publisher, host: str) -> str | None:
    return next((a.status for a in publisher.aliases if a.domain == host), None)


async def _pooled_page_text(
    page: FetchResult, publisher: Publisher, deps: Deps
) -> tuple[Extraction, str] | None:
    """:func:`page_text` in the crawl's extraction pool, when it has one."""
    if deps.extractor is None:
        return None
    learned = deps.learned.get(publisher.id, frozenset())
    return await deps.extractor.page_text(page.body, page.final_url, publisher, learned)


def _from_page(
    item: FeedItem,
    answer: Answer,
    publisher: Publisher,
    outcome: FeedOutcome,
    deps: Deps,
    extracted: tuple[Extraction, str] | None = None,
) -> ArticleDraft:
    page = answer.result
    learned = deps.learned.get(publisher.id, frozenset())
    extraction, text = extracted or page_text(page.body, page.final_url, publisher, learned)
    if not text.strip():
        raise ExtractError(page.final_url, "empty_text", "no article text found on the page")
    urls: list[tuple[str, UrlSource]] = [(item.url, "feed")]
    urls += [(hop.location, "redirect") for hop in page.redirects]
    # An archived copy speaks for the URL it archived, not for the archive's own address.
    origin = item.url if answer.from_archive else page.final_url
    if answer.from_archive:
        urls.append((page.final_url, "archive"))
    res = deps.resolver.resolve(origin)
    declared = deps.resolver.resolve(extraction.canonical_url or origin)
    if declared.publisher_id is not None and declared.publisher_id == res.publisher_id:
        urls.append((extraction.canonical_url or origin, "canonical"))
        res = declared  # the page's own word on its address, once it is one of its publisher's
    if any(r.startswith("alias-host:") for r in deps.resolver.resolve(item.url).rules):
        urls.append((res.canonical_url, "alias"))
    if not answer.from_archive:  # an archive's copy says nothing about where the site lives
        found = moves.from_fetch(page.url, answer.failed_over_from, answer.redirects)
        found += moves.from_page(page.final_url, extraction.canonical_url, extraction.text,
                                 publisher.canonical_domain)  # fmt: skip
        seen = [u for u, source in urls if source != "alias"]  # observed, not derived
        found += moves.from_urls_of_one_article([*seen, page.final_url])
        outcome.evidence += [(res.publisher_id or publisher.id, e) for e in found]
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
        text_source="archive" if answer.from_archive else "page",
        guid=item.guid,
        feed_id=outcome.feed.id,
        description=extraction.description,
        raw=raw,
    )
