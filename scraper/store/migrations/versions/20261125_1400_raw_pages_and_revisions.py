"""Keep raw pages (compressed) for re-extraction and WARC export; keep previous texts.

Revision ID: 20261125_1400
Revises: 20261125_1330
Create Date: 2026-11-25 14:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "20261125_1400"
down_revision: str | None = "20261125_1330"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
TS = sa.DateTime(timezone=True)


def _article_fk() -> sa.Column[int]:
    return sa.Column(
        "article_id", BigId, sa.ForeignKey("articles.id", ondelete="CASCADE"), nullable=False
    )


def upgrade() -> None:
    op.create_table(
        "raw_pages",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        _article_fk(),
        sa.Column("url", sa.Text, nullable=False),
        sa.Column("status", sa.Integer, nullable=False),
        sa.Column("headers", sa.JSON, nullable=False),
        sa.Column("body_gz", sa.LargeBinary, nullable=False),
        sa.Column("body_size", sa.Integer, nullable=False),
        sa.Column("fetched_at", TS, nullable=False),
        sa.UniqueConstraint("article_id"),
    )
    op.create_index("ix_raw_pages_fetched_at", "raw_pages", ["fetched_at"])
    op.create_table(
        "revisions",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        _article_fk(),
        sa.Column("title", sa.Text),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("text_hash", sa.String(64), nullable=False),
        sa.Column("seen_at", TS, nullable=False),
        sa.Column("replaced_at", TS, nullable=False),
    )
    op.create_index("ix_revisions_article_id", "revisions", ["article_id"])


def downgrade() -> None:
    op.drop_table("revisions")
    op.drop_table("raw_pages")
