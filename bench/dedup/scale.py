"""Does storing an article get slower as the archive grows? Per-article cost of the same drafts
stored into an archive that already holds 10,000 articles and one that holds 1,000,000.

    python -m bench.dedup.scale [--sizes 10000,1000000] [--window 5000] [--rounds 2]

Filling an archive through the store runs at the store's own speed (≈ 100 articles/s here:
three hours for a million), so the archives are *preloaded* inside PostgreSQL with
``INSERT … SELECT generate_series``: every table an ingest reads or writes gets the rows a
stored article leaves — the article (120-word text from a 40,000-word vocabulary, so the
full-text index has a realistic number of terms), two URLs, sixteen band keys, a sighting and
four paragraph counts — and is ANALYZEd, as autovacuum would. Then the same windows of the
generated dedup corpus (5 % near-duplicate variants, see corpus.py) are stored into each
archive through :meth:`Archive.save_many` (the store's batch path), alternating between the
archives round by round so the machine's background load falls on both alike.

Reported per archive size: wall, client CPU and PostgreSQL backend CPU per article, and the
ratio to the smallest archive. The dedup lookups are index probes (URL, GUID, text hash, band
keys), so the expectation is a flat line; what could bend it is the indexes outgrowing the
buffer cache (16 M band rows at a million articles).
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
import uuid
from dataclasses import dataclass, field

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from bench.dedup.corpus import PUBLISHERS, Corpus, Item
from bench.dedup.run import _config, _policy, draft_of
from bench.throughput.phase import _pg_backends
from scraper.settings import normalise_database_url
from scraper.store.archive import Archive, open_archive

ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
STEP = 100_000  # preload rows per statement (progress, and bounded transactions)

_ARTICLES = """
INSERT INTO articles (publisher_id, canonical_url, title, authors, published_at, first_seen_at,
                      updated_at, language, text, text_hash, text_source, word_count,
                      search_config)
SELECT 'p' || lpad((g % CAST(:pubs AS int))::text, 2, '0'), 'https://preload.example/a/' || g,
       'Preloaded article ' || g, '[]', ts, ts, ts, 'en',
       (SELECT string_agg('w' || ((g::bigint * 2654435761 + i * 40503) % 40000), ' ')
          FROM generate_series(1, 120) AS i),
       md5(g::text), 'feed', 120, 'english'
FROM generate_series(CAST(:lo AS bigint), CAST(:hi AS bigint)) AS g,
     LATERAL (SELECT timestamptz '2019-01-01' + g * interval '3 minutes' AS ts) AS t
"""
_URLS = """
INSERT INTO article_urls (url, article_id, source, first_seen_at)
SELECT u.url, a.id, u.source, a.first_seen_at
FROM articles AS a,
     LATERAL (VALUES (a.canonical_url, 'canonical'),
                     (a.canonical_url || '?utm_source=feed', 'feed')) AS u (url, source)
WHERE a.id BETWEEN CAST(:lo AS bigint) AND CAST(:hi AS bigint)
"""
_BANDS = """
INSERT INTO article_bands (key, article_id)
SELECT ('x' || substr(md5(a.id || ':' || b), 1, 16))::bit(64)::bigint & 9223372036854775807,
       a.id
FROM articles AS a, generate_series(0, 15) AS b
WHERE a.id BETWEEN CAST(:lo AS bigint) AND CAST(:hi AS bigint)
ORDER BY 1, 2  -- in key order: the primary key's B-tree is appended to, not split at random
ON CONFLICT DO NOTHING
"""
_SIGHTINGS = """
INSERT INTO sightings (article_id, url, seen_on, redirects, first_seen_at, last_seen_at, count)
SELECT a.id, a.canonical_url, a.first_seen_at::date, '[]', a.first_seen_at, a.first_seen_at, 1
FROM articles AS a WHERE a.id BETWEEN CAST(:lo AS bigint) AND CAST(:hi AS bigint)
"""
_PARAGRAPHS = """
INSERT INTO boilerplate_paragraphs (publisher_id, hash, articles, example, first_seen_at)
SELECT a.publisher_id, substr(md5(a.id || '/' || p), 1, 32), 1, 'preloaded', a.first_seen_at
FROM articles AS a, generate_series(1, 4) AS p
WHERE a.id BETWEEN CAST(:lo AS bigint) AND CAST(:hi AS bigint)
ORDER BY 1, 2
ON CONFLICT DO NOTHING
"""


@dataclass
class Target:
    size: int
    url: str
    name: str
    archive: Archive
    wall: float = 0.0
    cpu: float = 0.0
    pg_cpu: float = 0.0
    articles: int = 0
    rounds: list[float] = field(default_factory=list)


def create(size: int) -> Target:
    admin = create_engine(normalise_database_url(ADMIN), isolation_level="AUTOCOMMIT")
    name = f"bench_scale_{size}_{uuid.uuid4().hex[:6]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    url = make_url(normalise_database_url(ADMIN)).set(database=name)
    url_text = url.render_as_string(hide_password=False)
    archive = open_archive(url_text, auto_upgrade=True, policy=_policy())
    archive.sync_config(_config())
    return Target(size, url_text, name, archive)


def preload(target: Target) -> float:
    """Fill the archive to ``target.size`` articles inside the server; returns seconds."""
    start = time.perf_counter()
    with target.archive.engine.connect() as conn:
        # The full-text (GIN) index is built once at the end: inserting into it row by row
        # is most of a preload's time, and the index comes out the same.
        gin = conn.execute(
            text(
                "SELECT indexname, indexdef FROM pg_indexes "
                "WHERE tablename = 'articles' AND indexdef LIKE '%USING gin%'"
            )
        ).all()
        for name, _ in gin:
            conn.execute(text(f'DROP INDEX "{name}"'))
        for lo in range(1, target.size + 1, STEP):
            hi = min(lo + STEP - 1, target.size)
            bounds = {"lo": lo, "hi": hi}
            spent = []
            for statement in (_ARTICLES, _URLS, _BANDS, _SIGHTINGS, _PARAGRAPHS):
                t0 = time.perf_counter()
                conn.execute(text(statement), bounds | {"pubs": PUBLISHERS})
                spent.append(time.perf_counter() - t0)
            conn.commit()
            steps = " ".join(f"{s:.0f}" for s in spent)
            print(
                f"  {target.name}: {hi:>9,} preloaded ({time.perf_counter() - start:.0f} s; "
                f"articles urls bands sightings paragraphs: {steps} s)",
                flush=True,
            )
        conn.execute(text("SET maintenance_work_mem = '512MB'"))
        for _, definition in gin:
            conn.execute(text(definition))
        conn.execute(text("ANALYZE"))
        conn.commit()
    return time.perf_counter() - start


def store(target: Target, items: list[Item], batch: int) -> float:
    """Store one window; returns wall seconds per article."""
    drafts = [draft_of(i) for i in items]
    pg0 = _pg_backends(target.url)
    cpu0, t0 = time.process_time(), time.perf_counter()
    for k in range(0, len(drafts), batch):
        target.archive.save_many(drafts[k : k + batch])
    wall, cpu = time.perf_counter() - t0, time.process_time() - cpu0
    pg1 = _pg_backends(target.url)
    pg = sum(v - pg0.get(pid, 0) for pid, v in pg1.items()) / os.sysconf("SC_CLK_TCK")
    target.wall += wall
    target.cpu += cpu
    target.pg_cpu += pg
    target.articles += len(drafts)
    target.rounds.append(wall / len(drafts))
    return wall / len(drafts)


def drop(name: str) -> None:
    admin = create_engine(normalise_database_url(ADMIN), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.dedup.scale", description=__doc__)
    parser.add_argument("--sizes", default="10000,1000000", help="archive sizes, comma-separated")
    parser.add_argument("--window", type=int, default=5000, help="articles stored per round")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--seed", type=int, default=3)
    args = parser.parse_args(argv)
    sizes = sorted(int(s) for s in args.sizes.split(","))
    print(
        f"bench.dedup.scale: sizes {', '.join(f'{s:,}' for s in sizes)}; {args.rounds} rounds of "
        f"{args.window:,} articles, batches of {args.batch}; Python {platform.python_version()}, "
        f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}",
        flush=True,
    )
    targets: list[Target] = []
    try:
        for size in sizes:
            target = create(size)
            targets.append(target)
            seconds = preload(target)
            print(f"  {target.name}: preloaded in {seconds:.0f} s", flush=True)
        items = list(Corpus(args.seed).items(args.window * args.rounds))
        for r in range(args.rounds):
            window = items[r * args.window : (r + 1) * args.window]
            for target in targets if r % 2 == 0 else reversed(targets):
                per = store(target, window, args.batch)
                print(
                    f"  round {r + 1}: {target.size:>9,} archived → {per * 1000:.2f} ms/article "
                    f"(load {os.getloadavg()[0]:.1f})",
                    flush=True,
                )
        _print(targets)
    finally:
        for target in targets:
            target.archive.close()
            drop(target.name)
    return 0


def _print(targets: list[Target]) -> None:
    base = targets[0]
    print(
        "\n| archived before | articles stored | wall ms/article | client CPU ms/art | "
        "PostgreSQL CPU ms/art | CPU ms/art vs smallest | wall vs smallest |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|")
    base_cpu = (base.cpu + base.pg_cpu) / base.articles
    for t in targets:
        cpu = (t.cpu + t.pg_cpu) / t.articles
        wall = t.wall / t.articles
        print(
            f"| {t.size:,} | {t.articles:,} | {wall * 1000:.2f} | {t.cpu / t.articles * 1000:.2f} "
            f"| {t.pg_cpu / t.articles * 1000:.2f} | {cpu / base_cpu:.2f}× "
            f"| {wall / (base.wall / base.articles):.2f}× |"
        )
    worst = max((t.cpu + t.pg_cpu) / t.articles for t in targets) / base_cpu
    print(
        f"\nper-article CPU at the largest archive vs the smallest: {worst:.2f}× "
        f"({'within' if worst <= 1.5 else 'NOT within'} 1.5×)"
    )


if __name__ == "__main__":
    sys.exit(main())
