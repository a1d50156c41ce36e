"""Boilerplate the archive learns from a publisher's own articles, through real crawls.

A paragraph that recurs in enough of a publisher's articles (a donation appeal no configured
pattern knows about) is removed from the articles stored before it was learned and from every
article stored after. A crawl reads what was learned only when it has something new to clean.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from scraper.config import Config, load_config
from scraper.crawl import CrawlSummary, crawl
from scraper.demo.web import LocalWeb, Resource
from scraper.settings import Settings
from scraper.store.archive import Archive, open_archive
from tests.factories import NEWS_WORDS

HOST = "gazette.example"
APPEAL = (
    "Readers like you keep the Gazette independent. Give what you can at gazette.example/give "
    "and help us report without fear or favour."
)


def _feed(items: range) -> Resource:
    entries = "".join(
        f"<item><title>Story {n}</title><link>http://{HOST}/news/{n}.html</link>"
        f"<guid>{HOST}-{n}</guid><content:encoded><![CDATA["
        f"<p>{' '.join(random.Random(n).choices(NEWS_WORDS, k=120))}.</p>"
        f"<p>{' '.join(random.Random(-n - 1).choices(NEWS_WORDS, k=80))}.</p>"
        f"<p>{APPEAL}</p>]]></content:encoded></item>"
        for n in items
    )
    body = (
        '<?xml version="1.0"?><rss version="2.0" '
        'xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>'
        f"<title>Gazette</title><link>http://{HOST}/</link>{entries}</channel></rss>"
    )
    return Resource(body.encode(), "application/rss+xml")


@pytest.fixture
def web() -> Iterator[LocalWeb]:
    with LocalWeb() as web:
        yield web


@pytest.fixture
def config(tmp_path: Path) -> Config:
    path = tmp_path / "publishers.toml"
    path.write_text(
        f'[[publisher]]\nid = "gazette"\nname = "Gazette"\ncanonical_domain = "{HOST}"\n'
        f'feeds = ["http://{HOST}/feed.xml"]\n',
        encoding="utf-8",
    )
    return load_config(path)


def _crawl(archive: Archive, config: Config, web: LocalWeb, database_url: str) -> CrawlSummary:
    settings = Settings(database_url=database_url, fetch_timeout=5.0)
    return asyncio.run(crawl(settings, config, archive, archive.feed_refs(), proxy=web.proxy_url))


def _counting(calls: list[str], name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
    def counted(*args: Any, **kwargs: Any) -> Any:
        calls.append(name)
        return fn(*args, **kwargs)

    return counted


def test_a_learned_paragraph_leaves_old_and_new_articles(
    database_url: str, config: Config, web: LocalWeb
) -> None:
    archive = open_archive(database_url, auto_upgrade=True)
    archive.sync_config(config)
    try:
        web.set(HOST, "/feed.xml", _feed(range(5)))
        assert _crawl(archive, config, web, database_url).new == 5
        texts = [archive.find([f"http://{HOST}/news/{n}.html"]) for n in range(5)]
        assert all(t is not None and APPEAL not in t.text and t.text for t in texts)

        calls: list[str] = []
        for name in ("learned_boilerplate", "reclean"):
            setattr(archive, name, _counting(calls, name, getattr(archive, name)))
        web.set(HOST, "/feed.xml", _feed(range(7)))
        assert _crawl(archive, config, web, database_url).new == 2
        for n in (5, 6):
            stored = archive.find([f"http://{HOST}/news/{n}.html"])
            assert stored is not None and APPEAL not in stored.text
        # cleaned on the way in with what the archive had learned: nothing left to re-clean
        assert "learned_boilerplate" in calls and "reclean" not in calls

        calls.clear()
        summary = _crawl(archive, config, web, database_url)
        assert (summary.new, summary.feeds_not_modified) == (0, 1)
        assert calls == []  # nothing new: the learned paragraphs are never read
    finally:
        archive.close()
