"""The demo web: three fake publishers, their feeds and pages, and what the archive must hold.

Everything lives as plain files in ``scraper/demo/site/`` (shipped as package data) so the content
can be read and edited without touching code:

* ``hosts.json`` — per host: fixed routes (feeds, robots.txt, WordPress ``/?p=ID`` redirects) and
  the small per-site conventions (date format, byline and tag markup) the page renderer needs;
* ``pages.json`` — per article URL: layout, body fragment, description, section, tags, comments;
* ``<host>/layout.html`` — the site's page template with all its boilerplate (nav, sidebar,
  share buttons, newsletter box, cookie banner, footer); ``<host>/articles/*.html`` — bodies;
* ``fixtures/southfront-2025-03-28-drones.txt`` — a real SouthFront article with its "we moved"
  footer, copied from the shared fixtures; its page body is built from it line by line;
* ``publishers.toml`` — the publishers configuration for these hosts;
* ``expected.json`` — what the archive must contain after crawling the demo web.

Pages are assembled at load time (layout + body + generated ``<head>`` metadata) so that the
metadata an extractor reads (canonical link, Open Graph, ``article:published_time``, JSON-LD)
always agrees with ``expected.json`` instead of being copied by hand into ten files.
"""

from __future__ import annotations

import copy
import html
import json
import re
from datetime import datetime
from functools import cache
from importlib.resources import files
from importlib.resources.abc import Traversable
from string import Template
from typing import Any, TypedDict, cast
from urllib.parse import quote, urlsplit

from scraper.demo.web import Resource

__all__ = [
    "ExpectedArticle",
    "article_urls",
    "demo_config_text",
    "expected",
    "feed_urls",
    "load_site",
    "render_page",
]


class ExpectedArticle(TypedDict):
    """One article as the archive must hold it after crawling the demo web."""

    publisher: str
    url: str
    title: str
    authors: list[str]
    published_at: str  # ISO 8601, UTC ("+00:00")
    paragraphs: list[str]  # body only: headings and list items are entries; no captions/footer


_WP_ENTITIES = {"’": "&#8217;", "‘": "&#8216;", "“": "&#8220;", "”": "&#8221;", "–": "&#8211;"}
_UNDERSCORES = re.compile(r"_{5,}")


def _site_dir() -> Traversable:
    return files("scraper.demo").joinpath("site")


def _read_text(rel: str) -> str:
    return _site_dir().joinpath(*rel.split("/")).read_text(encoding="utf-8")


@cache
def _json(rel: str) -> Any:
    return json.loads(_read_text(rel))


def _hosts() -> dict[str, dict[str, Any]]:
    return cast(dict[str, dict[str, Any]], _json("hosts.json"))


def _pages() -> dict[str, dict[str, Any]]:
    return cast(dict[str, dict[str, Any]], _json("pages.json"))


def expected() -> list[ExpectedArticle]:
    """What the archive must contain after one crawl of the demo web (a fresh copy each call)."""
    return copy.deepcopy(cast(list[ExpectedArticle], _json("expected.json")))


def demo_config_text() -> str:
    """The demo hosts' ``publishers.toml``; parses with :func:`scraper.config.load_config`."""
    return _read_text("publishers.toml")


def feed_urls() -> list[str]:
    """Every feed URL of the demo publishers, in configuration order."""
    return re.findall(r'^feeds = \["([^"]+)"\]', demo_config_text(), flags=re.MULTILINE)


def article_urls() -> list[str]:
    """Every article page URL, in ``expected.json`` order."""
    return [article["url"] for article in expected()]


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _wordpress_text(text: str) -> str:
    """Escape like WordPress' ``wptexturize`` output: curly quotes as numeric entities."""
    escaped = html.escape(text, quote=False)
    for char, entity in _WP_ENTITIES.items():
        escaped = escaped.replace(char, entity)
    return escaped


def _body_from_text(rel: str) -> str:
    """One ``<p>`` per non-empty line, as the fixture was scraped from (footer included)."""
    return "".join(
        f"<p>{_wordpress_text(line.strip())}</p>\n"
        for line in _read_text(rel).splitlines()
        if line.strip()
    )


def _body(page: dict[str, Any]) -> str:
    if "body_text" in page:
        return _body_from_text(page["body_text"])
    return _read_text(page["body_html"])


def _human(fmt: str, iso: str) -> str:
    return fmt.format(d=datetime.fromisoformat(iso))


def _jsonld(page: dict[str, Any], article: ExpectedArticle, site_name: str, url: str) -> str:
    authors = [
        {"@type": "Organization" if name == site_name else "Person", "name": name}
        for name in article["authors"]
    ]
    data = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": article["title"],
        "description": page["description"],
        "datePublished": page["published_local"],
        "dateModified": page["modified_local"],
        "author": authors if len(authors) > 1 else authors[0],
        "publisher": {"@type": "Organization", "name": site_name},
        "mainEntityOfPage": {"@type": "WebPage", "@id": url},
        "articleSection": page["section"],
        "keywords": page["tags"],
        "inLanguage": "en",
    }
    text = json.dumps(data, ensure_ascii=False).replace("</", "<\\/")
    return f'<script type="application/ld+json">\n{text}\n</script>'


def _head_meta(page: dict[str, Any], article: ExpectedArticle, site_name: str, url: str) -> str:
    esc = html.escape
    lines = [
        f'<link rel="canonical" href="{esc(url)}">',
        f'<meta name="description" content="{esc(page["description"])}">',
        f'<meta name="author" content="{esc(", ".join(article["authors"]))}">',
        '<meta property="og:type" content="article">',
        f'<meta property="og:site_name" content="{esc(site_name)}">',
        f'<meta property="og:title" content="{esc(article["title"])}">',
        f'<meta property="og:description" content="{esc(page["description"])}">',
        f'<meta property="og:url" content="{esc(url)}">',
        '<meta property="og:locale" content="en_US">',
        f'<meta property="article:published_time" content="{page["published_local"]}">',
        f'<meta property="article:modified_time" content="{page["modified_local"]}">',
        f'<meta property="article:section" content="{esc(page["section"])}">',
    ]
    lines += [f'<meta property="article:tag" content="{esc(tag)}">' for tag in page["tags"]]
    if page.get("jsonld"):
        lines.append(_jsonld(page, article, site_name, url))
    return "\n".join(lines)


def _comments(host: dict[str, Any], page: dict[str, Any], title: str) -> str:
    """A comment thread: reader text next to the article that the extractor must leave out."""
    comments: list[dict[str, str]] = page["comments"]
    if not comments and not host["reply_form"]:
        return ""
    parts = ['<section id="comments" class="comments-area">']
    if comments:
        heading = host["comments_title"].format(n=len(comments), title=html.escape(title))
        parts.append(f'<h2 class="comments-title">{heading}</h2>')
        parts.append('<ol class="comment-list">')
        for number, comment in enumerate(comments, start=1):
            when = _human(host["date_format"], comment["date"])
            parts.append(
                f'<li id="comment-{number}" class="comment">'
                f'<article class="comment-body">'
                f'<footer class="comment-meta"><span class="comment-author vcard">'
                f'<b class="fn">{html.escape(comment["author"])}</b> says:</span> '
                f'<time datetime="{comment["date"]}">{when}</time></footer>'
                f'<div class="comment-content"><p>{html.escape(comment["text"])}</p></div>'
                f'<div class="reply"><a class="comment-reply-link" href="#respond">Reply</a></div>'
                f"</article></li>"
            )
        parts.append("</ol>")
    if host["reply_form"]:
        parts.append(
            '<div id="respond" class="comment-respond">'
            '<h3 id="reply-title" class="comment-reply-title">Leave a Reply</h3>'
            '<form action="/wp-comments-post.php" method="post" id="commentform">'
            '<p class="comment-notes">Your email address will not be published. '
            "Required fields are marked *</p>"
            '<p><label for="comment">Comment *</label><textarea id="comment" name="comment" '
            'rows="8" required></textarea></p>'
            '<p><label for="author">Name *</label><input id="author" name="author" required></p>'
            '<p><label for="email">Email *</label><input id="email" name="email" required></p>'
            '<p class="form-submit"><input type="submit" value="Post Comment"></p>'
            "</form></div>"
        )
    parts.append("</section>")
    return "\n".join(parts)


def _byline(host: dict[str, Any], authors: list[str]) -> str:
    pattern: str | None = host["author_url"]
    names = [
        html.escape(name)
        if pattern is None
        else f'<a href="{pattern.format(slug=_slug(name))}" rel="author">{html.escape(name)}</a>'
        for name in authors
    ]
    return " and ".join(names)


def render_page(url: str) -> str:
    """The full HTML of the article page at ``url`` (one of :func:`article_urls`)."""
    page = _pages()[url]
    article = next(a for a in expected() if a["url"] == url)
    host = _hosts()[page["host"]]
    layout = Template(_read_text(page["layout"]))
    tags = host["tag_joiner"].join(
        host["tag_html"].format(slug=_slug(tag), name=html.escape(tag)) for tag in page["tags"]
    )
    values = {
        "title": html.escape(article["title"]),
        "head_meta": _head_meta(page, article, host["site_name"], url),
        "description": html.escape(page["description"]),
        "section": html.escape(page["section"]),
        "section_slug": _slug(page["section"]),
        "byline": _byline(host, article["authors"]),
        "date_iso": page["published_local"],
        "date_human": _human(host["date_format"], page["published_local"]),
        "modified_iso": page["modified_local"],
        "modified_human": _human(host["date_format"], page["modified_local"]),
        "body": _body(page),
        "comments": _comments(host, page, article["title"]),
        "comment_count": str(len(page["comments"])),
        "tags": tags,
        "keywords": html.escape(", ".join(page["tags"])),
        "canonical": html.escape(url),
        "share_url": quote(url, safe=""),
        "share_title": quote(article["title"], safe=""),
        "wp_id": str(page.get("wp_id", "")),
    }
    return layout.substitute(values)


def _feed_values() -> dict[str, str]:
    """``content_<key>`` → body HTML, for feeds that carry full text (``content:encoded``)."""
    return {f"content_{page['key']}": _body(page) for page in _pages().values()}


def load_site() -> dict[str, dict[str, Resource]]:
    """host → path → :class:`Resource` for every feed, page, robots.txt and redirect.

    Built fresh on every call, so a test may change its copy freely.
    """
    site: dict[str, dict[str, Resource]] = {}
    for host_name, host in _hosts().items():
        routes = site.setdefault(host_name, {})
        for path, route in host["routes"].items():
            if "redirect" in route:
                routes[path] = Resource.redirect(route["redirect"], route.get("status", 301))
                continue
            text = _read_text(route["file"])
            if route.get("template"):
                text = Template(text).substitute(_feed_values())
            routes[path] = Resource(text.encode("utf-8"), content_type=route["content_type"])
    for url in _pages():
        parts = urlsplit(url)
        host_name = parts.hostname or ""
        body = render_page(url).encode("utf-8")
        content_type = _hosts()[host_name]["page_content_type"]
        site.setdefault(host_name, {})[parts.path] = Resource(body, content_type=content_type)
    return site
