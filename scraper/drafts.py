"""From a feed item to an article draft: the feed's own text when it is the whole article,
else the page — fetched with failover (and the web-archive fallback), extracted with the
publisher's rules, boilerplate removed — plus the migration evidence the page carries.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from urllib.parse import urlsplit

from scraper.clean import feed_text, page_text
from scraper.config import Publisher
from scraper.deps import Deps, FeedOutcome
from scraper.domains import Resolution
from scraper.domains import evidence as moves
from scraper.errors import ExtractError, FetchError
from scraper.extract import Extraction, cjk
from scraper.extract.language import detect_language
from scraper.feeds.encoding import header_charset
from scraper.fetch.failover import FAILOVER_REASONS, Answer, fetch_with_failover, same_scheme
from scraper.models import (
    ArticleDraft,
    FeedItem,
    FetchResult,
    RawPage,
    TextSource,
    UrlSource,
)

log = logging.getLogger(__name__)


PAGE_ACCEPT = "text/html, application/xhtml+xml;q=0.9, */*;q=0.5"
# Answers that say "this domain does not have that page", where the same path on the canonical
# domain may well have it (an old domain resold, or a migration that did not keep old paths).
_NOT_HERE = frozenset({"http_404", "http_410", "redirected_home"})
_ROOT_PATHS = frozenset({"", "/", "/index.html", "/index.htm", "/index.php"})
_TEASER_ENDINGS = ("…", "...", "[…]", "[...]", "read more", "continue reading", "more »")


async def draft_for_item(
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
    """A feed body is the full article unless it is short or ends like a teaser.

    Words of Chinese and Japanese text are counted from its characters (they
    are not separated by spaces), else a full CJK article reads as a teaser.
    """
    if not text or cjk.word_count(text) < min_words:
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
    """Old links to dead or blocked domains go straight to a live one; a link an old domain
    no longer serves (404, 410, or a redirect to its home page) gets a second chance at its
    path on the canonical domain; a page no domain of its publisher serves any more may come
    from a web archive (when one is configured)."""
    first = url
    domain = deps.resolver.resolve(url).domain
    home = same_scheme(deps.resolver.failover_urls(url)[0], url)
    if _host_status(publisher, domain) in ("blocked", "dead"):
        first = home
    try:
        try:
            return await _fetch_live(first, url, publisher, deps)
        except FetchError as exc:
            on_old_domain = _host_status(publisher, domain) is not None
            if exc.reason not in _NOT_HERE or not on_old_domain or home in (first, exc.url):
                raise
            try:
                answer = await _fetch_live(home, url, publisher, deps)
            except FetchError:
                raise exc from None
            return Answer(answer.result, failed_over_from=first, failure=exc)
    except FetchError as exc:
        archive = deps.settings.archive_fallback_url
        if archive is None or exc.reason not in FAILOVER_REASONS:
            raise
        archived = await deps.fetcher.fetch(archive + url, accept=PAGE_ACCEPT, kind="page")
        return Answer(archived, failure=exc, from_archive=True)


async def _fetch_live(target: str, url: str, publisher: Publisher, deps: Deps) -> Answer:
    """``target`` from the publisher's live domains; a redirect from an article's path to the
    site's home page is the site saying "not here" (lazy migrations 301 every old path home),
    so it fails as ``redirected_home`` instead of handing back the home page as the story."""
    answer = await fetch_with_failover(
        deps.fetcher, target, deps.resolver.failover_urls,
        block_signatures=publisher.block_signatures,
        accept=PAGE_ACCEPT, kind="page", proxy=publisher.proxy,
    )  # fmt: skip
    final = answer.result.final_url
    if is_site_root(final) and not is_site_root(url):
        gone = FetchError(
            target, "redirected_home", f"redirected to the home page {final}", transient=False
        )
        gone.redirects = answer.redirects  # a 301 to another host's home still shows a move
        raise gone
    return answer


def is_site_root(url: str) -> bool:
    """Whether ``url`` is a site's home page (``/``, ``/index.html``, no query), which no
    article lives at."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return not parts.query and parts.path.lower() in _ROOT_PATHS


def _host_status(publisher: Publisher, domain: str | None) -> str | None:
    """The status of the configured domain a URL matched (its ``www.``/``m.`` variants and
    Unicode spelling included: the resolver matched it, not a string comparison)."""
    return next((a.status for a in publisher.aliases if a.domain == domain), None)


async def _pooled_page_text(
    page: FetchResult, publisher: Publisher, deps: Deps
) -> tuple[Extraction, str] | None:
    """:func:`page_text` in the crawl's extraction pool, when it has one."""
    if deps.extractor is None:
        return None
    learned = deps.learned.get(publisher.id, frozenset())
    charset = header_charset(page.headers)
    return await deps.extractor.page_text(page.body, page.final_url, publisher, learned, charset)


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
    extraction, text = extracted or page_text(
        page.body, page.final_url, publisher, learned, header_charset(page.headers)
    )
    if not text.strip():
        raise ExtractError(page.final_url, "empty_text", "no article text found on the page")
    urls: list[tuple[str, UrlSource]] = [(item.url, "feed")]
    urls += [(hop.location, "redirect") for hop in page.redirects]
    # An archived copy speaks for the URL it archived, not for the archive's own address.
    origin = item.url if answer.from_archive else page.final_url
    if answer.from_archive:
        urls.append((page.final_url, "archive"))
    res = deps.resolver.resolve(origin)
    declared_url = extraction.canonical_url or origin
    if is_site_root(declared_url) and not is_site_root(origin):
        declared_url = origin  # a template declaring the home page canonical on every page
    declared = deps.resolver.resolve(declared_url)
    if declared.publisher_id is not None and declared.publisher_id == res.publisher_id:
        urls.append((declared_url, "canonical"))
        res = declared  # the page's own word on its address, once it is one of its publisher's
    # The canonical spelling of each URL it was met under, so a lookup of any variant of one
    # (https, www., tracking junk, an old domain in front of a ?p=123 shortlink) finds it.
    for seen_url in [u for u, source in urls if source in ("feed", "redirect")]:
        derived = deps.resolver.resolve(seen_url).canonical_url
        if derived != res.canonical_url and not is_site_root(derived):
            urls.append((derived, "alias"))
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
