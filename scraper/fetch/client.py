"""Build the one HTTP client a crawl uses. The only module that configures httpx.

Redirects are followed by :mod:`scraper.fetch.fetcher` itself (every hop is recorded and
checked), so the client never follows them. Proxies come from the standard environment
variables (``HTTP_PROXY``, ``HTTPS_PROXY``, ``ALL_PROXY``, ``NO_PROXY``) unless a proxy or a
transport is passed explicitly (tests and the demo route everything to a local server).
"""

from __future__ import annotations

import httpx

from scraper.settings import Settings


def build_client(
    settings: Settings,
    *,
    transport: httpx.AsyncBaseTransport | None = None,
    proxy: str | None = None,
) -> httpx.AsyncClient:
    timeout = httpx.Timeout(settings.fetch_timeout, connect=settings.connect_timeout)
    limits = httpx.Limits(
        max_connections=settings.concurrency,
        max_keepalive_connections=settings.concurrency,
        keepalive_expiry=30,
    )
    return httpx.AsyncClient(
        transport=transport,
        proxy=proxy,
        timeout=timeout,
        limits=limits,
        follow_redirects=False,
        trust_env=transport is None and proxy is None,
        headers={
            "User-Agent": settings.user_agent,
            "Accept-Encoding": "gzip, deflate, br",
        },
    )
