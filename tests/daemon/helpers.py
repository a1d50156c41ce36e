"""Fake publishers for daemon tests: many small RSS feeds whose items carry their full text.

Full-text items mean a poll needs no page request, so tests count feed requests only. A
:class:`TimedWeb` is a LocalWeb that also remembers *when* each request came, which is what
"polled once per interval" and "not asked again before Retry-After" are about.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import random
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Self

from scraper.config import Config, load_config
from scraper.demo.web import LocalWeb, Resource
from scraper.schedule.daemon import Daemon
from scraper.settings import Settings
from scraper.store.archive import Archive, open_archive

VOCABULARY = tuple(
    f"{a}{b}" for a in ("har", "cou", "fer", "bri", "bud", "win", "lib", "riv", "sta", "mar",
                         "pol", "gra", "sch", "tow", "rai", "por")
    for b in ("bour", "ncil", "ry", "dge", "get", "ter", "rary", "er", "tion", "ket", "ice",
              "nt", "ool", "er", "l", "t")
)  # fmt: skip
HOSTS = ("alpha.example", "bravo.example", "charlie.example")


class TimedWeb(LocalWeb):
    """LocalWeb with a timestamped log: (monotonic time, host, path, status, conditional)."""

    def __init__(self) -> None:
        super().__init__({})
        self.timeline: list[tuple[float, str, str, int, bool]] = []

    def _log(
        self, handler: BaseHTTPRequestHandler, host: str, path: str, status: int, *, via_proxy: bool
    ) -> None:
        super()._log(handler, host, path, status, via_proxy=via_proxy)
        conditional = bool(
            handler.headers.get("If-None-Match") or handler.headers.get("If-Modified-Since")
        )
        with self._lock:
            self.timeline.append((time.monotonic(), host, path, status, conditional))

    def __enter__(self) -> Self:
        """As LocalWeb's, typed as this class, so ``with TimedWeb() as web`` keeps its log."""
        super().__enter__()
        return self

    def times(self, host: str, path: str) -> list[float]:
        with self._lock:
            return [t for t, h, p, _, _ in self.timeline if h == host and p == path]


def item_xml(host: str, feed: int, n: int, when: datetime | None) -> str:
    # distinct words per item: the archive folds near-duplicate texts into one story
    text = " ".join(random.Random(f"{host}/{feed}/{n}").choices(VOCABULARY, k=140))
    date = f"<pubDate>{format_datetime(when, usegmt=True)}</pubDate>" if when else ""
    return (
        f"<item><title>Story {feed}-{n}</title>"
        f"<link>http://{host}/news/{feed}/{n}.html</link><guid>{host}-{feed}-{n}</guid>"
        f"{date}"
        f"<content:encoded><![CDATA[<p>{text}</p>]]></content:encoded></item>"
    )


def rss(
    host: str,
    feed: int,
    count: int,
    *,
    extra: str = "",
    dated: bool = True,
    step: timedelta = timedelta(minutes=10),
) -> bytes:
    start = datetime(2026, 11, 1, tzinfo=UTC)
    items = "".join(
        item_xml(host, feed, n, start + n * step if dated else None) for n in range(count)
    )
    return (
        '<?xml version="1.0"?><rss version="2.0" '
        'xmlns:content="http://purl.org/rss/1.0/modules/content/">'
        f"<channel><title>{host} {feed}</title><link>http://{host}/</link>{extra}"
        f"{items}</channel></rss>"
    ).encode()


def feed_path(feed: int) -> str:
    return f"/feeds/{feed}.xml"


def publish(web: LocalWeb, host: str, feed: int, count: int, **kwargs: object) -> None:
    resource = Resource(rss(host, feed, count), "application/rss+xml")
    web.set(host, feed_path(feed), dataclasses.replace(resource, **kwargs))  # type: ignore[arg-type]


def write_config(path: Path, feeds_per_host: dict[str, range], *, obey_robots: bool = True) -> Path:
    blocks = []
    for host, feeds in feeds_per_host.items():
        urls = ", ".join(f'"http://{host}{feed_path(f)}"' for f in feeds)
        blocks.append(
            f'[[publisher]]\nid = "{host.split(".")[0]}"\nname = "{host}"\n'
            f'canonical_domain = "{host}"\nfeeds = [{urls}]\n'
            + ("" if obey_robots else "obey_robots = false\n")
        )
    path.write_text("\n".join(blocks), encoding="utf-8")
    return path


def settings(database_url: str, config: Path, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "database_url": database_url,
        "config": config,
        "poll_min_interval": 1.0,
        "poll_max_interval": 1.0,
        "dispatch_interval": 0.2,
        "host_min_delay": 0.0,
        "poll_lease": 5.0,
        "fetch_timeout": 5.0,
        "shutdown_grace": 2.0,
    }
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


@contextlib.asynccontextmanager
async def running(settings_: Settings, web: LocalWeb) -> AsyncIterator[tuple[Daemon, Archive]]:
    """A daemon polling in the background of the test's event loop."""
    archive = open_archive(settings_.database_url, auto_upgrade=True)
    config: Config = load_config(settings_.config)
    daemon = Daemon(settings_, config, archive, proxy=web.proxy_url)
    stop = asyncio.Event()
    task = asyncio.create_task(daemon.run(stop))
    try:
        yield daemon, archive
    finally:
        stop.set()
        await asyncio.wait_for(task, 15)
        archive.close()


async def until(predicate: object, timeout: float, step: float = 0.05) -> float:
    """Wait until ``predicate()`` is true; returns the seconds it took (fails on timeout)."""
    started = time.monotonic()
    while not predicate():  # type: ignore[operator]
        if time.monotonic() - started > timeout:
            raise AssertionError(f"condition not met within {timeout} s")
        await asyncio.sleep(step)
    return time.monotonic() - started


LAUNCH = (
    "from scraper.cli import cli, main\n"
    "from scraper.cli.run import run_command\n"
    "from scraper.demo.guard import loopback_only\n"
    "cli.add_command(run_command)\n"  # the same command, whether or not the lead registered it
    "with loopback_only():\n"
    "    main()\n"
)


def daemon_env(
    database_url: str, config: Path, web: LocalWeb, **settings_: object
) -> dict[str, str]:
    import os

    env = {k: v for k, v in os.environ.items() if not k.startswith("SCRAPER_")}
    env |= {
        "SCRAPER_DATABASE_URL": database_url,
        "SCRAPER_CONFIG": str(config),
        "HTTP_PROXY": web.proxy_url,
        "SCRAPER_LOG_LEVEL": "INFO",
        "SCRAPER_HOST_MIN_DELAY": "0",
    }
    env |= {f"SCRAPER_{k.upper()}": str(v) for k, v in settings_.items()}
    return env
