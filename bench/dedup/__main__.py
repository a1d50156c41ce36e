"""``python -m bench.dedup [--articles N] [--db sqlite|postgresql]``: near-duplicate detection
at archive scale (see bench/dedup/run.py and docs/dedup.md)."""

from __future__ import annotations

import argparse
import platform
import sys
import time

from bench.dedup.corpus import Corpus
from bench.dedup.run import Options, Report, evaluate, ingest, sweep
from scraper.dedup.minhash import BANDS, BINS, ROWS, SHINGLE
from scraper.settings import Settings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.dedup", description=__doc__)
    parser.add_argument("--articles", type=int, default=1_000_000)
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="postgresql")
    parser.add_argument("--url", help="database URL (default: a fresh database / file)")
    parser.add_argument("--batch", type=int, default=500, help="articles per transaction")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--sweep", type=int, default=20_000, help="items in the threshold sweep")
    parser.add_argument("--probes", type=int, default=200, help="lookups per checkpoint")
    parser.add_argument("--keep", action="store_true", help="keep the PostgreSQL database")
    args = parser.parse_args(argv)
    options = Options(
        args.articles, args.db, args.url, args.batch, args.seed, args.sweep, args.probes, args.keep
    )
    settings = Settings()
    print(
        f"bench.dedup: {options.articles:,} articles on {options.db}, seed {options.seed}; "
        f"{SHINGLE}-word shingles, {BINS}-bin one-permutation MinHash, {BANDS} bands × {ROWS}; "
        f"cluster ≥ {settings.dedup_cluster}, same article ≥ {settings.dedup_same_article} "
        f"within {settings.dedup_window_days:g} days; {platform.python_version()}, "
        f"{platform.machine()}",
        flush=True,
    )
    report = Report()
    start = time.perf_counter()
    rows, candidates, true_pairs = sweep(Corpus(options.seed), min(options.sweep, options.articles))
    print(f"\n## Thresholds (first {min(options.sweep, options.articles):,} items, offline)")
    print(f"{candidates:,} pairs share a band key; {true_pairs:,} true near-duplicate pairs\n")
    print("| containment ≥ | precision | recall | false pairs |")
    print("|---:|---:|---:|---:|")
    for threshold, precision, recall, false in rows:
        print(f"| {threshold:.2f} | {precision:.4f} | {recall:.4f} | {false:,} |")
    print(f"\n## Ingest ({options.db}, batches of {options.batch})", flush=True)
    truth: dict[int, int] = {}
    stories = ingest(options, report, truth)
    evaluate(truth, stories, report)
    _print(report, options)
    print(f"\ntotal {time.perf_counter() - start:.0f} s")
    return 0


def _print(report: Report, options: Options) -> None:
    print("\n| articles stored | store ms/article (last 10k) | articles/s | lookup ms p50 | "
          "lookup ms mean | candidates/lookup |")  # fmt: skip
    print("|---:|---:|---:|---:|---:|---:|")
    per = dict(report.windows)
    for done, p50, mean, candidates in report.probes:
        cost = per.get(done) or min(report.windows, key=lambda w: abs(w[0] - done))[1]
        print(
            f"| {done:,} | {cost * 1000:.2f} | {1 / cost:,.0f} | {p50:.2f} | {mean:.2f} | "
            f"{candidates:.2f} |"
        )
    first, last = report.windows[0][1], report.windows[-1][1]
    print(
        f"\nper-article store cost, last window / first window: {last / first:.2f}× "
        f"({'within' if last / first <= 1.5 else 'NOT within'} 1.5×)"
    )
    stored = sum(report.outcomes.values())
    if report.analyses:
        print(
            f"autovacuum is off on this server: the bench ran ANALYZE {report.analyses} times "
            f"as autovacuum would (50 rows + 10 % changed), {report.analyse_time:.0f} s, "
            "outside the store's time"
        )
    print(
        f"overall: {stored:,} articles in {report.elapsed:.0f} s = "
        f"{stored / report.elapsed:,.0f} articles/s end to end, "
        f"{stored / report.store_time:,.0f}/s in the store"
    )
    print("\n## Detection (what the database holds vs the generator's truth)\n")
    print("| measure | value |")
    print("|---|---:|")
    for name, value in report.detection.items():
        shown = f"{value:.4f}" if isinstance(value, float) else f"{value:,}"
        print(f"| {name} | {shown} |")
    print("\n| item kind : store outcome | count |")
    print("|---|---:|")
    for name, count in sorted(report.outcomes.items()):
        print(f"| {name} | {count:,} |")
    ok = report.detection["precision"] >= 0.99 and report.detection["recall"] >= 0.95
    print(f"\ntargets precision ≥ 0.99 and recall ≥ 0.95: {'met' if ok else 'NOT met'}")
    sys.stdout.flush()


if __name__ == "__main__":
    raise SystemExit(main())
