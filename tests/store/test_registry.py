"""The publishers file owns the feeds it lists: deleted there, they stop; back, they resume."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from scraper.config import Config, Publisher
from scraper.store.archive import Archive, open_archive
from scraper.store.registry import (
    ADDED,
    FROM_FILE,
    REMOVED_FROM_FILE,
    FeedChange,
    FeedFacts,
    plan_feed_sync,
    publisher_gone,
)
from scraper.store.schedule import ScheduleStore

NOW = datetime(2026, 12, 10, 12, 0, tzinfo=UTC)
F1, F2, EXTRA = "http://a.example/1.xml", "http://a.example/2.xml", "http://a.example/extra.xml"


def facts(
    url: str, source: str = FROM_FILE, reason: str | None = None, pid: str = "a"
) -> FeedFacts:
    return FeedFacts(1, url, pid, source, reason, reason is not None)


@pytest.mark.parametrize(
    ("feed", "listed", "expected"),
    [
        pytest.param(facts(F1), {F1: "a"}, None, id="listed-file-feed-unchanged"),
        pytest.param(
            facts(F1), {}, FeedChange(1, F1, disable=REMOVED_FROM_FILE), id="deleted-from-file"
        ),
        pytest.param(
            facts(F1, reason=REMOVED_FROM_FILE), {}, None, id="already-retired-stays-retired"
        ),
        pytest.param(
            facts(F1, reason=REMOVED_FROM_FILE), {F1: "a"}, FeedChange(1, F1, enable=True),
            id="back-in-the-file",
        ),
        pytest.param(facts(EXTRA, ADDED), {}, None, id="added-feed-untouched"),
        pytest.param(
            facts(F1, ADDED), {F1: "a"}, FeedChange(1, F1, source=FROM_FILE),
            id="added-feed-now-listed-belongs-to-the-file",
        ),
        pytest.param(
            facts(F1, reason="disabled by the operator"), {}, None,
            id="operator-disabled-keeps-its-reason",
        ),
        pytest.param(
            facts(F1, reason="disabled by the operator"), {F1: "a"}, None,
            id="operator-disabled-not-enabled-by-the-file",
        ),
        pytest.param(
            facts(F1), {F1: "b"}, FeedChange(1, F1, publisher_id="b"), id="moved-to-publisher-b"
        ),
    ],
)  # fmt: skip
def test_plan_feed_sync(feed: FeedFacts, listed: dict[str, str], expected: FeedChange) -> None:
    assert plan_feed_sync([feed], listed, {"a", "b"}) == ([expected] if expected else [])


GONE = publisher_gone("a")


@pytest.mark.parametrize(
    ("feed", "expected"),
    [
        pytest.param(facts(F1), FeedChange(1, F1, disable=GONE), id="file-feed"),
        pytest.param(facts(EXTRA, ADDED), FeedChange(1, EXTRA, disable=GONE), id="added-feed"),
        pytest.param(
            facts(F1, reason=REMOVED_FROM_FILE), FeedChange(1, F1, disable=GONE),
            id="retired-feed-says-why-now",
        ),
        pytest.param(facts(F1, reason="too noisy"), None, id="operator-reason-kept"),
    ],
)  # fmt: skip
def test_feeds_of_a_publisher_deleted_from_the_file(feed: FeedFacts, expected: FeedChange) -> None:
    assert plan_feed_sync([feed], {}, {"b"}) == ([expected] if expected else [])


@pytest.mark.parametrize(
    ("feed", "expected"),
    [
        pytest.param(facts(EXTRA, ADDED, GONE), FeedChange(1, EXTRA, enable=True), id="added"),
        pytest.param(
            facts(F1, reason=GONE), FeedChange(1, F1, disable=REMOVED_FROM_FILE),
            id="its-feed-no-longer-listed",
        ),
    ],
)  # fmt: skip
def test_a_publisher_back_in_the_file(feed: FeedFacts, expected: FeedChange) -> None:
    assert plan_feed_sync([feed], {}, {"a"}) == [expected]


def config(*feeds: str) -> Config:
    return Config(publishers=(Publisher(id="a", name="A", canonical_domain="a.example",
                                        feeds=feeds),))  # fmt: skip


@pytest.fixture
def archive(database_url: str) -> Iterator[Archive]:
    archive = open_archive(database_url, auto_upgrade=True)
    yield archive
    archive.close()


def _by_url(store: ScheduleStore) -> dict[str, object]:
    return {s.url: s for s in store.statuses()}


def test_a_feed_deleted_from_the_file_is_kept_but_never_claimed(archive: Archive) -> None:
    store = ScheduleStore(archive.engine)
    archive.sync_config(config(F1, F2))
    assert store.add(EXTRA, "a", NOW)  # `scraper feeds add`
    report = archive.sync_config(config(F1))
    assert report.retired == [(F2, REMOVED_FROM_FILE)] and report.restored == []
    status = _by_url(store)
    assert status[F2].disabled_reason == REMOVED_FROM_FILE  # type: ignore[attr-defined]
    assert status[EXTRA].disabled_at is None  # type: ignore[attr-defined]
    assert {c.ref.url for c in store.claim("w", NOW, 30, 100)} == {F1, EXTRA}
    assert archive.sync_config(config(F1)).retired == []  # said once, not on every sync


def test_putting_it_back_in_the_file_resumes_it(archive: Archive) -> None:
    store = ScheduleStore(archive.engine)
    archive.sync_config(config(F1, F2))
    archive.sync_config(config(F1))
    assert archive.sync_config(config(F1, F2)).restored == [F2]
    status = _by_url(store)[F2]
    assert status.disabled_at is None and status.consecutive_errors == 0  # type: ignore[attr-defined]
    assert F2 in {c.ref.url for c in store.claim("w", NOW, 30, 100)}


def test_enabling_a_feed_the_file_dropped_makes_it_the_operators(archive: Archive) -> None:
    """`scraper feeds enable` of a feed deleted from the file keeps it followed: the next sync
    must not retire it again; listed in the file once more, it is the file's again."""
    store = ScheduleStore(archive.engine)
    archive.sync_config(config(F1, F2))
    archive.sync_config(config(F1))
    assert store.set_enabled(F2, True, NOW)
    assert archive.sync_config(config(F1)).retired == []
    assert _by_url(store)[F2].disabled_at is None  # type: ignore[attr-defined]
    archive.sync_config(config(F1, F2))
    assert archive.sync_config(config(F1)).retired == [(F2, REMOVED_FROM_FILE)]


def test_the_file_edited_to_the_url_a_feed_moved_to_keeps_that_feed(archive: Archive) -> None:
    """The feed at F1 answers through a 301 at MOVED; the operator writes MOVED in the file. It
    is the same feed: not retired, no second row starting from scratch."""
    moved = "https://a.example/feed.xml"
    store = ScheduleStore(archive.engine)
    archive.sync_config(config(F1))
    (feed,) = archive.feed_refs(urls=[F1])
    archive.move_feed(feed.id, moved, "redirect")
    report = archive.sync_config(config(moved))
    assert report.retired == [] and report.restored == []
    assert list(_by_url(store)) == [F1]
    assert [c.ref.id for c in store.claim("w", NOW, 30, 100)] == [feed.id]


def test_an_operators_disable_survives_the_file(archive: Archive) -> None:
    store = ScheduleStore(archive.engine)
    archive.sync_config(config(F1, F2))
    store.set_enabled(F2, False, NOW, "too noisy")
    archive.sync_config(config(F1))
    archive.sync_config(config(F1, F2))
    assert _by_url(store)[F2].disabled_reason == "too noisy"  # type: ignore[attr-defined]


def test_the_feeds_of_a_deleted_publisher_are_retired_and_come_back(archive: Archive) -> None:
    store = ScheduleStore(archive.engine)
    other = Publisher(id="b", name="B", canonical_domain="b.example", feeds=("http://b.example/f",))
    both = Config(publishers=(*config(F1).publishers, other))
    archive.sync_config(both)
    assert store.add(EXTRA, "a", NOW)
    report = archive.sync_config(Config(publishers=(other,)))
    assert sorted(report.retired) == [(F1, publisher_gone("a")), (EXTRA, publisher_gone("a"))]
    assert {c.ref.url for c in store.claim("w", NOW, 30, 100)} == {"http://b.example/f"}
    assert sorted(archive.sync_config(both).restored) == [F1, EXTRA]
