"""What the daemon tells its operator: no false alarms on a clean stop, no false all-clear."""

from __future__ import annotations

import asyncio
import logging
import math
from pathlib import Path

import pytest

from scraper.config import load_config
from scraper.schedule.daemon import Daemon
from scraper.store.archive import open_archive
from tests.daemon.helpers import TimedWeb, publish, running, settings, until, write_config

A = "alpha.example"


def test_a_stop_during_start_up_is_clean(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """SIGTERM while the daemon is still starting (syncing, loading the language model)."""
    with TimedWeb() as web:
        publish(web, A, 0, 1)
        config = write_config(tmp_path / "p.toml", {A: range(1)})
        s = settings(f"sqlite:///{tmp_path}/a.db", config)
        archive = open_archive(s.database_url, auto_upgrade=True)

        async def scenario() -> None:
            stop = asyncio.Event()
            stop.set()  # the signal came before the first dispatch
            await Daemon(s, load_config(config), archive, proxy=web.proxy_url).run(stop)

        with caplog.at_level(logging.INFO):
            asyncio.run(scenario())
        archive.close()
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []
    assert "Daemon stopped" in [r.getMessage() for r in caplog.records]


def test_overdue_feeds_are_unknown_while_they_cannot_be_counted(tmp_path: Path) -> None:
    with TimedWeb() as web:
        publish(web, A, 0, 1)
        config = write_config(tmp_path / "p.toml", {A: range(1)})

        async def scenario() -> None:
            url = f"sqlite:///{tmp_path}/a.db"
            async with running(settings(url, config, poll_lease=1.5), web) as (daemon, _):
                overdue = lambda: daemon.metrics.registry.get_sample_value(  # noqa: E731
                    "scraper_feeds_overdue"
                )
                assert math.isnan(overdue())  # before the first count: not 0
                await until(lambda: overdue() == 0, 30)

                def unreachable(*_: object) -> int:
                    raise ConnectionError("database unreachable")

                daemon.schedule.overdue = unreachable  # type: ignore[method-assign]
                await until(lambda: math.isnan(overdue()), 30)

        asyncio.run(scenario())
