"""Build the one HTTP client a crawl uses. The only module that configures httpx.

Redirects are followed by :mod:`scraper.fetch.fetcher` itself (every hop is recorded and
checked), so the client never follows them. Proxies come from the standard environment
variables (``HTTP_PROXY``, ``HTTPS_PROXY``, ``ALL_PROXY``, ``NO_PROXY``) unless a proxy or a
transport is passed explicitly (tests and the demo route everything to a local server).

Direct connections go through :class:`~scraper.fetch.guard.GuardedBackend` (resolve, check every
address, connect to the checked one) unless ``allow_private_networks`` is set. Connections to a
proxy do not: the proxy is the operator's choice, and the target was already checked by
:func:`~scraper.fetch.guard.check_url` before the request was sent.
"""

from __future__ import annotations

import httpcore
import httpx
from httpx._utils import get_environment_proxies  # the same NO_PROXY rules httpx applies

from scraper.fetch.guard import GuardedBackend
from scraper.settings import Settings


class GuardedTransport(httpx.AsyncHTTPTransport):
    """httpx's own transport, with a connection pool whose network backend is guarded."""

    def __init__(self, limits: httpx.Limits, backend: httpcore.AsyncNetworkBackend) -> None:
        ssl_context = httpx.create_ssl_context()
        super().__init__(verify=ssl_context, limits=limits)
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=ssl_context,
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=backend,
        )


def direct_transport(settings: Settings, limits: httpx.Limits) -> httpx.AsyncBaseTransport:
    if settings.allow_private_networks:
        return httpx.AsyncHTTPTransport(limits=limits)
    return GuardedTransport(limits, GuardedBackend(allow_private=False))


def proxy_mounts(
    proxy: str | None, limits: httpx.Limits
) -> dict[str, httpx.AsyncBaseTransport | None]:
    """URL pattern → proxy transport (``None``: go direct, e.g. a NO_PROXY host)."""
    routes = {"all://": proxy} if proxy else get_environment_proxies()
    return {
        pattern: httpx.AsyncHTTPTransport(proxy=url, limits=limits) if url else None
        for pattern, url in routes.items()
    }


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
    mounts = {} if transport is not None else proxy_mounts(proxy, limits)
    return httpx.AsyncClient(
        transport=transport or direct_transport(settings, limits),
        mounts=mounts,
        timeout=timeout,
        follow_redirects=False,
        trust_env=False,  # proxies are read above; the transports are built here
        headers={
            "User-Agent": settings.user_agent,
            "Accept-Encoding": "gzip, deflate, br",
        },
    )
