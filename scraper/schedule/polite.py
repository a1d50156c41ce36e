"""The daemon's fetcher: the shared :class:`Fetcher` plus robots.txt and a per-host pace.

The fetcher already caps requests in flight per host; a daemon that runs for weeks also owes
each host a *pace*: request starts to one host are spaced by ``host_min_delay`` (slots are
reserved in order, so waiting requests never bunch up). robots.txt is honoured for feeds and
pages alike unless the URL's publisher says ``obey_robots = false``. A refused URL fails with
reason ``robots`` (not transient): the page keeps its feed teaser, a feed is backed off.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from scraper.errors import FetchError
from scraper.fetch import Fetcher
from scraper.models import FetchResult
from scraper.schedule.robots import MAX_ROBOTS_BYTES, RobotsCache
from scraper.settings import Settings

if TYPE_CHECKING:  # only fetch/ talks to httpx; the client is built there
    import httpx

ObeysRobots = Callable[[str], bool]
"""URL → whether its publisher's robots.txt is honoured."""
FetchObserver = Callable[[float], None]


def identifying_user_agent(user_agent: str, contact_url: str | None) -> str:
    """The User-Agent with the operator's contact URL in it (``+URL``, as crawlers write it)."""
    if not contact_url:
        return user_agent
    if re.search(r"\+https?://\S+?(?=[;)\s]|$)", user_agent):
        return re.sub(r"\+https?://\S+?(?=[;)\s]|$)", "+" + contact_url, user_agent, count=1)
    return f"{user_agent} (+{contact_url})"


class HostPacer:
    """Spaces request starts to one host by ``delay`` seconds; pure bookkeeping plus a sleep."""

    def __init__(self, delay: float) -> None:
        self.delay = delay
        self._next: dict[str, float] = {}

    def reserve(self, host: str, now: float) -> float:
        """Seconds to wait before this request may start (and book the slot)."""
        slot = max(now, self._next.get(host, now))
        self._next[host] = slot + self.delay
        return slot - now

    async def wait(self, host: str) -> None:
        if self.delay > 0 and (pause := self.reserve(host, time.monotonic())) > 0:
            await asyncio.sleep(pause)


class PoliteFetcher(Fetcher):
    def __init__(
        self,
        client: httpx.AsyncClient,
        settings: Settings,
        obeys_robots: ObeysRobots,
        observe: FetchObserver | None = None,
    ) -> None:
        super().__init__(client, settings)
        self.obeys_robots = obeys_robots
        self._pacer = HostPacer(settings.host_min_delay)
        self._robots = RobotsCache(self._get_robots, settings.user_agent)
        self._observe = observe

    async def fetch(self, url: str, *args: Any, **kwargs: Any) -> FetchResult:
        """:meth:`Fetcher.fetch` (same arguments, passed through) after robots.txt and pacing."""
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}".lower()
        if self.obeys_robots(url) and not await self._robots.allowed(origin, url):
            raise FetchError(url, "robots", "disallowed by robots.txt", transient=False)
        await self._pacer.wait(parts.hostname or "")
        started = time.perf_counter()
        try:
            return await super().fetch(url, *args, **kwargs)
        finally:
            if self._observe is not None:
                self._observe(time.perf_counter() - started)

    async def _get_robots(self, url: str) -> tuple[int, bytes]:
        await self._pacer.wait(urlsplit(url).hostname or "")
        result = await super().fetch(url, max_bytes=MAX_ROBOTS_BYTES, accept="text/plain")
        return result.status, result.body
