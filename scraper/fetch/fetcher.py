"""GET with conditional headers, a size cap, bounded concurrency and recorded redirects.

Politeness is enforced here, not by callers: a global cap on requests in flight and a cap per
host. The body is streamed and counted *after* decompression (:mod:`scraper.fetch.body`), so a
gzip bomb stops at the cap instead of filling memory; one total timeout covers connect to last
byte, so a server trickling a byte every few seconds is cut too. Redirects are followed by hand
so every hop is recorded (the domains stage reads permanent cross-host redirects as evidence
that a publisher moved) and checked by the SSRF guard before it is requested.
"""

from __future__ import annotations

import asyncio
import logging
import time
from urllib.parse import urljoin, urlsplit

import httpx

from scraper.errors import FetchError
from scraper.fetch.body import read_body
from scraper.fetch.classify import status_error, transport_error
from scraper.fetch.client import build_client
from scraper.fetch.content import Kind
from scraper.fetch.decompress import DecodeError
from scraper.fetch.guard import BlockedAddressError, check_url
from scraper.models import FetchResult, Hop
from scraper.settings import Settings

log = logging.getLogger(__name__)

_REDIRECTS = frozenset({301, 302, 303, 307, 308})


class Fetcher:
    def __init__(self, client: httpx.AsyncClient, settings: Settings) -> None:
        self._client = client
        self._settings = settings
        self._in_flight = asyncio.Semaphore(settings.concurrency)
        self._per_host: dict[str, asyncio.Semaphore] = {}
        self._proxied: dict[str, httpx.AsyncClient] = {}

    def _client_for(self, proxy: str | None) -> httpx.AsyncClient:
        """The shared client, or one per publisher proxy (built on first use, kept open)."""
        if proxy is None:
            return self._client
        client = self._proxied.get(proxy)
        if client is None:
            client = self._proxied[proxy] = build_client(self._settings, proxy=proxy)
        return client

    async def aclose(self) -> None:
        """Close the per-proxy clients (the shared one belongs to whoever passed it in)."""
        for client in self._proxied.values():
            await client.aclose()
        self._proxied.clear()

    async def fetch(
        self,
        url: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        max_bytes: int | None = None,
        accept: str = "*/*",
        kind: Kind = "any",
        proxy: str | None = None,
    ) -> FetchResult:
        """Fetch ``url``; 304 is a result, every other failure a :class:`FetchError`.

        ``kind`` ("feed" or "page") lets the fetcher refuse a PDF, an image or a zip from its
        headers or first bytes (reasons ``not_a_feed`` / ``not_html``) instead of reading it.
        A failure carries the redirects answered before it (``FetchError.redirects``): a
        permanent redirect to a host that then fails is still evidence of a move.
        """
        hops: list[Hop] = []
        try:
            client = self._client_for(proxy)
            return await self._fetch(
                client, url, etag, last_modified, max_bytes, accept, kind, hops
            )
        except FetchError as exc:
            exc.redirects = tuple(hops)
            raise

    async def _fetch(
        self,
        client: httpx.AsyncClient,
        url: str,
        etag: str | None,
        last_modified: str | None,
        max_bytes: int | None,
        accept: str,
        kind: Kind,
        hops: list[Hop],
    ) -> FetchResult:
        started = time.perf_counter()
        limit = max_bytes or self._settings.max_page_bytes
        headers = {"Accept": accept}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        current = url
        seen = {url}
        for _ in range(self._settings.max_redirects + 1):
            check_url(current, allow_private=self._settings.allow_private_networks)
            status, response_headers, body = await self._get(client, current, headers, limit, kind)
            location = response_headers.get("location")
            if status in _REDIRECTS and location:
                target = urljoin(current, location.strip())
                hops.append(Hop(current, status, target))
                if target in seen:
                    raise FetchError(url, "redirect_loop", f"redirect loop at {target}")
                seen.add(target)
                current = target
                continue
            if status >= 400:
                raise status_error(current, status, response_headers)
            elapsed = int((time.perf_counter() - started) * 1000)
            return FetchResult(url, current, status, response_headers, body, tuple(hops), elapsed)
        raise FetchError(url, "too_many_redirects", f"more than {len(hops) - 1} redirects")

    def _host_slot(self, url: str) -> asyncio.Semaphore:
        host = urlsplit(url).hostname or ""
        slot = self._per_host.get(host)
        if slot is None:
            slot = self._per_host[host] = asyncio.Semaphore(self._settings.per_host_concurrency)
        return slot

    async def _get(
        self, client: httpx.AsyncClient, url: str, headers: dict[str, str], limit: int, kind: Kind
    ) -> tuple[int, dict[str, str], bytes]:
        async with self._in_flight, self._host_slot(url):
            try:
                async with asyncio.timeout(self._settings.fetch_timeout):
                    return await self._stream(client, url, headers, limit, kind)
            except FetchError:
                raise
            except (
                httpx.HTTPError,
                OSError,
                TimeoutError,
                ValueError,
                BlockedAddressError,
                DecodeError,
            ) as exc:
                raise transport_error(url, exc) from exc

    async def _stream(
        self, client: httpx.AsyncClient, url: str, headers: dict[str, str], limit: int, kind: Kind
    ) -> tuple[int, dict[str, str], bytes]:
        async with client.stream("GET", url, headers=headers) as response:
            response_headers = {k.lower(): v for k, v in response.headers.items()}
            status = response.status_code
            if status in _REDIRECTS or status == 304 or status >= 400:
                return status, response_headers, b""
            body = await read_body(response, url, limit, kind)
            log.debug("Fetched", extra={"url": url, "status": status, "bytes": len(body)})
            return status, response_headers, body
