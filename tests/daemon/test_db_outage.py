"""The archive stops taking writes under a running daemon, then takes them again.

The faults are real ones, switched on and off under the daemon's feet:

* SQLite read-only: every new connection gets ``PRAGMA query_only`` (a read-only file or mount
  behaves the same; ``chmod`` would not stop root, which tests may run as);
* SQLite disk full: every new connection gets ``PRAGMA max_page_count`` = the current size, so
  the file cannot grow by a page: SQLite's "database or disk is full", with small updates in
  place still working, as on a real full disk;
* PostgreSQL read-only: ``ALTER DATABASE … SET default_transaction_read_only = on``.

Switching a fault on recycles the daemon's pooled connections (as a restart or failover of the
server would; ALTER DATABASE only reaches new sessions). Switching it off does not: finding the
archive writable again is the daemon's job.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url

from scraper.config import load_config
from scraper.schedule.daemon import Daemon
from scraper.store.archive import Archive, open_archive
from tests.conftest import PG_ADMIN_URL
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
FEEDS = range(4)
RETRY_MAX = 2.0


@dataclass
class Fault:
    """One way for the archive to stop taking writes, and to take them again."""

    kind: str  # the fault's kind as the daemon reports it
    database_url: str
    words: str  # what the operator message says happened
    engine: Engine | None = None
    _listener: Any = field(default=None, repr=False)

    def on(self, archive: Archive) -> None:
        self.engine = archive.engine
        if self.database_url.startswith("sqlite"):
            with archive.engine.connect() as conn:
                pages = int(conn.exec_driver_sql("PRAGMA page_count").scalar() or 0)
            pragma = (
                "PRAGMA query_only = ON"
                if self.kind == "read_only"
                else f"PRAGMA max_page_count = {pages}"
            )

            def limit(dbapi_connection: Any, _record: Any) -> None:
                dbapi_connection.execute(pragma)

            self._listener = limit
            event.listen(archive.engine, "connect", limit)
        else:
            self._alter("SET default_transaction_read_only = on")
        archive.engine.dispose()  # the daemon's connections are recycled, as by a restart

    def off(self) -> None:
        if self._listener is not None:
            event.remove(self.engine, "connect", self._listener)
            self._listener = None
        elif not self.database_url.startswith("sqlite"):
            self._alter("RESET default_transaction_read_only")

    def _alter(self, change: str) -> None:
        database = make_url(self.database_url).database
        admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'ALTER DATABASE "{database}" {change}'))
        admin.dispose()


@pytest.fixture(
    params=[
        "sqlite-read-only",
        "sqlite-disk-full",
        pytest.param("postgresql-read-only", marks=pytest.mark.postgres),
    ]
)
def fault(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Fault]:
    if request.param == "sqlite-read-only":
        made = Fault("read_only", f"sqlite:///{tmp_path / 'a.db'}", "it is read-only")
    elif request.param == "sqlite-disk-full":
        made = Fault("disk_full", f"sqlite:///{tmp_path / 'a.db'}", "the disk holding it is full")
    else:
        url: str = request.getfixturevalue("postgres_url")
        made = Fault("read_only", url, "it is read-only")
    yield made
    made.off()


@pytest.fixture
def web() -> Iterator[TimedWeb]:
    web = TimedWeb()
    with web:
        yield web


def feed_requests(web: TimedWeb) -> int:
    return sum(len(web.times(A, feed_path(f))) for f in FEEDS)


def test_daemon_pauses_reports_and_backs_off_then_archives_everything(
    fault: Fault, tmp_path: Path, web: TimedWeb, caplog: pytest.LogCaptureFixture
) -> None:
    """What the operator sees (one error, a failing /healthz, the gauge), what the publishers
    see (a probe now and then instead of every feed every interval), and what the archive ends
    with (everything published during the fault, once; no feed blamed for it)."""
    for feed in FEEDS:
        publish(web, A, feed, 2)
    config = write_config(tmp_path / "p.toml", {A: FEEDS})
    options = {"poll_min_interval": 0.5, "poll_max_interval": 0.5, "archive_retry_max": RETRY_MAX}
    caplog.set_level(logging.INFO)

    async def scenario() -> None:
        async with running(settings(fault.database_url, config, **options), web) as (
            daemon,
            archive,
        ):
            await until(lambda: archive.count() == 2 * len(FEEDS), 20)
            caplog.clear()
            fault.on(archive)
            for feed in FEEDS:  # two new items per feed, published while nothing can be stored
                publish(web, A, feed, 4)
            await until(lambda: daemon.outage.active, 10)
            first_requests = feed_requests(web)

            # reported clearly: health, metric, one error line
            healthy, message = await daemon.health()
            assert not healthy
            assert "polling paused" in message and fault.words in message, message
            assert daemon.metrics.registry.get_sample_value("scraper_archive_unwritable") == 1

            # backing off: a handful of single-feed retries, not 4 feeds every 0.5 s
            await until(lambda: daemon.outage.attempts >= 3, 15)
            during = feed_requests(web) - first_requests
            assert during <= daemon.outage.attempts + 2, (during, daemon.outage.attempts)
            assert daemon.outage.delay() == RETRY_MAX  # 1 s, then 2 s: the cap
            if fault.kind == "read_only":  # (a full disk may still take what fits in a page)
                assert archive.count() == 2 * len(FEEDS)

            fault.off()
            await until(lambda: archive.count() == 4 * len(FEEDS), 20)
            await until(lambda: not daemon.outage.active, 5)
            healthy, message = await daemon.health()
            assert healthy, message
            assert daemon.metrics.registry.get_sample_value("scraper_archive_unwritable") == 0
            # and every feed is back on its normal schedule
            polled = {f: len(web.times(A, feed_path(f))) for f in FEEDS}
            await until(lambda: all(len(web.times(A, feed_path(f))) >= polled[f] + 2
                                    for f in FEEDS), 10)  # fmt: skip
            statuses = await asyncio.to_thread(daemon.schedule.statuses)

        # the fault was nobody's feed's fault: no error streak, nothing disabled
        assert [(s.consecutive_errors, s.error_since, s.disabled_at) for s in statuses] == [
            (0, None, None)
        ] * len(FEEDS)
        with archive.engine.connect() as conn:
            total, distinct = conn.execute(
                text("SELECT count(*), count(DISTINCT canonical_url) FROM articles")
            ).one()
        assert total == distinct == 4 * len(FEEDS)

    asyncio.run(scenario())
    records = [r for r in caplog.records if r.name.startswith("scraper")]
    errors = [r for r in records if r.levelno >= logging.ERROR]
    assert len(errors) == 1, [r.getMessage() for r in errors]
    assert errors[0].getMessage().startswith("Archive cannot be written: cannot write to the")
    assert fault.words in errors[0].getMessage() and "What to do:" in errors[0].getMessage()
    assert getattr(errors[0], "reason", None) == fault.kind
    assert not [r.getMessage() for r in records if r.exc_info], "a traceback was logged"
    retries = [r for r in records if r.getMessage() == "Archive still cannot be written"]
    assert len(retries) >= 2
    assert [r.getMessage() for r in records].count("Archive writable again; polling resumed") == 1


def test_a_daemon_started_on_a_read_only_archive_waits_for_it(
    tmp_path: Path, web: TimedWeb, caplog: pytest.LogCaptureFixture
) -> None:
    """Started while the archive is read-only (a restart during the fault): the daemon does not
    die at start-up; it reports, waits, then syncs the publishers file and polls everything."""
    for feed in FEEDS:
        publish(web, A, feed, 2)
    config = write_config(tmp_path / "p.toml", {A: FEEDS})
    url = f"sqlite:///{tmp_path / 'a.db'}"
    fault = Fault("read_only", url, "it is read-only")
    archive = open_archive(url, auto_upgrade=True)  # the schema exists, the feeds do not yet
    fault.on(archive)
    archive.close()  # (only disposes the pool: the listener stays on the engine)
    options = {"poll_min_interval": 0.5, "poll_max_interval": 0.5, "archive_retry_max": RETRY_MAX}

    async def scenario() -> None:
        daemon = Daemon(settings(url, config, **options), load_config(config), archive,
                        proxy=web.proxy_url)  # fmt: skip
        stop = asyncio.Event()
        task = asyncio.create_task(daemon.run(stop))
        try:
            await until(lambda: daemon.outage.active and daemon.outage.attempts >= 2, 10)
            assert not web.requests  # nothing fetched that could not be stored
            fault.off()
            await until(lambda: archive.count() == 2 * len(FEEDS), 20)
            assert not daemon.outage.active
        finally:
            stop.set()
            await asyncio.wait_for(task, 15)

    asyncio.run(scenario())
    archive.close()
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR and r.name.startswith("scr")]
    assert len(errors) == 1 and "it is read-only" in errors[0].getMessage()
