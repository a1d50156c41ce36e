"""Ranked full-text search: FTS5 bm25 on SQLite, tsvector + ts_rank_cd on PostgreSQL.

Ranking cost grows with the number of matches, so both dialects rank only the newest
``RANK_WINDOW`` matches — by publication date on PostgreSQL (``search_pg``, which also picks
the plan that finds them), by storage order (rowid) on SQLite — and compute snippets for the
returned rows only. ``bench/search`` measures it; docs/performance.md has the figures.

Collapsed (the default), a story cluster gives one hit: its best-ranked copy (on a tie the
newest, then the smallest id), carrying the cluster's other publishers in
``also_published_by``. Stories are keyed ``coalesce(cluster_id, id)`` and collapsed in SQL
on PostgreSQL, while reading the ranked rows on SQLite, so ``limit`` counts stories. Equal
ranks are ordered newest first, then by id, so offset pages of one search never overlap.

Each statement is a round trip (on SQLite also a new FTS5 cursor) and, on PostgreSQL, a plan
that reads the tsvector statistics, so a search runs few: the ranking, then one statement for
the shown hits' columns, URLs and snippets (SQLite reads URLs in a second one), plus one for
the publishers of story clusters when a hit has one; on PostgreSQL one ``EXPLAIN`` for a
search with filters or a phrase (and a bounded count when its walk finds few matches);
on SQLite one for the rowid bounds
of a date filter and, without filters, one for the dates and stories of the ranked rows it
reads (usually one batch). docs/performance.md ("Search latency") has the measurements.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from functools import cache
from operator import itemgetter
from typing import Any, NamedTuple

from sqlalchemy import JSON, DateTime, select, text
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Session
from sqlalchemy.types import TypeEngine

from scraper.models import Article
from scraper.query.websearch import to_fts5
from scraper.store import search_pg
from scraper.store.dedup import also_published_by
from scraper.store.filters import ArticleFilter
from scraper.store.search_sql import Match, SearchHit, filter_sql
from scraper.store.tables import ArticleRow

RANK_WINDOW = 1000
MARK = "**"

_COLUMNS = (
    "a.id, a.publisher_id, a.canonical_url, a.title, a.authors, a.published_at, "
    "a.first_seen_at, a.language, a.text, a.word_count, a.cluster_id, a.revision_count"
)
_SQLITE_SNIPPET = f"snippet(articles_fts, 1, '{MARK}', '{MARK}', '…', 24)"
_PG_HEADLINE_OPTIONS = (
    f"'StartSel={MARK}, StopSel={MARK}, MaxWords=30, MinWords=12, MaxFragments=2, "
    'FragmentDelimiter=" … "\''
)


def search(
    session: Session,
    query: str,
    filters: ArticleFilter,
    limit: int = 20,
    *,
    collapse: bool = True,
) -> list[Article]:
    """Best matches first; a query without a word to rank by lists the newest articles
    (without those matching its excluded words, if it has any)."""
    return search_page(session, query, filters, 0, limit, collapse=collapse)[0]


def search_page(
    session: Session,
    query: str,
    filters: ArticleFilter,
    offset: int,
    limit: int,
    *,
    collapse: bool = True,
) -> tuple[list[Article], bool]:
    """Hits ``offset`` to ``offset + limit`` and whether more follow.

    The ranking has to look at every hit up to the page's end (and one more, to know whether
    a next page exists), but rows, URLs and snippets are read for the page's hits only: a
    snippet is the costliest part of a hit on PostgreSQL (``ts_headline`` parses the text).
    """
    match: Match | None
    window = offset + limit + 1
    if session.get_bind().dialect.name == "postgresql":
        match = search_pg.pg_match(session, query, filters)
        if match is not None:
            hits = search_pg.rank(session, query, match, filters, RANK_WINDOW, window, collapse)
        else:
            hits = None
    else:
        _tune_sqlite(session)
        match = _sqlite_match(query)
        hits = _rank_sqlite(session, match, filters, window, collapse) if match else None
    if hits is None:  # no word to rank by: the newest, without any it excludes
        match, hits = None, _newest(session, filters.for_listing(query), window, collapse)
    more = len(hits) > offset + limit
    hits = hits[offset : offset + limit]
    if not hits:
        return [], more
    rows = _display_rows(session, [h.article_id for h in hits], match)
    others = also_published_by(session, (r for r, _ in rows.values())) if collapse else {}
    found = []
    for hit in hits:
        if hit.article_id not in rows:
            continue  # deleted since it was ranked
        row, urls = rows[hit.article_id]
        found.append(_to_article(row, urls, others.get(row.id, ())))
    return found, more


# -- SQLite ---------------------------------------------------------------------------------

# Per connection, once. A search reads scattered pages (FTS doclists, then one article row per
# match); with SQLite's default 2 MB page cache each is a read() system call. Memory-mapping the
# file and a larger cache made the 1,000-row window's article lookups 2-3x faster (1.9 → 0.7 ms
# on 100 k rows). The settings only change how pages are read, never what a query returns.
# Search ranks a window of FTS rows: through the page cache instead of read() calls. Only on
# connections that search (a memory map of the archive would count in a crawler's RSS).
_SQLITE_READ_PRAGMAS = ("PRAGMA mmap_size = 1073741824", "PRAGMA cache_size = -16384")


def _tune_sqlite(session: Session) -> None:
    connection = session.connection()
    if not connection.info.get("search_pragmas"):
        for pragma in _SQLITE_READ_PRAGMAS:
            connection.exec_driver_sql(pragma)
        connection.info["search_pragmas"] = True


def _sqlite_match(query: str) -> Match | None:
    expression = to_fts5(query)
    return None if expression is None else Match("articles_fts MATCH :q", {"q": expression})


def _rank_sqlite(
    session: Session, match: Match, filters: ArticleFilter, limit: int, collapse: bool
) -> list[SearchHit]:
    """bm25 for the newest ``RANK_WINDOW`` matches only (rowid order): ranking every match of
    a common word was measured at p95 0.5 s on 100 k rows.

    SQLite sorts the window in rank order, and it is read only as far as the page needs:
    stories are collapsed while reading (:func:`_collapse`), not by a ``row_number()``
    window over the story partition (a third of the statement's time or more). Without
    filters the window is ranked on the FTS table alone and only the rows read are looked
    up in ``articles`` (:func:`_rank_sqlite_fts`); a filter needs the article of every match.
    """
    params: dict[str, Any] = {**match.params, "window": RANK_WINDOW}
    where = filter_sql(filters, params)
    if not where:
        return _rank_sqlite_fts(session, params, limit, collapse)
    _bind_dates_sqlite(params)
    bounds = _rowid_bounds(session, where, params) if filters.since or filters.until else ""
    if bounds is None:
        return []  # nothing was published in the date range
    # CROSS JOIN keeps FTS5 the outer loop; otherwise SQLite may walk a filter index and run
    # the MATCH once per article.
    sql = (
        "SELECT * FROM (SELECT a.id, bm25(articles_fts, 4.0, 1.0) AS rank, a.published_at, "
        "coalesce(a.cluster_id, a.id) AS story "
        "FROM articles_fts CROSS JOIN articles a ON a.id = articles_fts.rowid "
        f"WHERE articles_fts MATCH :q{where}{bounds} "
        "ORDER BY articles_fts.rowid DESC LIMIT :window) "
        "ORDER BY rank, published_at DESC, id DESC"
    )
    result = session.connection().exec_driver_sql(sql, params)
    try:
        rows = _collapse(result, limit, collapse)
    finally:
        result.close()
    return [SearchHit(int(row[0]), -float(row[1])) for row in rows]


# The unfiltered window, ranked on the FTS table alone (rank order; ties in any order).
_SQLITE_RANK_FTS = (
    "SELECT * FROM (SELECT rowid AS id, bm25(articles_fts, 4.0, 1.0) AS rank "
    "FROM articles_fts WHERE articles_fts MATCH :q ORDER BY rowid DESC LIMIT :window) "
    "ORDER BY rank"
)
# Date and story of the ranked rows read: one JSON array parameter, so one prepared statement.
_SQLITE_STORIES = (
    "SELECT id, published_at, coalesce(cluster_id, id) FROM articles "
    "WHERE id IN (SELECT value FROM json_each(:ids))"
)


def _rank_sqlite_fts(
    session: Session, params: dict[str, Any], limit: int, collapse: bool
) -> list[SearchHit]:
    """The unfiltered window without a join: joining ``articles`` for all ``RANK_WINDOW``
    rows, only to order ties by date and to collapse stories, was 30-45 % of the ranking
    statement (measured 2.1 → 1.2 ms for a common word, 3.8 → 2.7 ms for a phrase, whose
    window's rows are spread over much of the table). Rows are read in rank order a
    batch at a time, each batch ending where the rank changes, so that the ties within it can
    be ordered by date and id once their articles are looked up.
    """
    connection = session.connection()
    hits: list[Sequence[Any]] = []
    seen: set[int] = set()
    result = connection.exec_driver_sql(_SQLITE_RANK_FTS, params)
    try:
        ranked = iter(result)
        following = next(ranked, None)
        while following is not None and len(hits) < limit:
            batch = [following]
            following = None
            for row in ranked:
                if len(batch) >= limit - len(hits) and row[1] != batch[-1][1]:
                    following = row
                    break
                batch.append(row)
            ids = json.dumps([int(row[0]) for row in batch])
            found = {
                i: (when, story)
                for i, when, story in connection.exec_driver_sql(_SQLITE_STORIES, {"ids": ids})
            }
            # Final order: rank, then newest first (undated last), then larger id first.
            rows = [(i, rank, *found[i]) for i, rank in batch if i in found]
            rows.sort(key=itemgetter(0), reverse=True)
            rows.sort(key=lambda r: (r[2] is not None, r[2] or ""), reverse=True)
            rows.sort(key=itemgetter(1))
            _collapse(rows, limit, collapse, hits, seen)
    finally:
        result.close()
    return [SearchHit(int(row[0]), -float(row[1])) for row in hits[:limit]]


def _collapse(
    rows: Iterable[Sequence[Any]],
    limit: int,
    collapse: bool = True,
    hits: list[Sequence[Any]] | None = None,
    seen: set[int] | None = None,
) -> list[Sequence[Any]]:
    """The best-ranked copy of each story, from ``(id, rank, published_at, story)`` rows in
    the final order (rank, newest first, larger id first), reading only as far as ``limit``
    stories need; appended to ``hits`` (stories in ``seen`` are taken already).

    A story's best copy is its first in that order, except among copies that tie on rank
    and date: there the smallest id wins (the order ``search_page`` documents). Tied rows
    are therefore taken a group at a time. ``collapse=False``: every row is its own story.
    """
    hits = [] if hits is None else hits
    seen = set() if seen is None else seen
    group: list[Sequence[Any]] = []

    def take(group: list[Sequence[Any]]) -> None:
        chosen = []
        for row in reversed(group):  # smallest id first
            story = row[3] if collapse else row[0]
            if story not in seen:
                seen.add(story)
                chosen.append(row)
        hits.extend(reversed(chosen))  # back to larger id first

    for row in rows:
        if group and (row[1] != group[0][1] or row[2] != group[0][2]):
            take(group)
            group = []
            if len(hits) >= limit:
                break
        group.append(row)
    else:
        take(group)
    return hits[:limit]


def _rowid_bounds(session: Session, where: str, params: dict[str, Any]) -> str | None:
    """Bound the FTS rowids by the smallest and largest id that passes the filters, so FTS5
    seeks into the doclists instead of walking every newer match of a common word.

    Exact (every article of the range lies within the bounds) and cheap: ids follow ingest
    order, which is close to publication order, and the (publisher, published_at, id) and
    (published_at, id) indexes cover the question. None when no article passes.
    """
    low, high = session.execute(
        text(f"SELECT min(a.id), max(a.id) FROM articles a WHERE 1 = 1{where}"), params
    ).one()
    if low is None:
        return None
    params["low"], params["high"] = int(low), int(high)
    return " AND articles_fts.rowid >= :low AND articles_fts.rowid <= :high"


def _bind_dates_sqlite(params: dict[str, Any]) -> None:
    for key in ("since", "until"):
        if key in params:
            params[key] = params[key].astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


# -- listing and display ----------------------------------------------------------------------


def _newest(
    session: Session, filters: ArticleFilter, limit: int, collapse: bool
) -> list[SearchHit]:
    """Newest first; collapsed, a story shows once (its newest copy). Reads newest rows in
    growing pages until ``limit`` stories are found, so no scan of the whole archive."""
    query = filters.apply(select(ArticleRow.id, ArticleRow.cluster_id))
    query = query.order_by(ArticleRow.published_at.desc().nullslast(), ArticleRow.id.desc())
    if not collapse:
        return [SearchHit(i, 0.0) for i, _ in session.execute(query.limit(limit))]
    hits: list[SearchHit] = []
    stories: set[int] = set()
    offset, page = 0, limit * 2
    while len(hits) < limit:
        rows = session.execute(query.offset(offset).limit(page)).all()
        for article_id, cluster_id in rows:
            story = cluster_id or article_id
            if story not in stories and len(hits) < limit:
                stories.add(story)
                hits.append(SearchHit(article_id, 0.0))
        if len(rows) < page:
            break
        offset, page = offset + page, page * 2
    return hits


def _display_rows(
    session: Session, ids: Sequence[int], match: Match | None
) -> dict[int, tuple[Any, list[str]]]:
    """The hits' columns, URLs (oldest first) and snippets, in one statement (SQLite: two).

    PostgreSQL: ``ids`` come from the database as integers, so they are written into the
    SQL: an expanding bind parameter would make SQLAlchemy rebuild the statement anyway.
    """
    if session.get_bind().dialect.name != "postgresql":
        return _display_rows_sqlite(session, ids, match)
    id_list = ", ".join(str(int(i)) for i in ids)
    typed: dict[str, TypeEngine[Any]] = {
        "published_at": DateTime(),
        "first_seen_at": DateTime(),
        "authors": JSON(),
    }
    params: dict[str, Any] = {}
    snippet = "NULL"
    if match is not None:
        snippet = f"ts_headline(a.search_config, a.text, {match.expression}, "
        snippet += f"{_PG_HEADLINE_OPTIONS})"
        params = match.params
    pg_sql = text(
        f"SELECT {_COLUMNS}, ARRAY(SELECT u.url FROM article_urls u "
        "WHERE u.article_id = a.id ORDER BY u.id) AS urls, "
        f"{snippet} AS snippet FROM articles a WHERE a.id IN ({id_list})"
    ).columns(**typed)
    return {r.id: (r, list(r.urls)) for r in session.execute(pg_sql, params)}


class _Shown(NamedTuple):
    """A displayed hit's columns (SQLite: converted from the raw values as the ORM would)."""

    id: int
    publisher_id: str
    canonical_url: str
    title: str | None
    authors: Any
    published_at: datetime | None
    first_seen_at: datetime
    language: str | None
    text: str
    word_count: int
    cluster_id: int | None
    revision_count: int
    snippet: str | None


def _display_rows_sqlite(
    session: Session, ids: Sequence[int], match: Match | None
) -> dict[int, tuple[Any, list[str]]]:
    """SQLite: constant statements, sent to the driver as written (``exec_driver_sql``), with
    the ids as one JSON array. With the ids written into a ``text()`` statement, SQLAlchemy
    compiled it and SQLite prepared it anew for every search, and every typed column was
    converted again; this converts only the two dates, with SQLAlchemy's own SQLite date
    parser (the display step measured 1.7 → 1.2 ms, docs/performance.md)."""
    params: dict[str, Any] = {"ids": json.dumps([int(i) for i in ids])}
    if match is None:
        sql = _SQLITE_DISPLAY
    else:
        sql = _SQLITE_DISPLAY_SNIPPETS
        params |= {**match.params, "low": min(ids), "high": max(ids)}
    connection = session.connection()
    when = _sqlite_datetime(connection.dialect)
    rows: dict[int, tuple[Any, list[str]]] = {}
    for r in connection.exec_driver_sql(sql, params):
        shown = _Shown._make((*r[:5], when(r[5]), when(r[6]), *r[7:]))
        rows[shown.id] = (shown, [])
    for article_id, url in connection.exec_driver_sql(_SQLITE_URLS, {"ids": params["ids"]}):
        rows[article_id][1].append(url)
    return rows


_SQLITE_IDS = "(SELECT value FROM json_each(:ids))"
_SQLITE_DISPLAY = f"SELECT {_COLUMNS}, NULL AS snippet FROM articles a WHERE a.id IN {_SQLITE_IDS}"
# FTS5 computes snippet() only in a query that MATCHes the row. The rowid range lets FTS5
# seek; the id list is kept away from FTS5 (``+rowid``): offered to it, FTS5 would re-run
# the MATCH once per id (measured 3.7 ms → 1.2 ms for 20 snippets).
_SQLITE_DISPLAY_SNIPPETS = (
    f"SELECT {_COLUMNS}, {_SQLITE_SNIPPET} AS snippet "
    "FROM articles_fts CROSS JOIN articles a ON a.id = articles_fts.rowid "
    "WHERE articles_fts MATCH :q AND articles_fts.rowid >= :low "
    f"AND articles_fts.rowid <= :high AND +articles_fts.rowid IN {_SQLITE_IDS}"
)
# SQLite has no ordered array aggregate before 3.44: the URLs are a second (cheap) query.
_SQLITE_URLS = (
    f"SELECT article_id, url FROM article_urls WHERE article_id IN {_SQLITE_IDS} ORDER BY id"
)


@cache
def _sqlite_datetime(dialect: Dialect) -> Callable[[Any], datetime | None]:
    """SQLAlchemy's result processor of ``DateTime`` on SQLite (the ORM's exact parsing)."""
    processor = DateTime().dialect_impl(dialect).result_processor(dialect, None)
    assert processor is not None
    return processor


def _to_article(row: Any, urls: Sequence[str], also: Sequence[str]) -> Article:
    authors = row.authors
    if isinstance(authors, str):
        authors = json.loads(authors)
    return Article(
        id=row.id,
        publisher=row.publisher_id,
        url=row.canonical_url,
        urls=tuple(urls) or (row.canonical_url,),
        title=row.title,
        authors=tuple(authors or ()),
        published_at=_utc(row.published_at),
        first_seen_at=_utc(row.first_seen_at) or datetime.now(UTC),
        language=row.language,
        text=row.text,
        word_count=row.word_count,
        snippet=row.snippet,
        cluster=row.cluster_id,
        revisions=row.revision_count or 0,
        also_published_by=tuple(also),
    )


def _utc(value: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes; everything we store is UTC."""
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
