"""The bundled demo web: feeds parse, links resolve, pages hold exactly the expected text."""

from __future__ import annotations

import calendar
import html
import io
import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from html import unescape
from html.parser import HTMLParser
from importlib.resources import files
from pathlib import Path
from typing import Any

import feedparser
import httpx
import pytest

from scraper.config import load_config
from scraper.demo.site import (
    article_urls,
    demo_config_text,
    expected,
    feed_urls,
    load_site,
    render_page,
)
from scraper.demo.web import LocalWeb, Resource

SITE = load_site()
VERSIONS = {
    "http://southfront.press/feed/": ("rss20", 4),
    "http://northwind-herald.example/atom.xml": ("atom10", 3),
    "http://lakeside-courier.example/index.rdf": ("rss10", 3),
}
CONTENT_CLASSES = {"entry-content", "article__body", "storybody"}
VOID = {"img", "br", "source", "input", "meta", "link", "hr", "wbr", "col", "area", "base"}
DRONES = (
    "http://southfront.press/drones-intercepted-near-russian-bases-in-syrias-tartus-and-khmeimim/"
)


def resource(url: str) -> Resource:
    parts = httpx.URL(url)
    path = parts.raw_path.decode()
    return SITE[parts.host][path]


def parse_feed(url: str) -> Any:
    res = resource(url)
    return feedparser.parse(
        io.BytesIO(res.body), response_headers={"content-type": res.content_type}
    )


class Blocks(HTMLParser):
    """Text blocks (p, li, h2, figcaption) inside the article body container, in order."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.depth = 0
        self.content_depth: int | None = None
        self.current: list[str] | None = None
        self.kind = ""
        self.blocks: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in VOID:
            return
        self.depth += 1
        classes = set((dict(attrs).get("class") or "").split())
        if self.content_depth is None and classes & CONTENT_CLASSES:
            self.content_depth = self.depth
        if self.inside() and tag in {"p", "li", "h2", "figcaption"}:
            self.current, self.kind = [], tag

    def inside(self) -> bool:
        return self.content_depth is not None and self.content_depth > 0

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID:
            return
        if self.current is not None and tag == self.kind:
            text = re.sub(r"\s+", " ", "".join(self.current)).strip()
            self.blocks.append((tag, text))
            self.current = None
        if self.inside() and self.depth == self.content_depth:
            self.content_depth = -1  # only the first container counts
        self.depth -= 1

    def handle_data(self, data: str) -> None:
        if self.current is not None:
            self.current.append(data)


def blocks(url: str) -> list[tuple[str, str]]:
    parser = Blocks()
    parser.feed(resource(url).body.decode("utf-8"))
    return parser.blocks


def meta(html_text: str, prop: str) -> str:
    match = re.search(rf'<meta (?:property|name)="{re.escape(prop)}" content="([^"]*)"', html_text)
    assert match, prop
    return unescape(match.group(1))


def utc(value: str) -> datetime:
    return datetime.fromisoformat(value).astimezone(UTC)


@pytest.fixture(scope="module")
def client() -> Iterator[httpx.Client]:
    with LocalWeb(load_site()) as web, httpx.Client(proxy=web.proxy_url, trust_env=False) as c:
        yield c


# -- feeds ---------------------------------------------------------------------------------


@pytest.mark.parametrize("url", list(VERSIONS))
def test_feed_parses_cleanly_in_its_format(url: str) -> None:
    parsed = parse_feed(url)
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    version, count = VERSIONS[url]
    assert parsed.version == version
    assert len(parsed.entries) == count


def test_feed_urls_are_the_configured_ones() -> None:
    assert feed_urls() == list(VERSIONS)


def test_feed_entries_agree_with_expected() -> None:
    by_url = {a["url"]: a for a in expected()}
    seen = []
    for url in VERSIONS:
        for entry in parse_feed(url).entries:
            article = by_url[entry.link]
            seen.append(entry.link)
            assert entry.title == article["title"]
            assert [a["name"] for a in entry.get("authors", [])] == article["authors"]
            stamp = entry.get("published_parsed") or entry.get("updated_parsed")
            assert calendar.timegm(stamp) == utc(article["published_at"]).timestamp()
    assert sorted(seen) == sorted(article_urls())


def test_southfront_feed_mixes_full_text_and_teasers() -> None:
    entries = parse_feed("http://southfront.press/feed/").entries
    full = [e for e in entries if e.get("content")]
    teasers = [e for e in entries if not e.get("content")]
    assert len(full) == 2 and len(teasers) == 2
    assert all(e.id.startswith("https://southfront.press/?p=") for e in entries)
    assert all(e.guidislink is False for e in entries)
    assert all(re.search(r"\[…\]|Read more", unescape(e.summary)) for e in teasers)
    drones = next(e for e in full if e.link == DRONES)
    assert "Putin sent a message" in drones.content[0].value
    assert "NOW hosted at southfront.press" in drones.content[0].value  # footer rides along


def test_other_feeds_carry_only_teasers() -> None:
    for url in list(VERSIONS)[1:]:
        for entry in parse_feed(url).entries:
            assert not entry.get("content")
            assert len(entry.summary) < 300


# -- pages ---------------------------------------------------------------------------------


def test_every_feed_link_and_guid_has_a_page(client: httpx.Client) -> None:
    for url in VERSIONS:
        for entry in parse_feed(url).entries:
            response = client.get(entry.link)
            assert response.status_code == 200, entry.link
            assert response.headers["content-type"].startswith("text/html")
            if entry.id.startswith("https://southfront.press/?p="):
                guid = entry.id.replace("https://", "http://")
                followed = client.get(guid, follow_redirects=True)
                assert str(followed.url) == entry.link


@pytest.mark.parametrize("url", article_urls())
def test_page_size_and_metadata(url: str) -> None:
    article = next(a for a in expected() if a["url"] == url)
    body = resource(url).body
    assert 8 * 1024 <= len(body) <= 20 * 1024, len(body)
    page = body.decode("utf-8")
    assert f'<link rel="canonical" href="{url}">' in page
    assert meta(page, "og:title") == article["title"]
    assert utc(meta(page, "article:published_time")) == utc(article["published_at"])
    for boilerplate in ("cookie", "newsletter", "Popular", "Related", "©"):
        assert boilerplate.lower() in page.lower() or unescape(page).count(boilerplate), boilerplate


def test_some_pages_have_jsonld_newsarticle() -> None:
    found = 0
    for article in expected():
        page = resource(article["url"]).body.decode("utf-8")
        match = re.search(r'<script type="application/ld\+json">\s*(.*?)\s*</script>', page, re.S)
        if match:
            data = json.loads(match.group(1))
            assert data["@type"] == "NewsArticle"
            assert utc(data["datePublished"]) == utc(article["published_at"])
            authors = data["author"] if isinstance(data["author"], list) else [data["author"]]
            assert [a["name"] for a in authors] == article["authors"]
            found += 1
    assert 3 <= found < len(expected())


@pytest.mark.parametrize("url", article_urls())
def test_page_body_is_exactly_the_expected_paragraphs(url: str) -> None:
    article = next(a for a in expected() if a["url"] == url)
    body = [text for kind, text in blocks(url) if kind != "figcaption"]
    cut = next((i for i, text in enumerate(body) if re.fullmatch(r"_{5,}", text)), len(body))
    lead = article["paragraphs"][: len(article["paragraphs"]) - cut]
    assert article["paragraphs"][len(lead) :] == body[:cut]
    for standfirst in lead:  # a standfirst (dek) above the body is article text too
        assert f'class="article__standfirst">{html.escape(standfirst, quote=False)}<' in (
            render_page(url)
        )
    assert 4 <= len([t for k, t in blocks(url)[:cut] if k == "p"]) <= 13  # the fixture has 13


def test_captions_and_comments_are_not_expected_text() -> None:
    captions = [t for url in article_urls() for k, t in blocks(url) if k == "figcaption"]
    assert len(captions) == 2
    everything = {p for a in expected() for p in a["paragraphs"]}
    assert not everything & set(captions)
    pages_with_comments = [u for u in article_urls() if "comment-content" in render_page(u)]
    assert len(pages_with_comments) >= 3
    assert all("says:" not in p for p in everything)


def test_structure_variety() -> None:
    kinds = {url: {k for k, _ in blocks(url)} for url in article_urls()}
    assert any({"h2", "li"} <= k for k in kinds.values())  # heading and list inside a body
    assert any("figcaption" in k for k in kinds.values())


def test_drones_page_is_the_fixture_with_its_footer() -> None:
    fixture = files("scraper.demo").joinpath("site", "fixtures", "southfront-2025-03-28-drones.txt")
    lines = [
        line.strip() for line in fixture.read_text(encoding="utf-8").splitlines() if line.strip()
    ]
    cut = next(i for i, line in enumerate(lines) if re.fullmatch(r"_{5,}", line))
    article = next(a for a in expected() if a["url"] == DRONES)
    assert article["paragraphs"] == lines[:cut]
    assert article["published_at"].startswith("2025-03-28")
    body = [text for _, text in blocks(DRONES)]
    assert body == lines  # body paragraphs, underscores, then the "we moved" footer lines
    assert body[cut + 1] == "SouthFront: Analysis and Intelligence"
    shared = Path("/work/shared/fixtures/southfront-2025-03-28-drones.txt")
    if shared.exists():
        assert fixture.read_text(encoding="utf-8") == shared.read_text(encoding="utf-8")


# -- config and expectations ----------------------------------------------------------------


def test_demo_config_loads(tmp_path: Path) -> None:
    path = tmp_path / "publishers.toml"
    path.write_text(demo_config_text(), encoding="utf-8")
    config = load_config(path)
    assert [p.id for p in config.publishers] == ["southfront", "northwind", "lakeside"]
    southfront = config.publisher("southfront")
    assert southfront.name == "SouthFront: Analysis and Intelligence"
    assert southfront.canonical_domain == "southfront.press"
    assert {a.domain: a.status for a in southfront.aliases} == {
        "southfront.org": "blocked",
        "southfront.com": "unknown",
    }
    assert southfront.boilerplate == ("SouthFront: Analysis and Intelligence",)
    assert [f for p in config.publishers for f in p.feeds] == feed_urls()
    for article in expected():
        publisher = config.publisher(article["publisher"])
        assert httpx.URL(article["url"]).host == publisher.canonical_domain


def test_expected_is_well_formed() -> None:
    articles = expected()
    assert len(articles) == 10
    assert len({a["url"] for a in articles}) == 10
    for article in articles:
        assert set(article) == {
            "publisher",
            "url",
            "title",
            "authors",
            "published_at",
            "paragraphs",
        }
        assert article["published_at"].endswith("+00:00")
        assert article["authors"] and article["title"]
        assert all(p and p == p.strip() for p in article["paragraphs"])
    articles[0]["paragraphs"].clear()
    assert expected()[0]["paragraphs"], "expected() must hand out copies"
