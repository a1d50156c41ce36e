"""Indexes in the order search ranks its window in (PostgreSQL): newest first, nulls last.

The ranked window is ``ORDER BY published_at DESC NULLS LAST, id DESC``; a btree scanned
backwards gives ``DESC NULLS FIRST``, so the existing (published_at, id) indexes cannot serve it.

Revision ID: 20261125_1700
Revises: 20261125_1600
Create Date: 2026-11-25 17:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "20261125_1700"
down_revision: str | None = "20261125_1600"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(
        "CREATE INDEX ix_articles_published_desc ON articles "
        "(published_at DESC NULLS LAST, id DESC)"
    )
    op.execute(
        "CREATE INDEX ix_articles_publisher_published_desc ON articles "
        "(publisher_id, published_at DESC NULLS LAST, id DESC)"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP INDEX IF EXISTS ix_articles_publisher_published_desc")
    op.execute("DROP INDEX IF EXISTS ix_articles_published_desc")
