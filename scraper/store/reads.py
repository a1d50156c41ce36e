"""Read-only queries the HTTP API and web pages need beyond :class:`Archive`.

Publishers with their domains and feed health, article counts for metrics, the daily volume
per host behind the publisher chart, a keyset-paginated newest-first listing and one page of
a ranked search. Like :class:`Archive`, every method opens its own short session and returns
plain values, so the API never sees an ORM row.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from urllib.parse import urlsplit

from sqlalchemy import ColumnElement, Engine, and_, func, or_, select, text
from sqlalchemy.orm import Session, aliased, sessionmaker

from scraper.models import Article
from scraper.store import search
from scraper.store.articles import to_article, urls_of
from scraper.store.dedup import also_published_by
from scraper.store.filters import ArticleFilter
from scraper.store.tables import ArticleRow, ArticleUrlRow, DomainRow, FeedRow, PublisherRow


@dataclass(frozen=True, slots=True)
class DomainInfo:
    host: str
    role: str
    status: str
    active_from: int | None
    active_until: int | None


@dataclass(frozen=True, slots=True)
class FeedInfo:
    """A feed and its health, as the last polls left it."""

    id: int
    url: str
    title: str | None
    last_polled_at: datetime | None
    last_success_at: datetime | None
    last_status: int | None
    consecutive_errors: int
    last_error: str | None
    last_error_reason: str | None


@dataclass(frozen=True, slots=True)
class PublisherInfo:
    id: str
    name: str
    canonical_domain: str
    article_count: int
    domains: tuple[DomainInfo, ...]
    feeds: tuple[FeedInfo, ...]


@dataclass(frozen=True, slots=True)
class DailyCount:
    """Articles of one publisher first seen under ``host`` and published on ``day``."""

    day: date
    host: str
    count: int


@dataclass(frozen=True, slots=True)
class Keyset:
    """Where a newest-first listing stopped: the last row's (published_at, id)."""

    published_at: datetime | None
    id: int


class Reads:
    """Read-only views of the archive; share one per process (it holds no state)."""

    def __init__(self, engine: Engine) -> None:
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    def ping(self) -> None:
        """Raise if the database cannot answer a trivial query."""
        with self._sessions() as session:
            session.execute(text("SELECT 1"))

    def publishers(self) -> list[PublisherInfo]:
        with self._sessions() as session:
            rows = session.scalars(select(PublisherRow).order_by(PublisherRow.id)).all()
            return _publisher_infos(session, rows)

    def publisher(self, publisher_id: str) -> PublisherInfo | None:
        with self._sessions() as session:
            row = session.get(PublisherRow, publisher_id)
            return _publisher_infos(session, [row])[0] if row else None

    def article_counts(self) -> dict[str, int]:
        """Articles per publisher id (publishers without articles are absent)."""
        query = select(ArticleRow.publisher_id, func.count(ArticleRow.id)).group_by(
            ArticleRow.publisher_id
        )
        with self._sessions() as session:
            return dict(session.execute(query).all())

    def failing_feeds(self) -> dict[str, int]:
        """Feeds whose last poll failed, per publisher id."""
        query = (
            select(FeedRow.publisher_id, func.count(FeedRow.id))
            .where(FeedRow.consecutive_errors > 0)
            .group_by(FeedRow.publisher_id)
        )
        with self._sessions() as session:
            return dict(session.execute(query).all())

    def daily_counts(self, publisher_id: str) -> list[DailyCount]:
        """Daily article volume per host the article was first seen under.

        Canonical URLs all live on today's domain, so the host that shows a domain move is the
        one of the first URL recorded besides the canonical one (the feed or page URL it came
        from). Rows are streamed and grouped here because extracting a host from a URL has no
        portable SQL spelling.
        """
        seen = aliased(ArticleUrlRow)
        first_url = (
            select(func.min(seen.id))
            .where(seen.article_id == ArticleRow.id, seen.source != "canonical")
            .correlate(ArticleRow)
            .scalar_subquery()
        )
        query = (
            select(ArticleRow.published_at, ArticleRow.first_seen_at, ArticleUrlRow.url)
            .outerjoin(ArticleUrlRow, ArticleUrlRow.id == first_url)
            .add_columns(ArticleRow.canonical_url)
            .where(ArticleRow.publisher_id == publisher_id)
        )
        counts: Counter[tuple[date, str]] = Counter()
        with self._sessions() as session:
            for published, seen, url, canonical in session.execute(query).yield_per(2000):
                day = _utc(published or seen).date()
                counts[(day, urlsplit(url or canonical).hostname or "?")] += 1
        return [DailyCount(day, host, n) for (day, host), n in sorted(counts.items())]

    def search_page(
        self,
        query: str,
        filters: ArticleFilter,
        offset: int,
        limit: int,
        *,
        collapse: bool = True,
    ) -> tuple[list[Article], bool]:
        """One page of a ranked search (stories collapsed unless ``collapse`` is false) and
        whether another follows.

        The API's way to search: unlike ``Archive.search`` it reads rows and snippets for
        the page's hits only, not for the hits of the pages before it.
        """
        with self._sessions() as session:
            return search.search_page(session, query, filters, offset, limit, collapse=collapse)

    def newest(
        self, filters: ArticleFilter, after: Keyset | None, limit: int, *, collapse: bool = True
    ) -> list[Article]:
        """Newest first by (published_at, id), undated last; ``after`` continues a listing.

        Collapsed, a story shows once, as its newest copy among the rows the filters keep,
        with the cluster's other publishers (as ``scraper search`` without words). Whether a
        row is its story's newest copy depends on the row alone, not on the page, so keyset
        pages stay without gap or overlap.
        """
        query = filters.apply(select(ArticleRow))
        if collapse:
            newer = aliased(ArticleRow)
            query = query.where(
                or_(
                    ArticleRow.cluster_id.is_(None),
                    ~select(newer.id)
                    .where(
                        newer.cluster_id == ArticleRow.cluster_id,
                        _before(newer, ArticleRow),
                        *filters.clauses(newer),
                    )
                    .exists(),
                )
            )
        if after is not None:
            query = query.where(_after(after))
        query = query.order_by(
            ArticleRow.published_at.desc().nullslast(), ArticleRow.id.desc()
        ).limit(limit)
        with self._sessions() as session:
            rows = session.scalars(query).all()
            urls = urls_of(session, [row.id for row in rows])
            others = also_published_by(session, rows) if collapse else {}
            return [to_article(row, urls[row.id], also=others.get(row.id, ())) for row in rows]


def _before(row: type[ArticleRow], other: type[ArticleRow]) -> ColumnElement[bool]:
    """``row`` comes before ``other`` in (published_at DESC NULLS LAST, id DESC) order."""
    return or_(
        row.published_at > other.published_at,
        and_(row.published_at == other.published_at, row.id > other.id),
        and_(row.published_at.is_not(None), other.published_at.is_(None)),
        and_(row.published_at.is_(None), other.published_at.is_(None), row.id > other.id),
    )


def _after(key: Keyset) -> ColumnElement[bool]:
    """Rows strictly after ``key`` in (published_at DESC NULLS LAST, id DESC) order."""
    if key.published_at is None:
        return and_(ArticleRow.published_at.is_(None), ArticleRow.id < key.id)
    when = key.published_at.astimezone(UTC)
    return or_(
        ArticleRow.published_at < when,
        and_(ArticleRow.published_at == when, ArticleRow.id < key.id),
        ArticleRow.published_at.is_(None),
    )


def _utc(value: datetime) -> datetime:
    """SQLite hands back naive datetimes; everything we store is UTC."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _publisher_infos(session: Session, rows: Sequence[PublisherRow]) -> list[PublisherInfo]:
    """Publishers with their domains (oldest first), feeds and article counts, in 3 queries."""
    ids = [row.id for row in rows]
    domains = session.scalars(select(DomainRow).where(DomainRow.publisher_id.in_(ids))).all()
    feeds = session.scalars(
        select(FeedRow).where(FeedRow.publisher_id.in_(ids)).order_by(FeedRow.id)
    ).all()
    counts = dict(
        session.execute(
            select(ArticleRow.publisher_id, func.count(ArticleRow.id))
            .where(ArticleRow.publisher_id.in_(ids))
            .group_by(ArticleRow.publisher_id)
        ).all()
    )
    return [
        PublisherInfo(
            id=row.id,
            name=row.name,
            canonical_domain=row.canonical_domain,
            article_count=counts.get(row.id, 0),
            domains=tuple(
                sorted(
                    (_domain(d) for d in domains if d.publisher_id == row.id),
                    key=_timeline_order,
                )
            ),
            feeds=tuple(_feed(f) for f in feeds if f.publisher_id == row.id),
        )
        for row in rows
    ]


def _timeline_order(domain: DomainInfo) -> tuple[bool, int, int, str]:
    """Oldest first, today's canonical domain last; undated domains sort by their end year."""
    start = domain.active_from or domain.active_until or 9999
    return (domain.role == "canonical", start, domain.active_until or 9999, domain.host)


def _domain(row: DomainRow) -> DomainInfo:
    return DomainInfo(row.host, row.role, row.status, row.active_from, row.active_until)


def _feed(row: FeedRow) -> FeedInfo:
    return FeedInfo(
        id=row.id,
        url=row.url,
        title=row.title,
        last_polled_at=_utc(row.last_polled_at) if row.last_polled_at else None,
        last_success_at=_utc(row.last_success_at) if row.last_success_at else None,
        last_status=row.last_status,
        consecutive_errors=row.consecutive_errors or 0,
        last_error=row.last_error,
        last_error_reason=row.last_error_reason,
    )


__all__ = ["DailyCount", "DomainInfo", "FeedInfo", "Keyset", "PublisherInfo", "Reads"]
