"""OPML import (nested folders, duplicates, junk) and export round trip."""

from __future__ import annotations

import pytest

from scraper.errors import ParseError
from scraper.feeds.opml import OpmlFeed, OpmlFolder, export_opml, parse_opml

READER_EXPORT = b"""<?xml version="1.0" encoding="UTF-8"?>
<opml version="1.0"><head><title>My feeds</title></head><body>
  <outline text="News" title="News">
    <outline text="SouthFront" type="rss" xmlUrl="https://southfront.press/feed/"/>
    <outline text="Deeper"><outline title="Herald" xmlUrl="http://northwind-herald.example/atom.xml"/></outline>
  </outline>
  <outline text="Loose" xmlUrl="http://lakeside-courier.example/index.rdf"/>
  <outline text="again" xmlUrl="https://southfront.press/feed/"/>
  <outline text="not http" xmlUrl="ftp://x.example/feed"/>
  <outline text="just a folder"/>
</body></opml>"""


def test_every_feed_once_with_its_folder() -> None:
    feeds = parse_opml(READER_EXPORT)
    assert feeds == [
        OpmlFeed("https://southfront.press/feed/", "SouthFront", ("News",)),
        OpmlFeed("http://northwind-herald.example/atom.xml", "Herald", ("News", "Deeper")),
        OpmlFeed("http://lakeside-courier.example/index.rdf", "Loose", ()),
    ]
    assert [f.folder for f in feeds] == ["News", "Deeper", None]


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"<opml><body>", "malformed"),
        (b"<rss><channel/></rss>", "not_opml"),
        (b'<!DOCTYPE x [<!ENTITY a "aaaa">]><opml><body/></opml>', "malformed"),
    ],
)
def test_broken_files_are_refused_with_a_reason(data: bytes, reason: str) -> None:
    with pytest.raises(ParseError) as caught:
        parse_opml(data)
    assert caught.value.reason == reason


def test_export_round_trips_with_publishers_as_folders_and_attributes() -> None:
    data = export_opml([
        OpmlFolder("SouthFront", [("https://southfront.press/feed/", "SouthFront feed")], "sf"),
        OpmlFolder("Herald & Co", [("http://h.example/a.xml?x=1&y=2", None)]),
    ])  # fmt: skip
    assert data.startswith(b"<?xml version='1.0' encoding='utf-8'?>")
    assert b'xmlns:scraper="urn:x-scraper:opml"' in data and b'scraper:publisher="sf"' in data
    assert parse_opml(data) == [
        OpmlFeed("https://southfront.press/feed/", "SouthFront feed", ("SouthFront",), "sf"),
        OpmlFeed("http://h.example/a.xml?x=1&y=2", "http://h.example/a.xml?x=1&y=2",
                 ("Herald & Co",)),
    ]  # fmt: skip


def test_the_publisher_attribute_is_read_under_any_prefix() -> None:
    """It is the namespace that counts, as in any XML: another tool may pick its own prefix."""
    data = (
        b'<opml version="2.0" xmlns:s="urn:x-scraper:opml"><body>'
        b'<outline xmlUrl="http://x.example/f" s:publisher=" alpha "/>'
        b'<outline xmlUrl="http://x.example/g" publisher="alpha"/></body></opml>'
    )
    assert [f.publisher for f in parse_opml(data)] == ["alpha", None]
