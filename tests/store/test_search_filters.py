"""The date filters every reader shares (ranked search, listing, export, the API's keyset
listing), on SQLite and PostgreSQL: ``since`` and ``until`` both include the instant given."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from scraper.config import parse_config
from scraper.query.contract import parse_when
from scraper.store.archive import Archive, ArticleFilter, open_archive
from scraper.store.reads import Reads
from tests.factories import make_draft

CONFIG = parse_config(
    {"publisher": [{"id": "sf", "name": "SF", "canonical_domain": "sf.test"}]},
    Path("test.toml"),
)
NOON = datetime(2025, 3, 10, 12, tzinfo=UTC)


@pytest.fixture
def archive(database_url: str) -> Archive:
    archive = open_archive(database_url, auto_upgrade=True)
    archive.sync_config(CONFIG)
    archive.save(
        make_draft("sf", "https://sf.test/noon/", "Drones over the harbour.", published_at=NOON)
    )
    return archive


def _every_reader(archive: Archive, filters: ArticleFilter) -> dict[str, int]:
    """How many articles each reader finds with ``filters``."""
    reads = Reads(archive.engine)
    return {
        "search": len(archive.search("drones", filters)),
        "listing": len(archive.search("", filters)),
        "export": len(list(archive.export(filters))),
        "api listing": len(reads.newest(filters, None, 10)),
        "api search": len(reads.search_page("harbour", filters, 0, 10)[0]),
    }


@pytest.mark.parametrize(
    "until",
    ["2025-03-10T12:00:00Z", "2025-03-10T13:00:00+01:00", "2025-03-10T12:00", "2025-03-10"],
)
def test_until_includes_the_instant_given(archive: Archive, until: str) -> None:
    found = _every_reader(archive, ArticleFilter(until=parse_when(until, end=True)))
    assert set(found.values()) == {1}, found


def test_until_a_moment_before_excludes_it(archive: Archive) -> None:
    before = ArticleFilter(until=NOON - timedelta(microseconds=1))
    assert set(_every_reader(archive, before).values()) == {0}


def test_since_and_until_the_same_instant_is_that_instant(archive: Archive) -> None:
    found = _every_reader(archive, ArticleFilter(since=NOON, until=NOON))
    assert set(found.values()) == {1}, found
