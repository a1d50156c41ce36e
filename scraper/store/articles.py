"""Storing and reading articles. Ingest is idempotent: unique keys, and every save serialises
on its identity keys before it reads (see :mod:`scraper.store.dedup`)."""

from __future__ import annotations

import functools
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from typing import Any, Literal

from sqlalchemy import func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from scraper.dedup.boilerplate import paragraphs_of
from scraper.dedup.fingerprint import normalise_text, text_hash, word_count
from scraper.dedup.minhash import Fingerprint, shingle_hashes, similarity
from scraper.dedup.policy import DEFAULT_POLICY, DedupPolicy
from scraper.models import Article, ArticleDraft, StoreOutcome
from scraper.store import dedup
from scraper.store.boilerplate import count_paragraphs
from scraper.store.filters import ArticleFilter
from scraper.store.raw import save_raw
from scraper.store.tables import ArticleRow, ArticleUrlRow, RevisionRow
from scraper.store.upsert import insert_ignore

Status = Literal["new", "updated", "known"]
GUID_MIN_OVERLAP = 0.2

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


def save_draft(
    session: Session,
    draft: ArticleDraft,
    policy: DedupPolicy = DEFAULT_POLICY,
    *,
    locked: bool = False,
) -> StoreOutcome:
    """Store one article, or attach its URLs to the article it already is.

    Identity, first match wins: a known URL (canonical or any other), the feed's GUID, the
    same publisher's identical text (hash of the normalised text), the same publisher's
    near-identical text within the time window (see :mod:`scraper.dedup.policy`). A new
    article joins the story cluster of its near-duplicates from other publishers.
    ``locked``: the caller already serialised this transaction (:meth:`Archive.save_many`).
    """
    now = datetime.now(UTC)
    digest = text_hash(draft.text)
    fp = Fingerprint.of(draft.text) if word_count(draft.text) >= policy.min_words else None
    if not locked:
        keys = dedup.lock_keys(draft.publisher_id, digest, draft.feed_id, draft.guid, fp)
        dedup.serialise(session, keys)
    urls = [draft.canonical_url, *(url for url, _ in draft.urls)]
    known = known_urls(session, urls)
    article_id = known.get(draft.canonical_url) or next(iter(known.values()), None)
    related: list[dedup.Match] = []
    if article_id is None:
        article_id, related = _identify(session, draft, digest, fp, policy, now)
    if article_id is None:
        status, article_id = _insert(session, draft, digest, now, fp)
        if status == "new":
            count_paragraphs(session, draft.publisher_id, paragraphs_of(draft.text))
            if related:
                dedup.join_cluster(session, article_id, related)
    else:
        status = _refresh(session, article_id, draft, digest, now, fp)
    rows = [{"url": draft.canonical_url, "source": "canonical"}]
    rows += [{"url": url, "source": source} for url, source in draft.urls]
    insert_ignore(
        session,
        ArticleUrlRow.__table__,  # type: ignore[arg-type]
        [r | {"article_id": article_id, "first_seen_at": now} for r in rows],
    )
    if draft.feed_id is not None and draft.guid:
        dedup.claim_guid(session, draft.feed_id, draft.guid, article_id, now)
    met = next((url for url, source in draft.urls if source != "redirect"), draft.canonical_url)
    chain = [url for url, source in draft.urls if source == "redirect"]
    dedup.record_sighting(session, article_id, met, now, draft.feed_id, chain)
    if draft.raw is not None:
        save_raw(session, article_id, draft.raw)
    return StoreOutcome(article_id=article_id, status=status)


def _identify(
    session: Session,
    draft: ArticleDraft,
    digest: str,
    fp: Fingerprint | None,
    policy: DedupPolicy,
    now: datetime,
) -> tuple[int | None, list[dedup.Match]]:
    """The stored article this draft is (GUID, text hash, near-identical text), or None and
    the near-duplicates it should be clustered with."""
    if draft.feed_id is not None and draft.guid:
        found = dedup.guid_article(session, draft.feed_id, draft.guid)
        if found is not None and _guid_trusted(session, found, draft, fp):
            return found, []
    if fp is None:  # too short to be matched by its text
        return None, []
    found = dedup.text_hash_article(session, draft.publisher_id, digest)
    if found is not None:
        return found, []
    related = []
    when = draft.published_at or now
    for match in dedup.near_matches(session, fp, floor=policy.cluster):
        same = match.publisher_id == draft.publisher_id
        verdict = policy.verdict(match.containment, same, when, match.when)
        if verdict == "same":
            return match.article_id, []
        if verdict == "cluster":
            related.append(match)
    return None, related


def _guid_trusted(
    session: Session, article_id: int, draft: ArticleDraft, fp: Fingerprint | None
) -> bool:
    """A GUID names one article, unless the feed reuses GUIDs: a stored article with another
    headline AND a text sharing under ``GUID_MIN_OVERLAP`` of the shorter one's shingles is
    not taken for this one (a rewrite keeps more than that; two stories share ≈ nothing)."""
    row = session.get(ArticleRow, article_id)
    if (
        row is None
        or fp is None
        or normalise_text(row.title or "") == normalise_text(draft.title or "")
    ):
        return True
    return similarity(fp.shingles, shingle_hashes(row.text)).containment >= GUID_MIN_OVERLAP


def _insert(
    session: Session, draft: ArticleDraft, digest: str, now: datetime, fp: Fingerprint | None
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
    article_id = session.scalar(_insert_returning(session.get_bind().dialect.name), values)
    if article_id is None:  # the canonical URL is taken (a racing writer, or an old row)
        before = session.scalar(
            select(ArticleRow.id).where(ArticleRow.canonical_url == draft.canonical_url)
        )
        assert before is not None  # the row exists: the conflict was on it
        return _refresh(session, before, draft, digest, now, fp), before
    if fp is not None:
        dedup.add_bands(session, article_id, fp.keys)
    return "new", article_id


@functools.cache
def _insert_returning(dialect: str) -> Any:
    module: Any = postgresql if dialect == "postgresql" else sqlite
    return module.insert(ArticleRow.__table__).on_conflict_do_nothing().returning(ArticleRow.id)


def _refresh(
    session: Session,
    article_id: int,
    draft: ArticleDraft,
    digest: str,
    now: datetime,
    fp: Fingerprint | None = None,
) -> Status:
    row = session.get(ArticleRow, article_id)
    if row is None or not _replace_text(session, row, draft.text, digest, now):
        return "known"
    row.title = draft.title or row.title
    row.authors = list(draft.authors) or row.authors
    row.published_at = row.published_at or draft.published_at
    row.text_source = draft.text_source
    if fp is not None:  # copies of the new text find the article too (old keys stay)
        dedup.add_bands(session, article_id, fp.keys)
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
    row.revision_count = (row.revision_count or 0) + 1
    row.updated_at = now
    return True


def replace_text(
    session: Session, article_id: int, text: str, policy: DedupPolicy = DEFAULT_POLICY
) -> Status:
    """Re-extraction's write: a revision only when the normalised text truly changed."""
    row = session.get(ArticleRow, article_id)
    if row is None or not _replace_text(session, row, text, text_hash(text), now_utc()):
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
    for article_id, url in sightings:
        dedup.record_sighting(session, article_id, url, now)


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
