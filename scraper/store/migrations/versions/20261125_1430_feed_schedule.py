"""Per-feed schedule for the daemon: next poll, interval, rate, lease, disabled state.

Revision ID: 20261125_1430
Revises: 20261125_1400
Create Date: 2026-11-25 14:30
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "20261125_1430"
down_revision: str | None = "20261125_1400"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TS = sa.DateTime(timezone=True)
COLUMNS = (
    ("next_poll_at", TS),
    ("interval_s", sa.Float()),
    ("items_per_day", sa.Float()),
    ("error_since", TS),
    ("lease_owner", sa.String(64)),
    ("lease_until", TS),
    ("disabled_at", TS),
    ("disabled_reason", sa.Text()),
)


def upgrade() -> None:
    with op.batch_alter_table("feeds") as batch:
        for name, type_ in COLUMNS:
            batch.add_column(sa.Column(name, type_, nullable=True))
        batch.add_column(sa.Column("poll_count", sa.Integer(), nullable=False, server_default="0"))
        batch.create_index("ix_feeds_next_poll_at", ["next_poll_at"])


def downgrade() -> None:
    with op.batch_alter_table("feeds") as batch:
        batch.drop_index("ix_feeds_next_poll_at")
        batch.drop_column("poll_count")
        for name, _ in reversed(COLUMNS):
            batch.drop_column(name)
