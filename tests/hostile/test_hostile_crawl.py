"""End to end: the real crawl over a web of hostile feeds, next to good ones, on SQLite
(and PostgreSQL for the main test). Each case's outcome is what a user sees in the summary."""

from __future__ import annotations

import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from scraper.demo.site import expected
from tests.hostile.bait import Bait
from tests.hostile.scenario import (
    CASES,
    FAILED_FEEDS,
    FETCH_TIMEOUT,
    RU_TITLES,
    SSRF_LINKS,
    Run,
    run_hostile_crawl,
)
from tests.hostile.streaming import StreamingWeb

ROOT = Path(__file__).resolve().parents[2]
PRIVATE_HOSTS = {"127.0.0.2", "localhost", "::1", "169.254.169.254", "10.0.0.1", "app.localhost"}


@pytest.fixture
def hostile_run(database_url: str, tmp_path: Path, web: StreamingWeb) -> Run:
    return run_hostile_crawl(database_url, tmp_path, web)


def test_every_hostile_case_yields_its_reason_and_good_feeds_are_archived(
    hostile_run: Run, web: StreamingWeb, bait: Bait
) -> None:
    summary = hostile_run.summary
    wanted: Counter[str] = Counter()
    for kinds in CASES.values():
        wanted.update(kinds)
    assert summary.errors_by_kind == dict(wanted), summary.errors_by_kind
    assert summary.feeds == 3 + len(CASES)
    assert summary.feeds_failed == len(FAILED_FEEDS)
    failed = {f.url.split("/")[2] for f in summary.failures if f.stage in ("fetch", "parse")}
    assert failed == FAILED_FEEDS
    # the good demo publishers are archived as if nothing else had happened
    for article in expected():
        assert hostile_run.archive.find([article["url"]]) is not None, article["url"]
    # no request ever reached a private address, through the proxy or around it
    assert not PRIVATE_HOSTS & {r.host for r in web.requests}
    assert bait.hits == 0
    _assert_details(hostile_run)
    # every case, the 200 MB body and the trickling server included, ends within its timeout
    assert len(hostile_run.finished) == 3 + len(CASES)
    assert max(hostile_run.finished.values()) < FETCH_TIMEOUT + 5, hostile_run.finished


def _assert_details(hostile_run: Run) -> None:
    failures = hostile_run.summary.failures
    busy = next(f for f in failures if f.reason == "http_429")
    assert busy.status == 429 and "retry after 120 s" in busy.message
    blocked = sorted(f.url for f in failures if f.reason == "blocked_address")
    assert blocked == sorted(SSRF_LINKS)
    ru = hostile_run.archive.find(["http://ru-news.example/a/1"])
    assert ru is not None and ru.title in RU_TITLES  # decoded, whichever came last
    for failure in failures:
        assert "root:" not in failure.message


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_private_links_are_fetched_when_allowed(
    database_url: str, tmp_path: Path, web: StreamingWeb
) -> None:
    run = run_hostile_crawl(database_url, tmp_path, web, allow_private_networks=True)
    assert "page:blocked_address" not in run.summary.errors_by_kind
    assert {"127.0.0.2", "localhost", "169.254.169.254"} <= {r.host for r in web.requests}


def _peak_rss_mb(tmp_path: Path, *flags: str) -> float:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    probe = subprocess.run(
        [sys.executable, "-m", "tests.hostile.rss_probe", str(tmp_path), *flags],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=90, check=False,
    )  # fmt: skip
    assert probe.returncode == 0, probe.stderr[-2000:]
    return int(probe.stdout.split()[-1]) / 1024


def test_peak_rss_of_the_whole_hostile_crawl(tmp_path: Path) -> None:
    """In fresh processes, so earlier tests' memory does not count.

    The absolute peak (about 215 MB alone, most of it the app's imports and the good feeds'
    extraction) moves with machine load, so the hard bound is on what the hostile feeds add
    over a crawl of the good feeds alone: bombs, the 200 MB body and the entity tricks must
    cost next to nothing.
    """
    (tmp_path / "good").mkdir()
    (tmp_path / "all").mkdir()
    baseline = _peak_rss_mb(tmp_path / "good", "--good-only")
    peak = _peak_rss_mb(tmp_path / "all")
    assert peak - baseline < 64, f"hostile crawl {peak:.0f} MB vs good feeds {baseline:.0f} MB"
    assert peak < 300 or baseline > 236, f"peak RSS {peak:.0f} MB"
