"""A database that stops answering (frozen server, partition, a lock nobody releases) must not
keep the daemon from stopping, and PostgreSQL calls must not wait for it for hours."""

from __future__ import annotations

import asyncio
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

from scraper.config import load_config
from scraper.schedule.daemon import Daemon
from scraper.store.archive import open_archive
from scraper.store.db import DbTimeouts, make_engine, pg_connect_args
from tests.daemon.helpers import (
    LAUNCH,
    TimedWeb,
    daemon_env,
    publish,
    settings,
    until,
    write_config,
)

A = "alpha.example"
HANG_S = 120.0  # far longer than any stop may take: the call is released only afterwards


def test_a_stop_does_not_wait_for_a_database_call_that_never_returns(
    tmp_path: Path, database_url: str
) -> None:
    release = threading.Event()
    with TimedWeb() as web:
        publish(web, A, 0, 1)
        config = write_config(tmp_path / "p.toml", {A: range(1)})
        s = settings(database_url, config, shutdown_grace=1.0)
        archive = open_archive(s.database_url, auto_upgrade=True)

        async def scenario() -> Daemon:
            daemon = Daemon(s, load_config(config), archive, proxy=web.proxy_url)
            claim, hanging = daemon.schedule.claim, threading.Event()

            def hung_claim(*args: Any) -> Any:
                hanging.set()
                release.wait(HANG_S)  # the database does not answer
                return claim(*args)

            stop = asyncio.Event()
            task = asyncio.create_task(daemon.run(stop))
            await until(lambda: daemon._deps is not None, 30)
            daemon.schedule.claim = hung_claim  # type: ignore[method-assign]
            await until(hanging.is_set, 30)
            stop.set()
            await asyncio.wait({task}, timeout=60)
            stopped = task.done()
            release.set()  # only now does the "database" answer
            await task
            assert stopped, "the daemon waited for the hung call"
            return daemon

        try:
            daemon = asyncio.run(scenario())
        finally:
            release.set()
            archive.close()
        assert daemon.abandoned


@pytest.mark.postgres
def test_sigterm_ends_the_process_while_the_feeds_table_is_locked(
    postgres_url: str, tmp_path: Path
) -> None:
    """The whole process, not only the event loop: the thread blocked in the database cannot
    be joined, so an exit that waits for it would hang until SIGKILL."""
    config = write_config(tmp_path / "p.toml", {A: range(1)})
    open_archive(postgres_url, auto_upgrade=True).close()  # `scraper db upgrade`
    locker = create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    with TimedWeb() as web, locker.connect() as lock:
        publish(web, A, 0, 1)
        fast = {"poll_min_interval": 0.5, "poll_max_interval": 0.5, "dispatch_interval": 0.2}
        env = daemon_env(
            postgres_url, config, web, shutdown_grace=1, db_statement_timeout=0, **fast
        )
        log = (tmp_path / "daemon.log").open("w+")
        daemon = subprocess.Popen([sys.executable, "-c", LAUNCH, "run"], env=env, stderr=log)
        try:
            _wait(lambda: web.count(host=A) >= 1, 90, "first poll")
            lock.execute(text("BEGIN"))
            lock.execute(text("LOCK TABLE feeds IN ACCESS EXCLUSIVE MODE"))
            _wait(lambda: _blocked(lock) > 0, 60, "daemon blocked on the lock")
            daemon.send_signal(signal.SIGTERM)
            code = daemon.wait(60)  # the lock is held all along
        finally:
            if daemon.poll() is None:
                daemon.kill()
                daemon.wait()
            lock.execute(text("ROLLBACK"))
        log.seek(0)
        output = log.read()
    locker.dispose()
    assert code == 0, output[-2000:]
    assert "Exiting without waiting for database calls that do not answer" in output


def _blocked(conn: Any) -> int:
    query = (
        "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
        "AND datname = current_database()"
    )
    return int(conn.execute(text(query)).scalar_one())


def _wait(predicate: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, f"not within {timeout} s: {what}"
        time.sleep(0.1)


@pytest.mark.parametrize(
    ("timeouts", "query", "expected"),
    [
        pytest.param(
            DbTimeouts(),
            {},
            {"connect_timeout": 10, "keepalives": 1, "keepalives_idle": 30,
             "keepalives_interval": 10, "keepalives_count": 3, "tcp_user_timeout": 60000},
            id="defaults",
        ),
        pytest.param(
            DbTimeouts(10, 300, 60),
            {},
            {"connect_timeout": 10, "keepalives": 1, "keepalives_idle": 30,
             "keepalives_interval": 10, "keepalives_count": 3, "tcp_user_timeout": 60000,
             "options": "-c statement_timeout=300000"},
            id="statement-timeout",
        ),
        pytest.param(DbTimeouts(0.5, 0, 0), {}, {"connect_timeout": 2}, id="libpq-minimum"),
        pytest.param(
            DbTimeouts(10, 1.5, 0),
            {"connect_timeout": "3", "options": "-c search_path=archive"},
            {"options": "-c statement_timeout=1500 -c search_path=archive"},
            id="the-url-wins",
        ),
    ],
)  # fmt: skip
def test_pg_connect_args(timeouts: DbTimeouts, query: dict[str, str], expected: object) -> None:
    assert pg_connect_args(timeouts, query) == expected


@pytest.mark.postgres
def test_a_statement_over_the_timeout_is_cancelled(postgres_url: str) -> None:
    engine = make_engine(postgres_url, DbTimeouts(statement_s=1.0))
    with engine.connect() as conn:
        assert conn.execute(text("SHOW statement_timeout")).scalar_one() == "1s"
        with pytest.raises(OperationalError, match="statement timeout"):
            conn.execute(text("SELECT pg_sleep(30)"))
    engine.dispose()


def test_a_server_that_never_answers_the_connection_fails_it() -> None:
    """A listener that accepts TCP but never speaks, like a frozen server."""
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen()
    port = silent.getsockname()[1]
    engine = make_engine(f"postgresql://nobody@127.0.0.1:{port}/x", DbTimeouts(connect_s=2))
    outcome: list[BaseException] = []

    def connect() -> None:
        try:
            engine.connect().close()
        except BaseException as exc:  # reported to the test's thread
            outcome.append(exc)

    worker = threading.Thread(target=connect, daemon=True)
    worker.start()
    worker.join(60)  # without a connect timeout this would wait for hours
    silent.close()
    assert not worker.is_alive(), "the connection attempt did not give up"
    assert outcome and isinstance(outcome[0], OperationalError)


@pytest.mark.postgres
def test_a_start_behind_a_lock_longer_than_the_statement_timeout(
    tmp_path: Path, postgres_url: str
) -> None:
    """``VACUUM FULL articles`` (or any exclusive lock) outlasting SCRAPER_DB_STATEMENT_TIMEOUT
    while the daemon starts: it must keep running and poll once the lock is gone, not die at
    start (a traceback, then a restart loop under systemd)."""
    config = write_config(tmp_path / "p.toml", {A: range(1)})
    open_archive(postgres_url, auto_upgrade=True).close()
    locker = create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    archive = open_archive(postgres_url, timeouts=DbTimeouts(statement_s=0.5))
    try:
        with TimedWeb() as web, locker.connect() as lock:
            publish(web, A, 0, 2)
            lock.execute(text("BEGIN"))
            lock.execute(text("LOCK TABLE articles IN ACCESS EXCLUSIVE MODE"))
            fast = settings(postgres_url, config, db_statement_timeout=0.5, dispatch_interval=0.2)
            daemon = Daemon(fast, load_config(config), archive, proxy=web.proxy_url)

            async def scenario() -> None:
                stop = asyncio.Event()
                running = asyncio.create_task(daemon.run(stop))
                await asyncio.sleep(2)  # the lock outlasts the statement timeout
                lock.execute(text("ROLLBACK"))  # the VACUUM is over
                await until(lambda: running.done() or archive.count() == 2, 60)
                assert not running.done(), running.exception()
                stop.set()
                await asyncio.wait_for(running, 30)

            asyncio.run(scenario())
    finally:
        archive.close()
        locker.dispose()
