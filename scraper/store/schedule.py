"""The daemon's view of the feeds table: claim due feeds under a lease, write the next poll back.

Claiming is ``SELECT … FOR UPDATE SKIP LOCKED`` (PostgreSQL; SQLite runs one daemon only and
ignores the clause) followed by writing ``lease_owner``/``lease_until`` in the same
transaction, so any number of daemons can share one database: a feed is only claimable when it
is due, enabled and not leased, and its lease is released only when the next poll time has been
written. A daemon that dies keeps its leases until they expire; the next claim by anyone else
counts as a *takeover*. Clocks of the daemons' machines are assumed to be NTP-synchronised.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, func, or_, select, text, update
from sqlalchemy.orm import Session, sessionmaker

from scraper.models import FeedRef
from scraper.schedule.interval import FeedState, Plan, next_poll_time
from scraper.store.feeds import feed_ref
from scraper.store.registry import ADDED, REMOVED_FROM_FILE
from scraper.store.tables import FeedRow

__all__ = [
    "Claim",
    "FeedStatus",
    "ScheduleStore",
    "add_feed",
    "claim_due",
    "feed_statuses",
    "finish_poll",
    "overdue_count",
    "release_leases",
    "remove_feed",
    "renew_leases",
    "set_enabled",
]


@dataclass(frozen=True, slots=True)
class Claim:
    """A feed this daemon now holds: what to fetch, its schedule state, when it was due."""

    ref: FeedRef
    state: FeedState
    poll_count: int
    due_at: datetime | None
    taken_over: bool
    claimed_at: datetime | None = None


def _due(now: datetime) -> list[object]:
    return [
        FeedRow.disabled_at.is_(None),
        or_(FeedRow.next_poll_at.is_(None), FeedRow.next_poll_at <= now),
        or_(FeedRow.lease_until.is_(None), FeedRow.lease_until < now),
    ]


def claim_due(
    session: Session, owner: str, now: datetime, lease_s: float, limit: int
) -> list[Claim]:
    """Lease up to ``limit`` due feeds, oldest due first; the caller commits."""
    rows = session.scalars(
        select(FeedRow)
        .where(*_due(now))  # type: ignore[arg-type]
        .order_by(FeedRow.next_poll_at.asc().nulls_first(), FeedRow.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).all()
    claims = []
    until = now + timedelta(seconds=lease_s)
    for row in rows:
        claims.append(_claim(row, now))
        row.lease_owner, row.lease_until = owner, until
    return claims


def _claim(row: FeedRow, now: datetime) -> Claim:
    ref = feed_ref(row)
    state = FeedState(
        interval_s=row.interval_s,
        items_per_day=row.items_per_day,
        consecutive_errors=row.consecutive_errors or 0,
        error_since=_aware(row.error_since),
        last_polled_at=_aware(row.last_polled_at),
    )
    return Claim(
        ref, state, row.poll_count or 0, _aware(row.next_poll_at), row.lease_owner is not None,
        now,
    )  # fmt: skip


def _aware(value: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes; every time stored here is UTC."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)


def finish_poll(session: Session, owner: str, feed_id: int, plan: Plan, now: datetime) -> bool:
    """Write the next poll and release the lease; False when the lease was lost meanwhile.

    ``now`` is the end of the poll. A healthy poll's successor is due one delay after this one
    was *due* (:func:`~scraper.schedule.interval.next_poll_time`), so a feed is polled once
    per interval without drifting later by every poll's lag and duration; two polls of one
    feed still never start closer than half the delay.

    The error streak is written here too, from the plan: the next plan's backoff is computed
    from it, so it must not depend on whether the poll managed to record its failure (a
    crashed poll that did not stayed at "first error" forever and never backed off).
    """
    values: dict[str, object] = {
        "next_poll_at": next_poll_time(plan, now),
        "interval_s": plan.interval_s,
        "items_per_day": plan.items_per_day,
        "consecutive_errors": plan.consecutive_errors,
        "error_since": plan.error_since,
        "poll_count": FeedRow.poll_count + 1,
        "lease_owner": None,
        "lease_until": None,
    }
    if plan.disable_reason is not None:
        values |= {"disabled_at": now, "disabled_reason": plan.disable_reason}
    result = session.execute(
        update(FeedRow)
        .where(FeedRow.id == feed_id, FeedRow.lease_owner == owner)
        .values(values)
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def renew_leases(session: Session, owner: str, feed_ids: Sequence[int], until: datetime) -> int:
    """Extend the leases of polls still running, so a slow poll is not taken over."""
    if not feed_ids:
        return 0
    result = session.execute(
        update(FeedRow)
        .where(FeedRow.lease_owner == owner, FeedRow.id.in_(list(feed_ids)))
        .values(lease_until=until)
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


def release_leases(session: Session, owner: str, feed_ids: Sequence[int] | None = None) -> int:
    """Give feeds back unpolled (shutdown): they stay due, so another daemon takes them now."""
    query = update(FeedRow).where(FeedRow.lease_owner == owner)
    if feed_ids is not None:
        query = query.where(FeedRow.id.in_(list(feed_ids)))
    result = session.execute(
        query.values(lease_owner=None, lease_until=None).execution_options(
            synchronize_session=False
        )
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


def overdue_count(session: Session, now: datetime, slack_s: float) -> int:
    """Enabled feeds due more than ``slack_s`` ago that nobody holds: the daemons lag behind."""
    cutoff = now - timedelta(seconds=slack_s)
    query = select(func.count(FeedRow.id)).where(
        FeedRow.disabled_at.is_(None),
        FeedRow.next_poll_at < cutoff,
        or_(FeedRow.lease_until.is_(None), FeedRow.lease_until < now),
    )
    return int(session.scalar(query) or 0)


# -- feed management (`scraper feeds …`) ---------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FeedStatus:
    """One feed as ``scraper feeds list/status`` shows it."""

    id: int
    url: str
    publisher_id: str
    title: str | None
    last_polled_at: datetime | None
    last_status: int | None
    next_poll_at: datetime | None
    interval_s: float | None
    items_per_day: float | None
    consecutive_errors: int
    last_error_reason: str | None
    last_error: str | None
    error_since: datetime | None
    disabled_at: datetime | None
    disabled_reason: str | None
    lease_owner: str | None


def feed_statuses(
    session: Session, urls: Sequence[str] = (), publisher_ids: Sequence[str] = ()
) -> list[FeedStatus]:
    query = select(FeedRow).order_by(FeedRow.publisher_id, FeedRow.url)
    if urls:
        query = query.where(FeedRow.url.in_(list(urls)))
    if publisher_ids:
        query = query.where(FeedRow.publisher_id.in_(list(publisher_ids)))
    return [
        FeedStatus(
            id=r.id,
            url=r.url,
            publisher_id=r.publisher_id,
            title=r.title,
            last_polled_at=_aware(r.last_polled_at),
            last_status=r.last_status,
            next_poll_at=_aware(r.next_poll_at),
            interval_s=r.interval_s,
            items_per_day=r.items_per_day,
            consecutive_errors=r.consecutive_errors or 0,
            last_error_reason=r.last_error_reason,
            last_error=r.last_error,
            error_since=_aware(r.error_since),
            disabled_at=_aware(r.disabled_at),
            disabled_reason=r.disabled_reason,
            lease_owner=r.lease_owner,
        )
        for r in session.scalars(query)
    ]


def add_feed(session: Session, url: str, publisher_id: str, now: datetime) -> bool:
    """Add a feed (due at once); False when the URL is already followed."""
    if session.scalar(select(FeedRow.id).where(FeedRow.url == url)) is not None:
        return False
    session.add(FeedRow(url=url, publisher_id=publisher_id, consecutive_errors=0, created_at=now))
    return True


def remove_feed(session: Session, url: str) -> bool:
    """Delete a feed and its fetch log; its articles stay (their feed_id becomes NULL)."""
    row = session.scalar(select(FeedRow).where(FeedRow.url == url))
    if row is None:
        return False
    session.delete(row)
    return True


def set_enabled(
    session: Session, url: str, enabled: bool, now: datetime, reason: str | None = None
) -> bool:
    """Enable (error streak forgotten, due now) or disable (reason kept) one feed.

    Enabling a feed the publishers file dropped makes it the operator's (an added feed):
    otherwise the next sync, seeing a file feed the file does not list, would retire it again.
    """
    if enabled:
        session.execute(
            update(FeedRow)
            .where(FeedRow.url == url, FeedRow.disabled_reason == REMOVED_FROM_FILE)
            .values(source=ADDED)
            .execution_options(synchronize_session=False)
        )
    values: dict[str, object] = (
        {"disabled_at": None, "disabled_reason": None, "error_since": None,
         "consecutive_errors": 0, "next_poll_at": now}
        if enabled
        else {"disabled_at": now, "disabled_reason": reason or "disabled by the operator"}
    )  # fmt: skip
    result = session.execute(
        update(FeedRow)
        .where(FeedRow.url == url)
        .values(values)
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


class ScheduleStore:
    """The functions above, each in its own short transaction on the archive's engine."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    def claim(self, owner: str, now: datetime, lease_s: float, limit: int) -> list[Claim]:
        with self._sessions() as session, session.begin():
            return claim_due(session, owner, now, lease_s, limit)

    def finish(self, owner: str, feed_id: int, plan: Plan, now: datetime) -> bool:
        with self._sessions() as session, session.begin():
            return finish_poll(session, owner, feed_id, plan, now)

    def renew(self, owner: str, feed_ids: Sequence[int], until: datetime) -> int:
        with self._sessions() as session, session.begin():
            return renew_leases(session, owner, feed_ids, until)

    def release(self, owner: str, feed_ids: Sequence[int] | None = None) -> int:
        with self._sessions() as session, session.begin():
            return release_leases(session, owner, feed_ids)

    def overdue(self, now: datetime, slack_s: float) -> int:
        with self._sessions() as session:
            return overdue_count(session, now, slack_s)

    def statuses(
        self, urls: Sequence[str] = (), publisher_ids: Sequence[str] = ()
    ) -> list[FeedStatus]:
        with self._sessions() as session:
            return feed_statuses(session, urls, publisher_ids)

    def add(self, url: str, publisher_id: str, now: datetime) -> bool:
        with self._sessions() as session, session.begin():
            return add_feed(session, url, publisher_id, now)

    def remove(self, url: str) -> bool:
        with self._sessions() as session, session.begin():
            return remove_feed(session, url)

    def set_enabled(
        self, url: str, enabled: bool, now: datetime, reason: str | None = None
    ) -> bool:
        with self._sessions() as session, session.begin():
            return set_enabled(session, url, enabled, now, reason)

    def ping(self) -> None:
        with self.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
