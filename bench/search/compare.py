"""Time the PostgreSQL ranking statement of ``scraper/store/search.py`` against proposed
rewrites, directly on a bench database kept with ``python -m bench.search --only pg --keep``.

    python -m bench.search.compare --db scraper_bench_search_<pid> [--queries 50] [--index]

``--index`` creates the proposed index first (kept; drop the database when done). Each variant
runs the same queries (the bench's own pools) with psycopg, ``prepare_threshold=None`` like the
app, timing only the ranking statement (snippets and row fetches are unchanged by the fix).
"""

from __future__ import annotations

import argparse
import statistics
import time
from datetime import timedelta

import psycopg
from rich.console import Console
from rich.table import Table

from bench.search.corpus import Corpus

console = Console(width=140)
TSQ = "(websearch_to_tsquery('simple', %(q)s) || websearch_to_tsquery('english', %(q)s))"
TAIL = (
    "b AS (SELECT DISTINCT ON (story) id, rank, published_at FROM r "
    "ORDER BY story, rank DESC, published_at DESC NULLS LAST, id) "
    "SELECT b.id, b.rank FROM b "
    "ORDER BY b.rank DESC, b.published_at DESC NULLS LAST, b.id DESC LIMIT %(limit)s"
)
PROPOSED_INDEXES = (
    "CREATE INDEX IF NOT EXISTS ix_articles_published_desc "
    "ON articles (published_at DESC NULLS LAST, id DESC)",
    "CREATE INDEX IF NOT EXISTS ix_articles_publisher_published_desc "
    "ON articles (publisher_id, published_at DESC NULLS LAST, id DESC)",
)


def current(where: str) -> str:
    """search.py's collapsed PostgreSQL ranking statement as of this bench (tsquery in a CTE)."""
    return (
        f"WITH q AS (SELECT {TSQ} AS query), "
        "m AS (SELECT a.id, a.tsv, a.published_at, coalesce(a.cluster_id, a.id) AS story "
        f"FROM articles a, q WHERE a.tsv @@ q.query{where} "
        "ORDER BY a.published_at DESC NULLS LAST, a.id DESC LIMIT %(window)s), "
        "r AS (SELECT m.id, m.story, m.published_at, ts_rank_cd(m.tsv, q.query) AS rank "
        f"FROM m, q), {TAIL}"
    )


def inline(where: str) -> str:
    """The tsquery written into the WHERE clause: the planner sees the words (custom plan)."""
    return (
        "WITH m AS (SELECT a.id, a.tsv, a.published_at, coalesce(a.cluster_id, a.id) AS story "
        f"FROM articles a WHERE a.tsv @@ {TSQ}{where} "
        "ORDER BY a.published_at DESC NULLS LAST, a.id DESC LIMIT %(window)s), "
        f"r AS (SELECT m.id, m.story, m.published_at, ts_rank_cd(m.tsv, {TSQ}) AS rank "
        f"FROM m), {TAIL}"
    )


VARIANTS = {"current (CTE q)": current, "inline tsquery": inline}


def where_of(params: dict[str, str], bound: dict[str, object]) -> str:
    out = ""
    if "publisher" in params:
        bound["pub0"] = params["publisher"]
        out += " AND a.publisher_id IN (%(pub0)s)"
    if "since" in params:
        from datetime import UTC, datetime

        since = datetime.fromisoformat(params["since"]).replace(tzinfo=UTC)
        until = datetime.fromisoformat(params["until"]).replace(tzinfo=UTC) + timedelta(days=1)
        bound["since"], bound["until"] = since, until
        out += " AND a.published_at >= %(since)s AND a.published_at < %(until)s"
    return out


def _add_row(table: Table, shape: str, name: str, times: list[float]) -> None:
    """One row of timings in ms: count, p50, p95, max."""
    times.sort()
    p95 = times[min(len(times) - 1, round(0.95 * len(times)) - 1)]
    table.add_row(
        shape, name, str(len(times)), f"{statistics.median(times):,.1f}",
        f"{p95:,.1f}", f"{times[-1]:,.1f}",
    )  # fmt: skip


def main() -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.search.compare")
    ap.add_argument("--db", help="PostgreSQL bench database name")
    ap.add_argument("--sqlite", help="SQLite bench database file")
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--queries", type=int, default=50)
    ap.add_argument("--index", action="store_true", help="create the proposed indexes first")
    ap.add_argument("--explain", action="store_true", help="print one plan per shape/variant")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--shape", help="only this shape (SQLite)")
    args = ap.parse_args()
    if args.sqlite:
        return main_sqlite(args.sqlite, args.queries, args.seed, args.shape)
    conn = psycopg.connect(
        f"host={args.host} user=postgres dbname={args.db}", autocommit=True, prepare_threshold=None
    )
    if args.index:
        for ddl in PROPOSED_INDEXES:
            began = time.monotonic()
            conn.execute(ddl)
            console.print(f"{ddl}: {time.monotonic() - began:,.1f} s")
        conn.execute("ANALYZE articles")
    found = conn.execute(
        "SELECT count(*), min(published_at), max(published_at) FROM articles"
    ).fetchone()
    assert found is not None  # an aggregate always returns a row
    rows, first, last = found
    queries = Corpus(rows, args.seed).queries(args.queries + 3, dates=(first, last))
    table = Table(title=f"Ranking statement only, {rows:,} rows (ms)", title_justify="left")
    for col in ("shape", "variant", "n", "p50", "p95", "max"):
        table.add_column(col, justify="left" if col in ("shape", "variant") else "right")
    plans = []
    for shape, plist in queries.items():
        for name, build in VARIANTS.items():
            times = []
            for i, params in enumerate(plist):
                bound: dict[str, object] = {"q": params["q"], "window": 1000, "limit": 21}
                sql = build(where_of(params, bound))
                began = time.perf_counter()
                conn.execute(sql, bound).fetchall()
                if i >= 3:  # warm-up
                    times.append((time.perf_counter() - began) * 1000)
                if args.explain and i == 3:
                    explained = conn.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, bound)
                    plan = "\n".join(r[0] for r in explained.fetchall())
                    plans.append((shape, name, params, plan))
            _add_row(table, shape, name, times)
            console.print(f"{shape} / {name}: p50 {statistics.median(times):,.1f} ms")
    console.print(table)
    for shape, name, params, plan in plans:
        console.rule(f"{shape} / {name} {params}")
        console.print(plan, highlight=False, markup=False)
    return 0


# -- SQLite: ``python -m bench.search.compare --sqlite /tmp/scraper_bench_search_<pid>.db`` --

SQLITE_TAIL = (
    "r AS (SELECT id, rank, row_number() OVER (PARTITION BY story "
    "ORDER BY rank, published_at DESC, id) AS n FROM m) "
    "SELECT id, rank FROM r WHERE n = 1 ORDER BY rank LIMIT :limit"
)


def sqlite_current(where: str) -> str:
    """search.py's collapsed SQLite ranking statement: bm25 for every match."""
    return (
        "WITH m AS MATERIALIZED (SELECT a.id, bm25(articles_fts, 4.0, 1.0) AS rank, "
        "coalesce(a.cluster_id, a.id) AS story, a.published_at "
        "FROM articles_fts JOIN articles a ON a.id = articles_fts.rowid "
        f"WHERE articles_fts MATCH :q{where}), {SQLITE_TAIL}"
    )


def sqlite_window(where: str) -> str:
    """Rank only the newest 1,000 matches (by rowid, which FTS5 walks in order), as on
    PostgreSQL; bm25 is then computed for those rows only."""
    return (
        "WITH m AS MATERIALIZED (SELECT a.id, bm25(articles_fts, 4.0, 1.0) AS rank, "
        "coalesce(a.cluster_id, a.id) AS story, a.published_at "
        "FROM articles_fts JOIN articles a ON a.id = articles_fts.rowid "
        f"WHERE articles_fts MATCH :q{where} ORDER BY articles_fts.rowid DESC LIMIT 1000), "
        f"{SQLITE_TAIL}"
    )


def sqlite_window_cross(where: str) -> str:
    """As ``sqlite_window``, with ``CROSS JOIN`` so FTS5 is always the outer loop: with a
    publisher/date filter SQLite otherwise walks the filter index and runs the MATCH once per
    article (``SCAN articles_fts VIRTUAL TABLE INDEX 0:=M2``), re-reading the term's doclist."""
    return sqlite_window(where).replace(
        "FROM articles_fts JOIN articles a", "FROM articles_fts CROSS JOIN articles a"
    )


def sqlite_window_rowid_bounds(where: str) -> str:
    """As ``sqlite_window``; with a date filter, also bound the FTS rowids by the smallest and
    largest id published in the range (exact: every article of the range lies within them;
    cheap when ids follow ingest ≈ publication order), so FTS5 seeks into the doclist instead
    of walking every match of a common word."""
    sql = sqlite_window(where)
    if ":since" not in where:
        return sql
    bounds = (
        " AND articles_fts.rowid >= (SELECT min(id) FROM articles WHERE published_at >= :since"
        " AND published_at < :until) AND articles_fts.rowid <= (SELECT max(id) FROM articles"
        " WHERE published_at >= :since AND published_at < :until)"
    )
    return sql.replace(where, where + bounds, 1)


def main_sqlite(path: str, n: int, seed: int, only: str | None = None) -> int:
    import sqlite3
    from datetime import UTC, datetime

    from scraper.query.websearch import to_fts5

    conn = sqlite3.connect(path)
    found = conn.execute(
        "SELECT count(*), min(published_at), max(published_at) FROM articles"
    ).fetchone()
    assert found is not None  # an aggregate always returns a row
    rows, first, last = found
    dates = tuple(datetime.fromisoformat(v).replace(tzinfo=UTC) for v in (first, last))
    queries = Corpus(rows, seed).queries(n + 3, dates=dates)  # type: ignore[arg-type]
    fmt = "%Y-%m-%d %H:%M:%S.%f"
    table = Table(title=f"SQLite ranking statement only, {rows:,} rows (ms)", title_justify="left")
    for col in ("shape", "variant", "n", "p50", "p95", "max"):
        table.add_column(col, justify="left" if col in ("shape", "variant") else "right")
    for shape, plist in queries.items():
        if only and shape != only:
            continue
        variants = (
            ("current (all matches)", sqlite_current),
            ("newest 1,000 by rowid", sqlite_window),
            ("newest 1,000 + CROSS JOIN", sqlite_window_cross),
            ("newest 1,000 + rowid bounds", sqlite_window_rowid_bounds),
        )
        for name, build in variants:
            times = []
            for i, params in enumerate(plist):
                bound: dict[str, object] = {"q": to_fts5(params["q"]), "limit": 21}
                where = ""
                if "publisher" in params:
                    bound["pub0"] = params["publisher"]
                    since = datetime.fromisoformat(params["since"])
                    until = datetime.fromisoformat(params["until"]) + timedelta(days=1)
                    bound["since"], bound["until"] = since.strftime(fmt), until.strftime(fmt)
                    where = (
                        " AND a.publisher_id IN (:pub0) AND a.published_at >= :since"
                        " AND a.published_at < :until"
                    )
                began = time.perf_counter()
                conn.execute(build(where), bound).fetchall()
                if i >= 3:
                    times.append((time.perf_counter() - began) * 1000)
            _add_row(table, shape, name, times)
    console.print(table)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
