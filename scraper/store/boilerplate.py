"""Learned boilerplate: paragraph counts per publisher, and the paragraphs past the threshold.

A paragraph is learned as boilerplate when it stands in at least ``min_articles`` of the
publisher's articles AND in at least ``min_share`` of the articles the publisher got since the
paragraph was first seen. The share guards long-running publishers: a quote repeated in three
follow-up stories out of thousands is content, a footer under every article is not. Each article
counts a paragraph once: when it is first stored, or when an edit or a copy merged into it
brings a paragraph its text did not have (scraper.store.ingest), so re-crawls do not inflate the
counts and a footer that reaches articles through their edits is learned too. Dedup reads the
same counts: a paragraph in two articles of the publisher is no evidence that two of its texts
are one article (scraper.dedup.content).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from scraper.dedup.fingerprint import word_count
from scraper.store.tables import ArticleRow, BoilerplateRow
from scraper.store.upsert import upsert_add

# min_articles is at least 2 (settings): what the partial index on repeats holds
REPEATED = text("boilerplate_paragraphs.articles >= 2")


def count_paragraphs(session: Session, publisher_id: str, paragraphs: dict[str, str]) -> None:
    now = datetime.now(UTC)
    rows = [
        {"publisher_id": publisher_id, "hash": digest, "articles": 1,
         "example": example[:500], "first_seen_at": now}
        for digest, example in paragraphs.items()
    ]  # fmt: skip
    # One call (executemany) for all paragraphs instead of one call each: building the upsert
    # statement cost more than running it. The hashes are distinct: no row is hit twice.
    upsert_add(session, BoilerplateRow.__table__, rows, ["publisher_id", "hash"], "articles")  # type: ignore[arg-type]


def learned(
    session: Session, publisher_ids: Sequence[str], min_articles: int, min_share: float
) -> dict[str, frozenset[str]]:
    """Each publisher's learned paragraphs, in one query for any number of publishers (a
    crawl asks for all of its publishers once it has something new to clean)."""
    found: dict[str, set[str]] = {p: set() for p in publisher_ids}
    # The publisher's articles since the paragraph first appeared: an index-only range scan
    # per repeated paragraph (ix_articles_publisher_first_seen), not a walk of the archive.
    since = (
        select(func.count())
        .where(
            ArticleRow.publisher_id == BoilerplateRow.publisher_id,
            ArticleRow.first_seen_at >= BoilerplateRow.first_seen_at,
        )
        .correlate(BoilerplateRow)
        .scalar_subquery()
    )
    for start in range(0, len(publisher_ids), 500):
        chunk = list(publisher_ids[start : start + 500])
        query = select(
            BoilerplateRow.publisher_id, BoilerplateRow.hash, BoilerplateRow.articles, since
        ).where(
            BoilerplateRow.publisher_id.in_(chunk),
            BoilerplateRow.articles >= min_articles,
            REPEATED,  # lets the planner use the partial index ix_boilerplate_repeated
        )
        for publisher_id, digest, count, total in session.execute(query):
            if count >= min_share * max(total or 0, count):
                found[publisher_id].add(digest)
    return {p: frozenset(hashes) for p, hashes in found.items()}


def reclean(
    session: Session,
    publisher_id: str,
    clean: Callable[[str], str],
    hash_text: Callable[[str], str],
) -> int:
    """Apply ``clean`` to every stored text of the publisher; boilerplate is no revision."""
    changed = 0
    rows = session.scalars(select(ArticleRow).where(ArticleRow.publisher_id == publisher_id))
    for row in rows:
        text = clean(row.text)
        if text != row.text and text.strip():
            row.text, row.text_hash, row.word_count = text, hash_text(text), word_count(text)
            changed += 1
    return changed
