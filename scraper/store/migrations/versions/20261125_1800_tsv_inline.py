"""Keep the search vector in the row (PostgreSQL): ``tsv`` storage MAIN instead of EXTENDED.

A stored tsvector of a news article is ≈ 2.5 kB and barely compresses, so with the default
strategy every row's ``tsv`` was moved out of line into TOAST. Search reads ``tsv`` for every
row it checks (walking the newest-first index, or rechecking a phrase) and for every row it
ranks: each read was a TOAST index lookup plus one or two TOAST pages. With MAIN the vector
stays in the heap row (the article text, read only for the 20 snippets shown, stays
EXTENDED), which measured ≈ 3x faster for that walk and for ranking 1,000 rows
(docs/performance.md, "Search latency"). A vector too large for a page still goes out of line.

The setting applies to rows written from now on; an existing archive gets it for old rows with
``VACUUM FULL articles`` (which rewrites the table; it locks it while it runs).

Revision ID: 20261125_1800
Revises: 20261125_1700
Create Date: 2026-11-25 18:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "20261125_1800"
down_revision: str | None = "20261125_1700"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("ALTER TABLE articles ALTER COLUMN tsv SET STORAGE MAIN")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("ALTER TABLE articles ALTER COLUMN tsv SET STORAGE EXTENDED")
