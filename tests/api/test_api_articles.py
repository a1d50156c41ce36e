"""/api/articles, /api/articles/{id} and /api/resolve, on SQLite and PostgreSQL."""

from __future__ import annotations

import base64
import json
from typing import Any

import httpx
import pytest

from scraper.query.contract import article_to_dict
from scraper.store.archive import Archive

pytestmark = pytest.mark.anyio


async def _all_pages(client: httpx.AsyncClient, **params: Any) -> list[list[int]]:
    pages: list[list[int]] = []
    cursor: str | None = None
    while True:
        query = params | ({"cursor": cursor} if cursor else {})
        body = (await client.get("/api/articles", params=query)).json()
        pages.append([item["id"] for item in body["items"]])
        cursor = body["next_cursor"]
        if cursor is None:
            return pages


async def test_listing_is_newest_first_and_pages_without_gap_or_overlap(
    shared_client: httpx.AsyncClient,
) -> None:
    everything = (await shared_client.get("/api/articles", params={"limit": 100})).json()
    assert everything["ranked"] is False
    dates = [item["published_at"] for item in everything["items"]]
    assert dates == sorted(dates, reverse=True) and len(dates) == 9
    pages = await _all_pages(shared_client, limit=4)
    assert [len(p) for p in pages] == [4, 4, 1]
    assert [i for page in pages for i in page] == [a["id"] for a in everything["items"]]


async def test_ranked_search_pages_by_offset_without_gap_or_overlap(
    shared_client: httpx.AsyncClient,
) -> None:
    best = (await shared_client.get("/api/articles", params={"q": "drones", "limit": 100})).json()
    assert best["ranked"] is True and len(best["items"]) == 7
    assert all("**" in item["snippet"] for item in best["items"])
    assert "text" not in best["items"][0]
    pages = await _all_pages(shared_client, q="drones", limit=3)
    assert [len(p) for p in pages] == [3, 3, 1]
    assert [i for page in pages for i in page] == [a["id"] for a in best["items"]]


async def test_filters(shared_client: httpx.AsyncClient) -> None:
    async def ids(**params: Any) -> set[str]:
        items = (await shared_client.get("/api/articles", params=params | {"limit": 100})).json()[
            "items"
        ]
        return {item["url"].rsplit("/", 2)[-2] for item in items}

    assert await ids(publisher="nw") == {"8", "9"}
    assert await ids(publisher=["nw", "sf"]) == {str(n) for n in range(1, 10)}
    assert await ids(q="drones", since="2025-03-06") == {"6", "7"}
    assert await ids(until="2025-03-02") == {"1", "2"}  # a bare date includes that whole day
    assert await ids(since="2025-03-02T00:00:00Z", until="2025-03-02") == {"2"}
    assert await ids(until="2025-03-02T12:00:00Z") == {"1", "2"}  # on or before that instant
    assert await ids(since="2025-03-02T12:00:00Z", until="2025-03-02T12:00:00Z") == {"2"}
    assert await ids(q="markets", publisher="sf") == set()
    assert await ids(language="fr") == set()
    everything = {str(n) for n in range(1, 10)}
    assert await ids(language="EN") == await ids(language="en-GB") == everything  # any case


def _edited_cursor(data: dict[str, Any]) -> str:
    """A cursor as a client could hand-edit one: base64url JSON, unpadded."""
    raw = json.dumps(data).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


async def test_a_query_of_excluded_words_lists_the_newest_without_them(
    shared_client: httpx.AsyncClient,
) -> None:
    body = (await shared_client.get("/api/articles", params={"q": "-drones"})).json()
    assert body["ranked"] is False
    assert [item["title"] for item in body["items"]] == ["Article 9", "Article 8"]
    pages = await _all_pages(shared_client, q="-drones -ferry", limit=1)
    assert pages == [[body["items"][1]["id"]]]


BAD_PARAMETERS: list[tuple[dict[str, str | int], str]] = [
    ({"since": "last tuesday"}, "since"),
    ({"until": "2025-13-01"}, "until"),
    # valid ISO 8601, but no UTC instant: after 9999-12-31 or before 0001-01-01 in UTC
    ({"since": "9999-12-31T23:59:59-05:00"}, "since"),
    ({"until": "0001-01-01T00:00:00+05:00"}, "until"),
    ({"cursor": _edited_cursor({"p": "0001-01-01T00:00:00+05:00", "i": 3})}, "cursor"),
    ({"cursor": _edited_cursor({"p": "2025-01-01T00:00:00Z", "i": True})}, "cursor"),
    ({"cursor": _edited_cursor({"p": 20250101, "i": 3})}, "cursor"),
    ({"cursor": _edited_cursor({"o": True})}, "cursor"),
    ({"limit": 0}, "limit"),
    ({"limit": 101}, "limit"),
    ({"limit": "many"}, "limit"),
    ({"cursor": "not-a-cursor"}, "cursor"),
    ({"publisher": "Not An Id!"}, "publisher"),
    ({"language": "x"}, "language"),
    ({"q": "nul\x00byte"}, "q"),
]


async def test_bad_parameters_are_422_naming_the_field(shared_client: httpx.AsyncClient) -> None:
    for params, field in BAD_PARAMETERS:
        response = await shared_client.get("/api/articles", params=params)
        assert response.status_code == 422, params
        errors = response.json()["detail"]
        assert any(field in error["loc"] for error in errors), errors
    response = await shared_client.get("/api/articles", params={"since": "last tuesday"})
    assert "is not a date (use YYYY-MM-DD or ISO 8601)" in response.json()["detail"][0]["msg"]
    response = await shared_client.get("/api/articles", params={"since": "9999-12-31T23:59-05:00"})
    assert "outside the dates this archive can hold" in response.json()["detail"][0]["msg"]


async def test_a_cursor_of_a_listing_is_refused_by_a_search(
    shared_client: httpx.AsyncClient,
) -> None:
    cursor = (await shared_client.get("/api/articles", params={"limit": 2})).json()["next_cursor"]
    response = await shared_client.get("/api/articles", params={"q": "drones", "cursor": cursor})
    assert response.status_code == 422


async def test_article_by_id_is_the_cli_contract(
    shared_client: httpx.AsyncClient, shared_seeded: Archive
) -> None:
    article = shared_seeded.find(["https://sf.test/a/2/"])
    assert article is not None
    body = (await shared_client.get(f"/api/articles/{article.id}")).json()
    assert body == article_to_dict(article) | {"snippet": None}
    assert body["urls"] == ["https://sf.test/a/2/", "http://sf-old.test/a/2/?utm_source=x"]


async def test_missing_or_bad_article_id(shared_client: httpx.AsyncClient) -> None:
    for path, status in [("999999", 404), ("0", 422), ("abc", 422), (str(2**63), 422)]:
        assert (await shared_client.get(f"/api/articles/{path}")).status_code == status


async def test_resolve_an_alias_domain_url_never_seen(shared_client: httpx.AsyncClient) -> None:
    response = await shared_client.get(
        "/api/resolve", params={"url": "http://www.sf-old.test/a/3/?fbclid=1"}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["resolution"]["publisher"] == "sf"
    assert body["resolution"]["canonical_url"] == "https://sf.test/a/3/"
    assert any(rule.startswith("alias-host:") for rule in body["resolution"]["rules"])
    assert body["article"]["title"] == "Article 3"


async def test_resolve_not_archived_is_404_with_the_resolution(
    shared_client: httpx.AsyncClient,
) -> None:
    response = await shared_client.get("/api/resolve", params={"url": "https://sf-old.test/a/404/"})
    assert response.status_code == 404
    body = response.json()
    assert body["article"] is None
    assert body["resolution"]["canonical_url"] == "https://sf.test/a/404/"


async def test_nul_bytes_never_reach_the_database(shared_client: httpx.AsyncClient) -> None:
    """PostgreSQL text cannot hold NUL: every entry point refuses it with a 4xx, never a 500."""
    for path in ("/api/publishers/a%00b", "/publishers/a%00b", "/publishers/a%00b/atom.xml",
                 "/api/resolve?url=http://sf.test/%00x", "/api/resolve?url=a%00b",
                 "/?q=a%00b", "/?publisher=a%00b", "/search/atom.xml?q=a%00b"):  # fmt: skip
        assert 400 <= (await shared_client.get(path)).status_code < 500, path
