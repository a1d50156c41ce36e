"""Where each feed came from: the publishers file, or ``feeds add`` / ``import`` / the API.

The file is the source of truth for the feeds it lists, so a feed deleted from it must stop
being polled, while feeds added by hand must survive every reload. Until now nothing told the
two apart, so a sync could only insert, and a feed deleted from the file was polled forever.

Existing rows start as ``added``, the safe side: the first sync after the upgrade marks every
feed the file lists as ``file``, and a feed deleted from the file *before* the upgrade keeps
being polled until ``scraper feeds remove`` or ``disable`` (as it was before).

Revision ID: 20261210_1200
Revises: 20261203_1900
Create Date: 2026-12-10 12:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "20261210_1200"
down_revision: str | None = "20261203_1900"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("feeds") as batch:
        batch.add_column(sa.Column("source", sa.String(16), nullable=False, server_default="added"))


def downgrade() -> None:
    with op.batch_alter_table("feeds") as batch:
        batch.drop_column("source")
