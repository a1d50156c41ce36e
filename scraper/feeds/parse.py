"""feedparser → :class:`ParsedFeed`, with feedparser's loose types pinned down once.

Before feedparser: the body is decoded with the charset that actually fits the bytes
(:mod:`scraper.feeds.encoding`), checked for entity tricks (:mod:`scraper.feeds.safety`), and
handed over as UTF-8 with a truthful declaration, plus the feed URL as ``Content-Location`` so
relative item links resolve against it. The body goes in as a file object: given a ``str`` or
``bytes``, feedparser first tries it as a URL to fetch or a *local path to open*, so a feed
whose body is ``/etc/passwd`` would have been read from disk.
"""

from __future__ import annotations

import calendar
import io
import time
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin

import feedparser

from scraper.errors import ParseError
from scraper.feeds.encoding import as_utf8, decode_feed, header_charset
from scraper.feeds.safety import check_entities
from scraper.models import FeedItem, ParsedFeed

_HTML_TYPES = ("text/html", "application/xhtml+xml")


def parse_feed(
    body: bytes, url: str, headers: Mapping[str, str] | None = None, *, max_items: int = 500
) -> ParsedFeed:
    """Parse a feed body; any failure is a :class:`ParseError` carrying ``url`` and a reason."""
    response_headers = {k.lower(): v for k, v in (headers or {}).items()}
    response_headers.setdefault("content-location", url)
    response_headers.pop("content-encoding", None)  # the fetcher already decoded the body
    try:
        text = decode_feed(body, header_charset(response_headers))
        check_entities(text, url)
        data, response_headers = as_utf8(text, response_headers)
        parsed = feedparser.parse(io.BytesIO(data), response_headers=response_headers)
    except ParseError:
        raise
    except Exception as exc:  # feedparser may raise from deep inside SAX on hostile input
        raise ParseError(url, "parse_failed", f"feed parser crashed: {exc}") from exc
    bozo = _bozo_reason(parsed)
    channel = parsed.get("feed", {})
    items = tuple(
        item for entry in parsed.entries[:max_items] if (item := _item(entry, url)) is not None
    )
    if not items:
        if not parsed.get("version"):
            raise ParseError(url, "not_a_feed", bozo or "no RSS, Atom or RDF feed found")
        if bozo:  # a feed that breaks off before its first item: report it, don't call it empty
            raise ParseError(url, "malformed", bozo)
    return ParsedFeed(
        title=_text(channel.get("title")),
        link=_text(channel.get("link")),
        items=items,
        bozo_reason=bozo,
        self_link=_self_link(channel),
    )


def _self_link(channel: Mapping[str, Any]) -> str | None:
    for link in channel.get("links", []):
        if isinstance(link, Mapping) and link.get("rel") == "self":
            href = _text(link.get("href"))
            if href and href.startswith(("http://", "https://")):
                return href
    return None


# Complaints about HTTP headers or encodings, not about the XML: the feed itself is fine.
_BENIGN = (feedparser.CharacterEncodingOverride, feedparser.NonXMLContentType)


def _bozo_reason(parsed: Any) -> str | None:
    exc = parsed.get("bozo_exception")
    if not parsed.get("bozo") or isinstance(exc, _BENIGN):
        return None
    return f"{type(exc).__name__}: {exc}" if exc else "malformed feed"


def _item(entry: Mapping[str, Any], feed_url: str) -> FeedItem | None:
    guid = _text(entry.get("id"))
    link = _text(entry.get("link"))
    if not link and guid and guid.startswith(("http://", "https://")):
        link = guid
    url = urljoin(feed_url, link) if link else ""
    if not url.lower().startswith(("http://", "https://")):  # javascript:, file:, data: …
        return None
    return FeedItem(
        url=url,
        guid=guid,
        title=_text(entry.get("title")),
        authors=_authors(entry),
        published_at=_date(entry.get("published_parsed") or entry.get("updated_parsed")),
        content_html=_content(entry),
        summary_html=_text(entry.get("summary")),
    )


def _text(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    value = value.strip()
    return value or None


def _authors(entry: Mapping[str, Any]) -> tuple[str, ...]:
    names = [_text(a.get("name")) for a in entry.get("authors", []) if isinstance(a, Mapping)]
    found = [n for n in names if n]
    if not found and (single := _text(entry.get("author"))):
        found = [single]
    return tuple(dict.fromkeys(found))


def _date(value: Any) -> datetime | None:
    if not isinstance(value, time.struct_time):
        return None
    try:
        return datetime.fromtimestamp(calendar.timegm(value), tz=UTC)
    except (OverflowError, ValueError, OSError):
        return None


def _content(entry: Mapping[str, Any]) -> str | None:
    """The longest HTML body the entry carries (content:encoded, atom:content)."""
    bodies = [
        c.get("value", "")
        for c in entry.get("content", [])
        if isinstance(c, Mapping) and (c.get("type") or "text/html") in (*_HTML_TYPES, "text/plain")
    ]
    best = max(bodies, key=len, default="")
    return best.strip() or None
