"""Reloading the publishers file in a running daemon (SIGHUP, or the file watcher)."""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.daemon.helpers import TimedWeb, publish, running, settings, until, write_config

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
