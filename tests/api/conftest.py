"""Archives on SQLite and PostgreSQL, seeded with a publisher that moved domains, and apps
and in-process clients built around them.

Tests that change the archive get a fresh one (``seeded``, via the shared ``database_url``
fixture). Read-only modules share one seeded archive per module and database
(``shared_seeded``): creating and migrating a PostgreSQL database is most of a test's cost.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from scraper.api import create_app
from scraper.config import Config
from scraper.settings import Settings, normalise_database_url
from scraper.store.archive import Archive, open_archive
from tests.api.helpers import CONFIG, MakeApp, client_of, seed


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def seeded(database_url: str) -> Iterator[Archive]:
    """A fresh seeded archive for a test that writes to it."""
    archive = seed(open_archive(database_url, auto_upgrade=True))
    yield archive
    archive.close()


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def shared_seeded(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Archive]:
    """One seeded archive per module and database, for tests that only read."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('api') / 'archive.db'}"
        archive = seed(open_archive(url, auto_upgrade=True))
        yield archive
        archive.close()
        return
    with _module_postgres() as url:
        archive = seed(open_archive(url, auto_upgrade=True))
        yield archive
        archive.close()


PG_ADMIN_URL = normalise_database_url(
    os.environ.get("SCRAPER_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/test")
)


@contextmanager
def _module_postgres() -> Iterator[str]:
    """A throw-away PostgreSQL database, as the root ``postgres_url`` makes, kept for a module.
    Unreachable: skipped, or failed under CI, like the root fixture does."""
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    name = f"scraper_test_{uuid.uuid4().hex[:12]}"
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except OperationalError as exc:
        message = f"NO POSTGRESQL — {str(exc).splitlines()[0]}"
        if os.environ.get("CI"):
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    try:
        yield make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _app_factory(archive: Archive) -> MakeApp:
    url = archive.engine.url.render_as_string(hide_password=False)

    def make(config: Config = CONFIG, **kw: object) -> FastAPI:
        return create_app(Settings(database_url=url), config, archive, **kw)  # type: ignore[arg-type]

    return make


@pytest.fixture
def make_app(seeded: Archive) -> MakeApp:
    """Apps around a fresh seeded archive; keyword arguments go to ``create_app``."""
    return _app_factory(seeded)


@pytest.fixture
def make_shared_app(shared_seeded: Archive) -> MakeApp:
    """Apps around the module's shared archive: for tests that do not write."""
    return _app_factory(shared_seeded)


@pytest.fixture
async def client(make_app: MakeApp) -> AsyncIterator[httpx.AsyncClient]:
    async with client_of(make_app()) as client:
        yield client


@pytest.fixture
async def shared_client(make_shared_app: MakeApp) -> AsyncIterator[httpx.AsyncClient]:
    async with client_of(make_shared_app()) as client:
        yield client
