"""Time :func:`canonicalise` and :meth:`Resolver.resolve` on one core and print a table.

Each step runs ``repeat`` times over the same URLs and the best run counts: the machine's noise
only ever slows a run down. Per-host caches are warm after the first run, as they are in a
crawl, where a few hundred hosts serve millions of URLs.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable, Sequence

from bench.canonicalise.urls import COUNT, SEED, generate, publishers
from scraper.domains import Resolver, canonicalise

TARGET = 100_000  # URLs per second, one core


def best_rate(step: Callable[[str], object], urls: Sequence[str], repeat: int) -> float:
    """URLs per second of the fastest of ``repeat`` passes."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        for url in urls:
            step(url)
        best = min(best, time.perf_counter() - start)
    return len(urls) / best


def table(rows: list[tuple[str, float]]) -> list[str]:
    """The result table, one line per step."""
    lines = [f"{'step':<20} {'URLs/s':>10} {'µs/URL':>8} {'target':>10}  status"]
    for name, rate in rows:
        status = "ok" if rate >= TARGET else "BELOW TARGET"
        lines.append(f"{name:<20} {rate:>10,.0f} {1e6 / rate:>8.2f} {TARGET:>10,}  {status}")
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.canonicalise", description=__doc__)
    parser.add_argument("--count", type=int, default=COUNT, help="URLs to generate")
    parser.add_argument("--seed", type=int, default=SEED, help="random seed of the URL mix")
    parser.add_argument("--repeat", type=int, default=3, help="passes per step; best counts")
    parser.add_argument("--check", action="store_true", help="exit 1 when below the target")
    args = parser.parse_args(argv)

    urls = generate(args.count, args.seed)
    resolver = Resolver(publishers())
    rows = [
        ("canonicalise", best_rate(canonicalise, urls, args.repeat)),
        ("Resolver.resolve", best_rate(resolver.resolve, urls, args.repeat)),
    ]
    changed = sum(canonicalise(url) != url for url in urls)
    keys = {resolver.resolve(url).identity_key for url in urls}
    print(f"{len(urls):,} URLs (seed {args.seed}), best of {args.repeat}, one core")
    print(f"canonicalise changed {changed / len(urls):.0%}; {len(keys):,} distinct identity keys")
    print("\n".join(table(rows)))
    return 1 if args.check and min(rate for _, rate in rows) < TARGET else 0
