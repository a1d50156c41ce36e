"""A query of excluded words only (``-drones``) on SQLite and PostgreSQL: it has nothing to rank
by, so it lists the newest articles, and leaves out those it excludes."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from scraper.config import parse_config
from scraper.store.archive import Archive, ArticleFilter, open_archive
from scraper.store.reads import Reads
from tests.factories import make_draft

CONFIG = parse_config(
    {
        "publisher": [
            {"id": "sf", "name": "SF", "canonical_domain": "sf.test"},
            {"id": "nw", "name": "NW", "canonical_domain": "nw.test"},
        ]
    },
    Path("test.toml"),
)
TEXTS = {
    "drones": ("sf", "en", "Drones were seen over the harbour at night."),
    "ferry": ("sf", "en", "The ferry timetable changes in spring."),
    "markets": ("nw", "en", "Markets rallied on Friday after the vote."),
    "drohnen": ("nw", "de", "Über dem Hafen wurden in der Nacht Drohnen gesichtet."),
}


@pytest.fixture
def archive(database_url: str) -> Iterator[Archive]:
    archive = open_archive(database_url, auto_upgrade=True)
    archive.sync_config(CONFIG)
    for day, (slug, (publisher, language, text)) in enumerate(TEXTS.items(), start=1):
        url = f"https://{publisher}.test/{slug}/"
        when = datetime(2025, 3, day, 12, tzinfo=UTC)
        archive.save(make_draft(publisher, url, text, published_at=when, language=language))
    yield archive
    archive.close()


def _slugs(archive: Archive, query: str, filters: ArticleFilter | None = None) -> list[str]:
    found = archive.search(query, filters or ArticleFilter())
    return [a.url.rsplit("/", 2)[-2] for a in found]


def test_excluded_word_is_left_out_of_the_newest(archive: Archive) -> None:
    assert _slugs(archive, "-drones") == ["drohnen", "markets", "ferry"]
    assert _slugs(archive, "-drone") == ["drohnen", "markets", "ferry"]  # word forms too


def test_every_excluded_term_is_left_out(archive: Archive) -> None:
    assert _slugs(archive, '-drones -"ferry timetable"') == ["drohnen", "markets"]
    assert _slugs(archive, '-"timetable ferry"') == ["drohnen", "markets", "ferry", "drones"]


def test_exclusion_and_filters_together(archive: Archive) -> None:
    assert _slugs(archive, "-drones", ArticleFilter(publishers=("sf",))) == ["ferry"]
    until = datetime(2025, 3, 2, 12, tzinfo=UTC)
    assert _slugs(archive, "-ferry", ArticleFilter(until=until)) == ["drones"]


def test_a_word_of_another_language_is_excluded_in_its_language(archive: Archive) -> None:
    assert _slugs(archive, "-Drohnen") == ["markets", "ferry", "drones"]


def test_the_api_listing_leaves_them_out_on_every_page(archive: Archive) -> None:
    reads = Reads(archive.engine)
    listing = ArticleFilter().for_listing("-drones")
    first = reads.newest(listing, None, 2)
    assert [a.title for a in first] == [
        a.title for a in archive.search("-drones", ArticleFilter())
    ][:2]
    assert len(reads.newest(listing, None, 10)) == 3


def test_a_ranked_search_is_unchanged(archive: Archive) -> None:
    assert _slugs(archive, "harbour -drones") == []
    assert _slugs(archive, "timetable -drones") == ["ferry"]
    assert len(_slugs(archive, "-")) == 4  # no term at all: the plain listing
