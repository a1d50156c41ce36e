"""Shared fixtures: a database on SQLite *and* on a real PostgreSQL, and a clean environment.

PostgreSQL: ``SCRAPER_TEST_PG_URL`` (default: the local server at 127.0.0.1:5432, user
postgres, database test) is used only to create and drop one throw-away database per test.
In CI (``CI`` set) a missing server fails the run; on a laptop the PostgreSQL half of the
suite is skipped, loudly (see the end of the pytest report).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from scraper.demo.guard import loopback_only
from scraper.settings import normalise_database_url

PG_ADMIN_URL = normalise_database_url(
    os.environ.get("SCRAPER_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/test")
)
SHARED = Path(__file__).resolve().parents[2] / "shared"
_pg_state: dict[str, str | None] = {}


def _pg_problem() -> str | None:
    if "problem" not in _pg_state:
        try:
            engine = create_engine(PG_ADMIN_URL, connect_args={"connect_timeout": 3})
            with engine.connect() as conn:
                conn.execute(text("SELECT 1"))
            engine.dispose()
            _pg_state["problem"] = None
        except OperationalError as exc:
            _pg_state["problem"] = str(exc).splitlines()[0]
    return _pg_state["problem"]


def require_postgres() -> None:
    problem = _pg_problem()
    if problem is None:
        return
    message = f"PostgreSQL unreachable at {make_url(PG_ADMIN_URL).render_as_string()}: {problem}"
    if os.environ.get("CI"):
        pytest.fail(f"{message} (CI requires PostgreSQL; .ci/run starts it)", pytrace=False)
    pytest.skip(f"NO POSTGRESQL — {message}")


@pytest.fixture(autouse=True)
def _loopback_only() -> Iterator[None]:
    """Every test runs inside the loopback-only guard: a slip fails the test, not the network."""
    with loopback_only() as guard:
        yield
    assert not guard.violations, f"off-machine traffic attempted: {guard.violations}"


@pytest.fixture(autouse=True)
def _clean_environ(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests build their own settings; nothing leaks in from the developer's shell."""
    for name in list(os.environ):
        if name.startswith("SCRAPER_") and name != "SCRAPER_TEST_PG_URL":
            monkeypatch.delenv(name)
        if name.lower() in {"http_proxy", "https_proxy", "all_proxy", "no_proxy"}:
            monkeypatch.delenv(name)


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A fresh, empty PostgreSQL database, dropped afterwards."""
    require_postgres()
    name = f"scraper_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Each test using this runs twice: on SQLite and on PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'archive.db'}"
    url: str = request.getfixturevalue("postgres_url")
    return url


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    problem = _pg_state.get("problem")
    if problem:
        terminalreporter.write_sep("!", "PostgreSQL tests were SKIPPED", red=True, bold=True)
        terminalreporter.write_line(f"reason: {problem}", red=True)
