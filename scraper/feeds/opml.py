"""OPML in and out: the format every feed reader exports its subscriptions in.

Import reads every ``<outline>`` with an ``xmlUrl`` at any depth (readers nest them in folders)
and keeps the titles of all the folders around it, outermost first: any of them may name the
publisher (``Alpha/Politics``). Export writes OPML 2.0 with one folder per publisher and, on
every feed, a ``scraper:publisher`` attribute with the publisher's id, so a round trip keeps
who each feed belongs to even when a feed's host belongs to another publisher or two publishers
share a name; feed readers ignore attributes in a foreign namespace. The file is the user's
own, but still capped in size and parsed without DTDs (no entity expansion tricks).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime

from scraper.errors import ParseError

MAX_OPML_BYTES = 20 * 1024 * 1024
_HTTP = re.compile(r"^https?://[^/\s]+", re.IGNORECASE)
#: The namespace of the ``scraper:publisher`` attribute (a name, never fetched).
NAMESPACE = "urn:x-scraper:opml"
_PUBLISHER = f"{{{NAMESPACE}}}publisher"
ET.register_namespace("scraper", NAMESPACE)


@dataclass(frozen=True, slots=True)
class OpmlFeed:
    """A feed of the file: its folders' titles, outermost first, and the publisher id that
    ``scraper feeds export`` wrote on it (``None`` in other programs' files)."""

    url: str
    title: str | None = None
    folders: tuple[str, ...] = ()
    publisher: str | None = None

    @property
    def folder(self) -> str | None:
        """The innermost folder, if any."""
        return self.folders[-1] if self.folders else None


@dataclass(frozen=True, slots=True)
class OpmlFolder:
    """A publisher's feeds on export: folder text, (url, title) pairs, the publisher's id."""

    title: str
    feeds: Sequence[tuple[str, str | None]]
    publisher: str | None = None


def parse_opml(data: bytes, source: str = "OPML") -> list[OpmlFeed]:
    """Every http(s) feed in the document, in order, each URL once."""
    if len(data) > MAX_OPML_BYTES:
        raise ParseError(source, "too_large", f"larger than {MAX_OPML_BYTES} bytes")
    if b"<!DOCTYPE" in data[:4096].upper() or b"<!ENTITY" in data.upper():
        raise ParseError(source, "malformed", "DTDs and entities are not accepted in OPML")
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        raise ParseError(source, "malformed", f"not valid XML: {exc}") from exc
    if root.tag.lower() != "opml" or root.find("body") is None:
        raise ParseError(source, "not_opml", "no <opml><body> element")
    found: dict[str, OpmlFeed] = {}
    for folders, outline in _outlines(root.find("body"), ()):  # type: ignore[arg-type]
        url = (outline.get("xmlUrl") or outline.get("xmlurl") or "").strip()
        if url and _HTTP.match(url) and url not in found:
            title = outline.get("title") or outline.get("text")
            publisher = (outline.get(_PUBLISHER) or "").strip() or None
            found[url] = OpmlFeed(url, title.strip() if title else None, folders, publisher)
    return list(found.values())


def _outlines(
    parent: ET.Element, folders: tuple[str, ...]
) -> Iterable[tuple[tuple[str, ...], ET.Element]]:
    """Every outline below ``parent`` with the titles of the outlines around it."""
    for child in parent.findall("outline"):
        yield folders, child
        name = (child.get("title") or child.get("text") or "").strip()
        yield from _outlines(child, (*folders, name) if name else folders)


def export_opml(folders: Sequence[OpmlFolder], title: str = "scraper feeds") -> bytes:
    """OPML 2.0 with one folder outline per publisher, its id on each feed when known."""
    root = ET.Element("opml", version="2.0")
    head = ET.SubElement(root, "head")
    ET.SubElement(head, "title").text = title
    ET.SubElement(head, "dateCreated").text = format_datetime(datetime.now(UTC), usegmt=True)
    body = ET.SubElement(root, "body")
    for folder in folders:
        node = ET.SubElement(body, "outline", text=folder.title, title=folder.title)
        for url, feed_title in folder.feeds:
            name = feed_title or url
            feed = ET.SubElement(node, "outline", type="rss", text=name, title=name, xmlUrl=url)
            if folder.publisher is not None:
                feed.set(_PUBLISHER, folder.publisher)
    ET.indent(root)
    data: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return data + b"\n"
