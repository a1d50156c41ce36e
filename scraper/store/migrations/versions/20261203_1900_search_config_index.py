"""Which text-search configurations the archive holds, answered from an index (PostgreSQL).

A row's ``tsv`` is stemmed with its own language's configuration, so a search finds a German
article by a German word form only if it parses the query as ``german`` too. Search ORs the
configurations present in the archive (``search_pg.configs_present``); with this index that
is one index probe per known configuration (≈ 0.2 ms), not a scan of every row. The column
has a few dozen values at most, so the deduplicated btree is small (≈ 7 MB per million
articles).

Revision ID: 20261203_1900
Revises: 20261202_1830
Create Date: 2026-12-03 19:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "20261203_1900"
down_revision: str | None = "20261202_1830"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("CREATE INDEX ix_articles_search_config ON articles (search_config)")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP INDEX IF EXISTS ix_articles_search_config")
