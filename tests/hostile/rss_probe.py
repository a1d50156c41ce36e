"""Run the hostile crawl in this (fresh) process and print its peak RSS in KiB.

``python -m tests.hostile.rss_probe TMPDIR [--good-only]`` — used by test_hostile_crawl; guarded
like the tests. ``--good-only`` polls only the three demo publishers: the baseline to subtract.
"""

from __future__ import annotations

import resource
import sys
from pathlib import Path

from scraper.demo.guard import loopback_only
from tests.hostile.bait import Bait
from tests.hostile.scenario import CASES, build_web, run_hostile_crawl


def main(tmp: Path, good_only: bool) -> int:
    if good_only:
        CASES.clear()
    with loopback_only() as guard, Bait() as bait:
        web = build_web(bait)
        try:
            run = run_hostile_crawl(f"sqlite:///{tmp / 'rss.db'}", tmp, web)
        finally:
            web.stop()
    if guard.violations or run.summary.feeds != 3 + len(CASES):
        print(f"violations={guard.violations} feeds={run.summary.feeds}", file=sys.stderr)
        return 1
    print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]), "--good-only" in sys.argv[2:]))
