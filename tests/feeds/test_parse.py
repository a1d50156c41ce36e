from __future__ import annotations

import gzip
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
    first, second = feed.items  # the item without any URL is left out, and said
    assert [skipped.reason for skipped in feed.skipped] == ["no_link"]
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


def rss(items: str, prolog: str = '<?xml version="1.0" encoding="utf-8"?>') -> bytes:
    return (
        f'{prolog}<rss version="2.0"><channel><title>T</title>'
        f"<link>https://example.com/</link>{items}</channel></rss>"
    ).encode()


LINKED = "<item><title>Linked</title><link>https://example.com/a</link></item>"


def test_unusable_items_are_reported_not_dropped() -> None:
    feed = parse_feed(
        rss(
            LINKED
            + '<item><title>Linkless</title><guid isPermaLink="false">id-2</guid></item>'
            + "<item><title>Script</title><link>javascript:alert(1)</link></item>"
        ),
        "https://example.com/feed",
    )
    assert [i.url for i in feed.items] == ["https://example.com/a"]
    no_link, bad_link = feed.skipped
    assert (no_link.reason, no_link.url) == ("no_link", "https://example.com/feed")
    assert "Linkless" in no_link.message
    assert bad_link.reason == "bad_link" and "javascript:" in bad_link.message


def test_a_feed_of_only_unusable_items_is_still_a_feed() -> None:
    feed = parse_feed(rss("<item><title>Linkless</title></item>"), "https://example.com/feed")
    assert feed.items == () and [e.reason for e in feed.skipped] == ["no_link"]


@pytest.mark.parametrize(
    ("pub_date", "kept"),
    [
        ("Fri, 28 Mar 2025 23:00:00 GMT", True),  # hours ahead: a clock or time zone off
        ("Mon, 03 Mar 2031 10:00:00 GMT", False),  # years ahead: wrong, so unknown
        ("Sun, 30 Mar 2025 12:00:00 GMT", False),
    ],
)
def test_publication_dates_in_the_future_are_unknown(pub_date: str, kept: bool) -> None:
    item = f"<item><title>F</title><link>https://example.com/f</link><pubDate>{pub_date}</pubDate></item>"
    now = datetime(2025, 3, 28, 12, 0, tzinfo=UTC)
    (parsed,) = parse_feed(rss(item), "https://example.com/feed", now=now).items
    assert (parsed.published_at is not None) == kept


def test_gzip_body_without_content_encoding_is_inflated() -> None:
    body = gzip.compress(rss(LINKED))
    feed = parse_feed(body, "https://example.com/feed", {"Content-Type": "application/rss+xml"})
    assert [i.title for i in feed.items] == ["Linked"]


def test_gzip_body_inflates_only_up_to_the_cap() -> None:
    with pytest.raises(ParseError) as err:
        parse_feed(gzip.compress(rss(LINKED * 200)), "https://example.com/feed", max_bytes=4096)
    assert err.value.reason == "too_large" and "gzip" in err.value.message


def test_broken_gzip_body_says_so() -> None:
    with pytest.raises(ParseError) as err:
        parse_feed(gzip.compress(rss(LINKED))[:40], "https://example.com/feed")
    assert err.value.reason == "not_a_feed" and "gzip" in err.value.message


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"", "empty body"),
        (b" \r\n\t", "empty body"),
        (
            b"<!-- cms --><!DOCTYPE html><html><head><title>Home &amp; News</title></head></html>",
            "an HTML page (title 'Home & News'), not a feed",
        ),
        (b"<html><body>Maintenance</body></html>", "an HTML page, not a feed"),
    ],
)
def test_not_a_feed_says_what_it_is(body: bytes, message: str) -> None:
    with pytest.raises(ParseError) as err:
        parse_feed(body, "https://example.com/feed")
    assert (err.value.reason, err.value.message) == ("not_a_feed", message)


@pytest.mark.parametrize(
    "prolog",
    [
        "",  # no declaration: the one handed to feedparser is not counted
        '<?xml version="1.0" encoding="iso-8859-1" standalone="yes"?>',  # replaced, longer
        '\n\n  <?xml version="1.0"?>\n',  # blank lines and indent before it, stripped
    ],
)
def test_parse_errors_point_into_the_feed_as_served(prolog: str) -> None:
    body = rss("<item><title>a & b</title><link>https://example.com/a</link></item>", prolog)
    lines = body.decode().split("\n")
    line = next(n for n, text in enumerate(lines, 1) if "& b" in text)
    column = lines[line - 1].index("& b") + 1  # expat points just past the bare "&"
    feed = parse_feed(body, "https://example.com/feed")
    assert feed.bozo_reason is not None
    assert feed.bozo_reason.endswith(f"at line {line}, column {column}")
