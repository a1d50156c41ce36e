"""Feed state: which feeds to poll, what they answered last, and every failure."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from scraper.domains.evidence import Evidence
from scraper.models import FeedRef
from scraper.store.tables import FeedRow, FetchLogRow

__all__ = [
    "Failure",
    "FeedPoll",
    "PollRecord",
    "feed_refs",
    "record_failures",
    "record_poll",
    "record_polls",
]


@dataclass(frozen=True, slots=True)
class FeedPoll:
    """What one poll of a feed learned, to be written back to its row."""

    feed_id: int
    status: int | None
    etag: str | None = None
    last_modified: str | None = None
    body_hash: str | None = None
    title: str | None = None
    error: str | None = None
    error_reason: str | None = None


@dataclass(frozen=True, slots=True)
class PollRecord:
    """One poll's write: the feed's new state, its failures, the migration evidence found."""

    poll: FeedPoll
    failures: tuple[Failure, ...] = ()
    evidence: tuple[tuple[str | None, Evidence], ...] = ()


@dataclass(frozen=True, slots=True)
class Failure:
    """One failed fetch, parse, extraction or store, per feed or per URL."""

    url: str
    stage: str
    reason: str
    message: str
    feed_id: int | None = None
    status: int | None = None


def feed_refs(
    session: Session, publisher_ids: Sequence[str] = (), urls: Sequence[str] = ()
) -> list[FeedRef]:
    query = select(FeedRow).order_by(FeedRow.id)
    if publisher_ids:
        query = query.where(FeedRow.publisher_id.in_(publisher_ids))
    if urls:
        query = query.where(FeedRow.url.in_(urls))
    return [feed_ref(row) for row in session.scalars(query)]


def feed_ref(row: FeedRow) -> FeedRef:
    return FeedRef(
        id=row.id,
        url=row.url,
        publisher_id=row.publisher_id,
        etag=row.etag,
        last_modified=row.last_modified,
        body_hash=row.body_hash,
        fetch_url=row.fetch_url,
    )


def record_poll(session: Session, poll: FeedPoll) -> None:
    record_polls(session, [poll])


def record_polls(session: Session, polls: Sequence[FeedPoll]) -> None:
    """Write back what each poll learned (the rows in one query; a feed polled twice in the
    batch gets both polls applied in order)."""
    ids = list({p.feed_id for p in polls})
    rows = {r.id: r for r in session.scalars(select(FeedRow).where(FeedRow.id.in_(ids)))}
    now = datetime.now(UTC)
    for poll in polls:
        row = rows.get(poll.feed_id)
        if row is not None:
            _apply(row, poll, now)


def _apply(row: FeedRow, poll: FeedPoll, now: datetime) -> None:
    row.last_polled_at = now
    row.last_status = poll.status
    if poll.error is not None:
        row.last_error, row.last_error_reason = poll.error, poll.error_reason
        row.consecutive_errors = (row.consecutive_errors or 0) + 1
        return
    row.last_success_at = now
    row.last_error = row.last_error_reason = None
    row.consecutive_errors = 0
    if poll.status == 304:
        return
    row.etag, row.last_modified = poll.etag, poll.last_modified
    if poll.body_hash is not None:
        row.body_hash = poll.body_hash
    if poll.title:
        row.title = poll.title


def record_failures(session: Session, failures: Sequence[Failure]) -> None:
    now = datetime.now(UTC)
    session.add_all(
        FetchLogRow(
            at=now,
            feed_id=f.feed_id,
            url=f.url,
            stage=f.stage,
            reason=f.reason,
            message=f.message[:2000],
            status=f.status,
        )
        for f in failures
    )
