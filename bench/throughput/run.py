"""Crawl throughput, side by side in one invocation: the HTTP ceiling, a naive pipeline, ours.

    python -m bench.throughput [--feeds 500] [--no-postgres] [--no-sqlite] [--profile DIR]

A scale site (:mod:`bench.throughput.site`, its own process, 127.0.0.1 only) serves N publishers
× 1 feed × 20 items with a 10–15 KB gzip page per item, ETags, and 20 % of hosts that ignore
conditional headers; the crawler reaches every ``pubNNNN.example`` host through it as an HTTP
proxy. Each phase runs in its own process (clean CPU and peak-RSS figures; RSS is the sampled
sum over the phase's process tree, i.e. including an extraction pool):

1. ceiling — raw async httpx GETs of the same URLs, 32 in flight: cold (feeds + pages, 200s),
   feeds again with validators (304s), feeds again from servers that ignore them (200s);
2. naive — httpx → feedparser → trafilatura → sqlite3 INSERT + commit per article;
3. ours — ``scraper.crawl.crawl`` into PostgreSQL and into SQLite: cold, re-poll with nothing
   new (304s), re-poll with 20 % of servers ignoring validators, re-poll with all ignoring them.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import subprocess
import sys
import tempfile
import threading
from pathlib import Path
from typing import Any

from bench.throughput.site import ITEMS_PER_FEED, host_of

PG_ADMIN = os.environ.get("SCRAPER_BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
PAGE = os.sysconf("SC_PAGE_SIZE")
ASYNC_COMMIT = 'ALTER DATABASE "{}" SET synchronous_commit = off'
TICK = os.sysconf("SC_CLK_TCK")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.throughput")
    parser.add_argument("--feeds", type=int, default=500)
    parser.add_argument("--ignore-share", type=float, default=0.2)
    parser.add_argument("--concurrency", type=int, default=32, help="raw and naive in-flight cap")
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--no-sqlite", action="store_true")
    parser.add_argument("--no-naive", action="store_true")
    parser.add_argument("--repolls", default="none,mixed,all", help="re-poll modes to run")
    parser.add_argument("--profile", type=Path, help="py-spy the cold crawls into DIR")
    parser.add_argument(
        "--before", action="store_true",
        help="also cold-crawl fresh databases the way the crawl worked before the performance "
        "work (extraction inline, one store writer), for a side-by-side",
    )  # fmt: skip
    parser.add_argument(
        "--pg-async-commit", action="store_true",
        help="also cold-crawl a fresh PostgreSQL database with synchronous_commit = off "
        "(a store proposal, see docs/performance.md)",
    )  # fmt: skip
    parser.add_argument(
        "--variant", action="append", default=[], metavar="LABEL;db=pg;KNOB=V;…",
        help="also cold-crawl a fresh database with these knobs (extract_workers, store_writers, "
        "processes, "
        "async_commit=1 for PostgreSQL's synchronous_commit = off); repeatable",
    )  # fmt: skip
    parser.add_argument("--extract-workers", type=int, help="our crawl's extraction processes")
    parser.add_argument("--store-writers", type=int, help="our crawl's concurrent store calls")
    parser.add_argument("--json", type=Path, help="also write the raw results here")
    parser.add_argument(
        "--setting", action="append", default=[], metavar="NAME=VALUE",
        help="extra scraper Settings for our crawl (repeatable)",
    )  # fmt: skip
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-throughput-") as tmp:
        results = run(args, Path(tmp))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    print(format_table(args, results))
    return 0


# -- processes ---------------------------------------------------------------------------------


class Site:
    def __init__(self, feeds: int, ignore_share: float) -> None:
        cmd = [sys.executable, "-m", "bench.throughput.site", "--feeds", str(feeds),
               "--ignore-share", str(ignore_share)]  # fmt: skip
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
        assert self.proc.stdout is not None
        self.port = int(self.proc.stdout.readline())
        self.proxy = f"http://127.0.0.1:{self.port}"

    def control(self, path: str) -> dict[str, Any]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        conn.request("GET", f"http://bench.control{path}")
        body = conn.getresponse().read()
        conn.close()
        return json.loads(body) if path == "/stats" else {}

    def cpu(self) -> float:
        return _ticks(self.proc.pid) / TICK

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(10)


def _ticks(pid: int) -> int:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0
    return int(fields[11]) + int(fields[12])


def _tree(pid: int) -> list[int]:
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        with contextlib.suppress(OSError):
            for task in Path(f"/proc/{p}/task").iterdir():
                todo += [int(c) for c in (task / "children").read_text().split()]
    return out


def _tree_rss(pid: int) -> int:
    total = 0
    for p in _tree(pid):
        with contextlib.suppress(OSError):
            total += int(Path(f"/proc/{p}/statm").read_text().split()[1]) * PAGE
    return total


def run_phase(site: Site, spec: dict[str, Any], profile: Path | None = None) -> dict[str, Any]:
    spec_file = Path(tempfile.mkstemp(prefix="phase-", suffix=".json")[1])
    spec_file.write_text(json.dumps(spec))
    cmd = [sys.executable, "-m", "bench.throughput.phase", f"@{spec_file}"]
    if profile is not None:
        cmd = [str(Path(sys.executable).parent / "py-spy"), "record", "--subprocesses",
               "--format", "raw", "--rate", "200", "--output", str(profile),
               "--", *cmd]  # fmt: skip
    site_cpu0 = site.cpu()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, _tree_rss(proc.pid))
            done.wait(0.1)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    stdout, _ = proc.communicate()
    spec_file.unlink()
    done.set()
    sampler.join()
    line = next((x for x in stdout.splitlines() if x.startswith("RESULT ")), None)
    if proc.returncode or line is None:
        raise SystemExit(f"phase {spec['label']} failed (exit {proc.returncode}):\n{stdout}")
    result: dict[str, Any] = json.loads(line[7:])
    result |= {"label": spec["label"], "kind": spec["kind"], "phase": spec["phase"]}
    result["site_cpu"] = site.cpu() - site_cpu0
    result["peak_rss_mb"] = max(peak / 2**20, result["maxrss_mb"])
    if result.get("violations"):
        raise SystemExit(
            f"off-machine traffic attempted in {spec['label']}: {result['violations']}"
        )
    print(f"  {spec['label']:<28} {result['wall']:7.1f} s", file=sys.stderr, flush=True)
    return result


# -- the run -----------------------------------------------------------------------------------


def write_config(path: Path, feeds: int) -> list[str]:
    urls = [f"http://{host_of(p)}/feed.xml" for p in range(feeds)]
    blocks = [
        f'[[publisher]]\nid = "pub{p:04d}"\nname = "Publisher {p}"\n'
        f'canonical_domain = "{host_of(p)}"\nfeeds = ["{urls[p]}"]\n'
        for p in range(feeds)
    ]
    path.write_text("\n".join(blocks), encoding="utf-8")
    return urls


def _settings(pairs: list[str]) -> dict[str, str]:
    return dict(pair.split("=", 1) for pair in pairs)


def run(args: argparse.Namespace, tmp: Path) -> list[dict[str, Any]]:
    feeds = write_config(tmp / "publishers.toml", args.feeds)
    pages = [f"http://{host_of(p)}/a/{i}.html" for p in range(args.feeds)
             for i in range(ITEMS_PER_FEED)]  # fmt: skip
    modes = [m for m in args.repolls.split(",") if m]
    print(f"building the site: {args.feeds} feeds, {len(pages)} pages …", file=sys.stderr)
    site = Site(args.feeds, args.ignore_share)
    results: list[dict[str, Any]] = []
    pg_name = f"scraper_bench_{os.getpid()}"
    created: list[str] = []
    try:
        common = {"proxy": site.proxy, "concurrency": args.concurrency, "feeds": args.feeds}
        etags = str(tmp / "etags.json")
        site.control("/mode/mixed")
        results.append(run_phase(site, common | {
            "phase": "raw", "label": "raw httpx cold (200)", "urls": feeds + pages,
            "etags": etags, "save_etags": True, "kind": "cold"}))  # fmt: skip
        for mode in modes:
            site.control(f"/mode/{mode}")
            results.append(run_phase(site, common | {
                "phase": "raw", "label": f"raw httpx re-poll {_mode_label(mode)}",
                "urls": feeds, "etags": etags, "use_etags": True, "kind": mode}))  # fmt: skip
        if not args.no_naive:
            site.control("/mode/mixed")
            results.append(run_phase(site, common | {
                "phase": "naive", "label": "naive cold (trafilatura)", "feed_urls": feeds,
                "db": str(tmp / "naive.db"), "kind": "cold"}))  # fmt: skip
        databases = []
        pg_base = PG_ADMIN.rsplit("/", 1)[0]
        if not args.no_postgres:
            _pg_admin(f'CREATE DATABASE "{pg_name}"')
            databases.append(("pg", f"{pg_base}/{pg_name}"))
        if not args.no_sqlite:
            databases.append(("sqlite", f"sqlite:///{tmp / 'archive.db'}"))
        knobs = {"extract_workers": args.extract_workers, "store_writers": args.store_writers}
        variants: list[tuple[str, str, str, dict[str, Any], str | None]] = []
        if args.before:
            variants += [(db, f"{url}_before" if db == "pg" else url.replace(".db", "-before.db"),
                          "cold, before (inline, 1 writer)",
                          {"extract_workers": 0, "store_writers": 1}, None)
                         for db, url in databases]  # fmt: skip
        if args.pg_async_commit and not args.no_postgres:
            variants.append(("pg", f"{pg_base}/{pg_name}_async", "cold, synchronous_commit off",
                             knobs, ASYNC_COMMIT))  # fmt: skip
        for n, text in enumerate(args.variant):
            label, *pairs = text.split(";")
            knob = dict(pair.split("=", 1) for pair in pairs)
            db = knob.pop("db", "pg")
            url = (f"{pg_base}/{pg_name}_v{n}" if db == "pg"
                   else f"sqlite:///{tmp / f'variant{n}.db'}")  # fmt: skip
            setup = None
            if knob.pop("async_commit", "0") == "1":
                setup = ASYNC_COMMIT
            variants.append((db, url, f"cold, {label}", {k: int(v) for k, v in knob.items()},
                             setup))  # fmt: skip
        for db, url, label, extra, setup in variants:
            name = url.rsplit("/", 1)[1]
            if db == "pg":
                _pg_admin(f'CREATE DATABASE "{name}"')
                created.append(name)
                if setup:
                    _pg_admin(setup.format(name))
            site.control("/mode/mixed")
            results.append(run_phase(site, common | {
                "phase": "crawl", "database_url": url, "db": db, "kind": "cold",
                "config": str(tmp / "publishers.toml"), "settings": _settings(args.setting),
                "label": f"ours {db} {label}"} | extra))  # fmt: skip
        for db, url in databases:
            spec = common | {"phase": "crawl", "database_url": url, "db": db,
                             "config": str(tmp / "publishers.toml"),
                             "settings": _settings(args.setting)} | knobs  # fmt: skip
            site.control("/mode/mixed")
            profile = None
            if args.profile:
                args.profile.mkdir(parents=True, exist_ok=True)
                profile = args.profile / f"cold-{db}.txt"
            results.append(run_phase(site, spec | {"label": f"ours {db} cold", "kind": "cold"},
                                     profile))  # fmt: skip
            for mode in modes:
                site.control(f"/mode/{mode}")
                repoll = args.profile / f"repoll-{mode}-{db}.txt" if args.profile else None
                results.append(run_phase(site, spec | {
                    "label": f"ours {db} re-poll {_mode_label(mode)}", "kind": mode},
                    repoll))  # fmt: skip
    finally:
        site.stop()
        if not args.no_postgres:
            for name in [pg_name, *created]:
                _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    return results


def _mode_label(mode: str) -> str:
    return {"none": "304", "mixed": "mixed", "all": "200 same"}[mode]


def _pg_admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(sql)  # type: ignore[call-overload,unused-ignore]


# -- the report --------------------------------------------------------------------------------


def format_table(args: argparse.Namespace, results: list[dict[str, Any]]) -> str:
    head = ("phase", "requests", "articles", "wall s", "articles/s", "feeds/s", "req/s",
            "CPU s", "PG CPU s", "CPU ms/art", "CPU ms/feed", "peak RSS MB",
            "site CPU s")  # fmt: skip
    rows = []
    for r in results:
        requests = r.get("requests")
        articles = r.get("articles") if r["kind"] == "cold" else None
        if r["phase"] == "raw" and r["kind"] == "cold":
            articles = requests - r["feeds"]
        cpu = r["cpu"] + r.get("pg_cpu", 0.0)
        rows.append((
            r["label"],
            f"{requests:,}" if requests else "",
            f"{articles:,}" if articles is not None else "",
            f"{r['wall']:.2f}",
            f"{articles / r['wall']:,.0f}" if articles else "",
            f"{r['feeds'] / r['wall']:,.0f}",
            f"{requests / r['wall']:,.0f}" if requests else "",
            f"{r['cpu']:.1f}",
            f"{r['pg_cpu']:.1f}" if "pg_cpu" in r else "",
            f"{1000 * cpu / articles:.2f}" if articles else "",
            f"{1000 * cpu / r['feeds']:.2f}",
            f"{r['peak_rss_mb']:.0f}",
            f"{r['site_cpu']:.1f}",
        ))  # fmt: skip
    widths = [max(len(str(x)) for x in col) for col in zip(head, *rows, strict=True)]
    lines = [f"N = {args.feeds} feeds × {ITEMS_PER_FEED} items, ignore share "
             f"{args.ignore_share:.0%}, {os.cpu_count()} CPUs", ""]  # fmt: skip
    fmt = "  ".join([f"{{:<{widths[0]}}}"] + [f"{{:>{w}}}" for w in widths[1:]])
    lines.append(fmt.format(*head))
    lines.append("  ".join("-" * w for w in widths))
    lines += [fmt.format(*row) for row in rows]
    lines += ["", *format_ratios(results)]
    problems = [f"{r['label']}: failed feeds {r['failed']}, errors {r['errors']}"
                for r in results if r.get("failed") or r.get("errors")]  # fmt: skip
    if problems:
        lines += ["", "PROBLEMS:", *problems]
    return "\n".join(lines)


def format_ratios(results: list[dict[str, Any]]) -> list[str]:
    by = {r["label"]: r for r in results}

    def rate(label: str, what: str) -> float | None:
        r = by.get(label)
        if r is None:
            return None
        n = {"articles": r.get("articles"), "feeds": r["feeds"], "requests": r.get("requests")}[
            what
        ]
        return n / r["wall"] if n else None

    lines = ["ratios (target):"]
    for db in ("pg", "sqlite"):
        checks = [
            (f"ours {db} cold articles/s ÷ naive articles/s", rate(f"ours {db} cold", "articles"),
             rate("naive cold (trafilatura)", "articles"), 3.0 if db == "pg" else None),
            (f"ours {db} re-poll 304 feeds/s ÷ raw 304 req/s",
             rate(f"ours {db} re-poll 304", "feeds"), rate("raw httpx re-poll 304", "requests"),
             0.7),
            (f"ours {db} re-poll mixed feeds/s ÷ raw mixed req/s",
             rate(f"ours {db} re-poll mixed", "feeds"), rate("raw httpx re-poll mixed", "requests"),
             None),
            (f"ours {db} re-poll 200-same feeds/s ÷ raw 200 req/s",
             rate(f"ours {db} re-poll 200 same", "feeds"),
             rate("raw httpx re-poll 200 same", "requests"), 0.5),
            (f"ours {db} cold articles/s ÷ raw cold pages/s", rate(f"ours {db} cold", "articles"),
             rate("raw httpx cold (200)", "requests"), None),
        ]  # fmt: skip
        for r in results:
            if r["label"].startswith(f"ours {db} cold, "):
                variant = r["label"][len(f"ours {db} cold, ") :]
                checks.append((f"ours {db} cold [{variant}] ÷ naive", rate(r["label"], "articles"),
                               rate("naive cold (trafilatura)", "articles"), None))  # fmt: skip
                checks.append((f"ours {db} cold [{variant}] ÷ ours {db} cold",
                               rate(r["label"], "articles"), rate(f"ours {db} cold", "articles"),
                               None))  # fmt: skip
        for name, a, b, target in checks:
            if a is None or b is None:
                continue
            ratio = a / b
            verdict = "" if target is None else ("  ok" if ratio >= target else "  MISSED")
            goal = f"≥ {target:g}" if target is not None else "—"
            lines.append(f"  {name:<64} {ratio:6.2f}  ({goal}){verdict}")
    # The target is the default crawl's; a variant (more processes, say) is reported beside it.
    crawls = [r for r in results if r["phase"] == "crawl"]
    variant = [r for r in crawls if ", " in r["label"]]
    peak = max((r["peak_rss_mb"] for r in crawls if r not in variant), default=None)
    if peak is not None:
        lines.append(f"  {'peak RSS of our crawl, any phase (MB)':<64} {peak:6.0f}  (≤ 300)"
                     + ("  ok" if peak <= 300 else "  MISSED"))  # fmt: skip
    for r in variant:
        name = f"peak RSS of {r['label']} (MB, all its processes)"
        lines.append(f"  {name:<64} {r['peak_rss_mb']:6.0f}  (—)")
    lines.append(
        "  per-article cost at 1 M archived vs 10 k: left to the dedup bench "
        "(python -m bench.dedup)"
    )
    return lines


if __name__ == "__main__":
    sys.exit(main())
