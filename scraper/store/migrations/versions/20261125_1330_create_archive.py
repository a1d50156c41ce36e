"""Create the archive: publishers, domains, feeds, articles, their URLs, the fetch log, FTS.

Revision ID: 20261125_1330
Revises:
Create Date: 2026-11-25 13:30
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "20261125_1330"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
TS = sa.DateTime(timezone=True)


def _id() -> sa.Column[int]:
    return sa.Column("id", BigId, primary_key=True, autoincrement=True)


def upgrade() -> None:
    op.create_table(
        "publishers",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("canonical_domain", sa.String(253), nullable=False),
    )
    op.create_table(
        "domains",
        _id(),
        sa.Column("host", sa.String(253), nullable=False, unique=True),
        sa.Column(
            "publisher_id",
            sa.String(64),
            sa.ForeignKey("publishers.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("active_from", sa.Integer),
        sa.Column("active_until", sa.Integer),
    )
    op.create_table(
        "feeds",
        _id(),
        sa.Column("url", sa.Text, nullable=False, unique=True),
        sa.Column(
            "publisher_id",
            sa.String(64),
            sa.ForeignKey("publishers.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("title", sa.Text),
        sa.Column("etag", sa.Text),
        sa.Column("last_modified", sa.Text),
        sa.Column("body_hash", sa.String(64)),
        sa.Column("last_status", sa.Integer),
        sa.Column("last_polled_at", TS),
        sa.Column("last_success_at", TS),
        sa.Column("last_error", sa.Text),
        sa.Column("last_error_reason", sa.String(64)),
        sa.Column("consecutive_errors", sa.Integer, nullable=False),
        sa.Column("created_at", TS, nullable=False),
    )
    op.create_table(
        "articles",
        _id(),
        sa.Column(
            "publisher_id",
            sa.String(64),
            sa.ForeignKey("publishers.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("canonical_url", sa.Text, nullable=False, unique=True),
        sa.Column("guid", sa.Text),
        sa.Column("feed_id", BigId, sa.ForeignKey("feeds.id", ondelete="SET NULL")),
        sa.Column("title", sa.Text),
        sa.Column("authors", sa.JSON, nullable=False),
        sa.Column("published_at", TS),
        sa.Column("first_seen_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.Column("language", sa.String(16)),
        sa.Column("description", sa.Text),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("text_hash", sa.String(64), nullable=False),
        sa.Column("text_source", sa.String(16), nullable=False),
        sa.Column("word_count", sa.Integer, nullable=False),
    )
    op.create_index(
        "ix_articles_publisher_published", "articles", ["publisher_id", "published_at", "id"]
    )
    op.create_index("ix_articles_published", "articles", ["published_at", "id"])
    op.create_table(
        "article_urls",
        _id(),
        sa.Column("url", sa.Text, nullable=False, unique=True),
        sa.Column(
            "article_id",
            BigId,
            sa.ForeignKey("articles.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("first_seen_at", TS, nullable=False),
    )
    op.create_index("ix_article_urls_article_id", "article_urls", ["article_id"])
    op.create_table(
        "fetch_log",
        _id(),
        sa.Column("at", TS, nullable=False),
        sa.Column("feed_id", BigId, sa.ForeignKey("feeds.id", ondelete="CASCADE")),
        sa.Column("url", sa.Text, nullable=False),
        sa.Column("stage", sa.String(16), nullable=False),
        sa.Column("reason", sa.String(64), nullable=False),
        sa.Column("message", sa.Text, nullable=False),
        sa.Column("status", sa.Integer),
    )
    op.create_index("ix_fetch_log_at", "fetch_log", ["at"])
    op.create_index("ix_fetch_log_feed_id", "fetch_log", ["feed_id"])
    if op.get_bind().dialect.name == "postgresql":
        _postgres_search()
    else:
        _sqlite_search()


def _postgres_search() -> None:
    # The text-search configuration is per row (chosen from the detected language), so each
    # article is stemmed in its own language; the generated column keeps the index in step.
    op.execute("ALTER TABLE articles ADD COLUMN search_config regconfig NOT NULL DEFAULT 'simple'")
    op.execute(
        "ALTER TABLE articles ADD COLUMN tsv tsvector GENERATED ALWAYS AS ("
        "setweight(to_tsvector(search_config, coalesce(title, '')), 'A') || "
        "setweight(to_tsvector(search_config, text), 'B')) STORED"
    )
    op.execute("CREATE INDEX ix_articles_tsv ON articles USING GIN (tsv)")
    # Rare words otherwise make the planner prefer the date index (see shared notes).
    op.execute("ALTER TABLE articles ALTER COLUMN tsv SET STATISTICS 1000")


def _sqlite_search() -> None:
    op.add_column(
        "articles",
        sa.Column("search_config", sa.String(32), nullable=False, server_default="simple"),
    )
    op.execute(
        "CREATE VIRTUAL TABLE articles_fts USING fts5("
        "title, text, content='articles', content_rowid='id', "
        "tokenize='porter unicode61 remove_diacritics 2')"
    )
    op.execute(
        "CREATE TRIGGER articles_fts_ai AFTER INSERT ON articles BEGIN "
        "INSERT INTO articles_fts(rowid, title, text) VALUES (new.id, new.title, new.text); END"
    )
    op.execute(
        "CREATE TRIGGER articles_fts_ad AFTER DELETE ON articles BEGIN "
        "INSERT INTO articles_fts(articles_fts, rowid, title, text) "
        "VALUES ('delete', old.id, old.title, old.text); END"
    )
    op.execute(
        "CREATE TRIGGER articles_fts_au AFTER UPDATE OF title, text ON articles BEGIN "
        "INSERT INTO articles_fts(articles_fts, rowid, title, text) "
        "VALUES ('delete', old.id, old.title, old.text); "
        "INSERT INTO articles_fts(rowid, title, text) VALUES (new.id, new.title, new.text); END"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        for trigger in ("articles_fts_ai", "articles_fts_ad", "articles_fts_au"):
            op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
        op.execute("DROP TABLE IF EXISTS articles_fts")
    for table in ("fetch_log", "article_urls", "articles", "feeds", "domains", "publishers"):
        op.drop_table(table)
