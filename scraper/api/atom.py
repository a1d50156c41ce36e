"""Full-text Atom (RFC 4287) feeds of the archive.

Entry ids are tag URIs built from the archive id, never from a URL: when a publisher moves
domains its articles get new canonical URLs, and a feed reader must not see them as new
entries. Links point at the canonical URL of the day.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from xml.etree import ElementTree as ET

from scraper.models import Article
from scraper.query.contract import iso

ATOM_NS = "http://www.w3.org/2005/Atom"
MEDIA_TYPE = "application/atom+xml; charset=utf-8"
TAG_DATE = "2025"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
# Characters XML 1.0 cannot carry at all; scraped text occasionally contains them.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")

ET.register_namespace("", ATOM_NS)


@dataclass(frozen=True, slots=True)
class FeedMeta:
    """What identifies a feed: its stable id, its title, where it lives and its HTML page."""

    id: str
    title: str
    self_url: str
    html_url: str


def tag_uri(server_name: str, specific: str) -> str:
    """``tag:<server>,2025:<specific>`` (RFC 4151): stable whatever the publisher's domain."""
    return f"tag:{server_name},{TAG_DATE}:{specific}"


def article_entry_id(server_name: str, article_id: int) -> str:
    return tag_uri(server_name, f"article/{article_id}")


def render_feed(
    meta: FeedMeta, articles: Sequence[Article], server_name: str, link: Callable[[str], str]
) -> bytes:
    """Serialise an Atom feed; the library escapes, we only drop what XML cannot carry.

    ``link`` maps a stored canonical URL to today's (the publisher may have moved since).
    """
    feed = ET.Element(_q("feed"))
    _text(feed, "id", meta.id)
    _text(feed, "title", meta.title)
    _text(feed, "updated", iso(_updated(articles)))
    _link(feed, meta.self_url, "self", "application/atom+xml")
    _link(feed, meta.html_url, "alternate", "text/html")
    _text(ET.SubElement(feed, _q("author")), "name", "scraper archive")
    for article in articles:
        _entry(feed, article, server_name, link(article.url))
    body: bytes = ET.tostring(feed, encoding="utf-8", xml_declaration=True)
    return body


def _entry(feed: ET.Element, article: Article, server_name: str, href: str) -> None:
    entry = ET.SubElement(feed, _q("entry"))
    _text(entry, "id", article_entry_id(server_name, article.id))
    _text(entry, "title", article.title or "(untitled)")
    _text(entry, "updated", iso(article.published_at or article.first_seen_at))
    if article.published_at is not None:
        _text(entry, "published", iso(article.published_at))
    _link(entry, href, "alternate", "text/html")
    for name in article.authors:
        _text(ET.SubElement(entry, _q("author")), "name", name)
    content = _text(entry, "content", article.text)
    content.set("type", "text")
    if article.language:
        content.set(XML_LANG, _clean(article.language))


def _updated(articles: Sequence[Article]) -> datetime:
    stamps = [a.published_at or a.first_seen_at for a in articles]
    return max(stamps) if stamps else datetime.now(UTC)


def _q(name: str) -> str:
    return f"{{{ATOM_NS}}}{name}"


def _clean(value: str) -> str:
    return _NOT_XML.sub("", value)


def _text(parent: ET.Element, name: str, value: str | None) -> ET.Element:
    element = ET.SubElement(parent, _q(name))
    element.text = _clean(value or "")
    return element


def _link(parent: ET.Element, href: str, rel: str, media_type: str) -> None:
    ET.SubElement(parent, _q("link"), href=_clean(href), rel=rel, type=media_type)
