"""/api/publishers, /healthz and /metrics."""

from __future__ import annotations

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import update

from scraper.store.archive import Archive
from scraper.store.tables import FeedRow

pytestmark = pytest.mark.anyio


async def test_publishers_list_domains_and_feed_health(
    client: httpx.AsyncClient, seeded: Archive
) -> None:
    with seeded.engine.begin() as conn:  # a failing feed, as a crawl would have left it
        conn.execute(
            update(FeedRow).values(consecutive_errors=3, last_error="timed out", last_status=None)
        )
    listed = (await client.get("/api/publishers")).json()
    assert [p["id"] for p in listed] == ["nw", "sf"]
    sf = (await client.get("/api/publishers/sf")).json()
    assert sf == next(p for p in listed if p["id"] == "sf")
    assert sf["article_count"] == 7 and sf["name"] == "South <Front>"
    assert [(d["host"], d["role"], d["active_from"], d["active_until"]) for d in sf["domains"]] == [
        ("sf-old.test", "alias", 2013, 2015),
        ("sf.test", "canonical", None, None),
    ]
    (feed,) = sf["feeds"]
    assert feed["url"] == "https://sf.test/feed/"
    assert (feed["consecutive_errors"], feed["last_error"]) == (3, "timed out")


async def test_unknown_publisher_is_404(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/publishers/nobody")
    assert response.status_code == 404
    assert response.json() == {"detail": "no publisher 'nobody'"}


async def test_healthz(client: httpx.AsyncClient, seeded: Archive) -> None:
    response = await client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": seeded.dialect}


async def test_metrics_count_articles_in_total_and_per_publisher(
    client: httpx.AsyncClient,
) -> None:
    response = await client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    samples = {
        (s.name, s.labels.get("publisher")): s.value
        for family in text_string_to_metric_families(response.text)
        for s in family.samples
    }
    assert samples[("scraper_articles", None)] == 9
    assert samples[("scraper_publisher_articles", "sf")] == 7
    assert samples[("scraper_publisher_articles", "nw")] == 2
    assert samples[("scraper_publisher_failing_feeds", "sf")] == 0
