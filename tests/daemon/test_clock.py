"""The wall clock stepping back (NTP fixing a clock that ran fast, a VM resumed) must not stall
dispatch or lease renewal: they run on monotonic time."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from pathlib import Path

import apscheduler.schedulers.base as aps_base  # type: ignore[import-untyped]
import pytest

from tests.daemon.helpers import (
    TimedWeb,
    feed_path,
    publish,
    running,
    settings,
    until,
    write_config,
)

A = "alpha.example"
STEP = {"s": 0.0}


class SteppedClock(datetime):
    """APScheduler's wall clock, stepped back by ``STEP`` (feed due times are left alone, so
    any poll missing after the step is the scheduler's doing)."""

    @classmethod
    def now(cls, tz: object = None) -> datetime:  # type: ignore[override]
        return datetime.now(tz) - timedelta(seconds=STEP["s"])  # type: ignore[arg-type]


def test_polling_and_heartbeats_go_on_after_the_clock_steps_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(aps_base, "datetime", SteppedClock)
    monkeypatch.setitem(STEP, "s", 0.0)
    with TimedWeb() as web:
        publish(web, A, 0, 1)
        config = write_config(tmp_path / "p.toml", {A: range(1)})
        fast = {"poll_min_interval": 0.3, "poll_max_interval": 0.3, "poll_lease": 1.5}

        async def scenario() -> None:
            url = f"sqlite:///{tmp_path}/a.db"
            async with running(settings(url, config, **fast), web) as (daemon, _):
                await until(lambda: len(web.times(A, feed_path(0))) >= 2, 20)
                STEP["s"] = 600.0  # the clock steps back ten minutes
                before = len(web.times(A, feed_path(0)))
                await until(lambda: len(web.times(A, feed_path(0))) >= before + 5, 30)
                ok, why = await daemon.health()
                assert ok, why

        asyncio.run(scenario())
