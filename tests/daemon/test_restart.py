"""SIGKILL one `scraper run` mid-crawl, start it again: the archive equals a clean run's."""

from __future__ import annotations

import asyncio
import dataclasses
import signal
import subprocess
import sys
import time
from pathlib import Path

from scraper.config import load_config
from scraper.crawl import crawl
from scraper.demo.site import demo_config_text, expected, load_site
from scraper.demo.web import LocalWeb, Resource
from scraper.settings import Settings
from scraper.store.archive import Archive, ArticleFilter, open_archive
from tests.daemon.helpers import LAUNCH, daemon_env


def slow_site() -> dict[str, dict[str, Resource]]:
    """The demo site with slow article pages, so a kill lands between two stored articles."""
    site = load_site()
    return {
        host: {path: r if "feed" in path or path.endswith((".xml", ".rdf"))
               else dataclasses.replace(r, delay=0.4) for path, r in paths.items()}
        for host, paths in site.items()
    }  # fmt: skip


def snapshot(archive: Archive) -> list[tuple[object, ...]]:
    return sorted(
        (a.url, a.publisher, a.title, a.authors, a.published_at, a.text, tuple(sorted(a.urls)))
        for a in archive.export(ArticleFilter())
    )


def test_sigkill_then_restart_gives_the_clean_runs_archive(tmp_path: Path) -> None:
    config = tmp_path / "publishers.toml"
    config.write_text(demo_config_text(), encoding="utf-8")
    url = f"sqlite:///{tmp_path}/killed.db"
    archive = open_archive(url, auto_upgrade=True)
    with LocalWeb(slow_site()) as web:
        env = daemon_env(url, config, web, poll_min_interval=2, poll_max_interval=2,
                         poll_lease=2, dispatch_interval=0.2)  # fmt: skip
        first = subprocess.Popen([sys.executable, "-c", LAUNCH, "run"], env=env)
        deadline = time.monotonic() + 40
        while archive.count() < 2:
            assert time.monotonic() < deadline
            time.sleep(0.05)
        first.send_signal(signal.SIGKILL)
        first.wait()
        assert 0 < archive.count() < len(expected())  # really killed mid-crawl
        second = subprocess.Popen([sys.executable, "-c", LAUNCH, "run"], env=env)
        try:
            while archive.count() < len(expected()):
                assert time.monotonic() < deadline + 40
                time.sleep(0.1)
            time.sleep(0.5)
        finally:
            second.send_signal(signal.SIGTERM)
            assert second.wait(10) == 0
        clean = open_archive(f"sqlite:///{tmp_path}/clean.db", auto_upgrade=True)
        loaded = load_config(config)
        clean.sync_config(loaded)
        settings = Settings(database_url=f"sqlite:///{tmp_path}/clean.db")
        asyncio.run(crawl(settings, loaded, clean, clean.feed_refs(), proxy=web.proxy_url))
    killed, fresh = snapshot(archive), snapshot(clean)
    for a, b in zip(killed, fresh, strict=True):
        assert a == b, [(i, x, y) for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y]
    archive.close()
    clean.close()
