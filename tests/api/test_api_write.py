"""Write endpoints exist only with a token, and only answer to it."""

from __future__ import annotations

import httpx
import pytest

from scraper.store.archive import Archive
from tests.api.helpers import CONFIG, TOKEN, MakeApp, client_of

pytestmark = pytest.mark.anyio

FEED = {"publisher": "sf", "url": "https://sf.test/category/news/feed/"}
AUTH = {"Authorization": f"Bearer {TOKEN}"}


async def test_without_a_token_there_are_no_write_endpoints(client: httpx.AsyncClient) -> None:
    assert (await client.post("/api/feeds", json=FEED)).status_code == 404
    assert (await client.post("/api/publishers/sf/crawl")).status_code == 404
    paths = (await client.get("/openapi.json")).json()["paths"]
    assert not any("post" in operations for operations in paths.values())


async def test_a_missing_or_wrong_token_is_401(make_app: MakeApp) -> None:
    app = make_app(api_token=TOKEN)
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": TOKEN}):
        async with client_of(app, headers=headers) as client:
            for response in (
                await client.post("/api/feeds", json=FEED),
                await client.post("/api/publishers/sf/crawl"),
            ):
                assert response.status_code == 401, headers
                assert response.headers["www-authenticate"] == "Bearer"


async def test_add_a_feed(make_app: MakeApp, seeded: Archive) -> None:
    async with client_of(make_app(api_token=TOKEN), headers=AUTH) as client:
        first = await client.post("/api/feeds", json=FEED)
        again = await client.post("/api/feeds", json=FEED)
        wrong = await client.post("/api/feeds", json=FEED | {"publisher": "nw"})
        unknown = await client.post("/api/feeds", json=FEED | {"publisher": "nobody"})
        bad_url = await client.post("/api/feeds", json=FEED | {"url": "ftp://sf.test/feed"})
    assert (first.status_code, first.json()["created"]) == (201, True)
    assert (again.status_code, again.json()["created"]) == (200, False)
    assert (wrong.status_code, unknown.status_code, bad_url.status_code) == (409, 404, 422)
    assert FEED["url"] in {ref.url for ref in seeded.feed_refs(["sf"])}
    # an added feed, not the file's: the publishers file's own feeds are all still followed,
    # and a reload of the file leaves the added one alone
    report = seeded.sync_config(CONFIG)
    assert report.retired == [] and report.restored == []


async def test_another_spelling_of_a_followed_feed_is_that_feed(
    make_app: MakeApp, seeded: Archive
) -> None:
    """As `scraper feeds add`: http/https, tracking parameters, case and a trailing slash do
    not make a second feed; the answer names the feed as stored."""
    spelling = "HTTP://SF.test/category/news/feed?utm_source=newsletter"
    async with client_of(make_app(api_token=TOKEN), headers=AUTH) as client:
        first = await client.post("/api/feeds", json=FEED)
        again = await client.post("/api/feeds", json=FEED | {"url": spelling})
    assert (first.status_code, again.status_code) == (201, 200)
    assert (again.json()["created"], again.json()["url"]) == (False, FEED["url"])
    assert [r.url for r in seeded.feed_refs(["sf"])].count(FEED["url"]) == 1
    assert not any("utm_source" in r.url for r in seeded.feed_refs(["sf"]))


async def test_trigger_a_crawl_runs_it_in_the_background(make_app: MakeApp) -> None:
    crawled: list[str] = []

    async def fake_crawl(publisher_id: str) -> None:
        crawled.append(publisher_id)

    app = make_app(api_token=TOKEN, crawler=fake_crawl)
    async with client_of(app, headers=AUTH) as client:
        response = await client.post("/api/publishers/sf/crawl")
        missing = await client.post("/api/publishers/nobody/crawl")
    assert response.status_code == 202
    assert response.json() == {"publisher": "sf", "feeds": 1}
    assert missing.status_code == 404
    assert crawled == ["sf"]
