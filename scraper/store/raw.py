"""Raw pages: stored gzip-compressed, one (the latest) per article."""

from __future__ import annotations

import gzip
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from scraper.models import RawPage
from scraper.store.filters import ArticleFilter
from scraper.store.tables import ArticleRow, RawPageRow


@dataclass(frozen=True, slots=True)
class StoredPage:
    article_id: int
    publisher_id: str
    text: str
    title: str | None
    page: RawPage


def save_raw(session: Session, article_id: int, raw: RawPage) -> None:
    row = session.scalar(select(RawPageRow).where(RawPageRow.article_id == article_id))
    if row is None:
        row = RawPageRow(article_id=article_id)
        session.add(row)
    row.url, row.status, row.headers = raw.url, raw.status, dict(raw.headers)
    row.body_gz = gzip.compress(raw.body, compresslevel=6)
    row.body_size = len(raw.body)
    row.fetched_at = raw.fetched_at


def iter_pages(session: Session, filters: ArticleFilter, batch: int = 200) -> Iterator[StoredPage]:
    """Stored pages of the matching articles, in article order, a batch in memory at a time."""
    last_id = 0
    while True:
        query = filters.apply(select(RawPageRow, ArticleRow)).join(
            ArticleRow, ArticleRow.id == RawPageRow.article_id
        )
        query = query.where(RawPageRow.article_id > last_id).order_by(RawPageRow.article_id)
        rows = session.execute(query.limit(batch)).all()
        if not rows:
            return
        for raw, article in rows:
            page = RawPage(
                raw.url,
                raw.status,
                dict(raw.headers or {}),
                gzip.decompress(raw.body_gz),
                _utc(raw.fetched_at),
            )
            yield StoredPage(article.id, article.publisher_id, article.text, article.title, page)
        last_id = rows[-1][0].article_id
        session.expunge_all()


def prune_raw(session: Session, older_than: datetime) -> int:
    result = session.execute(delete(RawPageRow).where(RawPageRow.fetched_at < older_than))
    return int(getattr(result, "rowcount", 0) or 0)


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value
