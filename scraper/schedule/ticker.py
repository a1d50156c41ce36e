"""Periodic jobs on the event loop's monotonic clock.

The daemon's frequent jobs (dispatch every 2 s, lease heartbeat, config check) used to be
APScheduler 3 ``interval`` jobs. Those plan every run on the *wall* clock: when the clock steps
back (NTP correcting a clock that ran fast, a VM resumed from a snapshot), the next run waits
for the wall clock to catch up, so polling and lease renewal stopped for as long as the step
(leases then expire and other daemons take polls over while they still run). ``asyncio.sleep``
counts on ``loop.time()``, which is monotonic, so a step of the wall clock changes nothing here.
APScheduler keeps the hourly maintenance, where a shift by a clock step does no harm.

Semantics kept from the APScheduler jobs: one run at a time, a run that overran its tick skips
the ticks it missed (no burst to catch up), and an optional random delay per run (jitter).
"""

from __future__ import annotations

import asyncio
import logging
import math
import random
from collections.abc import Awaitable, Callable

log = logging.getLogger(__name__)


def next_tick(planned: float, now: float, every: float) -> float:
    """The first tick of the grid ``planned + k * every`` after ``now``: a job that took longer
    than its interval runs again on its grid, once, not once for every tick it missed."""
    missed = max(0, math.floor((now - planned) / every))
    return planned + (missed + 1) * every


async def run_every(
    name: str,
    every: float,
    job: Callable[[], Awaitable[None]],
    *,
    first_in: float = 0.0,
    jitter: float = 0.0,
    rng: random.Random | None = None,
) -> None:
    """Run ``job`` every ``every`` seconds of monotonic time until cancelled; the first run
    after ``first_in`` s. Each run after the first is delayed by a random 0–``jitter`` s. A job
    that raises is logged and run again at its next tick: a bug in one run must not end the
    daemon's polling for good."""
    loop = asyncio.get_running_loop()
    rng = rng or random.Random()
    tick = loop.time() + first_in
    delay = 0.0
    while True:
        wait = tick + delay - loop.time()
        if wait > 0:
            await asyncio.sleep(wait)
        try:
            await job()
        except Exception:
            log.exception("Periodic job failed", extra={"job": name})
        tick = next_tick(tick, loop.time(), every)
        delay = rng.uniform(0, jitter) if jitter else 0.0
