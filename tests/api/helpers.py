"""Test data and an in-process client for the API tests (no socket, no network)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import httpx
from fastapi import FastAPI

from scraper.config import Config, parse_config
from scraper.models import ArticleDraft
from scraper.store.archive import Archive
from tests.factories import make_draft

TOKEN = "s3cret-token"
MakeApp = Callable[..., FastAPI]


def make_config(canonical: str = "sf.test", old: str = "sf-old.test") -> Config:
    """``sf`` moved from ``sf-old.test`` (2013–2015) to ``sf.test``; ``nw`` never moved."""
    return parse_config(
        {
            "publisher": [
                {
                    "id": "sf",
                    "name": "South <Front>",
                    "canonical_domain": canonical,
                    "feeds": [f"https://{canonical}/feed/"],
                    "aliases": [{"domain": old, "since": 2013, "until": 2015, "status": "dead"}],
                },
                {"id": "nw", "name": "Northwind", "canonical_domain": "nw.test"},
            ]
        },
        Path("test.toml"),
    )


CONFIG = make_config()


def draft(
    n: int, text: str, publisher: str = "sf", host: str | None = None, **kw: object
) -> ArticleDraft:
    """Article ``n`` published on 2025-03-n, seen under ``host`` (default: its canonical one)."""
    home = f"{publisher}.test"
    seen = host or home
    values: dict[str, object] = {
        "urls": ((f"http://{seen}/a/{n}/?utm_source=x", "feed"),),
        "title": f"Article {n}",
        "authors": ("Ann Lee",),
        "published_at": datetime(2025, 3, n, 12, tzinfo=UTC),
    }
    return make_draft(publisher, f"https://{home}/a/{n}/", text, **(values | kw))


def seed(archive: Archive) -> Archive:
    """Seven sf articles (1–3 first seen on the old domain) and two nw ones."""
    archive.sync_config(CONFIG)
    for n in range(1, 8):
        host = "sf-old.test" if n <= 3 else None
        text = f"Day {n} report. Drones were seen over the harbour {n} times."
        archive.save(draft(n, text, host=host))
    archive.save(draft(8, "Markets rallied on Friday.", publisher="nw"))
    archive.save(draft(9, "The ferry timetable changes in spring.", publisher="nw"))
    return archive


def client_of(app: FastAPI, **kw: object) -> httpx.AsyncClient:
    """An in-process client: requests go straight into the ASGI app, never to a socket."""
    transport = httpx.ASGITransport(app=app)
    return httpx.AsyncClient(transport=transport, base_url="http://testserver", **kw)  # type: ignore[arg-type]
