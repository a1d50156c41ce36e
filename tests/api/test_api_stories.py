"""Story clusters in the API and on the web page: one hit per story with "also published by",
and ``all`` to see every copy, as ``scraper search`` and ``--all`` do."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from scraper.store.archive import Archive
from tests.api.helpers import draft
from tests.store.test_dedup import body, edited, story

pytestmark = pytest.mark.anyio


def _republish(archive: Archive) -> tuple[int, int]:
    """An sf story, and nw's republication of it a day later (own footer, one edited
    sentence): two articles in one story cluster."""
    original = story(11)
    copy = [*edited(original), "Republished with permission. Follow Northwind everywhere."]
    first = archive.save(draft(20, body(original), title="Drones over Tartus"))
    second = archive.save(
        draft(
            21,
            body(copy),
            publisher="nw",
            title="Drones over Tartus (via SF)",
            published_at=datetime(2025, 3, 21, 12, tzinfo=UTC),
        )
    )
    assert second.article_id != first.article_id
    assert archive.get(second.article_id).cluster == first.article_id  # type: ignore[union-attr]
    return first.article_id, second.article_id


async def _items(client: httpx.AsyncClient, **params: Any) -> list[dict[str, Any]]:
    response = await client.get("/api/articles", params={"limit": 100, **params})
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


async def test_search_shows_a_story_once_and_all_shows_every_copy(
    client: httpx.AsyncClient, seeded: Archive
) -> None:
    sf_id, nw_id = _republish(seeded)
    word = "intercepted"

    collapsed = await _items(client, q=word)
    assert len(collapsed) == 1
    hit = collapsed[0]
    assert hit["cluster"] == sf_id
    other = "nw" if hit["publisher"] == "sf" else "sf"
    assert hit["also_published_by"] == [other]

    every = await _items(client, q=word, all="true")
    assert {item["id"] for item in every} == {sf_id, nw_id}
    assert all(item["also_published_by"] == [] for item in every)


async def test_listing_shows_each_story_once_as_its_newest_copy(
    client: httpx.AsyncClient, seeded: Archive
) -> None:
    sf_id, nw_id = _republish(seeded)
    collapsed = [item["id"] for item in await _items(client)]
    assert nw_id in collapsed and sf_id not in collapsed  # nw's copy is the newer one
    assert len(collapsed) == 10  # the nine seeded articles and the story
    newest = (await _items(client, limit=1))[0]
    assert newest["id"] == nw_id and newest["also_published_by"] == ["sf"]

    every = [item["id"] for item in await _items(client, all="true")]
    assert set(every) == set(collapsed) | {sf_id}

    # Pages of the collapsed listing neither skip nor repeat a story.
    paged: list[int] = []
    cursor: str | None = None
    while True:
        params: dict[str, Any] = {"limit": 3} | ({"cursor": cursor} if cursor else {})
        page = (await client.get("/api/articles", params=params)).json()
        paged += [item["id"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert paged == collapsed

    # A filter that keeps only the older copy shows it: collapsing looks at kept rows only.
    only_sf = [item["id"] for item in await _items(client, publisher="sf")]
    assert sf_id in only_sf


async def test_the_web_page_names_the_other_publishers_and_offers_every_copy(
    client: httpx.AsyncClient, seeded: Archive
) -> None:
    sf_id, nw_id = _republish(seeded)
    collapsed = (await client.get("/", params={"q": "intercepted"})).text
    assert "Also published by" in collapsed
    assert collapsed.count("/articles/") == 1
    every = (await client.get("/", params={"q": "intercepted", "all": "1"})).text
    assert "Also published by" not in every
    assert f'/articles/{sf_id}"' in every and f'/articles/{nw_id}"' in every
    assert 'name="all" value="1" checked' in every
