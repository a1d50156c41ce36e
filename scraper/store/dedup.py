"""The database half of deduplication: identity claims, the LSH band index, story clusters,
sightings and the revision history.

Race-freedom. The unique constraints (canonical URL, article URL, (feed, GUID), band key per
article) keep rows from doubling, but "is there already an article with this text?" is a read
followed by a write. So every save first *serialises* on what identifies its text:

* PostgreSQL: transaction-scoped advisory locks on the text-hash key, the GUID key and every
  band key, taken in ascending order (no deadlocks), plus a shared lock on one global key that
  bulk loads (:meth:`Archive.save_many`) take exclusively. Two writers holding copies of one
  story share at least one band key, so the second waits for the first to commit and then
  sees its row (READ COMMITTED: every statement sees what committed before it started).
* SQLite: the save starts with a no-op write, which takes the database's single write lock
  before the first read, so reads and writes of one save see one state.

Clusters: ``cluster_id`` is the smallest article id of the group, whatever order its members
arrived in; joining two clusters relabels the larger one (never drops a member).
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, func, or_, select, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from scraper.dedup.fingerprint import normalise_text, word_count
from scraper.dedup.minhash import Fingerprint, shingle_hashes, similarity
from scraper.dedup.revisions import Version
from scraper.store.tables import ArticleGuidRow, ArticleRow, BandRow, RevisionRow, SightingRow
from scraper.store.upsert import insert_ignore

MAX_CANDIDATES = 50
_GLOBAL_KEY = -0x5CA7_DED0  # the bulk-load lock (negative: never a band key)


def _key(*parts: object) -> int:
    digest = hashlib.blake2b("\x1f".join(map(str, parts)).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") >> 1  # positive: never the (negative) global key


def lock_keys(
    publisher_id: str,
    digest: str,
    feed_id: int | None,
    guid: str | None,
    fp: Fingerprint | None,
) -> list[int]:
    keys = [_key("text", publisher_id, digest)]
    if feed_id is not None and guid:
        keys.append(_key("guid", feed_id, guid))
    if fp is not None:
        keys += fp.keys
    return sorted(set(keys))


def serialise(session: Session, keys: Sequence[int], *, bulk: bool = False) -> None:
    """Take the locks one save needs before its first read (see the module docstring)."""
    if session.get_bind().dialect.name != "postgresql":
        session.execute(text("UPDATE articles SET id = id WHERE id < 0"))  # takes the write lock
        return
    if bulk:
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _GLOBAL_KEY})
        return
    session.execute(text("SELECT pg_advisory_xact_lock_shared(:k)"), {"k": _GLOBAL_KEY})
    session.execute(
        text("SELECT count(pg_advisory_xact_lock(k)) FROM unnest(CAST(:keys AS bigint[])) AS k"),
        {"keys": sorted(keys)},
    )


# -- exact identities ------------------------------------------------------------------------


def guid_article(session: Session, feed_id: int, guid: str) -> int | None:
    query = select(ArticleGuidRow.article_id).where(
        ArticleGuidRow.feed_id == feed_id, ArticleGuidRow.guid == guid
    )
    return session.scalar(query)


def claim_guid(session: Session, feed_id: int, guid: str, article_id: int, now: datetime) -> None:
    row = {"feed_id": feed_id, "guid": guid, "article_id": article_id, "first_seen_at": now}
    insert_ignore(session, ArticleGuidRow.__table__, [row])  # type: ignore[arg-type]


def text_hash_article(session: Session, publisher_id: str, digest: str) -> int | None:
    query = (
        select(ArticleRow.id)
        .where(ArticleRow.publisher_id == publisher_id, ArticleRow.text_hash == digest)
        .order_by(ArticleRow.id)
        .limit(1)
    )
    return session.scalar(query)


# -- near-duplicates -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Match:
    """A stored article whose text overlaps the new one."""

    article_id: int
    publisher_id: str
    containment: float
    jaccard: float
    when: datetime  # published_at, else first_seen_at


def candidates(session: Session, keys: Sequence[int], limit: int = MAX_CANDIDATES) -> list[int]:
    """Articles sharing a band key with ``keys``, most shared bands first (one indexed query)."""
    if not keys:
        return []
    hits = func.count(BandRow.key)
    query = (
        select(BandRow.article_id)
        .where(BandRow.key.in_(list(keys)))
        .group_by(BandRow.article_id)
        .order_by(hits.desc(), BandRow.article_id)
        .limit(limit)
    )
    return list(session.scalars(query))


def near_matches(session: Session, fp: Fingerprint, floor: float = 0.0) -> list[Match]:
    """Candidates from the band index verified against their stored text (the cost of one
    lookup, as ``bench.dedup`` measures it; ingest batches these, :mod:`scraper.store.ingest`)."""
    ids = candidates(session, fp.keys)
    if not ids:
        return []
    query = select(
        ArticleRow.id,
        ArticleRow.publisher_id,
        ArticleRow.text,
        func.coalesce(ArticleRow.published_at, ArticleRow.first_seen_at),
    ).where(ArticleRow.id.in_(ids))
    rows = session.execute(query)
    return verify(fp, ((i, p, shingle_hashes(body), when) for i, p, body, when in rows), floor)


def verify(
    fp: Fingerprint,
    stored: Iterable[tuple[int, str, frozenset[int], datetime]],
    floor: float,
) -> list[Match]:
    """The candidates (id, publisher, shingles, date) whose containment of ``fp`` is at least
    ``floor`` (and above zero), best first."""
    found = []
    for article_id, publisher_id, shingles, when in stored:
        sim = similarity(fp.shingles, shingles)
        if sim.containment >= floor and sim.containment > 0:
            found.append(Match(article_id, publisher_id, sim.containment, sim.jaccard, when))
    found.sort(key=lambda m: (-m.containment, m.article_id))
    return found


def add_bands(session: Session, article_id: int, keys: Iterable[int]) -> None:
    """One multi-row INSERT (its compiled form is cached: always 16 rows)."""
    rows = [{"key": key, "article_id": article_id} for key in keys]
    if not rows:
        return
    module: Any = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    session.execute(module.insert(BandRow.__table__).values(rows).on_conflict_do_nothing())


def join_cluster(session: Session, article_id: int, related: Sequence[Match]) -> int:
    """Put the article and its near-duplicates into one cluster; returns its id. The
    clusters are read here, not taken from ``related``: an earlier save of the same batch
    may have relabelled them."""
    members = {article_id, *(m.article_id for m in related)}
    query = select(ArticleRow.cluster_id).where(
        ArticleRow.id.in_(members), ArticleRow.cluster_id.is_not(None)
    )
    clusters = {c for c in session.scalars(query) if c is not None}
    root = min(members | clusters)
    where: ColumnElement[bool] = ArticleRow.id.in_(members)
    if clusters:
        where = or_(where, ArticleRow.cluster_id.in_(clusters))
    session.execute(
        update(ArticleRow)
        .where(where, or_(ArticleRow.cluster_id.is_(None), ArticleRow.cluster_id != root))
        .values(cluster_id=root)
        .execution_options(synchronize_session=False)
    )
    return root


def also_published_by(session: Session, rows: Iterable[Any]) -> dict[int, list[str]]:
    """Article id → the other publishers of its story cluster, for rows shown as one hit per
    story (rows with ``id``, ``cluster_id`` and ``publisher_id``); one query for all rows."""
    rows = list(rows)
    clusters = sorted({r.cluster_id for r in rows if r.cluster_id is not None})
    publishers = cluster_publishers(session, clusters) if clusters else {}
    return {
        r.id: [p for p in publishers.get(r.cluster_id, []) if p != r.publisher_id]
        for r in rows
        if r.cluster_id is not None
    }


def cluster_publishers(session: Session, cluster_ids: Sequence[int]) -> dict[int, list[str]]:
    """Publishers of each cluster's members, in order of their first article."""
    result: dict[int, list[str]] = {c: [] for c in cluster_ids}
    if not cluster_ids:
        return result
    query = (
        select(ArticleRow.cluster_id, ArticleRow.publisher_id)
        .where(ArticleRow.cluster_id.in_(cluster_ids))
        .group_by(ArticleRow.cluster_id, ArticleRow.publisher_id)
        .order_by(ArticleRow.cluster_id, func.min(ArticleRow.id))
    )
    for cluster_id, publisher_id in session.execute(query):
        result.setdefault(cluster_id or 0, []).append(publisher_id)
    return result


# -- sightings and revisions -----------------------------------------------------------------


def sighting_row(
    article_id: int,
    url: str,
    now: datetime,
    feed_id: int | None = None,
    redirects: Sequence[str] = (),
) -> dict[str, Any]:
    return {
        "article_id": article_id,
        "feed_id": feed_id,
        "url": url,
        "seen_on": _day(now),
        "redirects": list(redirects),
        "first_seen_at": now,
        "last_seen_at": now,
        "count": 1,
    }


def record_sightings(session: Session, rows: Iterable[dict[str, Any]]) -> None:
    """Rows of :func:`sighting_row`, in one statement: at most one row per (article, URL,
    day), a repeat bumps its count and last time. Repeats within ``rows`` are merged first
    (one statement may not hit a row twice) and rows go in key order (no lock-order
    deadlocks between writers)."""
    merged: dict[tuple[int, str, date], dict[str, Any]] = {}
    for row in rows:
        key = (row["article_id"], row["url"], row["seen_on"])
        if key in merged:
            merged[key]["count"] += row["count"]
            merged[key]["last_seen_at"] = row["last_seen_at"]
        else:
            merged[key] = dict(row)
    if merged:
        statement = _sighting_upsert(session.get_bind().dialect.name)
        session.execute(statement, [merged[k] for k in sorted(merged)])


@functools.cache
def _sighting_upsert(dialect: str) -> Any:
    """Built once per dialect: constructing an upsert costs more than running it."""
    module: Any = postgresql if dialect == "postgresql" else sqlite
    table = SightingRow.__table__
    statement = module.insert(table)
    return statement.on_conflict_do_update(
        index_elements=["article_id", "url", "seen_on"],
        set_={
            "count": table.c.count + statement.excluded.count,
            "last_seen_at": statement.excluded.last_seen_at,
        },
    )


def _day(now: datetime) -> date:
    return now.date()


def sightings(session: Session, article_id: int) -> list[SightingRow]:
    query = select(SightingRow).where(SightingRow.article_id == article_id)
    return list(session.scalars(query.order_by(SightingRow.first_seen_at, SightingRow.id)))


def versions(session: Session, article_id: int) -> list[Version]:
    """Every text the article had, oldest first, the current one last."""
    row = session.get(ArticleRow, article_id)
    if row is None:
        return []
    query = select(RevisionRow).where(RevisionRow.article_id == article_id)
    old = session.scalars(query.order_by(RevisionRow.replaced_at, RevisionRow.id)).all()
    out = [Version(r.title, r.text, r.seen_at, r.replaced_at) for r in old]
    out.append(Version(row.title, row.text, row.updated_at))
    return out


def replace_text(session: Session, row: ArticleRow, body: str, digest: str, now: datetime) -> bool:
    """Swap in a new text, keeping the old one as a revision; False when nothing changed."""
    if row.text_hash == digest:
        return False
    _keep_revision(session, row, now)
    row.text, row.text_hash, row.word_count = body, digest, word_count(body)
    return True


def replace_title(session: Session, row: ArticleRow, title: str | None, now: datetime) -> bool:
    """Swap in a new headline for an unchanged text, keeping the old one as a revision: a
    headline rewrite is an edit as much as a text change is. False when ``title`` is empty or
    the same headline however typeset (quotes, spaces, case), so re-polls record nothing."""
    if not title or normalise_text(title) == normalise_text(row.title or ""):
        return False
    _keep_revision(session, row, now)
    row.title = title
    return True


def _keep_revision(session: Session, row: ArticleRow, now: datetime) -> None:
    """The row's current title and text become a revision, replaced ``now``."""
    session.add(
        RevisionRow(
            article_id=row.id,
            title=row.title,
            text=row.text,
            text_hash=row.text_hash,
            seen_at=row.updated_at,
            replaced_at=now,
        )
    )
    row.revision_count = (row.revision_count or 0) + 1
    row.updated_at = now
