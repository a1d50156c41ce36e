"""Learned boilerplate: paragraph counts per publisher, and the paragraphs past the threshold.

A paragraph is learned as boilerplate when it stands in at least ``min_articles`` of the
publisher's articles AND in at least ``min_share`` of the articles the publisher got since the
paragraph was first seen. The share guards long-running publishers: a quote repeated in three
follow-up stories out of thousands is content, a footer under every article is not. Each article
is counted once, when it is first stored, so re-crawls do not inflate the counts.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from scraper.store.tables import ArticleRow, BoilerplateRow
from scraper.store.upsert import upsert_add


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
    session: Session, publisher_id: str, min_articles: int, min_share: float
) -> frozenset[str]:
    candidates = session.execute(
        select(BoilerplateRow.hash, BoilerplateRow.articles, BoilerplateRow.first_seen_at).where(
            BoilerplateRow.publisher_id == publisher_id, BoilerplateRow.articles >= min_articles
        )
    ).all()
    found = set()
    for digest, count, first_seen in candidates:
        since = session.scalar(
            select(func.count(ArticleRow.id)).where(
                ArticleRow.publisher_id == publisher_id, ArticleRow.first_seen_at >= first_seen
            )
        )
        if count >= min_share * max(since or 0, count):
            found.add(digest)
    return frozenset(found)


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
            row.text, row.text_hash, row.word_count = text, hash_text(text), len(text.split())
            changed += 1
    return changed
