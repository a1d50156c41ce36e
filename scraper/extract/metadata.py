"""Page metadata: title, dates, authors, canonical URL, description, image, tags.

Sources in order of trust: JSON-LD (written for machines), OpenGraph/Twitter
and other ``<meta>`` tags, then the visible DOM (``<title>``, ``<h1>``,
``<time>``, bylines) and finally the URL.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urljoin, urlsplit

from selectolax.lexbor import LexborHTMLParser, LexborNode

from scraper.extract import jsonld
from scraper.extract.authors import clean_authors
from scraper.extract.dates import date_from_url, parse_date

_MAX_META = 300
_WORDS = re.compile(r"\w+")
_TITLE_SEPARATORS = re.compile(r"(\s+(?:[|\-–—:·•»«/]|::)\s+)")
# Host labels that are not the site's name ("www.", "m.") and second-level domains ("co.uk").
_HOST_PREFIXES = frozenset({"www", "www1", "www2", "m", "amp", "mobile", "edition"})
_SECOND_LEVEL = frozenset({"co", "com", "org", "net", "gov", "ac", "edu", "or", "ne", "go"})
_MAX_TAGS = 30

_PUBLISHED_KEYS = (
    "article:published_time", "og:article:published_time", "datepublished", "pubdate",
    "publishdate", "publish-date", "publication_date", "date", "dc.date", "dc.date.issued",
    "dcterms.created", "dcterms.issued", "sailthru.date", "parsely-pub-date", "article.published",
    "og:published_time", "created", "citation_publication_date", "originalpublicationdate",
)  # fmt: skip
_MODIFIED_KEYS = (
    "article:modified_time", "og:updated_time", "datemodified", "dcterms.modified",
    "last-modified", "lastmod", "article.updated", "og:modified_time",
)  # fmt: skip
_REPEATED = frozenset({"article:tag"})
_AUTHOR_KEYS = (
    "author",
    "article:author",
    "parsely-author",
    "sailthru.author",
    "dc.creator",
    "byl",
)


@dataclass(slots=True)
class PageMeta:
    """Metadata read from ``<head>`` and JSON-LD; the tree is kept for DOM fallbacks."""

    tree: LexborHTMLParser
    meta: dict[str, str] = field(default_factory=dict)
    article: jsonld.JsonObject = field(default_factory=dict)
    title_tag: str | None = None
    html_lang: str | None = None
    canonical: str | None = None


def _meta_tags(scope: LexborNode) -> dict[str, str]:
    found: dict[str, str] = {}
    for node in scope.css("meta")[:_MAX_META]:
        attrs = node.attributes
        key = attrs.get("property") or attrs.get("name") or attrs.get("itemprop")
        key = key or attrs.get("http-equiv")
        value = attrs.get("content")
        if not (key and value and value.strip()):
            continue
        key = key.strip().lower()
        if key in _REPEATED and key in found:
            found[key] += ", " + value.strip()  # several <meta property="article:tag">
        else:
            found.setdefault(key, value.strip())
    return found


def _text_of(node: LexborNode | None) -> str | None:
    if node is None:
        return None
    text = " ".join(node.text(separator=" ").split())
    return text or None


def collect(tree: LexborHTMLParser, html: str) -> PageMeta:
    """Read ``<head>`` metadata and JSON-LD (``html`` is the parsed source).

    Only ``<head>`` is searched for tags (a whole-document query per tag would
    cost more than the rest of extraction); JSON-LD is looked for only when
    the source mentions it.
    """
    head = tree.head
    root = tree.root
    page = PageMeta(tree=tree)
    if root is not None:
        page.html_lang = root.attributes.get("lang")
    if head is not None:
        page.meta = _meta_tags(head)
        page.title_tag = _text_of(head.css_first("title"))
        canonical = head.css_first('link[rel="canonical"]')
        page.canonical = canonical.attributes.get("href") if canonical is not None else None
    if "ld+json" in html:
        page.article = jsonld.article(jsonld.objects(tree)) or {}
    return page


def _dom_authors(tree: LexborHTMLParser) -> list[str]:
    nodes = tree.css('[rel="author"], [itemprop="author"], .byline, .author, .vcard .fn')
    texts = [" ".join(n.text(separator=" ").split()) for n in nodes[:5]]
    return [t for t in texts if 0 < len(t) <= 100]


def _dom_dates(tree: LexborHTMLParser) -> list[str]:
    values: list[str] = []
    for node in tree.css("time[datetime], [itemprop=datePublished]")[:5]:
        attrs = node.attributes
        value = attrs.get("datetime") or attrs.get("content")
        if value:
            values.append(value)
    return values


def _title_parts(title: str) -> list[str]:
    """``title`` split at spaced separators, separators kept at the odd indexes."""
    return _TITLE_SEPARATORS.split(" ".join(title.split()))


def _host_names(url: str | None) -> list[str]:
    """Names a site goes by in its host: "lemonde.fr" and "lemonde" for www.lemonde.fr,
    "bbc.co.uk" and "bbc" for www.bbc.co.uk (so "Le Monde", "BBC" are recognised)."""
    host = (urlsplit(url).hostname or "") if url else ""
    labels = [label for label in host.split(".") if label]
    while len(labels) > 2 and labels[0] in _HOST_PREFIXES:
        labels = labels[1:]
    if len(labels) < 2:
        return []
    second_level = len(labels) > 2 and labels[-2] in _SECOND_LEVEL
    return [".".join(labels), labels[-3] if second_level else labels[-2]]


def strip_site_name(title: str, site_names: Iterable[str] = (), heading: str | None = None) -> str:
    """``title`` without a leading or trailing part that is the site's name.

    Spaced dashes and colons are punctuation inside headlines too ("Guerre en Ukraine : les
    pourparlers…", "Ukraine – Russia talks…"), so only a part known to be the site's goes: one
    equal to one of ``site_names`` (og:site_name, publisher, host; compared on letters and
    digits), or the shorter side of a split whose other side is the page's own ``heading``.
    """
    pieces = _title_parts(title)
    parts = pieces[::2]
    names = {_folded(n) for n in site_names} - {""}
    start, end = 0, len(parts)
    while end - start > 1 and _folded(parts[start]) in names:
        start += 1
    while end - start > 1 and _folded(parts[end - 1]) in names:
        end -= 1
    if heading:
        first, last = _heading_side(parts[start:end], _folded(heading))
        start, end = start + first, start + last
    return "".join(pieces[2 * start : 2 * end - 1])


def _heading_side(parts: list[str], heading: str) -> tuple[int, int]:
    """The run of leading or trailing ``parts`` that spells ``heading``, when it is the longer
    side (a site-name ``<h1>`` must not win over the headline); else all of them."""
    for cut in range(1, len(parts)):
        for start, end in ((0, cut), (cut, len(parts))):
            kept = parts[start:end]
            dropped = parts[:start] + parts[end:]
            if _folded("".join(kept)) == heading and sum(map(len, kept)) > sum(map(len, dropped)):
                return start, end
    return 0, len(parts)


def guess_without_site_name(title: str) -> str:
    """A ``<title>`` with no known site name: drop the affix a template most likely added.

    See :func:`_longest_part`. Only for ``<title>``, which nearly always carries the site's
    name; a spaced colon is not taken as a separator here: it is far more often a headline's own
    punctuation than a template's.
    """
    title = " ".join(title.split())
    if all(sep.strip() == ":" for sep in _TITLE_SEPARATORS.findall(title)):
        return title
    return _longest_part(title)


def _longest_part(title: str) -> str:
    """The longest part when it is most of the title (or there are 3+ parts), else the first."""
    title = " ".join(title.split())
    parts = _title_parts(title)[::2]
    if len(parts) < 2:
        return title
    longest = max(parts, key=len)
    return longest if len(longest) >= 0.5 * len(title) or len(parts) > 2 else parts[0]


def _site_names(page: PageMeta, url: str | None) -> list[str]:
    names = [page.meta.get(k) for k in ("og:site_name", "application-name", "twitter:site")]
    names.append(jsonld.text_value(page.article.get("publisher")))
    found = [n.lstrip("@") for n in names if n]  # twitter:site is "@handle"
    return found + _host_names(url)


def title(page: PageMeta, h1: str | None, url: str | None = None) -> str | None:
    """og:title / JSON-LD headline / h1, falling back to ``<title>`` without the site name."""
    site = _site_names(page, url)
    for raw in (
        page.meta.get("og:title"),
        jsonld.text_value(page.article.get("headline")),
        page.meta.get("twitter:title"),
    ):
        if raw:
            return strip_site_name(raw, site, h1) or None
    if h1 and page.title_tag and h1.casefold() in page.title_tag.casefold():
        return h1
    if page.title_tag:
        stripped = strip_site_name(page.title_tag, site)
        if stripped == " ".join(page.title_tag.split()):
            stripped = guess_without_site_name(stripped)
        return stripped or None
    return h1


def _first_date(values: list[str | None]) -> datetime | None:
    for value in values:
        parsed = parse_date(value)
        if parsed is not None:
            return parsed
    return None


def published(page: PageMeta, url: str | None) -> datetime | None:
    """Publication time in UTC, from structured data, then the DOM, then the URL."""
    values: list[str | None] = [jsonld.text_value(page.article.get("datePublished"))]
    values += [page.meta.get(k) for k in _PUBLISHED_KEYS]
    found = _first_date(values) or _first_date(list(_dom_dates(page.tree)))
    return found or date_from_url(url) or date_from_url(page.canonical)


def modified(page: PageMeta) -> datetime | None:
    """Last modification time in UTC, when the page states one."""
    values: list[str | None] = [jsonld.text_value(page.article.get("dateModified"))]
    values += [page.meta.get(k) for k in _MODIFIED_KEYS]
    return _first_date(values)


def authors(page: PageMeta) -> tuple[str, ...]:
    """Author names from JSON-LD, meta tags, then visible bylines."""
    found = jsonld.text_values(page.article.get("author"))
    if not found:
        found = [page.meta[k] for k in _AUTHOR_KEYS if k in page.meta]
    cleaned = clean_authors(found)
    return cleaned or clean_authors(_dom_authors(page.tree)[:2])


def absolute(href: str | None, base: str | None) -> str | None:
    """``href`` resolved against ``base``; None for empty or script URLs."""
    if not href or not href.strip() or href.strip().lower().startswith("javascript:"):
        return None
    try:
        return urljoin(base, href.strip()) if base else href.strip()
    except ValueError:
        return href.strip()


def canonical_url(page: PageMeta, url: str | None) -> str | None:
    """rel=canonical, else og:url, made absolute."""
    return absolute(page.canonical or page.meta.get("og:url"), url)


def description(page: PageMeta) -> str | None:
    value = (
        page.meta.get("og:description")
        or jsonld.text_value(page.article.get("description"))
        or page.meta.get("description")
        or page.meta.get("twitter:description")
    )
    return " ".join(value.split()) or None if value else None


def image_url(page: PageMeta, url: str | None) -> str | None:
    value = (
        page.meta.get("og:image")
        or page.meta.get("og:image:url")
        or page.meta.get("twitter:image")
        or jsonld.text_value(page.article.get("image"))
    )
    return absolute(value, url)


def section(page: PageMeta) -> str | None:
    value = page.meta.get("article:section") or jsonld.text_value(
        page.article.get("articleSection")
    )
    return value.strip() or None if value else None


def tags(page: PageMeta) -> tuple[str, ...]:
    """Keywords/tags, split on commas and deduplicated case-insensitively."""
    raw = jsonld.text_values(page.article.get("keywords"))
    raw += [page.meta[k] for k in ("article:tag", "news_keywords", "keywords") if k in page.meta]
    seen: dict[str, str] = {}
    for value in raw:
        for part in value.split(","):
            tag = " ".join(part.split())
            if tag and len(tag) <= 60 and tag.casefold() not in seen:
                seen[tag.casefold()] = tag
    return tuple(seen.values())[:_MAX_TAGS]


def heading_text(node: LexborNode) -> str:
    """Visible text of a heading, whitespace collapsed."""
    return " ".join(node.text(separator=" ").split())


def _similar(heading: str, title: str) -> bool:
    a, b = heading.casefold(), title.casefold()
    return len(a) >= 8 and (a in b or b in a)


def _folded(text: str) -> str:
    """Letters and digits only: "I’m in" and "Im in" are the same title."""
    return "".join(_WORDS.findall(text.casefold()))


def title_heading(tree: LexborHTMLParser, page: PageMeta) -> LexborNode | None:
    """The on-page heading of the article: one matching the metadata title, else a lone h1.

    A heading equal to the title (without the site name) wins over the first
    one merely contained in it: the site name is often an ``<h1>`` of its own.
    """
    titles = [t for t in (page.meta.get("og:title"), page.title_tag) if t]
    exact = {_folded(v) for t in titles for v in (t, _longest_part(t))}
    headings = tree.css("h1, h2, h3")[:40]
    texts = [heading_text(node) for node in headings]
    for node, text in zip(headings, texts, strict=True):
        if len(text) >= 8 and _folded(text) in exact:
            return node
    for node, text in zip(headings, texts, strict=True):
        if any(_similar(text, t) for t in titles):
            return node
    h1s = [n for n in headings if n.tag == "h1"]
    return h1s[0] if len(h1s) == 1 else None
