"""The bounded ranking window on SQLite and PostgreSQL: what a search must still find, and the
order offset pages rely on.

Search ranks only the newest ``RANK_WINDOW`` matches (by date on PostgreSQL, by storage
order on SQLite). These tests shrink the window so a handful of articles shows what it ranks,
and check that what lies outside the most recent articles is still found.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from scraper.api import create_app
from scraper.config import parse_config
from scraper.settings import Settings
from scraper.store import search
from scraper.store.archive import Archive, ArticleFilter, open_archive
from tests.factories import make_draft

CONFIG = parse_config(
    {
        "publisher": [
            {"id": "sf", "name": "SF", "canonical_domain": "sf.test"},
            {"id": "nw", "name": "NW", "canonical_domain": "nw.test"},
        ]
    },
    Path("test.toml"),
)
NEWEST = datetime(2025, 6, 1, 12, tzinfo=UTC)
# Distinct filler words, so no two texts are near-duplicates (which would be clustered).
WORDS = [f"{a}{b}" for a in ("kal", "mor", "tep", "vun", "sid") for b in ("ar", "et", "ix", "og")]


def text_of(n: int, match: bool) -> str:
    filler = " ".join(WORDS[(n * 7 + k) % len(WORDS)] + str(n) for k in range(6))
    return f"{'Harbour drones' if match else 'Harbour ferries'} report {filler}."


@pytest.fixture
def archive(database_url: str) -> Iterator[Archive]:
    archive = open_archive(database_url, auto_upgrade=True)
    archive.sync_config(CONFIG)
    yield archive
    archive.close()


def save(archive: Archive, n: int, *, match: bool, when: datetime | None, pub: str = "sf") -> int:
    draft = make_draft(
        pub, f"https://{pub}.test/a/{n}/", text_of(n, match), title=f"Report {n}", published_at=when
    )
    return archive.save(draft).article_id


@pytest.fixture
def small_window(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(search, "RANK_WINDOW", 5)


@pytest.mark.usefixtures("small_window")
def test_matches_older_than_the_first_pass_are_found(archive: Archive) -> None:
    """Many recent articles without the word, its only matches two years older (and one
    undated): the search must still find them."""
    for n in range(1, 11):
        save(archive, n, match=False, when=NEWEST - timedelta(hours=n))
    old = {save(archive, 20 + n, match=True, when=NEWEST - timedelta(days=700 + n)) for n in (1, 2)}
    undated = save(archive, 30, match=True, when=None)
    hits = archive.search("drones", ArticleFilter())
    assert {h.id for h in hits} == old | {undated}
    assert all(h.snippet and "**" in h.snippet for h in hits)


@pytest.mark.usefixtures("small_window")
def test_the_window_is_the_newest_matches(archive: Archive) -> None:
    """Twelve matches a day apart (stored oldest first, as a crawl stores them) and a window
    of five: only the five newest are ranked."""
    ids = {
        n: save(archive, n, match=True, when=NEWEST - timedelta(days=n)) for n in range(11, -1, -1)
    }
    ranked = {h.id for h in archive.search("drones", ArticleFilter(), limit=20)}
    assert ranked == {ids[n] for n in range(5)}


def test_a_date_range_bounds_the_search(archive: Archive) -> None:
    """Matches inside, before and after the range; a range with no article at all."""
    inside = save(archive, 1, match=True, when=NEWEST - timedelta(days=10))
    save(archive, 2, match=True, when=NEWEST - timedelta(days=40))
    save(archive, 3, match=True, when=NEWEST)
    other = save(archive, 4, match=True, when=NEWEST - timedelta(days=11), pub="nw")
    since, until = NEWEST - timedelta(days=20), NEWEST - timedelta(days=5)
    ranged = ArticleFilter(since=since, until=until)
    assert {h.id for h in archive.search("drones", ranged)} == {inside, other}
    one = ArticleFilter(publishers=("nw",), since=since, until=until)
    assert [h.id for h in archive.search("drones", one)] == [other]
    empty = ArticleFilter(since=NEWEST + timedelta(days=1))
    assert archive.search("drones", empty) == []


@pytest.mark.anyio
async def test_equal_ranks_page_without_overlap(archive: Archive) -> None:
    """Texts built alike rank alike; offset pages must still neither repeat nor skip a hit,
    and equal ranks come newest first."""
    for n in range(7):
        save(archive, n, match=True, when=NEWEST - timedelta(days=n))
    url = archive.engine.url.render_as_string(hide_password=False)
    app = create_app(Settings(database_url=url), CONFIG, archive)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        whole = (await client.get("/api/articles", params={"q": "drones", "limit": 50})).json()
        paged: list[int] = []
        params: dict[str, str | int] = {"q": "drones", "limit": 2}
        while True:
            body = (await client.get("/api/articles", params=params)).json()
            paged += [item["id"] for item in body["items"]]
            if not body["next_cursor"]:
                break
            params["cursor"] = body["next_cursor"]
    ids = [item["id"] for item in whole["items"]]
    assert paged == ids and len(set(ids)) == 7
    dates = [item["published_at"] for item in whole["items"]]
    assert dates == sorted(dates, reverse=True)


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"
