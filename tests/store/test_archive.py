"""Storing, finding, searching and exporting articles, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from scraper.config import parse_config
from scraper.models import ArticleDraft
from scraper.store.archive import Archive, ArticleFilter, open_archive
from tests.factories import make_draft

CONFIG = parse_config(
    {
        "publisher": [
            {
                "id": "sf",
                "name": "SF",
                "canonical_domain": "sf.test",
                "feeds": ["http://sf.test/feed"],
            },
            {"id": "nw", "name": "NW", "canonical_domain": "nw.test"},
        ]
    },
    Path("test.toml"),
)


def draft(n: int, text: str, publisher: str = "sf", **kw: object) -> ArticleDraft:
    values: dict[str, object] = {
        "urls": ((f"http://{publisher}.test/a/{n}/?utm_source=x", "feed"),),
        "title": f"Article {n}",
        "authors": ("Ann Lee",),
        "published_at": datetime(2025, 3, n, 12, tzinfo=UTC),
    }
    return make_draft(publisher, f"https://{publisher}.test/a/{n}/", text, **(values | kw))


@pytest.fixture
def archive(database_url: str) -> Archive:
    archive = open_archive(database_url, auto_upgrade=True)
    archive.sync_config(CONFIG)
    return archive


def test_same_article_twice_is_one_row(archive: Archive) -> None:
    first = archive.save(draft(1, "Drones were intercepted near the naval base."))
    again = archive.save(draft(1, "Drones were intercepted near the naval base."))
    assert (first.status, again.status) == ("new", "known")
    assert first.article_id == again.article_id
    assert archive.count() == 1


def test_a_known_url_attaches_to_its_article(archive: Archive) -> None:
    first = archive.save(draft(1, "Text"))
    other = archive.save(
        draft(
            1,
            "Text",
            canonical_url="https://sf.test/a/1-renamed/",
            urls=(("http://sf.test/a/1/?utm_source=x", "feed"),),
        )
    )
    assert other.article_id == first.article_id
    article = archive.get(first.article_id)
    assert article is not None
    assert "https://sf.test/a/1-renamed/" in article.urls


def test_changed_text_updates_and_reindexes(archive: Archive) -> None:
    saved = archive.save(draft(1, "Original words about tanks."))
    updated = archive.save(draft(1, "Corrected words about helicopters."))
    assert updated.status == "updated"
    assert [a.id for a in archive.search("helicopters", ArticleFilter())] == [saved.article_id]
    assert archive.search("tanks", ArticleFilter()) == []


def test_search_ranks_filters_and_snippets(archive: Archive) -> None:
    archive.save(draft(1, "Air defenses intercepted drones over the port of Tartus."))
    archive.save(draft(2, "The harvest festival drew crowds; drones filmed the parade."))
    archive.save(draft(3, "Markets rallied on Friday.", publisher="nw"))
    archive.save(
        draft(
            4,
            "Pantsir systems intercepted drones near Khmeimim air base and "
            "more drones near Tartus.",
            title="Drones intercepted",
        )
    )
    hits = archive.search("drones", ArticleFilter())
    assert hits[0].title == "Drones intercepted"
    assert {a.url for a in hits} == {f"https://sf.test/a/{n}/" for n in (1, 2, 4)}
    assert hits[0].snippet and "**" in hits[0].snippet
    assert [a.url for a in archive.search('"port of Tartus"', ArticleFilter())] == [
        "https://sf.test/a/1/"
    ]
    assert (
        archive.search("drones -festival", ArticleFilter(since=datetime(2025, 3, 2, tzinfo=UTC)))[
            0
        ].url
        == "https://sf.test/a/4/"
    )
    assert archive.search("markets", ArticleFilter(publishers=("sf",))) == []
    assert len(archive.search("markets", ArticleFilter(publishers=("nw",)))) == 1
    dated = archive.search("drones", ArticleFilter(until=datetime(2025, 3, 1, 23, tzinfo=UTC)))
    assert [a.url for a in dated] == ["https://sf.test/a/1/"]
    assert archive.search("!!! ''", ArticleFilter())[0].url == "https://sf.test/a/4/"  # newest


def test_stemming_finds_word_forms(archive: Archive) -> None:
    archive.save(draft(1, "The drone was intercepted."))
    assert len(archive.search("drones intercepting", ArticleFilter())) == 1


def test_find_by_any_url(archive: Archive) -> None:
    saved = archive.save(draft(5, "Body"))
    found = archive.find(["http://sf.test/a/5/?utm_source=x"])
    assert found is not None and found.id == saved.article_id
    assert archive.find(["https://elsewhere.test/"]) is None


def test_export_streams_everything_in_order(archive: Archive) -> None:
    for n in range(1, 8):
        archive.save(draft(n, f"Body {n}"))
    exported = list(archive.export(ArticleFilter()))
    assert [a.title for a in exported] == [f"Article {n}" for n in range(1, 8)]
    assert all(a.published_at and a.published_at.tzinfo is UTC for a in exported)
    assert exported[0].urls == ("https://sf.test/a/1/", "http://sf.test/a/1/?utm_source=x")


def test_control_characters_never_reach_the_database(archive: Archive) -> None:
    """feedparser turns ``&#0;`` into U+0000, which PostgreSQL text columns refuse: the store
    removes C0 controls from every text field itself, whoever made the draft."""
    text = "Drones were seen\x00 over the harbour. \x0bThe navy\x1b said nothing.\tAgain.\r\n"
    dirty = draft(
        1,
        text,
        title="Bad\x00title\x07",
        authors=("Ann\x00 Lee",),
        description="Lead\x00.",
        guid="g\x00-1",
        feed_id=archive.feed_refs()[0].id,
    )
    outcome = archive.save(dirty)
    article = archive.get(outcome.article_id)
    assert article is not None
    assert article.title == "Badtitle"
    assert article.authors == ("Ann Lee",)
    assert article.text == "Drones were seen over the harbour. The navy said nothing.\tAgain.\r\n"
    assert archive.save(dirty) == type(outcome)(outcome.article_id, "known")  # same GUID/text
    archive.replace_text(outcome.article_id, "A re-extracted\x00 text.")
    assert archive.get(outcome.article_id).text == "A re-extracted text."  # type: ignore[union-attr]


def test_a_publication_time_in_any_zone_is_stored_as_the_same_instant(archive: Archive) -> None:
    """SQLite drops a datetime's offset; the store hands every database UTC."""
    eastern = timezone(timedelta(hours=-5))
    late = archive.save(
        draft(1, "Text one.", published_at=datetime(2025, 3, 1, 23, tzinfo=eastern))
    )
    naive = archive.save(draft(2, "Text two.", published_at=datetime(2025, 3, 2, 1)))
    assert archive.get(late.article_id).published_at == datetime(2025, 3, 2, 4, tzinfo=UTC)  # type: ignore[union-attr]
    assert archive.get(naive.article_id).published_at == datetime(2025, 3, 2, 1, tzinfo=UTC)  # type: ignore[union-attr]
    since = ArticleFilter(since=datetime(2025, 3, 2, 3, tzinfo=UTC))
    assert [a.id for a in archive.export(since)] == [late.article_id]
