"""``scraper db``: schema migrations."""

from __future__ import annotations

import click

from scraper.cli.context import AppContext
from scraper.store.db import (
    current_revision,
    head_revision,
    make_engine,
    timeouts_from,
    upgrade,
)


@click.group("db")
def db_group() -> None:
    """Database schema management."""


@db_group.command("upgrade")
@click.pass_obj
def upgrade_command(app: AppContext) -> None:
    """Apply every pending migration (run once after installing or upgrading)."""
    engine = make_engine(app.settings.database_url, timeouts_from(app.settings))
    applied = upgrade(engine)
    click.echo(f"schema at {head_revision()}" + ("" if applied else " (already up to date)"))


@db_group.command("current")
@click.pass_obj
def current_command(app: AppContext) -> None:
    """Print the schema revision of the database and the newest one known."""
    engine = make_engine(app.settings.database_url, timeouts_from(app.settings))
    click.echo(f"database: {current_revision(engine) or 'empty'}; newest: {head_revision()}")
