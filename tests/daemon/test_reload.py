"""Reloading the publishers file in a running daemon (SIGHUP, or the file watcher)."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from scraper.schedule.daemon import Daemon
from scraper.store.registry import REMOVED_FROM_FILE, publisher_gone
from tests.daemon.helpers import (
    TimedWeb,
    feed_path,
    publish,
    running,
    settings,
    until,
    write_config,
)

A, B = "alpha.example", "bravo.example"


@pytest.fixture
def web() -> Iterator[TimedWeb]:
    with TimedWeb() as web:
        yield web


def _not_reloaded(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.getMessage() == "Configuration not reloaded"]


@pytest.mark.parametrize(
    "broken",
    [
        pytest.param(b"[[publisher]\nid = ", id="invalid-toml"),
        pytest.param(
            b'[[publisher]]\nid = "alpha"\nname = "Caf\xe9"\ncanonical_domain = "alpha.example"\n',
            id="latin-1",
        ),
    ],
)
def test_a_broken_file_keeps_the_old_config_and_says_why(
    tmp_path: Path, web: TimedWeb, caplog: pytest.LogCaptureFixture, broken: bytes
) -> None:
    publish(web, A, 0, 1)
    config = write_config(tmp_path / "p.toml", {A: range(1)})

    async def scenario() -> None:
        async with running(settings(f"sqlite:///{tmp_path}/a.db", config), web) as (daemon, _):
            await until(lambda: daemon._deps is not None, 20)
            before = daemon.config
            config.write_bytes(broken)
            os.utime(config, (1, 1))  # a new mtime for sure
            with caplog.at_level(logging.INFO):
                await daemon.check_config()  # what the file watcher does
                await daemon.reload("SIGHUP")
            assert daemon.config is before

    asyncio.run(scenario())
    reports = _not_reloaded(caplog)
    assert len(reports) == 2
    assert all(str(config) in r.__dict__["reason"] for r in reports)


def test_an_unexpected_error_while_reloading_keeps_the_old_config(
    tmp_path: Path, web: TimedWeb, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    publish(web, A, 0, 1)
    config = write_config(tmp_path / "p.toml", {A: range(1)})

    async def scenario() -> None:
        async with running(settings(f"sqlite:///{tmp_path}/a.db", config), web) as (daemon, _):
            await until(lambda: daemon._deps is not None, 20)
            before = daemon.config

            def broken_sync(*_: object) -> None:
                raise RuntimeError("a bug in the sync")

            monkeypatch.setattr(daemon.archive, "sync_config", broken_sync)
            await daemon.reload("SIGHUP")  # must not raise
            assert daemon.config is before

    asyncio.run(scenario())
    (report,) = _not_reloaded(caplog)
    assert report.__dict__["reason"] == "a bug in the sync" and report.exc_info is not None


def _lease_free(daemon: Daemon, url: str) -> bool:
    return all(s.lease_owner is None for s in daemon.schedule.statuses() if s.url == url)


def test_a_feed_deleted_from_the_file_stops_being_polled(
    tmp_path: Path, web: TimedWeb, database_url: str
) -> None:
    for feed in range(2):
        publish(web, A, feed, 1)
    config = write_config(tmp_path / "p.toml", {A: range(2)})
    fast = {"poll_min_interval": 0.3, "poll_max_interval": 0.3}

    async def scenario() -> None:
        async with running(settings(database_url, config, **fast), web) as (daemon, _):
            await until(lambda: len(web.times(A, feed_path(1))) >= 2, 20)
            write_config(config, {A: range(1)})  # feed 1 deleted from the file
            await daemon.reload("SIGHUP")
            gone = daemon.schedule.statuses(urls=[f"http://{A}{feed_path(1)}"])[0]
            assert gone.disabled_reason == REMOVED_FROM_FILE
            await until(lambda: _lease_free(daemon, gone.url), 20)  # a poll in flight ends
            polls = len(web.times(A, feed_path(1)))
            kept = len(web.times(A, feed_path(0)))
            await until(lambda: len(web.times(A, feed_path(0))) >= kept + 3, 20)
            assert len(web.times(A, feed_path(1))) == polls
            write_config(config, {A: range(2)})  # …and back
            await daemon.reload("SIGHUP")
            await until(lambda: len(web.times(A, feed_path(1))) > polls, 20)

    asyncio.run(scenario())


def test_the_feeds_of_a_publisher_deleted_from_the_file_stop_without_crashing(
    tmp_path: Path, web: TimedWeb, database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    publish(web, A, 0, 1)
    publish(web, B, 0, 1)
    config = write_config(tmp_path / "p.toml", {A: range(1), B: range(1)})
    fast = {"poll_min_interval": 0.3, "poll_max_interval": 0.3}

    async def scenario() -> None:
        async with running(settings(database_url, config, **fast), web) as (daemon, _):
            await until(lambda: len(web.times(B, feed_path(0))) >= 1, 20)
            write_config(config, {A: range(1)})  # publisher bravo deleted from the file
            await daemon.reload("SIGHUP")
            gone = daemon.schedule.statuses(publisher_ids=["bravo"])[0]
            assert gone.disabled_reason == publisher_gone("bravo")
            await until(lambda: _lease_free(daemon, gone.url), 20)
            polls = len(web.times(B, feed_path(0)))
            kept = len(web.times(A, feed_path(0)))
            await until(lambda: len(web.times(A, feed_path(0))) >= kept + 3, 20)
            assert len(web.times(B, feed_path(0))) == polls

    asyncio.run(scenario())
    assert not [r for r in caplog.records if r.getMessage() == "Poll crashed"]


def test_a_feed_claimed_after_its_publisher_left_fails_without_a_traceback(
    tmp_path: Path, web: TimedWeb, caplog: pytest.LogCaptureFixture
) -> None:
    """Another daemon on the same database may already run a newer file, or a claim may race a
    reload: a feed whose publisher this daemon does not know is a failed poll, not a crash."""
    publish(web, A, 0, 1)
    publish(web, B, 0, 1)
    config = write_config(tmp_path / "p.toml", {A: range(1), B: range(1)})
    fast = {"poll_min_interval": 0.3, "poll_max_interval": 0.3}

    async def scenario() -> None:
        async with running(settings(f"sqlite:///{tmp_path}/a.db", config, **fast), web) as (
            daemon,
            _,
        ):
            await until(lambda: daemon._deps is not None, 20)
            only_a = daemon.config.model_copy(update={"publishers": daemon.config.publishers[:1]})
            daemon._deps = dataclasses.replace(daemon._deps, config=only_a)  # not synced

            def failed() -> bool:
                found = daemon.schedule.statuses(publisher_ids=["bravo"])
                return bool(found) and found[0].last_error_reason == "unknown_publisher"

            await until(failed, 20)

    asyncio.run(scenario())
    assert not [r for r in caplog.records if r.getMessage() == "Poll crashed"]
