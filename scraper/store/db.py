"""Engines and schema upgrades. The only place that knows dialect connection quirks."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config as AlembicConfig
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from scraper.errors import StorageError

log = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).parent / "migrations"


def make_engine(url: str) -> Engine:
    """Create an engine with the settings each dialect needs for a crawler's workload."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database
        if database and database != ":memory:" and not database.startswith("file:"):
            # (a file: URI, e.g. ?mode=ro&uri=true, names an existing file: nothing to create)
            Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    # Search queries must not be prepared: a generic plan assumes every word is rare
    # (measured 53 ms → 1.4 s on a phrase search; see docs/architecture.md).
    return create_engine(
        url, pool_pre_ping=True, pool_size=5, connect_args={"prepare_threshold": None}
    )


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def alembic_config(url: str) -> AlembicConfig:
    config = AlembicConfig()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()


def upgrade(engine: Engine) -> bool:
    """Bring the schema to the newest revision; returns whether anything was applied."""
    try:
        if current_revision(engine) == head_revision():
            return False
        config = alembic_config(engine.url.render_as_string(hide_password=False))
        with engine.begin() as conn:
            config.attributes["connection"] = conn
            command.upgrade(config, "head")
    except SQLAlchemyError as exc:
        raise StorageError(f"cannot upgrade the database schema: {exc}") from exc
    log.info("Database schema upgraded", extra={"revision": head_revision()})
    return True


def ensure_schema(engine: Engine, *, auto_upgrade: bool) -> None:
    """Fail clearly when the schema is behind, or upgrade it when that is safe to do."""
    try:
        current = current_revision(engine)
    except SQLAlchemyError as exc:
        raise StorageError(f"cannot reach the database: {exc}") from exc
    if current == head_revision():
        return
    if auto_upgrade:
        upgrade(engine)
        return
    raise StorageError(
        f"the database schema is at {current or 'nothing'}, not {head_revision()}: "
        "run `scraper db upgrade` first"
    )
