"""robots.txt rules per host, as RFC 9309 reads them, cached so each host is asked rarely.

The decision table (pure, see :func:`rules_from_answer`): a 2xx body is parsed; any 4xx means
"no rules" (allow everything); a 5xx means "disallow everything for now" and is cached only
briefly, so a server in trouble is left alone and asked again soon. A transport failure is not
cached: the host is unreachable, so the request that follows fails with the real reason.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from urllib.robotparser import RobotFileParser

from scraper.errors import FetchError

CACHE_S = 6 * 3600.0
"""How long one host's robots.txt is trusted."""
ERROR_CACHE_S = 600.0
"""How long a 5xx answer keeps the host closed before robots.txt is asked again."""
MAX_ROBOTS_BYTES = 512 * 1024  # RFC 9309 §2.5: at least 500 KiB must be parsed

RobotsGetter = Callable[[str], Awaitable[tuple[int, bytes]]]
"""Fetch ``robots.txt`` at a URL → (status, body); raises FetchError on transport failure."""


@dataclass(frozen=True, slots=True)
class Rules:
    parser: RobotFileParser | None  # None: allow everything
    disallow_all: bool = False

    def allows(self, agent: str, url: str) -> bool:
        if self.disallow_all:
            return False
        return self.parser is None or self.parser.can_fetch(agent, url)


def rules_from_answer(status: int, body: bytes) -> tuple[Rules, float]:
    """(rules, seconds to cache them) for a robots.txt answer."""
    if 200 <= status < 300:
        parser = RobotFileParser()
        parser.parse(body[:MAX_ROBOTS_BYTES].decode("utf-8", "replace").splitlines())
        return Rules(parser), CACHE_S
    if status >= 500:
        return Rules(None, disallow_all=True), ERROR_CACHE_S
    return Rules(None), CACHE_S


def product_token(user_agent: str) -> str:
    """The name robots.txt groups match against: the UA's first word without its version."""
    return user_agent.split("/", 1)[0].split(" ", 1)[0] or "*"


class RobotsCache:
    """robots.txt rules per ``scheme://host``, fetched on first use and kept for a while."""

    def __init__(self, getter: RobotsGetter, user_agent: str) -> None:
        self._get = getter
        self._agent = product_token(user_agent)
        self._rules: dict[str, tuple[Rules, float]] = {}
        self._locks: dict[str, asyncio.Lock] = {}

    async def allowed(self, origin: str, url: str) -> bool:
        return (await self._rules_for(origin)).allows(self._agent, url)

    def _cached(self, origin: str) -> Rules | None:
        cached = self._rules.get(origin)
        return cached[0] if cached is not None and cached[1] > time.monotonic() else None

    async def _rules_for(self, origin: str) -> Rules:
        if (rules := self._cached(origin)) is not None:
            return rules
        async with self._locks.setdefault(origin, asyncio.Lock()):  # one fetch per host
            if (rules := self._cached(origin)) is not None:
                return rules
            return await self._fetch_rules(origin)

    async def _fetch_rules(self, origin: str) -> Rules:
        try:
            status, body = await self._get(origin + "/robots.txt")
        except FetchError as exc:
            if exc.status is None:  # unreachable: let the real request fail with its reason
                return Rules(None)
            status, body = exc.status, b""
        rules, ttl = rules_from_answer(status, body)
        self._rules[origin] = (rules, time.monotonic() + ttl)
        return rules
