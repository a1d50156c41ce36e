"""Claims and leases on both databases: exclusive, expiring, released, skipped while locked."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.orm import Session

from scraper.config import Config, Publisher
from scraper.schedule.interval import Plan
from scraper.store.archive import Archive, open_archive
from scraper.store.schedule import ScheduleStore, claim_due

T0 = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
FEEDS = tuple(f"http://a.example/feed/{i}" for i in range(10))


@pytest.fixture
def archive(database_url: str) -> Iterator[Archive]:
    archive = open_archive(database_url, auto_upgrade=True)
    config = Config(publishers=(Publisher(id="a", name="A", canonical_domain="a.example",
                                          feeds=FEEDS),))  # fmt: skip
    archive.sync_config(config)
    yield archive
    archive.close()


def plan(delay: float) -> Plan:
    return Plan(delay, delay, None, 0, None)


def test_a_claimed_feed_is_nobody_elses_until_its_lease_expires(archive: Archive) -> None:
    store = ScheduleStore(archive.engine)
    first = store.claim("w1", T0, 30, 4)
    assert [c.ref.url for c in first] == list(FEEDS[:4])
    assert not any(c.taken_over for c in first)
    rest = store.claim("w2", T0, 30, 100)
    assert {c.ref.url for c in rest} == set(FEEDS[4:])
    assert store.claim("w3", T0 + timedelta(seconds=29), 30, 100) == []
    taken = store.claim("w3", T0 + timedelta(seconds=31), 30, 100)
    assert len(taken) == 10 and all(c.taken_over for c in taken)
    assert store.finish("w1", first[0].ref.id, plan(60), T0) is False  # lease lost
    assert store.finish("w3", first[0].ref.id, plan(60), T0) is True


def test_finish_writes_the_next_poll_and_releases(archive: Archive) -> None:
    store = ScheduleStore(archive.engine)
    claim = store.claim("w1", T0, 30, 1)[0]
    assert store.finish("w1", claim.ref.id, plan(120), T0)
    assert claim.ref.id not in {c.ref.id for c in store.claim("w2", T0 + timedelta(seconds=119),
                                                               30, 100)}  # fmt: skip
    again = {c.ref.id: c for c in store.claim("w3", T0 + timedelta(seconds=200), 30, 100)}
    mine = again[claim.ref.id]
    assert (mine.poll_count, mine.due_at, mine.taken_over) == (1, T0 + timedelta(seconds=120),
                                                                False)  # fmt: skip


def test_release_and_renew(archive: Archive) -> None:
    store = ScheduleStore(archive.engine)
    claims = store.claim("w1", T0, 10, 3)
    ids = [c.ref.id for c in claims]
    assert store.renew("w1", ids[:1], T0 + timedelta(seconds=100)) == 1
    assert store.release("w1", ids[1:]) == 2
    later = {c.ref.id for c in store.claim("w2", T0 + timedelta(seconds=50), 10, 100)}
    assert ids[0] not in later and set(ids[1:]) <= later


def test_disabled_feeds_are_not_claimed_and_enable_makes_them_due(archive: Archive) -> None:
    store = ScheduleStore(archive.engine)
    assert store.set_enabled(FEEDS[0], False, T0, "gone")
    assert FEEDS[0] not in {c.ref.url for c in store.claim("w1", T0, 10, 100)}
    status = store.statuses(urls=[FEEDS[0]])[0]
    assert (status.disabled_reason, status.disabled_at) == ("gone", T0)
    assert store.set_enabled(FEEDS[0], True, T0)
    assert [c.ref.url for c in store.claim("w1", T0, 10, 100)] == [FEEDS[0]]


def test_overdue_counts_unheld_feeds_past_due(archive: Archive) -> None:
    store = ScheduleStore(archive.engine)
    for claim in store.claim("w1", T0, 10, 100):
        store.finish("w1", claim.ref.id, plan(60), T0)
    assert store.overdue(T0 + timedelta(seconds=65), 10) == 0
    assert store.overdue(T0 + timedelta(seconds=75), 10) == 10


@pytest.mark.postgres
def test_concurrent_claims_skip_locked_rows(postgres_url: str) -> None:
    archive = open_archive(postgres_url, auto_upgrade=True)
    archive.sync_config(
        Config(publishers=(Publisher(id="a", name="A", canonical_domain="a.example", feeds=FEEDS),))
    )
    with Session(archive.engine) as one, Session(archive.engine) as two:
        first = claim_due(one, "w1", T0, 30, 6)  # still uncommitted: rows are locked
        second = claim_due(two, "w2", T0, 30, 100)
        assert {c.ref.id for c in first}.isdisjoint({c.ref.id for c in second})
        assert len(first) + len(second) == 10
        one.commit()
        two.commit()
    archive.close()


def test_finish_writes_the_error_streak_of_the_plan(archive: Archive) -> None:
    """The next backoff is planned from the stored streak, whether or not the poll itself
    managed to record its failure (a crash before any write)."""
    store = ScheduleStore(archive.engine)
    claim = store.claim("w1", T0, 30, 1)[0]
    failed = Plan(8, 1, None, 4, T0 - timedelta(minutes=5))
    assert store.finish("w1", claim.ref.id, failed, T0)
    status = next(s for s in store.statuses() if s.id == claim.ref.id)
    assert (status.consecutive_errors, status.error_since) == (4, T0 - timedelta(minutes=5))
    again = store.claim("w1", T0 + timedelta(seconds=9), 30, 100)
    assert next(c for c in again if c.ref.id == claim.ref.id).state.consecutive_errors == 4
