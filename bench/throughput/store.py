"""The store alone: what one ``Archive.save`` costs, and what batching saves.

    python -m bench.throughput.store [--articles 400] [--no-postgres]

Extracts the scale site's pages once, then stores the same drafts into fresh databases:
``save`` (one transaction per article), ``save_batch`` in batches of one feed's 20 items (one
transaction per feed, as the crawl does), and on PostgreSQL ``save`` with
``synchronous_commit = off``. Prints wall and
client CPU per article, PostgreSQL backend CPU per article and SQL statements per article.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import psycopg
from sqlalchemy import event

from bench.throughput.phase import _pg_backends
from bench.throughput.run import PG_ADMIN, write_config
from bench.throughput.site import ITEMS_PER_FEED, host_of, page_html
from scraper.clean import page_text
from scraper.config import load_config
from scraper.demo.guard import loopback_only
from scraper.models import ArticleDraft, RawPage
from scraper.store.archive import open_archive


def drafts_for(config_path: Path, feeds: int, feed_ids: list[int]) -> list[ArticleDraft]:
    config = load_config(config_path)
    out = []
    for p in range(feeds):
        publisher = config.publisher(f"pub{p:04d}")
        for i in range(ITEMS_PER_FEED):
            html = page_html(p, i).encode()
            url = f"http://{host_of(p)}/a/{i}.html"
            ex, text = page_text(html, url, publisher)
            raw = RawPage(url, 200, {"content-type": "text/html"}, html, datetime.now(UTC))
            out.append(ArticleDraft(
                publisher_id=publisher.id, canonical_url=url, urls=((url, "feed"),),
                title=ex.title, authors=ex.authors, published_at=ex.published_at,
                language=ex.language, text=text, text_source="page", guid=url,
                feed_id=feed_ids[p], description=ex.description, raw=raw,
            ))  # fmt: skip
    return out


def measure(url: str, config_path: Path, feeds: int, batched: bool) -> dict[str, float]:
    config = load_config(config_path)
    archive = open_archive(url, auto_upgrade=True)
    archive.sync_config(config)
    drafts = drafts_for(config_path, feeds, [r.id for r in archive.feed_refs()])
    statements: Counter[str] = Counter()

    @event.listens_for(archive.engine, "before_cursor_execute")
    def _count(_c, _cur, statement, _p, _ctx, _many) -> None:  # type: ignore[no-untyped-def]
        statements[statement.split()[0].upper()] += 1

    dsn = url if url.startswith("postgresql") else None
    pg0 = _pg_backends(dsn)
    cpu0, t0 = time.process_time(), time.perf_counter()
    if batched:  # as a crawl stores a feed poll's new items
        for k in range(0, len(drafts), ITEMS_PER_FEED):
            archive.save_batch(drafts[k : k + ITEMS_PER_FEED])
    else:
        for draft in drafts:
            archive.save(draft)
    wall, cpu = time.perf_counter() - t0, time.process_time() - cpu0
    pg = sum(v - pg0.get(pid, 0) for pid, v in _pg_backends(dsn).items()) / os.sysconf("SC_CLK_TCK")
    archive.close()
    n = len(drafts)
    return {"wall_ms": 1000 * wall / n, "cpu_ms": 1000 * cpu / n, "pg_cpu_ms": 1000 * pg / n,
            "statements": sum(statements.values()) / n, "articles": n}  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.throughput.store")
    parser.add_argument("--articles", type=int, default=400)
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args(argv)
    feeds = max(1, args.articles // ITEMS_PER_FEED)
    base = PG_ADMIN.rsplit("/", 1)[0]
    name = f"scraper_bench_{os.getpid()}_store"
    rows = []
    with (
        loopback_only(),
        tempfile.TemporaryDirectory() as tmp,
        psycopg.connect(PG_ADMIN, autocommit=True) as admin,
    ):
        config_path = Path(tmp) / "publishers.toml"
        write_config(config_path, feeds)
        cases = [("sqlite save (per article)", "sqlite", False, False),
                 ("sqlite save_batch (per feed)", "sqlite", True, False)]  # fmt: skip
        if not args.no_postgres:
            cases += [("pg save (per article)", "pg", False, False),
                      ("pg save, synchronous_commit off", "pg", False, True),
                      ("pg save_batch (per feed)", "pg", True, False)]  # fmt: skip
        try:
            for n, (label, db, batched, async_commit) in enumerate(cases):
                if db == "pg":
                    admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                    admin.execute(f'CREATE DATABASE "{name}"')
                    if async_commit:
                        admin.execute(f'ALTER DATABASE "{name}" SET synchronous_commit = off')
                    url = f"{base}/{name}"
                else:
                    url = f"sqlite:///{tmp}/store{n}.db"
                rows.append((label, measure(url, config_path, feeds, batched)))
                print(f"  {label} done", file=sys.stderr, flush=True)
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    print(f"{'store path':<34} {'articles':>8} {'wall ms/art':>11} {'CPU ms/art':>10} "
          f"{'PG CPU ms/art':>13} {'stmts/art':>9}")  # fmt: skip
    for label, r in rows:
        print(f"{label:<34} {r['articles']:>8.0f} {r['wall_ms']:>11.1f} {r['cpu_ms']:>10.1f} "
              f"{r['pg_cpu_ms']:>13.1f} {r['statements']:>9.1f}")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
