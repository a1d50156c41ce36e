"""Database faults, as a crawl meets them.

* The database drops the crawler's connections mid-crawl (``pg_terminate_backend``, as a server
  restart or a failover would): the crawl completes and every article is stored once.
* The archive cannot be written (read-only, disk full, server refusing connections): each
  driver's real error is recognised as such and explained (what, which database, what to do),
  and ``scraper crawl`` stops with that one message instead of a traceback per feed.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, OperationalError

from scraper.config import load_config
from scraper.crawl import crawl
from scraper.demo.site import demo_config_text, expected, load_site
from scraper.demo.web import LocalWeb, Resource
from scraper.errors import StorageError
from scraper.settings import Settings
from scraper.store.archive import open_archive
from scraper.store.faults import ArchiveUnwritableError, Outage, classify
from tests.conftest import PG_ADMIN_URL

ROOT = Path(__file__).resolve().parents[1]


def _killer(database: str, stop: threading.Event, killed: list[int]) -> None:
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        while not stop.is_set():
            rows = conn.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = :db AND pid <> pg_backend_pid()"
                ),
                {"db": database},
            ).all()
            killed.append(sum(1 for (ok,) in rows if ok))
            time.sleep(0.25)  # a storm of restarts, far worse than a real server's
    admin.dispose()


@pytest.mark.postgres
def test_crawl_survives_terminated_connections(postgres_url: str, tmp_path: Path) -> None:
    config_path = tmp_path / "publishers.toml"
    config_path.write_text(demo_config_text(), encoding="utf-8")
    config = load_config(config_path)
    archive = open_archive(postgres_url, auto_upgrade=True)
    archive.sync_config(config)
    site = load_site()
    for pages in site.values():  # slow pages, so the connections die while the crawl runs
        for path, page in list(pages.items()):
            pages[path] = Resource(page.body, page.content_type, delay=0.3)
    stop, killed = threading.Event(), list[int]()
    killer = threading.Thread(
        target=_killer, args=(make_url(postgres_url).database, stop, killed), daemon=True
    )
    with LocalWeb(site) as web:
        killer.start()
        try:
            summary = asyncio.run(
                crawl(
                    Settings(database_url=postgres_url),
                    config,
                    archive,
                    archive.feed_refs(),
                    proxy=web.proxy_url,
                )
            )
        finally:
            stop.set()
            killer.join(10)
    assert sum(killed) > 0, "no connection was terminated: the test proved nothing"
    store_failures = [f for f in summary.failures if f.stage == "store"]
    assert store_failures == []
    with archive.engine.connect() as conn:
        total, distinct = conn.execute(
            text("SELECT count(*), count(DISTINCT canonical_url) FROM articles")
        ).one()
    assert total == distinct == len(expected())
    archive.close()


# -- what an unwritable archive looks like, per driver -------------------------------------------


def _error_of(engine: Engine, sql: str, *setup: str) -> DBAPIError:
    """The real error the driver raises for ``sql`` after ``setup`` (on one connection)."""
    with engine.connect() as conn:
        for statement in setup:
            conn.exec_driver_sql(statement)
        conn.commit()
        with pytest.raises(DBAPIError) as caught:
            conn.exec_driver_sql(sql)
            conn.commit()
        conn.rollback()
    return caught.value


def _sqlite(tmp_path: Path) -> tuple[str, Engine]:
    url = f"sqlite:///{tmp_path / 'faulty.db'}"
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE t (x BLOB)")
    return url, engine


def test_a_read_only_sqlite_archive_is_explained(tmp_path: Path) -> None:
    url, engine = _sqlite(tmp_path)
    error = _error_of(engine, "INSERT INTO t VALUES (1)", "PRAGMA query_only = ON")
    fault = classify(wrapped(error), url)
    assert fault is not None and fault.kind == "read_only"
    message = str(fault)
    assert f"archive database file {tmp_path / 'faulty.db'}: it is read-only" in message
    assert "What to do:" in message and "attempt to write a readonly database" in message
    engine.dispose()


def test_a_full_sqlite_disk_is_explained(tmp_path: Path) -> None:
    url, engine = _sqlite(tmp_path)
    with engine.connect() as conn:
        pages = conn.exec_driver_sql("PRAGMA page_count").scalar()
    # the database may not grow by one page: what SQLite reports when the disk is full
    error = _error_of(
        engine, "INSERT INTO t VALUES (randomblob(100000))", f"PRAGMA max_page_count = {pages}"
    )
    fault = classify(error, url)
    assert fault is not None and fault.kind == "disk_full"
    assert "the disk holding it is full" in str(fault) and "free space" in str(fault)
    engine.dispose()


def test_an_sqlite_file_that_cannot_be_opened_is_explained(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}"  # a directory, not a file
    with pytest.raises(OperationalError) as caught:
        create_engine(url).connect()
    fault = classify(caught.value, url)
    assert fault is not None and fault.kind == "cannot_open"
    assert str(tmp_path) in str(fault) and "directory exists" in str(fault)


@pytest.mark.postgres
def test_a_read_only_postgres_archive_is_explained(postgres_url: str) -> None:
    engine = create_engine(postgres_url)
    error = _error_of(
        engine, "CREATE TABLE t (x int)", "SET SESSION default_transaction_read_only = on"
    )
    fault = classify(error, postgres_url)
    assert fault is not None and fault.kind == "read_only"
    assert f"/{make_url(postgres_url).database}:" in str(fault)
    assert "default_transaction_read_only" in str(fault)  # what to do on PostgreSQL
    engine.dispose()


@pytest.mark.postgres
def test_a_postgres_server_refusing_connections_is_explained(postgres_url: str) -> None:
    down = make_url(postgres_url).set(port=1).render_as_string(hide_password=False)
    with pytest.raises(OperationalError) as caught:
        create_engine(down, connect_args={"connect_timeout": 2}).connect()
    fault = classify(caught.value, down)
    assert fault is not None and fault.kind == "unreachable"
    assert "not accepting connections" in str(fault) and ":1/" in str(fault)


@pytest.mark.postgres
def test_a_statement_timeout_is_an_unresponsive_server(postgres_url: str) -> None:
    """SCRAPER_DB_STATEMENT_TIMEOUT cancels a statement stuck behind a lock: the daemon must
    back off as from an outage, not log a traceback per tick and blame the feed."""
    engine = create_engine(postgres_url)
    error = _error_of(engine, "SELECT pg_sleep(2)", "SET statement_timeout = 50")
    fault = classify(error, postgres_url)
    assert fault is not None and fault.kind == "unresponsive"
    assert "did not answer in time" in str(fault)
    engine.dispose()


def test_a_server_that_never_answers_the_connection_is_unresponsive() -> None:
    """A frozen or partitioned server: the connect timeout runs out (psycopg's
    ConnectionTimeout carries no SQLSTATE, only its message)."""
    orig = psycopg.errors.ConnectionTimeout("connection timeout expired")
    error = OperationalError("SELECT 1", {}, orig)
    fault = classify(error, "postgresql+psycopg://postgres@127.0.0.1:5432/test")
    assert fault is not None and fault.kind == "unresponsive"


def test_a_full_postgres_disk_is_explained() -> None:
    """PostgreSQL's disk cannot be filled in a test: the driver's own exception class, as
    psycopg raises it for SQLSTATE 53100, wrapped the way SQLAlchemy wraps it."""
    orig = psycopg.errors.DiskFull(
        'could not extend file "base/16384/2619": No space left on device'
    )
    error = OperationalError("INSERT INTO articles …", {}, orig)
    fault = classify(error, "postgresql+psycopg://scraper:secret@db.internal/archive")
    assert fault is not None and fault.kind == "disk_full"
    assert "postgresql+psycopg://scraper:***@db.internal/archive" in str(fault)
    assert "secret" not in str(fault)


@pytest.mark.postgres
def test_a_dropped_connection_is_not_an_unwritable_archive(postgres_url: str) -> None:
    """A restart or ``pg_terminate_backend`` is retried by the archive on a fresh connection;
    it must not pause the daemon as if the archive had become read-only."""
    engine = create_engine(postgres_url)
    error = _error_of(engine, "SELECT pg_terminate_backend(pg_backend_pid())")
    assert classify(error, postgres_url) is None
    engine.dispose()


def test_other_database_errors_are_not_outages(tmp_path: Path) -> None:
    url, engine = _sqlite(tmp_path)
    error = _error_of(engine, "INSERT INTO t VALUES (1)", "CREATE UNIQUE INDEX u ON t (x)",
                      "INSERT INTO t VALUES (1)")  # fmt: skip
    assert classify(error, url) is None  # a duplicate is one article's problem, not an outage
    assert classify(ValueError("attempt to write"), url) is None
    engine.dispose()


def wrapped(cause: BaseException) -> StorageError:
    """The driver error as the archive re-raises it (``raise StorageError(…) from exc``)."""
    try:
        raise StorageError("https://example.org/a: cannot store article") from cause
    except StorageError as exc:
        return exc


def test_outage_backoff_doubles_up_to_the_cap_and_ignores_stragglers() -> None:
    now = [0.0]
    outage = Outage(1.0, 8.0, clock=lambda: now[0])
    fault = ArchiveUnwritableError("read_only", "file x.db", "attempt to write a readonly database")
    assert outage.failed(fault) is True  # the one failure that gets logged as an error
    assert outage.failed(fault) is False  # another poll of the same wave: same outage
    assert outage.retry_at == 1.0 and not outage.ready()
    waits = []
    for _ in range(6):  # each retry fails
        now[0] = outage.retry_at
        assert outage.ready()
        outage.failed(fault)
        waits.append(outage.retry_at - now[0])
    assert waits == [2.0, 4.0, 8.0, 8.0, 8.0, 8.0]
    assert outage.recovered() == now[0]
    assert not outage.active and outage.ready() and outage.recovered() is None


# -- `scraper crawl` on an archive that cannot be written ----------------------------------------

CRAWL = (
    "from scraper.cli import main\n"
    "from scraper.demo.guard import loopback_only\n"
    "with loopback_only():\n"
    "    main()\n"
)


def _crawl_cli(
    database_url: str, config: Path, web: LocalWeb, *options: str
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SCRAPER_")}
    env |= {"SCRAPER_DATABASE_URL": database_url, "SCRAPER_CONFIG": str(config),
            "HTTP_PROXY": web.proxy_url, "PYTHONPATH": str(ROOT)}  # fmt: skip
    return subprocess.run(
        [sys.executable, "-c", CRAWL, "crawl", *options], env=env, cwd=config.parent,
        capture_output=True,
        text=True, timeout=120, check=False,
    )  # fmt: skip


def _assert_one_clear_message(result: subprocess.CompletedProcess[str], *words: str) -> None:
    assert result.returncode == 2, (result.returncode, result.stderr[-3000:])
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, result.stderr[-3000:]
    assert errors[0].startswith("error: cannot write to the archive database ")
    for word in words:
        assert word in errors[0], errors[0]
    assert "What to do:" in errors[0]
    assert "Traceback" not in result.stderr, result.stderr[-3000:]
    assert "never retrieved" not in result.stderr


def test_crawl_on_a_read_only_sqlite_archive_stops_with_one_clear_message(tmp_path: Path) -> None:
    config = tmp_path / "publishers.toml"
    config.write_text(demo_config_text(), encoding="utf-8")
    path = tmp_path / "archive.db"
    open_archive(f"sqlite:///{path}", auto_upgrade=True).close()
    read_only = f"sqlite:///file:{path}?mode=ro&uri=true"  # opened read-only, even as root
    with LocalWeb(load_site()) as web:
        result = _crawl_cli(read_only, config, web)
    _assert_one_clear_message(result, f"file {path}: it is read-only")
    assert open_archive(f"sqlite:///{path}").count() == 0


@pytest.mark.postgres
@pytest.mark.parametrize("processes", ["1", "2"])
def test_crawl_stops_with_one_clear_message_when_postgres_turns_read_only_mid_crawl(
    postgres_url: str, tmp_path: Path, processes: str
) -> None:
    config = tmp_path / "publishers.toml"
    config.write_text(demo_config_text(), encoding="utf-8")
    archive = open_archive(postgres_url, auto_upgrade=True)
    archive.close()
    database = make_url(postgres_url).database
    site = load_site()
    for pages in site.values():  # slow pages: the fault lands while feeds are being polled
        for path, page in list(pages.items()):
            pages[path] = Resource(page.body, page.content_type, delay=0.3)
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with LocalWeb(site) as web:
        done = threading.Event()

        def turn_read_only() -> None:
            while not web.requests and not done.is_set():
                time.sleep(0.02)
            with admin.connect() as conn:
                conn.execute(
                    text(f'ALTER DATABASE "{database}" SET default_transaction_read_only = on')
                )
                conn.execute(
                    text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                         "WHERE datname = :db AND pid <> pg_backend_pid()"),
                    {"db": database},
                )  # fmt: skip

        switch = threading.Thread(target=turn_read_only, daemon=True)
        switch.start()
        try:
            result = _crawl_cli(postgres_url, config, web, "--processes", processes)
        finally:
            done.set()
            switch.join(10)
    admin.dispose()
    _assert_one_clear_message(result, f"/{database}: it is read-only")


def test_a_feed_servers_refusal_is_not_the_databases(tmp_path: Path) -> None:
    """The same words from anything but the database never pause the daemon."""
    try:
        try:
            raise ConnectionRefusedError(111, "Connection refused")  # a feed's server, say
        except ConnectionRefusedError:
            raise KeyError("a bug while handling it") from None
    except KeyError as exc:
        assert classify(exc, f"sqlite:///{tmp_path / 'a.db'}") is None
