"""StoreRunner: a call whose caller is cancelled still ends before the runner's next call."""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from pathlib import Path

import pytest

from scraper.deps import StoreRunner
from scraper.store.archive import open_archive


def test_a_cancelled_call_ends_before_the_next_one_starts(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    archive = open_archive(f"sqlite:///{tmp_path}/a.db", auto_upgrade=True)
    events: list[str] = []
    started = threading.Event()

    def slow_write() -> None:
        started.set()
        time.sleep(0.3)
        events.append("slow write committed")
        raise RuntimeError("disk full")

    def release() -> None:
        events.append("release")

    async def scenario() -> None:
        runner = StoreRunner(archive)
        caller = asyncio.create_task(runner(slow_write))
        await asyncio.to_thread(started.wait, 5)
        caller.cancel()  # as APScheduler's shutdown cancels a running job
        with pytest.raises(asyncio.CancelledError):
            await caller
        await runner(release)

    with caplog.at_level(logging.WARNING, logger="scraper.deps"):
        asyncio.run(scenario())
    archive.close()
    assert events == ["slow write committed", "release"]
    # nobody awaits the failed write any more: it is logged, not lost
    assert any(
        r.getMessage() == "Store call failed after its caller was cancelled"
        and "disk full" in getattr(r, "error", "")
        for r in caplog.records
    )
