"""The benchmark's web: thousands of tiny feeds on a few fake hosts, with a timed request log."""

from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Self

from scraper.demo.web import LocalWeb, Resource


class TimedWeb(LocalWeb):
    """LocalWeb that keeps (monotonic time, path) per feed request, for lag measurement."""

    def __init__(self) -> None:
        super().__init__({})
        self.seen: dict[str, list[float]] = {}
        self._seen_lock = threading.Lock()

    def __enter__(self) -> Self:
        """As LocalWeb's, typed as this class, so ``with TimedWeb() as web`` keeps its log."""
        super().__enter__()
        return self

    def _log(
        self, handler: BaseHTTPRequestHandler, host: str, path: str, status: int, *, via_proxy: bool
    ) -> None:  # the full log of LocalWeb would grow by the million; keep times only
        with self._seen_lock:
            self.seen.setdefault(host + path, []).append(time.monotonic())


def feed_body(host: str, n: int, items: int) -> bytes:
    entries = "".join(
        f"<item><title>{n}-{i}</title><link>http://{host}/a/{n}-{i}.html</link>"
        f"<description>{'word ' * 150}</description></item>"
        for i in range(items)
    )
    return (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>{host} {n}</title>'
        f"<link>http://{host}/</link>{entries}</channel></rss>"
    ).encode()


def serve_feeds(web: LocalWeb, hosts: list[str], per_host: int) -> list[str]:
    urls = []
    for host in hosts:
        for n in range(per_host):
            path = f"/f/{n}.xml"
            web.set(host, path, Resource(feed_body(host, n, 0), "application/rss+xml"))
            urls.append(f"http://{host}{path}")
    return urls


def write_config(path: Path, hosts: list[str], per_host: int) -> Path:
    blocks = []
    for host in hosts:
        feeds = ",\n".join(f'  "http://{host}/f/{n}.xml"' for n in range(per_host))
        name = host.split(".")[0]
        blocks.append(
            f'[[publisher]]\nid = "{name}"\nname = "{name}"\ncanonical_domain = "{host}"\n'
            f"feeds = [\n{feeds}\n]\n"
        )
    path.write_text("\n".join(blocks), encoding="utf-8")
    return path
