"""``python -m bench.search``: load a synthetic archive, time typical searches via the API.

Per database: migrate an empty database with the project's Alembic migrations, sync 20
publishers, bulk-load the corpus (see :mod:`bench.search.load`), then time four query shapes
through ``GET /api/articles`` (see :mod:`bench.search.measure`): one common word, one rare
word, a quoted two-word phrase, and a common word + one publisher + a 90-day range.
A shape whose p95 misses its target is profiled: its slowest request's slowest SQL statement
is re-run under EXPLAIN (ANALYZE, BUFFERS) (PostgreSQL) or EXPLAIN QUERY PLAN (SQLite).

PostgreSQL runs in its own database ``scraper_bench_search_<pid>`` (dropped at the end unless
``--keep``); SQLite in a file under ``--workdir``. ``--pg-db NAME`` / ``--sqlite-db FILE`` time
a database kept earlier instead (upgraded to the newest migration first, never dropped), so a
change to the search code can be measured again without the 25-minute load of 1 M rows.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from rich.console import Console
from rich.table import Table
from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL, make_url

from bench.search.corpus import Corpus
from bench.search.load import LoadStats, bench_config, load_postgres, load_sqlite, prepare
from bench.search.measure import WARMUP, ShapeResult, measure
from scraper.settings import normalise_database_url
from scraper.store import search
from scraper.store.archive import Archive

TARGET_MS = {"postgresql": 50.0, "sqlite": 20.0}
console = Console(width=140)


def log(message: str) -> None:
    console.print(f"[dim]{time.strftime('%H:%M:%S')}[/dim] {message}", highlight=False)


def parse(argv: list[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(prog="python -m bench.search", description=__doc__.split("\n")[0])
    ap.add_argument("--pg-articles", type=int, default=1_000_000)
    ap.add_argument("--sqlite-articles", type=int, default=100_000)
    ap.add_argument("--queries", type=int, default=200, help="timed queries per shape")
    ap.add_argument("--keep", action="store_true", help="keep the database(s) afterwards")
    ap.add_argument("--only", choices=("pg", "sqlite"))
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument(
        "--pg-admin-url",
        default=os.environ.get(
            "BENCH_PG_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
        ),
    )
    ap.add_argument("--pg-workers", type=int, default=2, help="parallel COPY streams")
    ap.add_argument(
        "--load-budget", type=float, default=600.0,
        help="seconds of loading before stopping with fewer rows (reported)",
    )  # fmt: skip
    ap.add_argument(
        "--shape-cap", type=float, default=120.0, help="seconds of timing per shape at most"
    )
    ap.add_argument("--workdir", type=Path, default=Path("/tmp"))
    ap.add_argument(
        "--pg-db",
        help="time an existing bench database (one kept with --keep) instead of loading one; "
        "it is never dropped",
    )
    ap.add_argument(
        "--sqlite-db", type=Path, help="time an existing SQLite bench file instead of loading one"
    )
    ap.add_argument(
        "--rank-window", type=int,
        help="rank this many newest matches instead of the product's RANK_WINDOW: what a "
        "shallower or deeper ranking would cost (a measurement, not a setting)",
    )  # fmt: skip
    return ap.parse_args(argv)


def mb(n: int) -> str:
    return f"{n / 2**20:,.0f} MB"


def run_postgres(args: argparse.Namespace) -> tuple[LoadStats, list[ShapeResult], list[str]]:
    admin_url = normalise_database_url(args.pg_admin_url)
    if args.pg_db:
        return _reuse(make_url(admin_url).set(database=args.pg_db), "postgresql", args)
    name = f"scraper_bench_search_{os.getpid()}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    log(f"postgres: database {name}")
    archive = None
    try:
        archive = prepare(url)
        stats = load_postgres(
            archive, args.pg_articles, args.seed, args.pg_workers, args.load_budget, log
        )
        results, profiles = _measure(archive, "postgresql", stats.rows, args)
        return stats, results, profiles
    finally:
        if archive is not None:
            archive.close()
        if args.keep:
            log(f"postgres: kept database {name} ({url})")
        else:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            log(f"postgres: dropped {name}")
        admin.dispose()


def run_sqlite(args: argparse.Namespace) -> tuple[LoadStats, list[ShapeResult], list[str]]:
    if args.sqlite_db:
        return _reuse(make_url(f"sqlite:///{args.sqlite_db}"), "sqlite", args)
    path = args.workdir / f"scraper_bench_search_{os.getpid()}.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    url = f"sqlite:///{path}"
    log(f"sqlite: {path}")
    archive = prepare(url)
    try:
        archive.engine.dispose()
        stats = load_sqlite(path, args.sqlite_articles, args.seed, args.load_budget, log)
        log(f"sqlite: {stats.rows:,} rows in {stats.copy_s:,.0f} s, {mb(stats.size_bytes)}")
        results, profiles = _measure(archive, "sqlite", stats.rows, args)
        return stats, results, profiles
    finally:
        archive.close()
        if args.keep:
            log(f"sqlite: kept {path}")
        else:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)


def _reuse(
    url: URL, dialect: str, args: argparse.Namespace
) -> tuple[LoadStats, list[ShapeResult], list[str]]:
    """Time an already loaded bench database (schema upgraded to head first, so a new
    migration's index is there); nothing is loaded or dropped."""
    log(f"{dialect}: reusing {url.render_as_string(hide_password=True)}")
    archive = prepare(url.render_as_string(hide_password=False))
    try:
        with archive.engine.connect() as conn:
            rows = int(conn.execute(text("SELECT count(*) FROM articles")).scalar_one())
        stats = LoadStats(rows=rows, copy_s=float("nan"))
        results, profiles = _measure(archive, dialect, rows, args)
        return stats, results, profiles
    finally:
        archive.close()


# 200,000 rows through the executor and no table read: the server's CPU alone. A recursive CTE
# rather than generate_series, which SQLite lacks.
PROBE_SQL = (
    "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 200000) "
    "SELECT sum(i) FROM n"
)


def machine_probe(archive: Archive) -> str:
    """Fixed work timed before the searches, best of three: machines of one kind differ (and
    one machine drifts) by 1.5x or more, so runs on different days compare only through it."""
    python = sql = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        total = 0
        for i in range(2_000_000):
            total += i
        python = min(python, time.perf_counter() - started)
        with archive.engine.connect() as conn:
            started = time.perf_counter()
            conn.execute(text(PROBE_SQL)).scalar_one()
            sql = min(sql, time.perf_counter() - started)
    return f"python loop {python * 1000:.0f} ms, SQL {sql * 1000:.0f} ms (best of 3)"


def _measure(
    archive: Archive, dialect: str, rows: int, args: argparse.Namespace
) -> tuple[list[ShapeResult], list[str]]:
    corpus = Corpus(rows, args.seed)  # query words fitted to what was loaded
    with archive.engine.connect() as conn:
        first, last = conn.execute(
            text("SELECT min(published_at), max(published_at) FROM articles")
        ).one()
    if isinstance(first, str):  # SQLite
        first, last = (datetime.fromisoformat(v).replace(tzinfo=UTC) for v in (first, last))
    log(f"{dialect}: articles published {first} … {last}")
    log(f"{dialect}: machine probe: {machine_probe(archive)}")
    if dialect == "postgresql":
        # Latency at 1 M rows depends on how much of the 5 GB heap the server caches.
        with archive.engine.connect() as conn:
            settings = [
                f"{name} {conn.execute(text(f'SHOW {name}')).scalar_one()}"
                for name in ("shared_buffers", "work_mem", "random_page_cost")
            ]
        log(f"{dialect}: server settings: {', '.join(settings)}")
    queries = corpus.queries(args.queries + WARMUP, dates=(first, last))
    log(f"{dialect}: query pools {corpus.pools}; timing {args.queries} queries per shape")
    results = measure(archive, bench_config(), queries, args.shape_cap, log)
    profiles = []
    for result in results:
        if result.p95 > TARGET_MS[dialect]:
            profiles.append(profile(archive, dialect, result))
    return results, profiles


def profile(archive: Archive, dialect: str, result: ShapeResult) -> str:
    """EXPLAIN the slowest statement of the shape's slowest request."""
    worst = result.worst()
    statement = worst.slowest
    head = (
        f"[{dialect}] {result.shape}: slowest request {worst.seconds * 1000:.0f} ms "
        f"{worst.params}; its slowest statement {statement.seconds * 1000:.0f} ms of "
        f"{worst.sql_seconds * 1000:.0f} ms SQL in {len(worst.statements)} statements"
    )
    raw = archive.engine.raw_connection()
    try:
        cur = raw.cursor()
        if dialect == "postgresql":
            cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + statement.sql, statement.params)
        else:
            cur.execute("EXPLAIN QUERY PLAN " + statement.sql, statement.params)
        plan = "\n".join(" | ".join(str(c) for c in row) for row in cur.fetchall())
        raw.rollback()
    finally:
        raw.close()
    return f"{head}\nSQL: {statement.sql}\nparams: {statement.params}\n{plan}"


def print_report(
    args: argparse.Namespace,
    done: dict[str, tuple[LoadStats, list[ShapeResult], list[str]]],
    sizes: dict[str, int],
) -> None:
    load = Table(title="Load", title_justify="left")
    for col in ("database", "requested", "loaded", "load s", "rows/s (load)", "rows/s (all)",
                "after-load phases", "DB size"):  # fmt: skip
        load.add_column(col, justify="right" if col != "after-load phases" else "left")
    for dialect, (stats, _, _) in done.items():
        phases = ", ".join(f"{k} {v:,.0f} s" for k, v in stats.phases.items()) or "—"
        load.add_row(
            dialect,
            f"{sizes[dialect]:,}",
            f"{stats.rows:,}" + (" (budget)" if stats.truncated else ""),
            f"{stats.copy_s:,.0f}",
            f"{stats.rows / stats.copy_s:,.0f}",
            f"{stats.rows / stats.total_s:,.0f}",
            phases,
            mb(stats.size_bytes),
        )
    console.print(load)
    for dialect, (stats, _, _) in done.items():
        if stats.sizes:
            console.print(
                f"  {dialect} sizes: " + ", ".join(f"{k} {mb(v)}" for k, v in stats.sizes.items())
            )
    table = Table(title="Search latency through GET /api/articles (ms)", title_justify="left")
    for col in ("database", "shape", "n", "p50", "p95", "max", "target p95", "ok",
                "mean hits", "0-hit", "SQL p50", "slowest stmt p50", "non-SQL p50"):  # fmt: skip
        table.add_column(col, justify="left" if col in ("database", "shape") else "right")
    for dialect, (stats, results, _) in done.items():
        target = TARGET_MS[dialect]
        for r in results:
            ok = r.p95 <= target
            table.add_row(
                f"{dialect} {stats.rows:,}",
                r.shape,
                f"{len(r.samples)}" + ("*" if r.capped else ""),
                f"{r.p50:,.1f}",
                f"{r.p95:,.1f}",
                f"{r.max:,.1f}",
                f"{target:.0f}",
                "[green]yes[/green]" if ok else "[red]NO[/red]",
                f"{r.mean_items:.1f}",
                f"{r.zero_hits}",
                f"{r.sql_p50:,.1f}",
                f"{r.slowest_sql_p50:,.1f}",
                f"{r.other_p50:,.1f}",
            )
    console.print(table)
    console.print(
        "n: timed queries (* = stopped at --shape-cap); hits: items returned (limit 20); "
        "SQL p50: time inside SQL statements; slowest stmt: the request's slowest statement; "
        "non-SQL: the rest of the request (API, serialisation, waiting for a CPU)."
    )
    steps = Table(title="SQL statements per request, by kind (ms)", title_justify="left")
    for col in ("database", "shape", "statement", "count", "p50", "p95"):
        steps.add_column(col, justify="right" if col in ("count", "p50", "p95") else "left")
    for dialect, (_, results, _) in done.items():
        for r in results:
            for label, count, p50, p95 in r.breakdown():
                steps.add_row(dialect, r.shape, label, f"{count}", f"{p50:,.1f}", f"{p95:,.1f}")
    console.print(steps)
    for dialect, (_, _, profiles) in done.items():
        for p in profiles:
            console.rule(f"profile {dialect}")
            console.print(p, highlight=False, markup=False)


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    log(f"python -m bench.search {' '.join(sys.argv[1:] if argv is None else argv)}")
    log(f"sqlite {sqlite3.sqlite_version}")
    if args.rank_window:
        search.RANK_WINDOW = args.rank_window
    log(f"ranking window: the newest {search.RANK_WINDOW:,} matches")
    done: dict[str, tuple[LoadStats, list[ShapeResult], list[str]]] = {}
    sizes = {"postgresql": args.pg_articles, "sqlite": args.sqlite_articles}
    began = time.monotonic()
    if args.only in (None, "sqlite"):
        done["sqlite"] = run_sqlite(args)
    if args.only in (None, "pg"):
        done["postgresql"] = run_postgres(args)
    print_report(args, done, sizes)
    log(f"total {time.monotonic() - began:,.0f} s")
    for dialect, (stats, _, _) in done.items():
        if stats.truncated:
            flag = "--pg-articles" if dialect == "postgresql" else "--sqlite-articles"
            console.print(
                f"[yellow]{dialect}: load budget reached at {stats.rows:,} of "
                f"{sizes[dialect]:,} rows; full size: python -m bench.search {flag} "
                f"{sizes[dialect]} --load-budget 3600[/yellow]"
            )
    return 0
