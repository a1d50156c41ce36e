"""Reading articles, and the writes that are not ingest (re-extraction, extra URLs).

Storing new drafts lives in :mod:`scraper.store.ingest`."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from typing import Literal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from scraper.dedup.fingerprint import text_hash, word_count
from scraper.dedup.minhash import Fingerprint
from scraper.dedup.policy import DEFAULT_POLICY, DedupPolicy
from scraper.models import Article
from scraper.store import dedup
from scraper.store.boundary import storable_text
from scraper.store.filters import ArticleFilter
from scraper.store.tables import ArticleRow, ArticleUrlRow, RevisionRow
from scraper.store.upsert import insert_ignore

Status = Literal["new", "updated", "known"]

# PostgreSQL's built-in text-search configurations, by ISO 639-1 code.
_PG_CONFIGS = {
    "ar": "arabic", "ca": "catalan", "da": "danish", "de": "german", "el": "greek",
    "en": "english", "es": "spanish", "eu": "basque", "fi": "finnish", "fr": "french",
    "ga": "irish", "hi": "hindi", "hu": "hungarian", "hy": "armenian", "id": "indonesian",
    "it": "italian", "lt": "lithuanian", "ne": "nepali", "nl": "dutch", "no": "norwegian",
    "pt": "portuguese", "ro": "romanian", "ru": "russian", "sr": "serbian", "sv": "swedish",
    "ta": "tamil", "tr": "turkish", "yi": "yiddish",
}  # fmt: skip


def search_config(language: str | None) -> str:
    return _PG_CONFIGS.get((language or "").lower()[:2], "simple")


def search_configs() -> tuple[str, ...]:
    """Every configuration :func:`search_config` can give a row, ``simple`` included."""
    return tuple(sorted({"simple", *_PG_CONFIGS.values()}))


def known_urls(session: Session, urls: Sequence[str]) -> dict[str, int]:
    """Which of these URLs already belong to an article (one indexed query, any batch size)."""
    found: dict[str, int] = {}
    unique = list(dict.fromkeys(urls))
    for start in range(0, len(unique), 500):
        chunk = unique[start : start + 500]
        query = select(ArticleUrlRow.url, ArticleUrlRow.article_id).where(
            ArticleUrlRow.url.in_(chunk)
        )
        found.update(dict(session.execute(query).all()))
    return found


def replace_text(
    session: Session, article_id: int, text: str, policy: DedupPolicy = DEFAULT_POLICY
) -> Status:
    """Re-extraction's write: a revision only when the normalised text truly changed."""
    text = storable_text(text)
    row = session.get(ArticleRow, article_id)
    if row is None or not dedup.replace_text(session, row, text, text_hash(text), now_utc()):
        return "known"
    if word_count(text) >= policy.min_words:
        dedup.add_bands(session, article_id, Fingerprint.of(text).keys)
    return "updated"


def attach_urls(session: Session, sightings: Sequence[tuple[int, str]], source: str) -> None:
    now = now_utc()
    rows = [
        {"url": url, "article_id": article_id, "source": source, "first_seen_at": now}
        for article_id, url in sightings
    ]
    insert_ignore(session, ArticleUrlRow.__table__, rows)  # type: ignore[arg-type]
    dedup.record_sightings(session, (dedup.sighting_row(a, url, now) for a, url in sightings))


def revision_count(session: Session, article_id: int) -> int:
    query = select(func.count(RevisionRow.id)).where(RevisionRow.article_id == article_id)
    return session.scalar(query) or 0


def urls_of(session: Session, article_ids: Sequence[int]) -> dict[int, list[str]]:
    result: dict[int, list[str]] = {i: [] for i in article_ids}
    if not article_ids:
        return result
    query = (
        select(ArticleUrlRow.article_id, ArticleUrlRow.url)
        .where(ArticleUrlRow.article_id.in_(article_ids))
        .order_by(ArticleUrlRow.id)
    )
    for article_id, url in session.execute(query):
        result[article_id].append(url)
    return result


def to_article(
    row: ArticleRow, urls: Sequence[str], snippet: str | None = None, also: Sequence[str] = ()
) -> Article:
    return Article(
        id=row.id,
        publisher=row.publisher_id,
        url=row.canonical_url,
        urls=tuple(urls) or (row.canonical_url,),
        title=row.title,
        authors=tuple(row.authors or ()),
        published_at=_utc(row.published_at),
        first_seen_at=_utc(row.first_seen_at) or now_utc(),
        language=row.language,
        text=row.text,
        word_count=row.word_count,
        snippet=snippet,
        cluster=row.cluster_id,
        revisions=row.revision_count or 0,
        also_published_by=tuple(also),
    )


def now_utc() -> datetime:
    return datetime.now(UTC)


def _utc(value: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes; everything we store is UTC."""
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def get_articles(session: Session, article_ids: Sequence[int]) -> list[Article]:
    rows = session.scalars(select(ArticleRow).where(ArticleRow.id.in_(article_ids))).all()
    by_id = {row.id: row for row in rows}
    urls = urls_of(session, list(by_id))
    return [to_article(by_id[i], urls[i]) for i in article_ids if i in by_id]


def find_article_id(session: Session, urls: Sequence[str]) -> int | None:
    known = known_urls(session, urls)
    for url in urls:
        if url in known:
            return known[url]
    return session.scalar(select(ArticleRow.id).where(ArticleRow.canonical_url.in_(urls)))


def iter_articles(session: Session, filters: ArticleFilter, batch: int = 500) -> Iterator[Article]:
    """Stream articles oldest-first in keyset pages so memory stays flat on any archive size."""
    last_id = 0
    while True:
        query = filters.apply(select(ArticleRow)).where(ArticleRow.id > last_id)
        rows = session.scalars(query.order_by(ArticleRow.id).limit(batch)).all()
        if not rows:
            return
        urls = urls_of(session, [r.id for r in rows])
        for row in rows:
            yield to_article(row, urls[row.id])
        last_id = rows[-1].id
        session.expunge_all()


def count_articles(session: Session) -> int:
    return session.scalar(select(func.count(ArticleRow.id))) or 0
