"""Periodic jobs on monotonic time: the grid, skipped ticks, and a job that raises."""

from __future__ import annotations

import asyncio

import pytest

from scraper.schedule.ticker import next_tick, run_every


@pytest.mark.parametrize(
    ("planned", "now", "expected"),
    [
        (10.0, 10.5, 12.0),  # on time: the next tick of the grid
        (10.0, 12.0, 14.0),  # ran exactly one interval: that tick is gone, the next one
        (10.0, 17.3, 18.0),  # overran three ticks: they are skipped, not run in a burst
        (10.0, 9.0, 12.0),  # ran before its tick (jitter can not do this, but no harm)
    ],
)
def test_next_tick(planned: float, now: float, expected: float) -> None:
    assert next_tick(planned, now, 2.0) == expected


def test_a_job_that_raises_runs_again() -> None:
    runs: list[int] = []

    async def job() -> None:
        runs.append(1)
        if len(runs) == 1:
            raise RuntimeError("a bug in one run")

    async def scenario() -> None:
        task = asyncio.create_task(run_every("job", 0.01, job))
        deadline = asyncio.get_running_loop().time() + 20
        while len(runs) < 3 and asyncio.get_running_loop().time() < deadline:
            await asyncio.sleep(0.01)
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)

    asyncio.run(scenario())
    assert len(runs) >= 3
