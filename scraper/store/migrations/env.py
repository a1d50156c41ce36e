"""Alembic environment: the URL comes from the caller or from SCRAPER_DATABASE_URL."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection, engine_from_config, pool

from scraper.settings import Settings
from scraper.store.tables import Base

config = context.config
target_metadata = Base.metadata

# Objects the migrations create by hand (FTS) that the ORM does not describe.
_UNMANAGED = {
    "articles_fts",
    "articles_fts_data",
    "articles_fts_idx",
    "articles_fts_content",
    "articles_fts_docsize",
    "articles_fts_config",
}


# PostgreSQL-only indexes the migrations create in raw SQL (GIN, DESC NULLS LAST orders).
_RAW_INDEXES = {
    "ix_articles_tsv",
    "ix_articles_published_desc",
    "ix_articles_publisher_published_desc",
    "ix_articles_search_config",
}


def _include_object(
    obj: object, name: str | None, type_: str, reflected: bool, compare_to: object
) -> bool:
    if type_ == "table" and name in _UNMANAGED:
        return False
    if type_ == "column" and name in {"tsv", "search_config"}:
        return False
    return not (type_ == "index" and name in _RAW_INDEXES)


def _url() -> str:
    return config.get_main_option("sqlalchemy.url") or Settings().database_url


def run_migrations_offline() -> None:
    context.configure(
        url=_url(),
        target_metadata=target_metadata,
        literal_binds=True,
        include_object=_include_object,
        render_as_batch=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    section = config.get_section(config.config_ini_section, {})
    section["sqlalchemy.url"] = _url()
    engine = engine_from_config(section, prefix="sqlalchemy.", poolclass=pool.NullPool)
    with engine.connect() as conn:
        _run(conn)


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        include_object=_include_object,
        render_as_batch=True,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
