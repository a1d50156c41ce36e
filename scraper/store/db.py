"""Engines and schema upgrades. The only place that knows dialect connection quirks."""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config as AlembicConfig
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from scraper.errors import StorageError
from scraper.settings import Settings

log = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).parent / "migrations"


@dataclass(frozen=True, slots=True)
class DbTimeouts:
    """How long PostgreSQL may keep a caller waiting (``SCRAPER_DB_*`` settings).

    Without them a server that stops answering (frozen, partitioned away, a half-open TCP
    connection after a failover) blocks a call for as long as the OS keeps the socket: hours.
    The daemon's shutdown is bounded on its own, but its polls, claims and heartbeats would
    hang meanwhile instead of failing and being retried. 0 turns one off.
    """

    connect_s: float = 10.0
    statement_s: float = 0.0  # opt-in: a limit would also cut long maintenance statements
    tcp_s: float = 60.0


DEFAULT_TIMEOUTS = DbTimeouts()


def timeouts_from(settings: Settings) -> DbTimeouts:
    return DbTimeouts(
        settings.db_connect_timeout, settings.db_statement_timeout, settings.db_tcp_timeout
    )


def pg_connect_args(timeouts: DbTimeouts, query: Mapping[str, object]) -> dict[str, Any]:
    """libpq parameters for ``timeouts``; any the URL sets itself (``query``) win, and an
    ``options`` of the URL is kept after the statement timeout (a later ``-c`` wins)."""
    args: dict[str, Any] = {}
    if timeouts.connect_s > 0:
        args["connect_timeout"] = max(2, math.ceil(timeouts.connect_s))  # libpq: at least 2
    if timeouts.tcp_s > 0:
        # Probe a silent connection after half the limit, three probes over the rest; and give
        # up on data the server does not acknowledge (a partition while sending) after it.
        args |= {
            "keepalives": 1,
            "keepalives_idle": max(1, int(timeouts.tcp_s / 2)),
            "keepalives_interval": max(1, int(timeouts.tcp_s / 6)),
            "keepalives_count": 3,
            "tcp_user_timeout": int(timeouts.tcp_s * 1000),
        }
    args = {k: v for k, v in args.items() if k not in query}
    if timeouts.statement_s > 0:
        mine = f"-c statement_timeout={int(timeouts.statement_s * 1000)}"
        theirs = query.get("options")
        args["options"] = f"{mine} {theirs}" if isinstance(theirs, str) else mine
    return args


def make_engine(url: str, timeouts: DbTimeouts = DEFAULT_TIMEOUTS) -> Engine:
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
    connect_args = {"prepare_threshold": None} | pg_connect_args(timeouts, parsed.query)
    return create_engine(url, pool_pre_ping=True, pool_size=5, connect_args=connect_args)


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
            if engine.dialect.name == "postgresql":  # an index on a big table takes its time
                conn.execute(text("SET LOCAL statement_timeout = 0"))
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
