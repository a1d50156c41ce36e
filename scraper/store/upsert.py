"""Dialect-specific ``INSERT … ON CONFLICT DO NOTHING``: the real guard against doubles."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session


def insert_ignore(session: Session, table: Table, rows: list[dict[str, Any]]) -> None:
    """Insert rows, silently skipping any that collide with a unique constraint."""
    if not rows:
        return
    dialect = session.get_bind().dialect.name
    module: Any = postgresql if dialect == "postgresql" else sqlite
    session.execute(module.insert(table).on_conflict_do_nothing(), rows)


def upsert_add(
    session: Session,
    table: Table,
    rows: list[dict[str, Any]],
    keys: list[str],
    add: str,
    replace: tuple[str, ...] = (),
) -> None:
    """Insert rows or, on a key conflict, add the new ``add`` value to the stored one (and
    overwrite the ``replace`` columns): a counter no concurrent writer can lose."""
    if not rows:
        return
    dialect = session.get_bind().dialect.name
    module: Any = postgresql if dialect == "postgresql" else sqlite
    statement = module.insert(table)
    updates = {add: table.c[add] + statement.excluded[add]}
    updates |= {name: statement.excluded[name] for name in replace}
    session.execute(statement.on_conflict_do_update(index_elements=keys, set_=updates), rows)
