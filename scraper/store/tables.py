"""ORM tables. One schema for PostgreSQL and SQLite; full-text search differs per dialect.

The tables are created only by the Alembic migrations in ``store/migrations``; these classes
describe them for queries. Unique constraints (feed URL, article canonical URL, article URL)
are what make ingest idempotent: two crawls racing never store an article twice.

Full-text search lives outside these classes because it is dialect-specific:
PostgreSQL has a stored generated ``tsv`` column (language-aware via ``search_config``) with a
GIN index; SQLite has an external-content FTS5 table ``articles_fts`` kept in sync by triggers.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy import text as sql
from sqlalchemy.dialects.postgresql import REGCONFIG
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# SQLite only auto-increments INTEGER PRIMARY KEY; PostgreSQL gets a BIGINT identity.
BigId = BigInteger().with_variant(Integer(), "sqlite")


class Base(DeclarativeBase):
    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: DateTime(timezone=True)}


class PublisherRow(Base):
    __tablename__ = "publishers"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    canonical_domain: Mapped[str] = mapped_column(String(253))


class DomainRow(Base):
    __tablename__ = "domains"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    host: Mapped[str] = mapped_column(String(253), unique=True)
    publisher_id: Mapped[str] = mapped_column(ForeignKey("publishers.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))
    active_from: Mapped[int | None] = mapped_column(Integer)
    active_until: Mapped[int | None] = mapped_column(Integer)


class FeedRow(Base):
    __tablename__ = "feeds"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    url: Mapped[str] = mapped_column(Text, unique=True)
    publisher_id: Mapped[str] = mapped_column(ForeignKey("publishers.id", ondelete="CASCADE"))
    title: Mapped[str | None] = mapped_column(Text)
    etag: Mapped[str | None] = mapped_column(Text)
    last_modified: Mapped[str | None] = mapped_column(Text)
    body_hash: Mapped[str | None] = mapped_column(String(64))
    last_status: Mapped[int | None] = mapped_column(Integer)
    last_polled_at: Mapped[datetime | None]
    last_success_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    last_error_reason: Mapped[str | None] = mapped_column(String(64))
    consecutive_errors: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime]
    # The daemon's schedule (scraper/schedule, store/schedule.py). NULL next_poll_at: due now.
    next_poll_at: Mapped[datetime | None] = mapped_column(index=True)
    interval_s: Mapped[float | None] = mapped_column(Float)
    items_per_day: Mapped[float | None] = mapped_column(Float)
    poll_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    error_since: Mapped[datetime | None]
    lease_owner: Mapped[str | None] = mapped_column(String(64))
    lease_until: Mapped[datetime | None]
    disabled_at: Mapped[datetime | None]
    disabled_reason: Mapped[str | None] = mapped_column(Text)
    # Where the feed answers now, when that differs from ``url`` (a permanent redirect or a
    # failover to another of the publisher's domains); ``url`` stays its identity.
    fetch_url: Mapped[str | None] = mapped_column(Text)
    # "file": listed in the publishers file, which owns it (deleted there: disabled on the
    # next sync); "added": by `feeds add` / `import` / the API, untouched by a reload.
    source: Mapped[str] = mapped_column(String(16), default="added", server_default="added")


class ArticleRow(Base):
    __tablename__ = "articles"
    __table_args__ = (
        Index("ix_articles_publisher_published", "publisher_id", "published_at", "id"),
        Index("ix_articles_published", "published_at", "id"),
        Index("ix_articles_publisher_text_hash", "publisher_id", "text_hash"),
        Index("ix_articles_publisher_first_seen", "publisher_id", "first_seen_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    publisher_id: Mapped[str] = mapped_column(ForeignKey("publishers.id", ondelete="CASCADE"))
    canonical_url: Mapped[str] = mapped_column(Text, unique=True)
    guid: Mapped[str | None] = mapped_column(Text)
    feed_id: Mapped[int | None] = mapped_column(ForeignKey("feeds.id", ondelete="SET NULL"))
    title: Mapped[str | None] = mapped_column(Text)
    authors: Mapped[list[str]] = mapped_column(JSON, default=list)
    published_at: Mapped[datetime | None]
    first_seen_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    language: Mapped[str | None] = mapped_column(String(16))
    description: Mapped[str | None] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text)
    text_hash: Mapped[str] = mapped_column(String(64))
    text_source: Mapped[str] = mapped_column(String(16))
    word_count: Mapped[int] = mapped_column(Integer)
    # PostgreSQL text-search configuration for this row's language (unused on SQLite).
    search_config: Mapped[str] = mapped_column(
        String(32).with_variant(REGCONFIG(), "postgresql"), default="simple"
    )
    # Story cluster: the smallest id of the near-duplicate group (other publishers' copies);
    # NULL while the article has no near-duplicate.
    cluster_id: Mapped[int | None] = mapped_column(BigId, index=True)
    # Rows in ``revisions`` for this article, kept in step when one is added.
    revision_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class ArticleUrlRow(Base):
    __tablename__ = "article_urls"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    url: Mapped[str] = mapped_column(Text, unique=True)
    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), index=True
    )
    source: Mapped[str] = mapped_column(String(16))
    first_seen_at: Mapped[datetime]


class FetchLogRow(Base):
    """Every failure, per feed and per URL, so nothing goes unreported."""

    __tablename__ = "fetch_log"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(index=True)
    feed_id: Mapped[int | None] = mapped_column(
        ForeignKey("feeds.id", ondelete="CASCADE"), index=True
    )
    url: Mapped[str] = mapped_column(Text)
    stage: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(String(64))
    message: Mapped[str] = mapped_column(Text)
    status: Mapped[int | None] = mapped_column(Integer)


class RawPageRow(Base):
    """The page an article's text was extracted from, compressed, for re-extraction and WARC."""

    __tablename__ = "raw_pages"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), unique=True
    )
    url: Mapped[str] = mapped_column(Text)
    status: Mapped[int] = mapped_column(Integer)
    headers: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    body_gz: Mapped[bytes] = mapped_column(LargeBinary)
    body_size: Mapped[int] = mapped_column(Integer)
    fetched_at: Mapped[datetime] = mapped_column(index=True)


class RevisionRow(Base):
    """A previous text of an article, kept when the text changed beyond boilerplate."""

    __tablename__ = "revisions"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str | None] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text)
    text_hash: Mapped[str] = mapped_column(String(64))
    seen_at: Mapped[datetime]
    replaced_at: Mapped[datetime]


class EvidenceRow(Base):
    """Signs that a publisher moved: counted per (from host, to host, kind), with an example."""

    __tablename__ = "migration_evidence"
    __table_args__ = (UniqueConstraint("from_host", "to_host", "kind"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    publisher_id: Mapped[str | None] = mapped_column(
        ForeignKey("publishers.id", ondelete="CASCADE")
    )
    from_host: Mapped[str] = mapped_column(String(253))
    to_host: Mapped[str] = mapped_column(String(253))
    kind: Mapped[str] = mapped_column(String(32))
    count: Mapped[int] = mapped_column(Integer)
    example_url: Mapped[str] = mapped_column(Text)
    first_seen_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]


class AdoptionRow(Base):
    """A move the operator (or auto_adopt) accepted: ``to_host`` is the publisher's new home."""

    __tablename__ = "domain_adoptions"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    publisher_id: Mapped[str] = mapped_column(ForeignKey("publishers.id", ondelete="CASCADE"))
    from_host: Mapped[str] = mapped_column(String(253))
    to_host: Mapped[str] = mapped_column(String(253))
    source: Mapped[str] = mapped_column(String(16))
    adopted_at: Mapped[datetime]


class FeedUrlRow(Base):
    """Every URL a feed was known under, so a moved feed keeps one identity and its items."""

    __tablename__ = "feed_urls"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    url: Mapped[str] = mapped_column(Text, unique=True)
    feed_id: Mapped[int] = mapped_column(ForeignKey("feeds.id", ondelete="CASCADE"), index=True)
    source: Mapped[str] = mapped_column(String(16))
    first_seen_at: Mapped[datetime]


class BoilerplateRow(Base):
    """A paragraph seen in many of one publisher's articles: learned boilerplate."""

    __tablename__ = "boilerplate_paragraphs"
    __table_args__ = (
        UniqueConstraint("publisher_id", "hash"),
        # the repeated paragraphs, the only ones learning reads (min_articles >= 2)
        Index(
            "ix_boilerplate_repeated",
            "publisher_id",
            postgresql_where=sql("articles >= 2"),
            sqlite_where=sql("articles >= 2"),
        ),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    publisher_id: Mapped[str] = mapped_column(ForeignKey("publishers.id", ondelete="CASCADE"))
    hash: Mapped[str] = mapped_column(String(32))
    articles: Mapped[int] = mapped_column(Integer)
    example: Mapped[str] = mapped_column(Text)
    first_seen_at: Mapped[datetime]


class BandRow(Base):
    """The LSH index of near-duplicate detection: one row per (band key, article).

    A lookup is one indexed point query per band of the new text (``key IN (…)``), so its
    cost does not depend on the size of the archive (see scraper/dedup/minhash.py). Deleting
    an article should delete its rows here too (nothing deletes articles today).
    """

    __tablename__ = "article_bands"
    __table_args__ = ({"sqlite_with_rowid": False},)

    key: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    # No foreign key: derived data written 16 times per article, where a key check per row
    # is measurable; a candidate whose article is gone is simply not found at verification.
    article_id: Mapped[int] = mapped_column(BigId, primary_key=True)


class ArticleGuidRow(Base):
    """A feed item GUID an article was published under: (feed, GUID) is an identity."""

    __tablename__ = "article_guids"
    __table_args__ = (UniqueConstraint("feed_id", "guid"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    feed_id: Mapped[int] = mapped_column(ForeignKey("feeds.id", ondelete="CASCADE"))
    guid: Mapped[str] = mapped_column(Text)
    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), index=True
    )
    first_seen_at: Mapped[datetime]


class SightingRow(Base):
    """Each time an article was met: where (feed, URL, redirect chain) and when. At most one
    row per (article, URL, day); later sightings that day bump ``count`` and ``last_seen_at``."""

    __tablename__ = "sightings"
    __table_args__ = (UniqueConstraint("article_id", "url", "seen_on"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"))
    feed_id: Mapped[int | None] = mapped_column(
        ForeignKey("feeds.id", ondelete="SET NULL"), index=True
    )
    url: Mapped[str] = mapped_column(Text)
    seen_on: Mapped[date] = mapped_column(Date)
    redirects: Mapped[list[str]] = mapped_column(JSON, default=list)
    first_seen_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]
    count: Mapped[int] = mapped_column(Integer, default=1)
