"""``python -m scraper.demo`` (what ``make demo`` runs): an offline crawl of the bundled demo web.

It starts :class:`~scraper.demo.web.LocalWeb` on 127.0.0.1, points the standard ``HTTP_PROXY``
variables at it (so the crawler reaches the fake publishers exactly as it would reach real ones
through a proxy), then runs the real ``scraper`` commands a user would type and prints them as
it goes. Every socket is guarded: nothing can leave the machine, not even by mistake.
"""

from __future__ import annotations

import os
import shlex
import shutil
import sys
from pathlib import Path

from scraper.cli import cli
from scraper.demo.guard import loopback_only
from scraper.demo.site import demo_config_text, load_site
from scraper.demo.web import LocalWeb

OUTPUT = Path("demo-output")


def run(*args: str) -> int:
    """Run one ``scraper`` command in this process, echoing it like a shell would."""
    print(f"\n$ scraper {shlex.join(args)}", flush=True)
    try:
        cli.main(list(args), prog_name="scraper", standalone_mode=False)
    except SystemExit as exc:
        return int(exc.code or 0)
    return 0


def main() -> int:
    if OUTPUT.exists():
        shutil.rmtree(OUTPUT)
    OUTPUT.mkdir(parents=True)
    config = OUTPUT / "publishers.toml"
    config.write_text(demo_config_text(), encoding="utf-8")
    with loopback_only() as guard, LocalWeb(load_site()) as web:
        os.environ.update({
            "SCRAPER_DATABASE_URL": f"sqlite:///{OUTPUT / 'demo.db'}",
            "SCRAPER_CONFIG": str(config),
            "HTTP_PROXY": web.proxy_url,
            "HTTPS_PROXY": web.proxy_url,
            "NO_PROXY": "",
        })  # fmt: skip
        print(
            f"Demo web for southfront.press, northwind-herald.example and "
            f"lakeside-courier.example serving at {web.proxy_url} (used as HTTP_PROXY)"
        )
        status = run("crawl")
        status |= run("crawl")  # idempotent: answered with 304s, nothing new
        status |= run("search", "drones air defense", "--limit", "3")
        status |= run("search", "harbour OR lake", "--publisher", "lakeside", "--limit", "3")
        status |= run("show", "1")
        requests = len(web.requests)
    if guard.violations:
        print(f"refused off-machine traffic: {guard.violations}", file=sys.stderr)
        return 1
    print(
        f"\nDemo done: {requests} requests, all to the local demo web. "
        f"Archive: {OUTPUT / 'demo.db'}"
    )
    return status


if __name__ == "__main__":
    sys.exit(main())
