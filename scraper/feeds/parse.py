"""feedparser → :class:`ParsedFeed`, with feedparser's loose types pinned down once.

Before feedparser: the body is decoded with the charset that actually fits the bytes
(:mod:`scraper.feeds.encoding`), checked for entity tricks (:mod:`scraper.feeds.safety`), and
handed over as UTF-8 with a truthful declaration, plus the feed URL as ``Content-Location`` so
relative item links resolve against it. The body goes in as a file object: given a ``str`` or
``bytes``, feedparser first tries it as a URL to fetch or a *local path to open*, so a feed
whose body is ``/etc/passwd`` would have been read from disk.

What cannot be used is said, not dropped: an item without an http(s) link is a per-item
:class:`ParseError` in :attr:`ParsedFeed.skipped` (the feed itself is fine); a body that is
empty, an HTML page or gzip data sent without ``Content-Encoding`` gets a message saying so
rather than the XML parser's; parser positions are the feed's own, not those of the text we
hand feedparser. A publication date more than :data:`FUTURE_SLACK` ahead is unknown (None).
"""

from __future__ import annotations

import calendar
import html
import io
import re
import time
import xml.sax
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urljoin

import feedparser

from scraper.errors import ParseError
from scraper.feeds.encoding import Shift, as_utf8, decode_feed, header_charset
from scraper.feeds.safety import check_entities, gunzip_body
from scraper.models import FeedItem, ParsedFeed

_HTML_TYPES = ("text/html", "application/xhtml+xml")
# Clocks and time zones disagree by hours, never by more than a day: beyond that the date is
# wrong (a typo'd year, a scheduled post's placeholder) and would keep the article at the top
# of "newest" for years. Unknown is better than a made-up "now": the page's own date can fill in.
FUTURE_SLACK = timedelta(days=1)
DEFAULT_MAX_BYTES = 20 * 1024 * 1024  # the default of Settings.max_feed_bytes
_HTML_START = re.compile(r"\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html[\s>])", re.I | re.S)
_HTML_TITLE = re.compile(r"<title[^>]*>(.*?)</title", re.IGNORECASE | re.DOTALL)
_MAX_TITLE_CHARS = 80


def parse_feed(
    body: bytes,
    url: str,
    headers: Mapping[str, str] | None = None,
    *,
    max_items: int = 500,
    max_bytes: int = DEFAULT_MAX_BYTES,
    now: datetime | None = None,
) -> ParsedFeed:
    """Parse a feed body; any failure is a :class:`ParseError` carrying ``url`` and a reason.

    ``max_bytes`` caps what a gzip-compressed body may inflate to; ``now`` is when "the
    future" starts for publication dates (the current time by default).
    """
    response_headers = {k.lower(): v for k, v in (headers or {}).items()}
    response_headers.setdefault("content-location", url)
    response_headers.pop("content-encoding", None)  # the fetcher already decoded the body
    body = gunzip_body(body, url, max_bytes)
    if not body.strip():
        raise ParseError(url, "not_a_feed", "empty body")
    try:
        text = decode_feed(body, header_charset(response_headers))
        check_entities(text, url)
        data, response_headers, shift = as_utf8(text, response_headers)
        parsed = feedparser.parse(io.BytesIO(data), response_headers=response_headers)
    except ParseError:
        raise
    except Exception as exc:  # feedparser may raise from deep inside SAX on hostile input
        raise ParseError(url, "parse_failed", f"feed parser crashed: {exc}") from exc
    bozo = _bozo_reason(parsed, shift)
    channel = parsed.get("feed", {})
    latest = (now or datetime.now(UTC)) + FUTURE_SLACK
    found = [_item(entry, url, latest) for entry in parsed.entries[:max_items]]
    items = tuple(f for f in found if isinstance(f, FeedItem))
    if not items:
        if not parsed.get("version"):
            raise ParseError(
                url, "not_a_feed", _html_page(text) or bozo or "no RSS, Atom or RDF feed found"
            )
        if bozo:  # a feed that breaks off before its first item: report it, don't call it empty
            raise ParseError(url, "malformed", bozo)
    return ParsedFeed(
        title=_text(channel.get("title")),
        link=_text(channel.get("link")),
        items=items,
        bozo_reason=bozo,
        self_link=_self_link(channel),
        skipped=tuple(f for f in found if isinstance(f, ParseError)),
    )


def _html_page(text: str) -> str | None:
    """ "an HTML page (title …), not a feed" when ``text`` starts like an HTML document."""
    if not _HTML_START.match(text[:4096]):
        return None
    match = _HTML_TITLE.search(text[:65536])
    title = " ".join(html.unescape(match.group(1)).split()) if match else ""
    if len(title) > _MAX_TITLE_CHARS:
        title = title[: _MAX_TITLE_CHARS - 1] + "…"
    return f"an HTML page (title {title!r}), not a feed" if title else "an HTML page, not a feed"


def _self_link(channel: Mapping[str, Any]) -> str | None:
    for link in channel.get("links", []):
        if isinstance(link, Mapping) and link.get("rel") == "self":
            href = _text(link.get("href"))
            if href and href.startswith(("http://", "https://")):
                return href
    return None


# Complaints about HTTP headers or encodings, not about the XML: the feed itself is fine.
_BENIGN = (feedparser.CharacterEncodingOverride, feedparser.NonXMLContentType)


def _bozo_reason(parsed: Any, shift: Shift) -> str | None:
    exc = parsed.get("bozo_exception")
    if not parsed.get("bozo") or isinstance(exc, _BENIGN):
        return None
    if not exc:
        return "malformed feed"
    if isinstance(exc, xml.sax.SAXParseException):
        at_line, at_column = exc.getLineNumber(), exc.getColumnNumber()
        if at_line is not None and at_column is not None:
            line, column = shift.original(at_line, at_column)
            return f"{type(exc).__name__}: {exc.getMessage()} at line {line}, column {column}"
    return f"{type(exc).__name__}: {exc}"


def _item(entry: Mapping[str, Any], feed_url: str, latest: datetime) -> FeedItem | ParseError:
    """The entry as a :class:`FeedItem`, or why it cannot be one (the feed's URL, since the item
    has none of its own; the item's title or guid in the message)."""
    guid = _text(entry.get("id"))
    link = _text(entry.get("link"))
    title = _text(entry.get("title"))
    if not link and guid and guid.startswith(("http://", "https://")):
        link = guid
    label = repr((title or guid or "untitled")[:_MAX_TITLE_CHARS])
    if not link:
        return ParseError(feed_url, "no_link", f"item {label} has no link and no URL as its guid")
    url = urljoin(feed_url, link)
    if not url.lower().startswith(("http://", "https://")):  # javascript:, file:, data: …
        message = f"item {label} links to {link[:_MAX_TITLE_CHARS]!r}, not to an http(s) URL"
        return ParseError(feed_url, "bad_link", message)
    published = _date(entry.get("published_parsed") or entry.get("updated_parsed"))
    return FeedItem(
        url=url,
        guid=guid,
        title=title,
        authors=_authors(entry),
        published_at=published if published is None or published <= latest else None,
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
