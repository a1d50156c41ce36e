"""Searching articles in other languages than English, on SQLite and PostgreSQL.

PostgreSQL stems each row in its own language (``search_config``); SQLite's FTS5 has one
tokenizer for all. A word written in an article finds it on both, without ``language=``.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from scraper.cli import cli
from scraper.config import parse_config
from scraper.store import search_pg
from scraper.store.archive import Archive, ArticleFilter, open_archive
from tests.factories import make_draft

CONFIG = parse_config(
    {"publisher": [{"id": "sf", "name": "SF", "canonical_domain": "sf.test"}]},
    Path("test.toml"),
)
TEXTS = {
    "en": "Drones were seen over the harbour; the ferry was delayed.",
    "de": "Die Häuser am Hafen wurden in der Nacht durch Drohnen schwer beschädigt.",
    "fr": "Le président a visité les bases aériennes. Les drones étaient nombreux.",
    "ru": "Дроны атаковали порт ночью, повреждены склады и причалы.",
}


def _save(archive: Archive, language: str, day: int = 1) -> None:
    url = f"https://sf.test/{language}/"
    when = datetime(2025, 3, day, 12, tzinfo=UTC)
    archive.save(make_draft("sf", url, TEXTS[language], published_at=when, language=language))


@pytest.fixture
def archive(database_url: str) -> Iterator[Archive]:
    archive = open_archive(database_url, auto_upgrade=True)
    archive.sync_config(CONFIG)
    for day, language in enumerate(TEXTS, start=1):
        _save(archive, language, day)
    yield archive
    archive.close()


def _languages(archive: Archive, query: str, language: str | None = None) -> list[str | None]:
    return [a.language for a in archive.search(query, ArticleFilter(language=language))]


@pytest.mark.parametrize(
    ("word", "language"),
    [
        ("Häuser", "de"),
        ("Drohnen", "de"),
        ("beschädigt", "de"),
        ("visité", "fr"),
        ("aériennes", "fr"),
        ("повреждены", "ru"),
        ("склады", "ru"),
    ],
)
def test_a_word_of_an_article_finds_it_without_language(
    archive: Archive, word: str, language: str
) -> None:
    assert _languages(archive, word) == [language]


def test_an_english_word_in_a_french_article_finds_it(archive: Archive) -> None:
    assert sorted(_languages(archive, "drones")) == ["en", "fr"]


def test_exclusions_hold_in_every_language(archive: Archive) -> None:
    assert sorted(_languages(archive, "drones -aériennes")) == ["en"]
    assert _languages(archive, "Häuser -Drohnen") == []


def test_language_filter_in_any_case(archive: Archive) -> None:
    for given in ("de", "DE", "De", "de-AT"):
        assert _languages(archive, "Drohnen", given) == ["de"], given
        assert _languages(archive, "", given) == ["de"], given
    assert _languages(archive, "drones", "EN") == ["en"]


def test_a_language_new_to_the_archive_is_searchable_once_the_cache_expires(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    archive = open_archive(database_url, auto_upgrade=True)
    archive.sync_config(CONFIG)
    _save(archive, "en")
    assert _languages(archive, "harbour") == ["en"]
    monkeypatch.setattr(search_pg, "CONFIGS_TTL_S", 0.0)
    _save(archive, "de", 2)
    assert _languages(archive, "Häuser") == ["de"]
    archive.close()


def test_query_configs() -> None:
    assert search_pg.query_configs(None, {"english"}) == ("simple", "english")
    assert search_pg.query_configs(None, {"simple", "german", "english", "french"}) == (
        "simple",
        "english",
        "french",
        "german",
    )
    assert search_pg.query_configs("DE", {"english", "french"}) == ("simple", "english", "german")


def test_cli_search_by_language(archive: Archive, database_url: str) -> None:
    env = {"SCRAPER_DATABASE_URL": database_url}
    runner = CliRunner()
    found = runner.invoke(
        cli, ["search", "Drohnen", "--language", "DE", "--format", "jsonl"], env=env
    )
    assert found.exit_code == 0, found.output
    assert [line.count('"language": "de"') for line in found.output.splitlines()] == [1]
    none = runner.invoke(cli, ["search", "Drohnen", "--language", "fr"], env=env)
    assert "no matching articles" in none.output
    bad = runner.invoke(cli, ["search", "x", "--language", "1"], env=env)
    assert bad.exit_code == 2 and "not a language code" in bad.output
    exported = runner.invoke(cli, ["export", "--language", "ru"], env=env)
    assert exported.exit_code == 0 and len(exported.output.splitlines()) == 1
