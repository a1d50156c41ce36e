"""Domain moves: migration evidence, adoptions, feed URL history, learned boilerplate.

Revision ID: 20261125_1500
Revises: 20261125_1430
Create Date: 2026-11-25 15:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "20261125_1500"
down_revision: str | None = "20261125_1430"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
TS = sa.DateTime(timezone=True)


def _id() -> sa.Column[int]:
    return sa.Column("id", BigId, primary_key=True, autoincrement=True)


def _publisher(nullable: bool = False) -> sa.Column[str]:
    return sa.Column(
        "publisher_id",
        sa.String(64),
        sa.ForeignKey("publishers.id", ondelete="CASCADE"),
        nullable=nullable,
    )


def upgrade() -> None:
    with op.batch_alter_table("feeds") as batch:
        batch.add_column(sa.Column("fetch_url", sa.Text))
    op.create_table(
        "migration_evidence",
        _id(),
        _publisher(nullable=True),
        sa.Column("from_host", sa.String(253), nullable=False),
        sa.Column("to_host", sa.String(253), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("count", sa.Integer, nullable=False),
        sa.Column("example_url", sa.Text, nullable=False),
        sa.Column("first_seen_at", TS, nullable=False),
        sa.Column("last_seen_at", TS, nullable=False),
        sa.UniqueConstraint("from_host", "to_host", "kind"),
    )
    op.create_table(
        "domain_adoptions",
        _id(),
        _publisher(),
        sa.Column("from_host", sa.String(253), nullable=False),
        sa.Column("to_host", sa.String(253), nullable=False),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("adopted_at", TS, nullable=False),
    )
    op.create_table(
        "feed_urls",
        _id(),
        sa.Column("url", sa.Text, nullable=False, unique=True),
        sa.Column("feed_id", BigId, sa.ForeignKey("feeds.id", ondelete="CASCADE"), nullable=False),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("first_seen_at", TS, nullable=False),
    )
    op.create_index("ix_feed_urls_feed_id", "feed_urls", ["feed_id"])
    op.create_table(
        "boilerplate_paragraphs",
        _id(),
        _publisher(),
        sa.Column("hash", sa.String(32), nullable=False),
        sa.Column("articles", sa.Integer, nullable=False),
        sa.Column("example", sa.Text, nullable=False),
        sa.Column("first_seen_at", TS, nullable=False),
        sa.UniqueConstraint("publisher_id", "hash"),
    )


def downgrade() -> None:
    for table in ("boilerplate_paragraphs", "feed_urls", "domain_adoptions", "migration_evidence"):
        op.drop_table(table)
    with op.batch_alter_table("feeds") as batch:
        batch.drop_column("fetch_url")
