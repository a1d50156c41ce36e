"""The database drops the crawler's connections mid-crawl (``pg_terminate_backend``, as a
server restart or a failover would): the crawl completes and every article is stored once."""

from __future__ import annotations

import asyncio
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from scraper.config import load_config
from scraper.crawl import crawl
from scraper.demo.site import demo_config_text, expected, load_site
from scraper.demo.web import LocalWeb, Resource
from scraper.settings import Settings
from scraper.store.archive import open_archive
from tests.conftest import PG_ADMIN_URL


def _killer(database: str, stop: threading.Event, killed: list[int]) -> None:
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        while not stop.is_set():
            rows = conn.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = :db AND pid <> pg_backend_pid()"
                ),
                {"db": database},
            ).all()
            killed.append(sum(1 for (ok,) in rows if ok))
            time.sleep(0.25)  # a storm of restarts, far worse than a real server's
    admin.dispose()


@pytest.mark.postgres
def test_crawl_survives_terminated_connections(postgres_url: str, tmp_path: Path) -> None:
    config_path = tmp_path / "publishers.toml"
    config_path.write_text(demo_config_text(), encoding="utf-8")
    config = load_config(config_path)
    archive = open_archive(postgres_url, auto_upgrade=True)
    archive.sync_config(config)
    site = load_site()
    for pages in site.values():  # slow pages, so the connections die while the crawl runs
        for path, page in list(pages.items()):
            pages[path] = Resource(page.body, page.content_type, delay=0.3)
    stop, killed = threading.Event(), []
    killer = threading.Thread(
        target=_killer, args=(make_url(postgres_url).database, stop, killed), daemon=True
    )
    with LocalWeb(site) as web:
        killer.start()
        try:
            summary = asyncio.run(
                crawl(
                    Settings(database_url=postgres_url),
                    config,
                    archive,
                    archive.feed_refs(),
                    proxy=web.proxy_url,
                )
            )
        finally:
            stop.set()
            killer.join(10)
    assert sum(killed) > 0, "no connection was terminated: the test proved nothing"
    store_failures = [f for f in summary.failures if f.stage == "store"]
    assert store_failures == []
    with archive.engine.connect() as conn:
        total, distinct = conn.execute(
            text("SELECT count(*), count(DISTINCT canonical_url) FROM articles")
        ).one()
    assert total == distinct == len(expected())
    archive.close()
