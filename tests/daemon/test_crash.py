"""A poll that crashes (a bug in a stage) is a failed poll: recorded, shown, backed off."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sqlalchemy import select

import scraper.pipeline
from scraper.store.schedule import FeedStatus
from scraper.store.tables import FetchLogRow
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
MIN_S = 0.2


def test_a_crashing_poll_is_recorded_and_backed_off(
    tmp_path: Path, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken_parser(*_: object, **__: object) -> object:
        raise RuntimeError("parser bug")

    monkeypatch.setattr(scraper.pipeline, "parse_feed", broken_parser)
    with TimedWeb() as web:
        publish(web, A, 0, 1)
        config = write_config(tmp_path / "p.toml", {A: range(1)})
        options = {"poll_min_interval": MIN_S, "poll_max_interval": 30.0}

        async def scenario() -> None:
            async with running(settings(database_url, config, **options), web) as (daemon, arc):
                seen: list[FeedStatus] = []

                def settled() -> bool:
                    """Four crashes in a row, the last one finished (its next poll written:
                    the crash is recorded before the poll's lease is given back)."""
                    found = daemon.schedule.statuses()
                    if found and found[0].consecutive_errors >= 4 and not found[0].lease_owner:
                        seen.append(found[0])
                    return bool(seen)

                await until(settled, 60)
                status = seen[0]
                with arc._session() as session:
                    logged = session.scalars(select(FetchLogRow.reason)).all()
            assert status.last_error_reason == "crash"
            assert status.last_error == "RuntimeError: parser bug"
            assert status.error_since is not None and status.last_polled_at is not None
            assert "crash" in logged
            # backoff from the streak, i.e. not every retry is "the first error": at least
            # half (the jitter) of min × 2^(errors - 1) between the crash and the next poll
            assert status.next_poll_at is not None
            gap = (status.next_poll_at - status.last_polled_at).total_seconds()
            assert gap >= 0.5 * MIN_S * 2 ** (status.consecutive_errors - 1)
            assert len(web.times(A, feed_path(0))) >= 4

        asyncio.run(scenario())
