"""Domain moves in the database: evidence counters, adoptions and feed URL history."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from scraper.domains.evidence import Adoption, Evidence, EvidenceCount, host_of
from scraper.store.tables import (
    AdoptionRow,
    ArticleRow,
    ArticleUrlRow,
    EvidenceRow,
    FeedRow,
    FeedUrlRow,
)
from scraper.store.upsert import insert_ignore, upsert_add


def record_evidence(session: Session, items: Sequence[tuple[str | None, Evidence]]) -> None:
    now = datetime.now(UTC)
    rows = [
        {"publisher_id": publisher, "from_host": e.from_host, "to_host": e.to_host,
         "kind": e.kind, "count": 1, "example_url": e.url, "first_seen_at": now,
         "last_seen_at": now}
        for publisher, e in items
    ]  # fmt: skip
    for row in rows:  # one statement per row: a batch may repeat a key
        upsert_add(
            session,
            EvidenceRow.__table__,  # type: ignore[arg-type]
            [row],
            ["from_host", "to_host", "kind"],
            "count",
            ("last_seen_at", "example_url"),
        )


def evidence(session: Session, publisher_id: str | None = None) -> list[EvidenceCount]:
    query = select(EvidenceRow).order_by(EvidenceRow.from_host, EvidenceRow.to_host)
    if publisher_id:
        query = query.where(EvidenceRow.publisher_id == publisher_id)
    return [
        EvidenceCount(r.publisher_id, r.from_host, r.to_host, r.kind, r.count, r.example_url,
                      _utc(r.first_seen_at), _utc(r.last_seen_at))
        for r in session.scalars(query)
    ]  # fmt: skip


def adopt(session: Session, publisher_id: str, from_host: str, to_host: str, source: str) -> None:
    session.add(
        AdoptionRow(publisher_id=publisher_id, from_host=from_host, to_host=to_host,
                    source=source, adopted_at=datetime.now(UTC))
    )  # fmt: skip


def adoptions(session: Session) -> list[Adoption]:
    rows = session.scalars(select(AdoptionRow).order_by(AdoptionRow.adopted_at, AdoptionRow.id))
    return [
        Adoption(r.publisher_id, r.from_host, r.to_host, r.source, _utc(r.adopted_at)) for r in rows
    ]


def move_feed(session: Session, feed_id: int, new_url: str, source: str) -> None:
    """The feed now answers at ``new_url``: fetch it there, remember the URL, keep its id."""
    row = session.get(FeedRow, feed_id)
    if row is None:
        return
    now = datetime.now(UTC)
    insert_ignore(
        session,
        FeedUrlRow.__table__,  # type: ignore[arg-type]
        [
            {"url": row.url, "feed_id": feed_id, "source": "configured", "first_seen_at": now},
            {"url": new_url, "feed_id": feed_id, "source": source, "first_seen_at": now},
        ],
    )
    row.fetch_url = None if new_url == row.url else new_url


def remember_feed_url(session: Session, feed_id: int, url: str, source: str) -> None:
    now = datetime.now(UTC)
    row = {"url": url, "feed_id": feed_id, "source": source, "first_seen_at": now}
    insert_ignore(session, FeedUrlRow.__table__, [row])  # type: ignore[arg-type]


def feed_id_for_url(session: Session, url: str) -> int | None:
    """Any URL a feed was ever known under → that feed."""
    direct = session.scalar(select(FeedRow.id).where(FeedRow.url == url))
    if direct is not None:
        return direct
    return session.scalar(select(FeedUrlRow.feed_id).where(FeedUrlRow.url == url))


def feed_spellings(session: Session) -> list[tuple[str, str, str]]:
    """(URL, feed's stored URL, publisher) for every URL each feed is known under: its own,
    the one it is fetched at after a redirect, and its history. ``scraper feeds add`` compares
    a new URL with all of them, so a feed's redirect target is not followed a second time."""
    found: list[tuple[str, str, str]] = []
    for url, fetch_url, publisher_id in session.execute(
        select(FeedRow.url, FeedRow.fetch_url, FeedRow.publisher_id).order_by(FeedRow.id)
    ):
        found.append((url, url, publisher_id))
        if fetch_url:
            found.append((fetch_url, url, publisher_id))
    history = (
        select(FeedUrlRow.url, FeedRow.url, FeedRow.publisher_id)
        .join(FeedRow, FeedRow.id == FeedUrlRow.feed_id)
        .order_by(FeedUrlRow.id)
    )
    found.extend(
        (spelling, url, publisher_id) for spelling, url, publisher_id in session.execute(history)
    )
    return found


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def host_activity(
    session: Session, since: datetime
) -> list[tuple[str, str, datetime, datetime, int]]:
    """(publisher, host, first seen, last seen, articles) of the URLs met in feeds since
    ``since``: the raw material of the "volume moved from one host to another" evidence."""
    query = (
        select(ArticleRow.publisher_id, ArticleUrlRow.url, ArticleUrlRow.first_seen_at)
        .join(ArticleRow, ArticleRow.id == ArticleUrlRow.article_id)
        .where(ArticleUrlRow.source == "feed", ArticleUrlRow.first_seen_at >= since)
    )
    spans: dict[tuple[str, str], list[Any]] = {}
    for publisher_id, url, seen in session.execute(query.execution_options(yield_per=2000)):
        key = (publisher_id, host_of(url))
        seen = _utc(seen)
        span = spans.setdefault(key, [seen, seen, 0])
        span[0], span[1], span[2] = min(span[0], seen), max(span[1], seen), span[2] + 1
    return [(p, h, first, last, n) for (p, h), (first, last, n) in spans.items()]
