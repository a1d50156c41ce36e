"""``python -m bench.extraction [--split all|train|test] [--limit N] [--only NAME] [--data DIR]``.

Scores our extractor and trafilatura 2.3.1 on the Dragnet development set in
one process: trafilatura's true default (comments included) and, because the
ground truth drops comments, ``include_comments=False``, which is what the data
set README's "default" row (F1 .905) actually measured. Pages are decoded
before timing, identically for all. Without ``--split`` the tables for ``all``
and ``test`` are printed (timing covers all pages; speed is per run, not per
subset).
"""

from __future__ import annotations

import argparse
import sys

from bench.extraction.dataset import dataset_dir, load_pages, split_ids
from bench.extraction.report import print_table, rows
from bench.extraction.runner import EXTRACTORS, run_all


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.extraction", description=__doc__)
    parser.add_argument("--split", choices=["all", "train", "test"], default=None)
    parser.add_argument("--limit", type=int, default=None, help="first N pages of the split")
    parser.add_argument("--only", choices=sorted(EXTRACTORS), default=None)
    parser.add_argument("--data", default=None, help="dataset dir (else $SCRAPER_DRAGNET_DIR)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = _parse(argv)
    root = dataset_dir(args.data)
    if not (root / "ground-truth.json").is_file():
        print(f"Dragnet dataset not found at {root} (use --data or $SCRAPER_DRAGNET_DIR)")
        return 2
    ids = split_ids(root, args.split or "all")[: args.limit]
    pages = load_pages(root, ids)
    names = [args.only] if args.only else list(EXTRACTORS)
    results = run_all(pages, names)
    if args.split:
        print_table(f"Dragnet {args.split} ({len(ids)} pages)", rows(results, ids))
        return 0
    test = [i for i in split_ids(root, "test") if i in set(ids)]
    print_table(f"Dragnet all ({len(ids)} pages)", rows(results, ids))
    print_table(f"Dragnet test ({len(test)} pages)", rows(results, test))
    return 0


if __name__ == "__main__":
    sys.exit(main())
