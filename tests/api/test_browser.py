"""A real browser against a real server: headless Chromium loads the page, searches, opens an
article, and a phone-sized screenshot of it is written to the test's output folder.

The page works with JavaScript off, so searching is submitting the GET form: the browser loads
``/?q=…`` exactly as the form would. Chromium is Debian's (``.ci/run`` installs it); on a laptop
without it the test is skipped with that reason, in CI it fails.
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import uvicorn

from scraper.api import create_app
from scraper.config import load_config
from scraper.crawl import crawl
from scraper.demo.site import demo_config_text, load_site
from scraper.demo.web import LocalWeb
from scraper.settings import Settings
from scraper.store.archive import open_archive

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-dev-shm-usage",
]  # fmt: skip


def browser(*args: str, profile: Path) -> str:
    command = [CHROMIUM or "chromium", *FLAGS, f"--user-data-dir={profile}", *args]
    done = subprocess.run(command, capture_output=True, text=True, timeout=90, check=True)
    return done.stdout


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def site_url(tmp_path: Path) -> Iterator[str]:
    config_path = tmp_path / "publishers.toml"
    config_path.write_text(demo_config_text(), encoding="utf-8")
    config = load_config(config_path)
    url = f"sqlite:///{tmp_path / 'archive.db'}"
    archive = open_archive(url, auto_upgrade=True)
    archive.sync_config(config)
    settings = Settings(database_url=url)
    with LocalWeb(load_site()) as web:
        asyncio.run(crawl(settings, config, archive, archive.feed_refs(), proxy=web.proxy_url))
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(settings, config, archive), host="127.0.0.1", port=port,
                       log_level="warning")
    )  # fmt: skip
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.1)
    yield base
    server.should_exit = True
    thread.join(timeout=10)


def test_search_and_read_in_a_real_browser(
    site_url: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    if CHROMIUM is None:
        if os.environ.get("CI"):
            pytest.fail("Chromium is required in CI (.ci/run installs Debian's chromium)")
        pytest.skip("NO CHROMIUM — install Debian's chromium to run the browser test")
    profile = tmp_path / "profile"
    home = browser("--dump-dom", f"{site_url}/", profile=profile)
    assert re.search(r"<form[^>]*>.*name=\"q\"", home, re.S), "no search box on the home page"

    results = browser("--dump-dom", f"{site_url}/?q=drones+tartus", profile=profile)
    links = re.findall(r'href="(?:https?://[^/"]+)?(/articles/\d+)"', results)
    assert links, "no search results"
    assert "<mark>" in results

    article = browser("--dump-dom", f"{site_url}{links[0]}", profile=profile)
    assert "Tartus" in article and "southfront.press" in article

    out = Path(os.environ.get("SCRAPER_TEST_OUTPUT", "test-output")) / request.node.name
    out.mkdir(parents=True, exist_ok=True)
    shot = out / "article-phone.png"
    browser(f"--screenshot={shot}", "--window-size=390,844", f"{site_url}{links[0]}",
            profile=profile)  # fmt: skip
    assert shot.exists() and shot.stat().st_size > 5_000
