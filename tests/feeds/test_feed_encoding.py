"""Feeds whose declared charset is missing or lies still come out readable."""

from __future__ import annotations

import codecs
from pathlib import Path

import feedparser
import pytest

from scraper.feeds import parse_feed
from scraper.feeds.encoding import decode_feed

HOSTILE = Path(__file__).resolve().parents[1] / "data" / "hostile"
CP1251_LIE = (HOSTILE / "cp1251-declared-utf8.xml").read_bytes()
TITLE = "Правительство утвердило новый бюджет на следующий год"


def test_feedparser_alone_turns_the_lie_into_mojibake_or_bozo() -> None:
    raw = feedparser.parse(CP1251_LIE, response_headers={"content-type": "text/xml; charset=utf-8"})
    titles = [e.get("title") for e in raw.entries]
    assert raw.bozo or TITLE not in titles  # the problem this module exists for


@pytest.mark.parametrize(
    "content_type",
    ["application/rss+xml; charset=utf-8", "application/rss+xml", "text/xml; charset=UTF-8", ""],
)
def test_windows_1251_declared_utf8_is_detected(content_type: str) -> None:
    feed = parse_feed(CP1251_LIE, "http://ru-news.example/feed", {"Content-Type": content_type})
    assert feed.title == "Новости дня"
    assert feed.items[0].title == TITLE
    assert feed.bozo_reason is None


def test_utf8_declared_latin1_is_read_as_utf8() -> None:
    body = CP1251_LIE.decode("cp1251").replace('encoding="UTF-8"', 'encoding="ISO-8859-1"')
    feed = parse_feed(body.encode("utf-8"), "http://ru-news.example/feed")
    assert feed.items[0].title == TITLE


def test_a_correct_single_byte_declaration_is_honoured() -> None:
    body = "<?xml version='1.0' encoding='iso-8859-1'?><rss version='2.0'><channel><title>Café"
    body += (
        "</title><item><title>Ça va</title><link>http://fr.example/1</link></item></channel></rss>"
    )
    assert parse_feed(body.encode("latin-1"), "http://fr.example/").items[0].title == "Ça va"


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be", "utf-8"])
def test_byte_order_mark_wins_over_any_declaration(codec: str) -> None:
    bom = {"utf-16-le": codecs.BOM_UTF16_LE, "utf-16-be": codecs.BOM_UTF16_BE}.get(
        codec, codecs.BOM_UTF8
    )
    text = CP1251_LIE.decode("cp1251").replace('encoding="UTF-8"', 'encoding="windows-1251"')
    feed = parse_feed(bom + text.encode(codec), "http://ru-news.example/feed")
    assert feed.items[0].title == TITLE


def test_utf16_declaration_without_bom_is_ignored() -> None:
    body = CP1251_LIE.decode("cp1251").replace('encoding="UTF-8"', 'encoding="UTF-16"')
    assert decode_feed(body.encode("utf-8")) == body


def test_unknown_charset_label_falls_back_to_detection() -> None:
    feed = parse_feed(
        CP1251_LIE, "http://ru-news.example/feed", {"Content-Type": "text/xml; charset=klingon"}
    )
    assert feed.items[0].title == TITLE
