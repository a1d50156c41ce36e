"""Storing and reading articles. Ingest is idempotent: unique keys, never read-then-insert."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from typing import Literal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from scraper.dedup.boilerplate import paragraphs_of
from scraper.dedup.fingerprint import text_hash, word_count
from scraper.models import Article, ArticleDraft, StoreOutcome
from scraper.store.boilerplate import count_paragraphs
from scraper.store.filters import ArticleFilter
from scraper.store.raw import save_raw
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


def save_draft(session: Session, draft: ArticleDraft) -> StoreOutcome:
    """Store one article, or attach its URLs to the article it already is."""
    now = datetime.now(UTC)
    urls = [draft.canonical_url, *(url for url, _ in draft.urls)]
    known = known_urls(session, urls)
    article_id = known.get(draft.canonical_url) or next(iter(known.values()), None)
    digest = text_hash(draft.text)
    if article_id is None:
        status, article_id = _insert(session, draft, digest, now)
        if status == "new":
            count_paragraphs(session, draft.publisher_id, paragraphs_of(draft.text))
    else:
        status = _refresh(session, article_id, draft, digest, now)
    rows = [{"url": draft.canonical_url, "source": "canonical"}]
    rows += [{"url": url, "source": source} for url, source in draft.urls]
    insert_ignore(
        session,
        ArticleUrlRow.__table__,  # type: ignore[arg-type]
        [r | {"article_id": article_id, "first_seen_at": now} for r in rows],
    )
    if draft.raw is not None:
        save_raw(session, article_id, draft.raw)
    return StoreOutcome(article_id=article_id, status=status)


def _insert(
    session: Session, draft: ArticleDraft, digest: str, now: datetime
) -> tuple[Status, int]:
    values = {
        "publisher_id": draft.publisher_id,
        "canonical_url": draft.canonical_url,
        "guid": draft.guid,
        "feed_id": draft.feed_id,
        "title": draft.title,
        "authors": list(draft.authors),
        "published_at": draft.published_at,
        "first_seen_at": now,
        "updated_at": now,
        "language": draft.language,
        "description": draft.description,
        "text": draft.text,
        "text_hash": digest,
        "text_source": draft.text_source,
        "word_count": word_count(draft.text),
        "search_config": search_config(draft.language),
    }
    before = session.scalar(
        select(ArticleRow.id).where(ArticleRow.canonical_url == draft.canonical_url)
    )
    if before is not None:
        return _refresh(session, before, draft, digest, now), before
    insert_ignore(session, ArticleRow.__table__, [values])  # type: ignore[arg-type]
    article_id = session.scalar(
        select(ArticleRow.id).where(ArticleRow.canonical_url == draft.canonical_url)
    )
    assert article_id is not None  # the row exists: we or a racing writer inserted it
    return "new", article_id


def _refresh(
    session: Session, article_id: int, draft: ArticleDraft, digest: str, now: datetime
) -> Status:
    row = session.get(ArticleRow, article_id)
    if row is None or not _replace_text(session, row, draft.text, digest, now):
        return "known"
    row.title = draft.title or row.title
    row.authors = list(draft.authors) or row.authors
    row.published_at = row.published_at or draft.published_at
    row.text_source = draft.text_source
    return "updated"


def _replace_text(session: Session, row: ArticleRow, text: str, digest: str, now: datetime) -> bool:
    """Swap in a new text, keeping the old one as a revision; False when nothing changed."""
    if row.text_hash == digest:
        return False
    session.add(
        RevisionRow(
            article_id=row.id,
            title=row.title,
            text=row.text,
            text_hash=row.text_hash,
            seen_at=row.updated_at,
            replaced_at=now,
        )
    )
    row.text, row.text_hash, row.word_count = text, digest, word_count(text)
    row.updated_at = now
    return True


def replace_text(session: Session, article_id: int, text: str) -> Status:
    """Re-extraction's write: a revision only when the normalised text truly changed."""
    row = session.get(ArticleRow, article_id)
    if row is None or not _replace_text(session, row, text, text_hash(text), now_utc()):
        return "known"
    return "updated"


def attach_urls(session: Session, sightings: Sequence[tuple[int, str]], source: str) -> None:
    now = now_utc()
    rows = [
        {"url": url, "article_id": article_id, "source": source, "first_seen_at": now}
        for article_id, url in sightings
    ]
    insert_ignore(session, ArticleUrlRow.__table__, rows)  # type: ignore[arg-type]


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


def to_article(row: ArticleRow, urls: Sequence[str], snippet: str | None = None) -> Article:
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
