"""Plain values that flow between the pipeline stages. No I/O, no ORM.

Each stage takes and returns these; only ``store/`` knows about tables and only ``fetch/``
knows about HTTP. Keeping them frozen makes a stage's output safe to share between tasks.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from scraper.errors import ParseError

UrlSource = Literal["feed", "redirect", "canonical", "alias", "guid", "requested", "archive"]
TextSource = Literal["feed", "page", "summary", "archive"]


@dataclass(frozen=True, slots=True)
class FeedRef:
    """A feed as the crawler needs it: where to fetch and what it saw last time."""

    id: int
    url: str
    publisher_id: str
    etag: str | None = None
    last_modified: str | None = None
    body_hash: str | None = None
    fetch_url: str | None = None  # where the feed answers now, when it moved

    @property
    def location(self) -> str:
        return self.fetch_url or self.url


@dataclass(frozen=True, slots=True)
class Hop:
    """One redirect answered on the way to the final URL."""

    url: str
    status: int
    location: str


@dataclass(frozen=True, slots=True)
class FetchResult:
    """A completed HTTP exchange. ``not_modified`` is a 304 answer to a conditional request."""

    url: str
    final_url: str
    status: int
    headers: dict[str, str]
    body: bytes
    redirects: tuple[Hop, ...] = ()
    elapsed_ms: int = 0

    @property
    def not_modified(self) -> bool:
        return self.status == 304

    @property
    def etag(self) -> str | None:
        return self.headers.get("etag")

    @property
    def last_modified(self) -> str | None:
        return self.headers.get("last-modified")

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "")


@dataclass(frozen=True, slots=True)
class FeedItem:
    """One entry of a feed, with feedparser's loose types pinned down."""

    url: str
    guid: str | None
    title: str | None
    authors: tuple[str, ...]
    published_at: datetime | None
    content_html: str | None
    summary_html: str | None


@dataclass(frozen=True, slots=True)
class ParsedFeed:
    title: str | None
    link: str | None
    items: tuple[FeedItem, ...]
    bozo_reason: str | None = None
    self_link: str | None = None  # atom:link rel="self": where the feed says it lives
    # Items that could not be used (no http(s) link): each a ParseError for the feed's URL.
    skipped: tuple[ParseError, ...] = ()


@dataclass(frozen=True, slots=True)
class RawPage:
    """The bytes an article was extracted from, as the server sent them (decoded transfer)."""

    url: str
    status: int
    headers: dict[str, str]
    body: bytes
    fetched_at: datetime


@dataclass(frozen=True, slots=True)
class ArticleDraft:
    """An article ready to be stored: resolved to its publisher and canonical URL, text clean."""

    publisher_id: str
    canonical_url: str
    urls: tuple[tuple[str, UrlSource], ...]
    title: str | None
    authors: tuple[str, ...]
    published_at: datetime | None
    language: str | None
    text: str
    text_source: TextSource
    guid: str | None = None
    feed_id: int | None = None
    description: str | None = None
    raw: RawPage | None = None


@dataclass(frozen=True, slots=True)
class Article:
    """The JSON article contract shared by ``search``, ``show``, ``export`` and the API."""

    id: int
    publisher: str
    url: str
    urls: tuple[str, ...]
    title: str | None
    authors: tuple[str, ...]
    published_at: datetime | None
    first_seen_at: datetime
    language: str | None
    text: str
    word_count: int
    snippet: str | None = None
    extra: dict[str, object] = field(default_factory=dict)
    cluster: int | None = None  # story cluster (near-duplicates from other publishers)
    revisions: int = 0  # earlier texts kept
    also_published_by: tuple[str, ...] = ()  # search: the cluster's other publishers


@dataclass(frozen=True, slots=True)
class StoreOutcome:
    """What storing one draft did."""

    article_id: int
    status: Literal["new", "updated", "known"]
