"""The daemon in-process against a local web: new items, idle feeds, 429s, lying servers."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Coroutine, Iterator
from itertools import pairwise
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import httpx
import pytest

from scraper.demo.web import Resource
from scraper.store.archive import open_archive
from scraper.store.schedule import ScheduleStore
from tests.daemon.helpers import (
    TimedWeb,
    feed_path,
    publish,
    rss,
    running,
    settings,
    until,
    write_config,
)

A = "alpha.example"


def run(coro: Coroutine[Any, Any, None]) -> None:
    asyncio.run(coro)


@pytest.fixture
def web() -> Iterator[TimedWeb]:
    with TimedWeb() as web:
        yield web


def test_new_items_are_archived_within_one_interval(tmp_path: Path, web: TimedWeb) -> None:
    for feed in range(3):
        publish(web, A, feed, 2)
    config = write_config(tmp_path / "p.toml", {A: range(3)})

    async def scenario() -> None:
        async with running(settings(f"sqlite:///{tmp_path}/a.db", config), web) as (_, archive):
            await until(lambda: archive.count() == 6, 5)
            publish(web, A, 1, 4)  # two new items appear on feed 1
            took = await until(lambda: archive.count() == 8, 3)
            assert took <= 1.0 + 0.2 + 0.3  # one interval + one dispatch tick + slack
            await until(lambda: len(web.times(A, feed_path(0))) >= 4, 5)

    run(scenario())
    # min = max = 1 s fixes the interval (the first gap also pays for loading the language model)
    gaps = _gaps(web.times(A, feed_path(0)))[1:]
    assert gaps and all(0.95 <= g <= 1.5 for g in gaps), gaps


def _gaps(times: list[float]) -> list[float]:
    return [b - a for a, b in pairwise(times)]


def test_an_idle_feeds_interval_grows(tmp_path: Path, web: TimedWeb) -> None:
    # undated items: no rate to read, so only the "nothing new again" growth moves the interval
    web.set(A, feed_path(0), Resource(rss(A, 0, 3, dated=False), "application/rss+xml"))
    config = write_config(tmp_path / "p.toml", {A: range(1)})
    # 2 s to start: each quiet poll's interval grows by half, and even with the ±10 % jitter
    # two gaps differ by ≥ 0.5 s, above the noise of a loaded machine (a dispatch tick of
    # 0.2 s plus the poll itself); from 0.3 s a slow poll could reorder two gaps (seen in CI).
    options = {"poll_min_interval": 2.0, "poll_max_interval": 60.0}

    async def scenario() -> None:
        url = f"sqlite:///{tmp_path}/a.db"
        async with running(settings(url, config, **options), web) as (daemon, _):
            await until(lambda: len(web.times(A, feed_path(0))) >= 5, 30)
            status = daemon.schedule.statuses()[0]
            assert status.interval_s is not None and status.interval_s > 2.0 * 1.5**2

    run(scenario())
    gaps = _gaps(web.times(A, feed_path(0)))
    assert gaps == sorted(gaps), gaps  # every quiet poll waits longer than the one before


def test_429_with_retry_after_is_not_asked_again_before_that(tmp_path: Path, web: TimedWeb) -> None:
    publish(web, A, 0, 1)
    web.set(A, feed_path(1), Resource(b"slow down", "text/plain", status=429,
                                      headers={"Retry-After": "3"}))  # fmt: skip
    config = write_config(tmp_path / "p.toml", {A: range(2)})

    async def scenario() -> None:
        url = f"sqlite:///{tmp_path}/a.db"
        async with running(settings(url, config, poll_min_interval=0.3,
                                    poll_max_interval=0.3), web):  # fmt: skip
            await until(lambda: len(web.times(A, feed_path(1))) >= 2, 8)

    run(scenario())
    first, second = web.times(A, feed_path(1))[:2]
    assert second - first >= 3.0
    assert len(web.times(A, feed_path(0))) >= 8  # the healthy feed kept its 0.3 s pace


def test_every_nth_poll_is_unconditional_and_catches_a_lying_304(
    tmp_path: Path, web: TimedWeb
) -> None:
    stale = Resource(rss(A, 0, 1), "application/rss+xml", etag='"forever"')
    web.set(A, feed_path(0), stale)
    config = write_config(tmp_path / "p.toml", {A: range(1)})

    async def scenario() -> None:
        url = f"sqlite:///{tmp_path}/a.db"
        async with running(settings(url, config, poll_min_interval=0.2, poll_max_interval=0.2,
                                    unconditional_every=4), web) as (_, archive):  # fmt: skip
            await until(lambda: archive.count() == 1, 5)
            # the feed changes but the server keeps its ETag, so it answers 304 to If-None-Match
            web.set(A, feed_path(0), Resource(rss(A, 0, 2), "application/rss+xml",
                                              etag='"forever"'))  # fmt: skip
            await until(lambda: archive.count() == 2, 5)

    run(scenario())
    log = [
        (status, conditional) for _, h, p, status, conditional in web.timeline if p != "/robots.txt"
    ]
    assert log[0] == (200, False)
    assert (304, True) in log
    found = max(i for i, (status, _) in enumerate(log) if status == 200)
    assert log[found] == (200, False)  # the unconditional poll is the one that found it
    unconditional = [i for i, (_, c) in enumerate(log) if not c]
    assert unconditional[:2] == [0, 3]  # polls 1, 4, 8 … go out without validators


def test_robots_txt_is_honoured_unless_the_publisher_opts_out(
    tmp_path: Path, web: TimedWeb
) -> None:
    publish(web, A, 0, 1)
    web.set(A, "/robots.txt", Resource(b"User-agent: *\nDisallow: /feeds/\n", "text/plain"))
    obeying = write_config(tmp_path / "p.toml", {A: range(1)})

    async def scenario(config: Path, db: str) -> None:
        url = f"sqlite:///{tmp_path}/{db}"
        async with running(settings(url, config), web) as (daemon, _):
            await until(lambda: _first(daemon).last_polled_at is not None, 5)

    run(scenario(obeying, "a.db"))
    assert web.count(path=feed_path(0)) == 0
    assert web.count(path="/robots.txt") == 1
    run(scenario(write_config(tmp_path / "q.toml", {A: range(1)}, obey_robots=False), "b.db"))
    assert web.count(path=feed_path(0)) >= 1


def test_a_feed_failing_too_long_is_disabled_and_enable_brings_it_back(
    tmp_path: Path, web: TimedWeb
) -> None:
    web.set(A, "/", Resource.text("home"))  # the host answers; the feed is a 404
    config = write_config(tmp_path / "p.toml", {A: range(1)})
    url = f"sqlite:///{tmp_path}/a.db"

    async def scenario() -> None:
        options = {"poll_min_interval": 0.2, "poll_max_interval": 0.2, "feed_disable_after": 0.5}
        async with running(settings(url, config, **options), web) as (daemon, _):
            await until(lambda: _first(daemon).disabled_at is not None, 5)
            status = daemon.schedule.statuses()[0]
            assert status.disabled_reason and status.disabled_reason.startswith("http_404")
            polls = web.count(path=feed_path(0))
            await asyncio.sleep(0.6)
            assert web.count(path=feed_path(0)) == polls  # disabled: left alone
            publish(web, A, 0, 1)
            ScheduleStore(daemon.archive.engine).set_enabled(f"http://{A}{feed_path(0)}", True,
                                                             _now())  # fmt: skip
            await until(lambda: daemon.archive.count() == 1, 3)

    run(scenario())


def _first(daemon: Any) -> Any:
    """The only feed's status (a blank one until the daemon has synced the config)."""
    found = daemon.schedule.statuses()
    return found[0] if found else SimpleNamespace(last_polled_at=None, disabled_at=None)


def _now() -> Any:
    from datetime import UTC, datetime

    return datetime.now(UTC)


def test_shutdown_lets_polls_finish_and_releases_leases(tmp_path: Path, web: TimedWeb) -> None:
    slow = Resource(rss(A, 0, 1), "application/rss+xml", delay=0.8)
    web.set(A, feed_path(0), slow)
    config = write_config(tmp_path / "p.toml", {A: range(1)})
    url = f"sqlite:///{tmp_path}/a.db"

    async def scenario() -> None:
        async with running(settings(url, config, shutdown_grace=3.0), web) as (daemon, archive):
            await until(lambda: web.count(path=feed_path(0)) == 0 and bool(daemon.running), 3)
        assert archive.count() == 1  # the in-flight poll completed during the grace period
        status = ScheduleStore(archive.engine).statuses()[0]
        assert status.lease_owner is None and status.next_poll_at is not None

    run(scenario())


def test_a_stop_during_a_claim_leaves_no_feed_leased(tmp_path: Path, web: TimedWeb) -> None:
    """SIGTERM may land while a claim's transaction is open; the claimed feeds must still be
    free for another daemon once this one has stopped, not held until their leases expire."""
    publish(web, A, 0, 1)
    config = write_config(tmp_path / "p.toml", {A: range(1)})

    async def scenario() -> None:
        async with running(settings(f"sqlite:///{tmp_path}/a.db", config), web) as (daemon, _):
            claim, claiming, claimed = daemon.schedule.claim, threading.Event(), threading.Event()

            def slow_claim(*args: Any) -> Any:
                claiming.set()
                time.sleep(0.5)  # the stop arrives while this claim is being written
                try:
                    return claim(*args)
                finally:
                    claimed.set()

            daemon.schedule.claim = slow_claim  # type: ignore[method-assign]
            await until(claiming.is_set, 10)
        assert claimed.wait(5)
        archive = open_archive(f"sqlite:///{tmp_path}/a.db")
        status = ScheduleStore(archive.engine).statuses()[0]
        archive.close()
        assert status.lease_owner is None

    run(scenario())


def test_metrics_and_healthz(tmp_path: Path, web: TimedWeb) -> None:
    publish(web, A, 0, 2)
    config = write_config(tmp_path / "p.toml", {A: range(1)})
    url = f"sqlite:///{tmp_path}/a.db"

    async def scenario() -> None:
        from scraper.schedule.metrics import MetricsServer

        async with running(settings(url, config), web) as (daemon, archive):
            server = MetricsServer(daemon.metrics, daemon.health)
            port = await server.start("127.0.0.1", 0)
            # rows commit inside the poll, before the poll is counted: wait for the count
            counted = daemon.metrics.registry.get_sample_value
            await until(lambda: counted("scraper_polls_total", {"outcome": "ok"}), 5)
            assert archive.count() == 2
            async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
                metrics = (await client.get("/metrics")).text
                healthy = await client.get("/healthz")
                daemon.last_dispatch = time.monotonic() - 60  # as if the scheduler were stuck
                stalled = await client.get("/healthz")
            await server.close()
        assert 'scraper_polls_total{outcome="ok"} 1.0' in metrics
        assert 'scraper_articles_stored_total{status="new"} 2.0' in metrics
        for name in (
            "scraper_fetch_seconds_bucket",
            "scraper_feeds_overdue",
            "scraper_lease_takeovers_total",
            "scraper_schedule_lag_seconds_bucket",
        ):
            assert name in metrics  # fmt: skip
        assert healthy.status_code == 200 and stalled.status_code == 503
        assert "stalled" in stalled.text

    run(scenario())
