"""Summarise a py-spy ``--format raw`` profile (collapsed stacks) into where the time goes.

    python -m bench.throughput.profile PROFILE.txt [--top 25]

Buckets are chosen by the first matching frame from the root, so nested work is attributed to
the outermost stage (a store call made under extraction would count as extraction).
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import Counter
from pathlib import Path

BUCKETS = (
    ("import / start-up", ("_find_and_load", "open_archive", "load_config", "sync_config")),
    ("crawl epilogue (boilerplate learning, prune, adopt moves)",
     ("learn_boilerplate", "adopt_moves", "prune_raw_pages", "_learned")),
    ("extraction (selectolax, language, boilerplate strip)",
     ("page_text", "_from_page", "extract (")),
    ("feed parsing (feedparser)", ("parse_feed",)),
    ("feed-item text (html_to_text on feed descriptions)", ("feed_text",)),
    ("store: save article", ("save (scraper/store/archive.py", "save_draft")),
    ("store: record poll / feed state", ("record_poll", "move_feed", "remember_feed_url")),
    ("store: known_urls / attach", ("known_urls", "attach_urls")),
    ("store: other", ("scraper/store/",)),
    ("fetch: httpx/httpcore/h11", ("httpx/", "httpcore/", "h11/")),
    ("fetch: scraper.fetch (body, decompress, checks)", ("scraper/fetch/",)),
    ("url resolution", ("resolve (scraper/domains", "failover_urls")),
    ("asyncio / threads plumbing", ("asyncio/", "threading.py", "concurrent/")),
)  # fmt: skip


def load(path: Path) -> list[tuple[list[str], int]]:
    stacks = []
    for line in path.read_text().splitlines():
        head, _, count = line.rpartition(" ")
        if not count.isdigit():
            continue
        frames = head.split(";")
        if frames and frames[0].startswith("process "):
            frames = frames[1:]
        if frames:
            stacks.append((frames, int(count)))
    return stacks


def bucket(frames: list[str]) -> str:
    for name, needles in BUCKETS:
        for frame in frames:
            if any(n in frame for n in needles):
                return name
    return "other"


def _fn(frame: str) -> str:
    return re.sub(r":\d+\)$", ")", frame)


def summarise(path: Path, top: int) -> str:
    stacks = load(path)
    total = sum(c for _, c in stacks) or 1
    buckets: Counter[str] = Counter()
    leaves: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    for frames, count in stacks:
        buckets[bucket(frames)] += count
        leaves[_fn(frames[-1])] += count
        for fn in {_fn(f) for f in frames if "scraper/" in f}:
            inclusive[fn] += count
    out = [f"{path.name}: {total} samples (on-CPU, all threads and processes)", "", "by stage:"]
    out += [f"  {100 * c / total:5.1f} %  {name}" for name, c in buckets.most_common()]
    out += ["", f"scraper functions, inclusive (top {top}):"]
    out += [f"  {100 * c / total:5.1f} %  {fn}" for fn, c in inclusive.most_common(top)]
    out += ["", f"leaf frames, self time (top {top}):"]
    out += [f"  {100 * c / total:5.1f} %  {fn}" for fn, c in leaves.most_common(top)]
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.throughput.profile")
    parser.add_argument("profiles", nargs="+", type=Path)
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args(argv)
    for path in args.profiles:
        print(summarise(path, args.top))
        print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
