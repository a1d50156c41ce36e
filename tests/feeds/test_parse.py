from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from scraper.errors import ParseError
from scraper.feeds import parse_feed

DATA = Path(__file__).resolve().parents[1] / "data" / "feeds"


def load(name: str) -> bytes:
    return (DATA / name).read_bytes()


def test_rss20_items_are_typed_and_links_absolute() -> None:
    feed = parse_feed(load("rss20.xml"), "https://example.com/feed/")
    assert feed.title == "Example Daily"
    first, second = feed.items  # the item without any URL is dropped
    assert first.url == "https://example.com/2025/03/28/first/"
    assert first.guid == "https://example.com/?p=1"
    assert first.title == "First & foremost"
    assert first.authors == ("Jane Roe",)
    assert first.published_at == datetime(2025, 3, 28, 11, 30, tzinfo=UTC)
    assert first.content_html is not None and "<b>body</b>" in first.content_html
    assert second.url == "https://example.com/2025/03/27/second/"


def test_atom_entry() -> None:
    (entry,) = parse_feed(load("atom.xml"), "https://atom.example/feed").items
    assert entry.url == "https://atom.example/a/1"
    assert entry.authors == ("A. Writer", "B. Writer")
    assert entry.published_at == datetime(2025, 1, 1, 9, 0, tzinfo=UTC)
    assert entry.summary_html == "Short summary."


def test_rss10_rdf() -> None:
    (item,) = parse_feed(load("rss10.rdf"), "https://rdf.example/index.rdf").items
    assert item.url == "https://rdf.example/n/1"
    assert item.published_at == datetime(2025, 1, 1, 4, 0, tzinfo=UTC)
    assert item.authors == ("C. Author",)


def test_encoding_comes_from_response_headers() -> None:
    feed = parse_feed(
        load("cp1251-no-declaration.xml"),
        "https://ru.example/feed",
        {"Content-Type": "application/rss+xml; charset=windows-1251"},
    )
    assert feed.title == "Новости"
    assert feed.items[0].title == "Привет"


@pytest.mark.parametrize("body", [b"", b"<html><body>Not a feed</body></html>", b"\x00\xff" * 50])
def test_not_a_feed_is_a_parse_error_naming_the_url(body: bytes) -> None:
    with pytest.raises(ParseError) as err:
        parse_feed(body, "https://example.com/feed")
    assert err.value.url == "https://example.com/feed"
    assert err.value.reason == "not_a_feed"


def test_truncated_feed_keeps_what_it_can() -> None:
    body = load("rss20.xml")[:-200]
    feed = parse_feed(body, "https://example.com/feed/")
    assert feed.bozo_reason
    assert feed.items and feed.items[0].title == "First & foremost"


def test_feed_broken_before_its_first_item_is_malformed() -> None:
    with pytest.raises(ParseError) as err:
        parse_feed(b"<rss><channel><item>", "https://example.com/feed")
    assert err.value.reason == "malformed"


def test_valid_empty_feed_is_not_an_error() -> None:
    empty = b'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title></channel></rss>'
    assert parse_feed(empty, "https://example.com/feed").items == ()


def test_atom_self_link_says_where_the_feed_lives() -> None:
    body = (
        b'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>T</title>'
        b'<link rel="self" href="https://new.example/feed.atom"/><id>x</id>'
        b'<entry><title>E</title><link href="https://new.example/e"/><id>e</id></entry></feed>'
    )
    assert parse_feed(body, "https://old.example/feed").self_link == "https://new.example/feed.atom"
