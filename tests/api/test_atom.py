"""Atom out: well-formed full-text feeds whose entry ids survive a domain move."""

from __future__ import annotations

import feedparser
import pytest
from fastapi import FastAPI

from scraper.store.archive import Archive
from tests.api.helpers import MakeApp, client_of, draft, make_config

pytestmark = pytest.mark.anyio


async def _feed(app: FastAPI, path: str, **params: str) -> feedparser.FeedParserDict:
    async with client_of(app) as client:
        response = await client.get(path, params=params)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/atom+xml")
    parsed = feedparser.parse(response.content)
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    return parsed


async def test_publisher_feed_is_full_text_newest_first(make_app: MakeApp) -> None:
    parsed = await _feed(make_app(), "/publishers/sf/atom.xml")
    assert parsed.version == "atom10"
    titles = [e.title for e in parsed.entries]
    assert titles == [f"Article {n}" for n in range(7, 0, -1)]
    first = parsed.entries[0]
    assert first.link == "https://sf.test/a/7/"
    assert "Drones were seen over the harbour 7 times." in first.content[0].value
    assert first.id.startswith("tag:localhost,2025:article/")


async def test_search_feed(make_app: MakeApp) -> None:
    parsed = await _feed(make_app(), "/search/atom.xml", q="ferry")
    assert [e.title for e in parsed.entries] == ["Article 9"]
    assert (await _feed(make_app(), "/search/atom.xml")).entries  # no words: newest
    excluding = await _feed(make_app(), "/search/atom.xml", q="-drones")
    assert [e.title for e in excluding.entries] == ["Article 9", "Article 8"]


async def test_search_feed_refuses_a_date_utc_cannot_hold(make_app: MakeApp) -> None:
    async with client_of(make_app()) as client:
        response = await client.get("/search/atom.xml", params={"until": "9999-12-31T23:59-05:00"})
    assert response.status_code == 422


async def test_hostile_text_stays_well_formed(make_app: MakeApp, seeded: Archive) -> None:
    seeded.save(draft(22, "Bell \x07 and <tags> & ]]> too", title="<b>bold</b> \x0b title"))
    parsed = await _feed(make_app(), "/publishers/sf/atom.xml")
    assert parsed.entries[0].title == "<b>bold</b>  title"


async def test_entry_ids_survive_a_domain_move(make_app: MakeApp, seeded: Archive) -> None:
    before = await _feed(make_app(), "/publishers/sf/atom.xml")
    moved = make_config(canonical="sf-new.test", old="sf.test")
    seeded.sync_config(moved)
    for n in range(1, 8):  # the crawler re-sees every article under its new home
        text = f"Day {n} report. Drones were seen over the harbour {n} times."
        home = f"https://sf-new.test/a/{n}/"
        seeded.save(
            draft(n, text, canonical_url=home, urls=((f"https://sf.test/a/{n}/", "alias"),))
        )
    after = await _feed(make_app(config=moved), "/publishers/sf/atom.xml")
    assert [e.id for e in after.entries] == [e.id for e in before.entries]
    assert {e.link for e in after.entries} == {f"https://sf-new.test/a/{n}/" for n in range(1, 8)}
    assert not any("sf" in e.id.split(":")[-1] for e in after.entries)
