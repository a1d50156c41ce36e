"""Stored pages: re-extraction after a rule changes, and WARC export, on both databases."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from scraper.config import Config, parse_config
from scraper.crawl import crawl
from scraper.demo.site import demo_config_text, load_site
from scraper.demo.web import LocalWeb, Resource
from scraper.query.warc import write_warc
from scraper.reextract import reextract
from scraper.settings import Settings
from scraper.store.archive import Archive, ArticleFilter, open_archive

SCHOOLS = "http://lakeside-courier.example/schools/school-board-weighs-later-start-times.html"
VOTE = "The board is expected to vote in May."


def config_with(**lakeside: object) -> Config:
    import tomllib

    data = tomllib.loads(demo_config_text())
    for publisher in data["publisher"]:
        if publisher["id"] == "lakeside":
            publisher.update(lakeside)
    return parse_config(data, Path("demo.toml"))


def crawled(database_url: str, site: dict[str, dict[str, Resource]] | None = None,
            **settings: object) -> Archive:  # fmt: skip
    config = config_with()
    archive = open_archive(database_url, auto_upgrade=True)
    archive.sync_config(config)
    with LocalWeb(site or load_site()) as web:
        options = {"database_url": database_url, **settings}
        asyncio.run(
            crawl(Settings(**options), config, archive, archive.feed_refs(), proxy=web.proxy_url)  # type: ignore[arg-type]
        )
    return archive


def test_changed_rule_changes_stored_text_with_one_revision(database_url: str) -> None:
    archive = crawled(database_url)
    before = archive.find([SCHOOLS])
    assert before is not None and VOTE in before.text
    assert archive.search("vote May", ArticleFilter(publishers=("lakeside",)))

    stricter = config_with(boilerplate=[r"The board is expected to vote in May\..*"])
    summary = reextract(archive, stricter, ArticleFilter(publishers=("lakeside",)))
    assert (summary.pages, summary.updated) == (3, 1)
    after = archive.get(before.id)
    assert after is not None and VOTE not in after.text
    assert archive.revision_count(before.id) == 1
    hits = archive.search('"expected to vote"', ArticleFilter(publishers=("lakeside",)))
    assert hits == []  # the search index follows the text

    again = reextract(archive, stricter, ArticleFilter(publishers=("lakeside",)))
    assert (again.updated, again.unchanged) == (0, 3)
    assert archive.revision_count(before.id) == 1


def test_feed_sourced_articles_have_no_page_and_pages_can_be_off(database_url: str) -> None:
    archive = crawled(database_url)
    pages = list(archive.pages(ArticleFilter()))
    # Two southfront items carry their full text in the feed: no page was fetched for them.
    assert len(pages) == archive.count() - 2
    assert all(p.page.body.lower().startswith(b"<!doctype html") for p in pages)


def test_raw_pages_can_be_turned_off(tmp_path: Path) -> None:
    archive = crawled(f"sqlite:///{tmp_path}/a.db", store_raw_pages=False)
    assert archive.count() > 0
    assert list(archive.pages(ArticleFilter())) == []


@pytest.mark.parametrize("keep_days", [0, 1])
def test_old_pages_expire(tmp_path: Path, keep_days: int) -> None:
    archive = crawled(f"sqlite:///{tmp_path}/a.db")
    stored = len(list(archive.pages(ArticleFilter())))
    assert archive.prune_raw_pages(keep_days) == 0  # nothing is a day old yet
    assert len(list(archive.pages(ArticleFilter()))) == stored


def test_warc_export_holds_every_page_and_its_text(tmp_path: Path) -> None:
    archive = crawled(f"sqlite:///{tmp_path}/a.db")
    target = tmp_path / "out.warc.gz"
    with target.open("wb") as out:
        written = write_warc(archive.pages(ArticleFilter()), out)
    with target.open("rb") as stream:
        records = [
            (r.rec_type, r.rec_headers.get_header("WARC-Target-URI"), r.content_stream().read())
            for r in ArchiveIterator(stream)
        ]
    responses = [r for r in records if r[0] == "response"]
    metadata = [r for r in records if r[0] == "metadata"]
    assert records[0][0] == "warcinfo"
    assert len(responses) == len(metadata) == written > 0
    by_url = {url: body for kind, url, body in responses}
    assert b"School Board Weighs Later Start Times" in by_url[SCHOOLS]
    assert any(VOTE.encode() in body for _, url, body in metadata if url == SCHOOLS)


FRENCH = "Le conseil votera en mai, après l’été, à la mairie."


def latin1_site() -> dict[str, dict[str, Resource]]:
    """The demo site with the schools page in windows-1252, declared only by its HTTP header."""
    site = load_site()
    pages = site["lakeside-courier.example"]
    path = SCHOOLS.split(".example", 1)[1]
    html = pages[path].body.decode().replace(VOTE, FRENCH)
    html = html.replace('<meta http-equiv="Content-Type" content="text/html; charset=utf-8" />', "")
    pages[path] = Resource(html.encode("cp1252"), "text/html; charset=ISO-8859-1")
    return site


def test_crawl_and_reextract_decode_with_the_stored_http_charset(tmp_path: Path) -> None:
    archive = crawled(f"sqlite:///{tmp_path}/a.db", site=latin1_site())
    stored = archive.find([SCHOOLS])
    assert stored is not None and FRENCH in stored.text
    page = next(p for p in archive.pages(ArticleFilter()) if p.article_id == stored.id)
    assert "charset=ISO-8859-1" in page.page.headers["content-type"]
    summary = reextract(archive, config_with(), ArticleFilter(publishers=("lakeside",)))
    assert summary.updated == 0  # same bytes, same headers: the same text, no mojibake revision
    again = archive.get(stored.id)
    assert again is not None and FRENCH in again.text
