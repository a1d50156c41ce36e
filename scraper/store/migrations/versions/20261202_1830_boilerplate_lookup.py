"""Indexes for reading learned boilerplate without scanning the archive.

A paragraph is learned once it appears in enough of the publisher's articles *since it was
first seen* (scraper/store/boilerplate.py). Reading that for every publisher scanned the
whole paragraph-count table (one row per paragraph of every article) for the few repeated
paragraphs, then walked every article row of each publisher: ≈ 1 s at 190,000 articles on
PostgreSQL, growing with the archive, paid by each crawl that stores something new and by
the daemon hourly. With a partial index on the repeated paragraphs and the publisher's
articles indexed by first sighting, each count is an index-only range scan.

Revision ID: 20261202_1830
Revises: 20261125_1800
Create Date: 2026-12-02 18:30
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "20261202_1830"
down_revision: str | None = "20261125_1800"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # min_articles is at least 2 (settings), so every paragraph worth reading is in here
    op.create_index(
        "ix_boilerplate_repeated",
        "boilerplate_paragraphs",
        ["publisher_id"],
        postgresql_where=sa.text("articles >= 2"),
        sqlite_where=sa.text("articles >= 2"),
    )
    op.create_index(
        "ix_articles_publisher_first_seen", "articles", ["publisher_id", "first_seen_at"]
    )


def downgrade() -> None:
    op.drop_index("ix_articles_publisher_first_seen", "articles")
    op.drop_index("ix_boilerplate_repeated", "boilerplate_paragraphs")
