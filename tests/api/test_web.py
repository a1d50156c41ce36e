"""The server-rendered pages: they render, escape hostile text and need no JavaScript."""

from __future__ import annotations

import re

import httpx
import pytest

from scraper.store.archive import Archive
from tests.api.helpers import draft

pytestmark = pytest.mark.anyio


async def test_search_page_marks_matches_after_escaping(
    shared_client: httpx.AsyncClient, shared_seeded: Archive
) -> None:
    shared_seeded.save(
        draft(
            20,
            "Rockets <b>and</b> drones over the port.",
            title="<script>alert(1)</script>",
            publisher="nw",
        )
    )
    response = await shared_client.get("/", params={"q": "drones", "publisher": "nw", "since": ""})
    assert response.status_code == 200
    html = response.text
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<b>" not in html  # PostgreSQL's headline drops tags, SQLite's snippet escapes them
    assert re.search(r"<mark>drones?</mark>", html, re.IGNORECASE)
    assert "South &lt;Front&gt;" in html  # publisher names are escaped too
    assert "<script" not in html.lower()  # and the page ships no script at all


async def test_front_page_lists_the_newest_with_a_feed_link(
    shared_client: httpx.AsyncClient,
) -> None:
    html = (await shared_client.get("/")).text
    assert "Newest articles" in html
    assert html.index("Article 7") < html.index("Article 6")
    assert 'rel="next"' not in html  # fewer than a page of articles
    assert 'type="application/atom+xml"' in html


async def test_a_search_of_excluded_words_only_lists_the_rest(
    shared_client: httpx.AsyncClient,
) -> None:
    html = (await shared_client.get("/", params={"q": "-drones"})).text
    assert "Article 9" in html and "Article 8" in html
    assert "Article 7" not in html


async def test_bad_date_on_the_search_page_is_a_message(shared_client: httpx.AsyncClient) -> None:
    response = await shared_client.get("/", params={"q": "drones", "since": "yesterday-ish"})
    assert response.status_code == 400
    assert "is not a date" in response.text
    assert response.headers["content-type"].startswith("text/html")


async def test_a_date_utc_cannot_hold_on_the_search_page_is_a_message(
    shared_client: httpx.AsyncClient,
) -> None:
    for field, value in [("since", "9999-12-31T23:59:59-05:00"), ("until", "0001-01-01T01:00+05")]:
        response = await shared_client.get("/", params={"q": "drones", field: value})
        assert response.status_code == 400, field
        assert "outside the dates this archive can hold" in response.text
        assert response.headers["content-type"].startswith("text/html")


async def test_article_page_has_paragraphs_and_every_url(
    shared_client: httpx.AsyncClient, shared_seeded: Archive
) -> None:
    saved = shared_seeded.save(draft(21, "First paragraph.\n\nSecond <paragraph>.", publisher="nw"))
    html = (await shared_client.get(f"/articles/{saved.article_id}")).text
    assert "<p>First paragraph.</p>" in html
    assert "<p>Second &lt;paragraph&gt;.</p>" in html
    assert "https://nw.test/a/21/" in html
    assert "http://nw.test/a/21/?utm_source=x" in html


async def test_publisher_page_has_timeline_and_volume_chart(
    shared_client: httpx.AsyncClient,
) -> None:
    html = (await shared_client.get("/publishers/sf")).text
    assert html.index("sf-old.test") < html.index("2013")  # the timeline, oldest first
    svg = html[html.index("<svg") : html.index("</svg>")]
    assert svg.count("<rect") == 7  # one bar per day with articles (1–7 March)
    assert "sf-old.test: 1 article, 2025-03-01" in svg
    assert "sf.test: 1 article, 2025-03-07" in svg
    assert "South &lt;Front&gt;" in html


async def test_publishers_page(shared_client: httpx.AsyncClient) -> None:
    html = (await shared_client.get("/publishers")).text
    assert "Northwind" in html and "South &lt;Front&gt;" in html


async def test_missing_pages_are_html_404s(shared_client: httpx.AsyncClient) -> None:
    for path in ("/articles/999999", "/publishers/nobody"):
        response = await shared_client.get(path)
        assert response.status_code == 404
        assert response.headers["content-type"].startswith("text/html")
        assert "<h1>404</h1>" in response.text
