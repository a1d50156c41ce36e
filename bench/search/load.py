"""Create a bench database with the project's own migrations, then bulk-load the corpus.

PostgreSQL: ``COPY`` in text format from ``--workers`` processes (each its own share of the
chunks, committing every ``COMMIT_EVERY`` chunks). The GIN index on ``tsv`` is dropped before
the load and rebuilt after it with the migration's exact definition (a bulk build is much
cheaper than maintaining the index row by row); then ``VACUUM (ANALYZE)`` so that autovacuum
does not run during the timing. The stored generated ``tsv`` column is computed by COPY.

SQLite: ``executemany`` in transactions of ``SQLITE_BATCH`` rows; the migration's triggers keep
``articles_fts`` in sync. No ANALYZE (the project never runs one on SQLite).
"""

from __future__ import annotations

import multiprocessing as mp
import sqlite3
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import make_url

from bench.search.corpus import PUBLISHERS, Corpus, Row
from bench.search.measure import Log
from scraper.config import Config, parse_config
from scraper.store.archive import Archive
from scraper.store.db import make_engine, upgrade

COMMIT_EVERY = 20  # chunks of 1,000 rows
SQLITE_BATCH = 10_000
GIN_INDEX = "CREATE INDEX ix_articles_tsv ON articles USING GIN (tsv)"

ARTICLE_COLUMNS = (
    "id, publisher_id, canonical_url, title, authors, published_at, first_seen_at, updated_at, "
    "language, text, text_hash, text_source, word_count, search_config"
)
URL_COLUMNS = "id, url, article_id, source, first_seen_at"


@dataclass
class LoadStats:
    rows: int = 0
    copy_s: float = 0.0
    phases: dict[str, float] = field(default_factory=dict)
    size_bytes: int = 0
    sizes: dict[str, int] = field(default_factory=dict)
    truncated: bool = False

    @property
    def total_s(self) -> float:
        return self.copy_s + sum(self.phases.values())


def bench_config() -> Config:
    return parse_config(
        {
            "publisher": [
                {
                    "id": p,
                    "name": p.replace("-", " ").title(),
                    "canonical_domain": f"{p}.example",
                }
                for p in PUBLISHERS
            ]
        },
        Path("bench-search.toml"),
    )


def prepare(url: str) -> Archive:
    """An empty archive at ``url``: migrated to head, publishers synced."""
    engine = make_engine(url)
    upgrade(engine)
    archive = Archive(engine)
    archive.sync_config(bench_config())
    return archive


# -- PostgreSQL -----------------------------------------------------------------------------


def _pg_lines(rows: list[Row]) -> tuple[str, str]:
    # Generated text has no tab, newline or backslash: no COPY escaping is needed.
    articles, urls = [], []
    for r in rows:
        when = r.published_at.isoformat()
        seen = when
        articles.append(
            f"{r.id}\t{r.publisher_id}\t{r.canonical_url}\t{r.title}\t[]\t{when}\t{seen}\t{seen}"
            f"\ten\t{r.text}\t{r.text_hash}\tpage\t{r.word_count}\tenglish\n"
        )
        urls.append(f"{r.id}\t{r.canonical_url}\t{r.id}\tcanonical\t{seen}\n")
    return "".join(articles), "".join(urls)


def _pg_worker(
    dsn: str, size: int, seed: int, worker: int, workers: int, deadline: float, done: Any
) -> None:
    import psycopg

    corpus = Corpus(size, seed)
    with psycopg.connect(dsn) as conn:
        conn.execute("SET synchronous_commit = off")
        pending = 0
        for chunk in range(worker, corpus.chunks(), workers):
            if time.monotonic() > deadline:
                break
            rows = list(corpus.chunk(chunk))
            articles, urls = _pg_lines(rows)
            with conn.cursor() as cur:
                with cur.copy(f"COPY articles ({ARTICLE_COLUMNS}) FROM STDIN") as copy:
                    copy.write(articles)
                with cur.copy(f"COPY article_urls ({URL_COLUMNS}) FROM STDIN") as copy:
                    copy.write(urls)
            pending += 1
            if pending >= COMMIT_EVERY:
                conn.commit()
                pending = 0
            with done.get_lock():
                done.value += len(rows)
        conn.commit()


def load_postgres(
    archive: Archive, size: int, seed: int, workers: int, budget_s: float, log: Log
) -> LoadStats:
    stats = LoadStats()
    url = archive.engine.url
    dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    with archive.engine.begin() as conn:
        conn.execute(text("DROP INDEX IF EXISTS ix_articles_tsv"))
    Corpus(size, seed)  # warm the vocabulary build once here (errors surface early)
    ctx = mp.get_context("fork")
    done = ctx.Value("q", 0)
    start = time.monotonic()
    deadline = start + budget_s
    procs = [
        ctx.Process(target=_pg_worker, args=(dsn, size, seed, w, workers, deadline, done))
        for w in range(workers)
    ]
    for p in procs:
        p.start()
    last = 0.0
    while any(p.is_alive() for p in procs):
        time.sleep(1.0)
        now = time.monotonic()
        if now - last >= 30:
            last = now
            n = done.value
            log(f"  postgres: {n:,} rows in {now - start:,.0f} s ({n / (now - start):,.0f} rows/s)")
    for p in procs:
        p.join()
        if p.exitcode != 0:
            raise RuntimeError(f"a load worker failed (exit {p.exitcode})")
    stats.copy_s = time.monotonic() - start
    with archive.engine.connect() as conn:
        stats.rows = int(conn.execute(text("SELECT count(*) FROM articles")).scalar_one())
    stats.truncated = stats.rows < size
    log(f"  postgres: COPY done, {stats.rows:,} rows in {stats.copy_s:,.0f} s")
    raw = archive.engine.raw_connection()
    try:
        raw.driver_connection.autocommit = True  # type: ignore[union-attr]
        cur = raw.cursor()
        for name, sql in (
            (
                "setval",
                "SELECT setval(pg_get_serial_sequence('articles', 'id'), "
                "(SELECT max(id) FROM articles)); SELECT setval(pg_get_serial_sequence("
                "'article_urls', 'id'), (SELECT max(id) FROM article_urls))",
            ),
            ("GIN index", f"SET maintenance_work_mem = '1GB'; {GIN_INDEX}"),
            ("VACUUM ANALYZE", "VACUUM (ANALYZE) articles; VACUUM (ANALYZE) article_urls"),
        ):
            t = time.monotonic()
            for statement in sql.split("; "):
                cur.execute(statement)
            stats.phases[name] = time.monotonic() - t
            log(f"  postgres: {name} {stats.phases[name]:,.1f} s")
        cur.execute("SELECT pg_database_size(current_database())")
        size_row = cur.fetchone()
        stats.size_bytes = int(size_row[0]) if size_row else 0
        cur.execute(
            "SELECT 'articles heap+toast', pg_table_size('articles') UNION ALL "
            "SELECT 'ix_articles_tsv (GIN)', pg_relation_size('ix_articles_tsv') UNION ALL "
            "SELECT 'articles indexes (all)', pg_indexes_size('articles') UNION ALL "
            "SELECT 'article_urls (table+indexes)', pg_total_relation_size('article_urls')"
        )
        stats.sizes = {k: int(v) for k, v in cur.fetchall()}
    finally:
        raw.close()
    return stats


# -- SQLite ---------------------------------------------------------------------------------


def load_sqlite(path: Path, size: int, seed: int, budget_s: float, log: Log) -> LoadStats:
    stats = LoadStats()
    corpus = Corpus(size, seed)
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    start = time.monotonic()
    article_sql = (
        f"INSERT INTO articles ({ARTICLE_COLUMNS}, revision_count) "
        "VALUES (?, ?, ?, ?, '[]', ?, ?, ?, 'en', ?, ?, 'page', ?, 'english', 0)"
    )
    url_sql = f"INSERT INTO article_urls ({URL_COLUMNS}) VALUES (?, ?, ?, 'canonical', ?)"
    batch: list[Row] = []

    def flush() -> None:
        # SQLAlchemy's SQLite DateTime storage format (what search.py binds against).
        fmt = "%Y-%m-%d %H:%M:%S.%f"
        with conn:
            conn.executemany(
                article_sql,
                [
                    (
                        r.id, r.publisher_id, r.canonical_url, r.title,
                        w := r.published_at.strftime(fmt), w, w,
                        r.text, r.text_hash, r.word_count,
                    )
                    for r in batch
                ],
            )  # fmt: skip
            conn.executemany(
                url_sql,
                [(r.id, r.canonical_url, r.id, r.published_at.strftime(fmt)) for r in batch],
            )
        stats.rows += len(batch)
        batch.clear()

    for chunk in range(corpus.chunks()):
        if time.monotonic() - start > budget_s:
            stats.truncated = True
            break
        batch.extend(corpus.chunk(chunk))
        if len(batch) >= SQLITE_BATCH:
            flush()
            if stats.rows % 50_000 == 0:
                log(f"  sqlite: {stats.rows:,} rows in {time.monotonic() - start:,.0f} s")
    if batch:
        flush()
    stats.copy_s = time.monotonic() - start
    # No ANALYZE: nothing in the project runs it on SQLite, so neither does the bench.
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    stats.size_bytes = path.stat().st_size
    return stats
