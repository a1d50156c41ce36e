"""One measured phase, run in its own process so CPU and peak RSS belong to it alone.

    python -m bench.throughput.phase '{"phase": "crawl", ...}'   (or @FILE holding that JSON)

Prints one JSON line: wall and CPU seconds (this process, its children — e.g. an extraction
pool — and, for PostgreSQL, the server backends serving this database), work counts.
"""

from __future__ import annotations

import asyncio
import json
import os
import resource
import sqlite3
import sys
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

from scraper.demo.guard import loopback_only

LIMITS = httpx.Limits(max_connections=32, max_keepalive_connections=32, keepalive_expiry=30)


def _cpu() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def _proc_ticks(pid: int) -> int:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0
    return int(fields[11]) + int(fields[12])


def _pg_backends(dsn: str | None) -> dict[int, int]:
    """CPU ticks of the PostgreSQL backends connected to the bench database (local server)."""
    if not dsn:
        return {}
    import psycopg

    with psycopg.connect(dsn.replace("postgresql+psycopg://", "postgresql://")) as conn:
        rows = conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid()"
        ).fetchall()
    return {pid: _proc_ticks(pid) for (pid,) in rows}


@contextmanager
def measured(out: dict[str, Any], pg_dsn: str | None = None) -> Iterator[None]:
    pg_before = _pg_backends(pg_dsn)
    cpu0, t0 = _cpu(), time.perf_counter()
    yield
    out["wall"] = time.perf_counter() - t0
    out["cpu"] = _cpu() - cpu0
    if pg_dsn:
        after = _pg_backends(pg_dsn)
        ticks = sum(v - pg_before.get(pid, 0) for pid, v in after.items())
        out["pg_cpu"] = ticks / os.sysconf("SC_CLK_TCK")


# -- 1. the ceiling: raw httpx GETs ----------------------------------------------------------


async def raw_gets(
    urls: list[str], proxy: str, etags: dict[str, str], concurrency: int
) -> tuple[Counter[int], dict[str, str]]:
    statuses: Counter[int] = Counter()
    seen: dict[str, str] = {}
    sem = asyncio.Semaphore(concurrency)
    async with httpx.AsyncClient(proxy=proxy, limits=LIMITS, timeout=60) as client:

        async def one(url: str) -> None:
            headers = {"If-None-Match": etags[url]} if url in etags else {}
            async with sem:
                response = await client.get(url, headers=headers)
            statuses[response.status_code] += 1
            if "etag" in response.headers:
                seen[url] = response.headers["etag"]

        await asyncio.gather(*(one(u) for u in urls))
    return statuses, seen


def phase_raw(args: dict[str, Any]) -> dict[str, Any]:
    urls = list(args["urls"])
    etags = json.loads(Path(args["etags"]).read_text()) if args.get("use_etags") else {}
    out: dict[str, Any] = {}
    with measured(out):
        statuses, seen = asyncio.run(raw_gets(urls, args["proxy"], etags, args["concurrency"]))
    if args.get("save_etags"):
        Path(args["etags"]).write_text(json.dumps(seen))
    out |= {"requests": len(urls), "statuses": dict(statuses), "feeds": args["feeds"]}
    return out


# -- 2. the naive pipeline: httpx → feedparser → trafilatura → sqlite3 INSERT per article -----


async def naive_crawl(feed_urls: list[str], proxy: str, db_path: str, concurrency: int) -> int:
    import feedparser
    import trafilatura

    db = sqlite3.connect(db_path)
    db.execute("CREATE TABLE IF NOT EXISTS articles (url TEXT PRIMARY KEY, title TEXT, text TEXT)")
    sem = asyncio.Semaphore(concurrency)
    async with httpx.AsyncClient(proxy=proxy, limits=LIMITS, timeout=60) as client:

        async def get(url: str) -> httpx.Response:
            async with sem:
                return await client.get(url)

        async def item(entry: Any) -> None:
            html = (await get(entry.link)).text
            text = trafilatura.extract(html, url=entry.link)
            db.execute(
                "INSERT OR IGNORE INTO articles VALUES (?, ?, ?)", (entry.link, entry.title, text)
            )
            db.commit()

        async def feed(url: str) -> None:
            parsed = feedparser.parse((await get(url)).content)
            await asyncio.gather(*(item(e) for e in parsed.entries))

        await asyncio.gather(*(feed(u) for u in feed_urls))
    (count,) = db.execute("SELECT count(*) FROM articles WHERE text <> ''").fetchone()
    db.close()
    return int(count)


def phase_naive(args: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    with measured(out):
        articles = asyncio.run(
            naive_crawl(args["feed_urls"], args["proxy"], args["db"], args["concurrency"])
        )
    return out | {"articles": articles, "feeds": len(args["feed_urls"])}


# -- 3. our crawl ------------------------------------------------------------------------------


def phase_crawl(args: dict[str, Any]) -> dict[str, Any]:
    from scraper.config import load_config
    from scraper.crawl import crawl
    from scraper.crawl_processes import crawl_in_processes
    from scraper.settings import Settings
    from scraper.store.archive import open_archive

    url = args["database_url"]
    settings = Settings(database_url=url, **args.get("settings", {}))
    config = load_config(Path(args["config"]))
    archive = open_archive(url, auto_upgrade=True)
    archive.sync_config(config)
    refs = archive.feed_refs()
    out: dict[str, Any] = {}
    pg = url if url.startswith("postgresql") else None
    processes = int(args.get("processes") or 1)
    with measured(out, pg):
        if processes > 1:  # `scraper crawl --processes N`
            summary = crawl_in_processes(
                settings, config, archive, refs, processes, proxy=args["proxy"]
            )
        else:
            summary = asyncio.run(crawl(
                settings, config, archive, refs, proxy=args["proxy"],
                **{k: args[k] for k in ("extract_workers", "store_writers")
                   if args.get(k) is not None},
            ))  # fmt: skip
    if processes > 1:  # the parts' backends closed with them: their CPU was not counted
        out.pop("pg_cpu", None)
    total = archive.count()
    archive.close()
    return out | {
        "feeds": summary.feeds,
        "articles": summary.new,
        "feeds_ok": summary.feeds_ok,
        "not_modified": summary.feeds_not_modified,
        "failed": summary.feeds_failed,
        "known": summary.known,
        "updated": summary.updated,
        "errors": summary.errors_by_kind,
        "archived": total,
    }


PHASES = {"raw": phase_raw, "naive": phase_naive, "crawl": phase_crawl}


def main() -> int:
    raw = sys.argv[1]
    args = json.loads(Path(raw[1:]).read_text() if raw.startswith("@") else raw)
    with loopback_only() as guard:
        out = PHASES[args["phase"]](args)
    out["maxrss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    out["violations"] = guard.violations
    print("RESULT " + json.dumps(out), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
