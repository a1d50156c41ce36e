"""SIGKILL one `scraper run` mid-crawl, start it again: the archive equals a clean run's.

"Mid-crawl" is made certain, not left to timing: one article page per host hangs until the first
daemon is dead, so it can store the others but never all of them. (Timing alone flaked: the
daemon fetches a host's pages concurrently, so on a loaded machine all ten articles could be
stored between two looks at the archive, and the kill then landed after the crawl.)
"""

from __future__ import annotations

import asyncio
import dataclasses
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

from scraper.config import load_config
from scraper.crawl import crawl
from scraper.demo.site import demo_config_text, expected, load_site
from scraper.demo.web import LocalWeb, Resource
from scraper.settings import Settings
from scraper.store.archive import Archive, ArticleFilter, open_archive
from tests.daemon.helpers import LAUNCH, daemon_env

HANG_S = 120.0  # longer than the first daemon lives: these pages are never answered to it


def slow_site() -> dict[str, dict[str, Resource]]:
    """The demo site with slow article pages, so a kill lands between two stored articles."""
    site = load_site()
    return {
        host: {path: r if "feed" in path or path.endswith((".xml", ".rdf"))
               else dataclasses.replace(r, delay=0.4) for path, r in paths.items()}
        for host, paths in site.items()
    }  # fmt: skip


def held_back() -> list[tuple[str, str]]:
    """(host, path) of one article page per host: the last one the expected archive lists."""
    last: dict[str, str] = {}
    for article in expected():
        parts = urlsplit(article["url"])
        last[parts.netloc] = parts.path
    return sorted(last.items())


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
    site = slow_site()
    with LocalWeb(site) as web:
        for host, path in held_back():
            web.set(host, path, dataclasses.replace(site[host][path], delay=HANG_S))
        env = daemon_env(url, config, web, poll_min_interval=2, poll_max_interval=2,
                         poll_lease=2, dispatch_interval=0.2, shutdown_grace=3)  # fmt: skip
        first = subprocess.Popen([sys.executable, "-c", LAUNCH, "run"], env=env)
        try:
            _wait(lambda: archive.count() >= 2, 90)
        finally:
            first.send_signal(signal.SIGKILL)
            first.wait()
        assert 0 < archive.count() <= len(expected()) - len(held_back())  # killed mid-crawl
        for host, path in held_back():
            web.set(host, path, site[host][path])
        second = subprocess.Popen([sys.executable, "-c", LAUNCH, "run"], env=env)
        try:
            _wait(lambda: archive.count() >= len(expected()), 90)
            time.sleep(0.5)
        finally:
            second.send_signal(signal.SIGTERM)
            assert second.wait(30) == 0
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


def _wait(predicate: Callable[[], bool], timeout: float) -> None:
    """Poll ``predicate``; the timeout is generous because a loaded CI machine starts slowly."""
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, f"not within {timeout} s"
        time.sleep(0.05)
