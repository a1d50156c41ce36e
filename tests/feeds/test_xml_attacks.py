"""Entity expansion and external entities are refused: no memory blow-up, no file, no network."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from scraper.errors import ParseError
from scraper.feeds import parse_feed
from scraper.models import ParsedFeed
from tests.hostile.bait import Bait

HOSTILE = Path(__file__).resolve().parents[1] / "data" / "hostile"
PASSWD_MARKERS = ("root:", "/bin/", "nologin", "daemon:")


@pytest.fixture
def bait() -> Iterator[Bait]:
    with Bait() as trap:
        yield trap


def _fields(feed: ParsedFeed) -> str:
    parts = [feed.title, feed.link]
    for item in feed.items:
        parts += [item.url, item.title, item.content_html, item.summary_html, *item.authors]
    return " ".join(p for p in parts if p)


def _parse(body: bytes) -> ParsedFeed | ParseError:
    try:
        return parse_feed(body, "http://hostile.example/feed")
    except ParseError as exc:
        return exc


def test_billion_laughs_is_refused_quickly() -> None:
    started = time.perf_counter()
    result = _parse((HOSTILE / "billion-laughs.xml").read_bytes())
    assert isinstance(result, ParseError) and result.reason == "unsafe_xml"
    assert result.url == "http://hostile.example/feed"
    assert time.perf_counter() - started < 1


def test_quadratic_blowup_is_refused_without_expanding() -> None:
    entity = "A" * 50_000
    refs = "&a;" * 50_000  # 2.5 GB if expanded
    body = (
        f'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY a "{entity}">]>'
        f"<rss version='2.0'><channel><title>q</title><item><title>{refs}</title>"
        "<link>http://q.example/1</link></item></channel></rss>"
    ).encode()
    started = time.perf_counter()
    result = _parse(body)
    assert isinstance(result, ParseError) and result.reason == "unsafe_xml"
    assert time.perf_counter() - started < 1


def test_external_file_entity_is_refused_and_never_read() -> None:
    result = _parse((HOSTILE / "xxe-file.xml").read_bytes())
    assert isinstance(result, ParseError) and result.reason == "unsafe_xml"
    assert not any(marker in str(result) for marker in PASSWD_MARKERS)


def test_external_entities_never_reach_the_bait(bait: Bait) -> None:
    body = (HOSTILE / "xxe-http.xml.tmpl").read_text().replace("{bait}", bait.url)
    result = _parse(body.encode())
    assert isinstance(result, ParseError) and result.reason == "unsafe_xml"
    time.sleep(0.2)
    assert bait.hits == 0


def test_external_dtd_is_not_fetched_and_the_feed_still_parses(bait: Bait) -> None:
    body = (HOSTILE / "external-dtd-only.xml.tmpl").read_text().replace("{bait}", bait.url)
    feed = parse_feed(body.encode(), "http://dtd.example/feed")
    assert [i.title for i in feed.items] == ["Plain item"]
    time.sleep(0.2)
    assert bait.hits == 0


def test_a_body_that_is_a_local_path_is_not_opened(tmp_path: Path) -> None:
    secret = tmp_path / "secret-feed.xml"
    secret.write_bytes(
        b"<rss version='2.0'><channel><title>SECRET</title><item><title>leak</title>"
        b"<link>http://secret.example/1</link></item></channel></rss>"
    )
    for body in (str(secret).encode(), b"/etc/passwd"):
        result = _parse(body)
        assert isinstance(result, ParseError), body
        assert "SECRET" not in str(result)
        assert not any(marker in str(result) for marker in PASSWD_MARKERS)


def test_harmless_character_entities_are_still_accepted() -> None:
    body = (
        b'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY nbsp "&#160;"><!ENTITY mdash "&#x2014;">]>'
        b"<rss version='2.0'><channel><title>T&mdash;t</title><item><title>A&nbsp;b</title>"
        b"<link>http://ok.example/1</link></item></channel></rss>"
    )
    feed = parse_feed(body, "http://ok.example/feed")
    assert feed.title == "T\u2014t"
    assert feed.items[0].title == "A\u00a0b"


@pytest.mark.parametrize(
    "declaration",
    [
        '<!ENTITY % pe "x">',
        '<!ENTITY e PUBLIC "-//X//EN" "http://127.0.0.2/x">',
        "<!ENTITY e SYSTEM 'file:///etc/shadow'>",
        '<!ENTITY e "&#38;other;">',
        '<!ENTITY e "%pe;">',
        "<!entity e SYSTEM 'file:///etc/passwd'>",
    ],
)
def test_every_kind_of_unsafe_declaration_is_refused(declaration: str) -> None:
    body = f"<?xml version='1.0'?><!DOCTYPE rss [{declaration}]><rss version='2.0'></rss>"
    result = _parse(body.encode())
    assert isinstance(result, ParseError) and result.reason == "unsafe_xml"


def test_too_many_entities_are_refused() -> None:
    decls = "".join(f'<!ENTITY e{i} "x">' for i in range(40))
    body = f"<?xml version='1.0'?><!DOCTYPE rss [{decls}]><rss version='2.0'></rss>"
    result = _parse(body.encode())
    assert isinstance(result, ParseError) and result.reason == "unsafe_xml"


def test_items_linking_outside_http_are_dropped() -> None:
    links = ["javascript:alert(1)", "file:///etc/passwd", "data:text/html,x", "/ok", "ftp://x/"]
    items = "".join(f"<item><title>t</title><link>{link}</link></item>" for link in links)
    body = f"<rss version='2.0'><channel><title>s</title>{items}</channel></rss>".encode()
    feed = parse_feed(body, "https://schemes.example/feed")
    assert [i.url for i in feed.items] == ["https://schemes.example/ok"]
