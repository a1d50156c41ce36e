"""robots.txt decisions, the per-host pace and the identifying User-Agent."""

from __future__ import annotations

import asyncio

import pytest

from scraper.errors import FetchError
from scraper.schedule.polite import HostPacer, identifying_user_agent
from scraper.schedule.robots import (
    CACHE_S,
    ERROR_CACHE_S,
    RobotsCache,
    product_token,
    rules_from_answer,
)

ROBOTS = b"User-agent: *\nDisallow: /private/\n\nUser-agent: scraper\nDisallow: /feeds/secret\n"


@pytest.mark.parametrize(
    ("status", "url", "allowed", "ttl"),
    [
        (200, "http://h/feeds/secret.xml", False, CACHE_S),  # our own group applies
        (200, "http://h/private/x", True, CACHE_S),  # ... and only it
        (200, "http://h/feeds/open.xml", True, CACHE_S),
        (404, "http://h/anything", True, CACHE_S),  # no robots.txt: everything allowed
        (403, "http://h/anything", True, CACHE_S),  # RFC 9309: 4xx means no rules
        (503, "http://h/anything", False, ERROR_CACHE_S),  # 5xx: stay away, ask again soon
    ],
)
def test_rules_from_answer(status: int, url: str, allowed: bool, ttl: float) -> None:
    rules, cached_for = rules_from_answer(status, ROBOTS if status == 200 else b"")
    assert (rules.allows("scraper", url), cached_for) == (allowed, ttl)


def test_product_token() -> None:
    assert product_token("scraper/0.1 (news archive; +https://x.example/)") == "scraper"


def test_robots_are_fetched_once_per_host_even_when_asked_at_once() -> None:
    asked: list[str] = []

    async def get(url: str) -> tuple[int, bytes]:
        asked.append(url)
        await asyncio.sleep(0.01)
        return 200, ROBOTS

    async def scenario() -> list[bool]:
        cache = RobotsCache(get, "scraper/1.0")
        urls = ["http://h/feeds/secret.xml", "http://h/feeds/a.xml"] * 5
        return await asyncio.gather(*(cache.allowed("http://h", u) for u in urls))

    assert asyncio.run(scenario()) == [False, True] * 5
    assert asked == ["http://h/robots.txt"]


def test_unreachable_host_is_not_cached_and_not_blamed_on_robots() -> None:
    calls = 0

    async def get(url: str) -> tuple[int, bytes]:
        nonlocal calls
        calls += 1
        raise FetchError(url, "connect", "refused")

    cache = RobotsCache(get, "scraper/1.0")
    assert asyncio.run(cache.allowed("http://h", "http://h/x")) is True
    assert asyncio.run(cache.allowed("http://h", "http://h/x")) is True
    assert calls == 2


def test_pacer_spaces_request_starts_per_host() -> None:
    pacer = HostPacer(1.0)
    waits = [pacer.reserve("a", 100.0) for _ in range(3)] + [pacer.reserve("b", 100.0)]
    assert waits == [0.0, 1.0, 2.0, 0.0]
    assert pacer.reserve("a", 105.0) == 0.0  # a quiet host is not held back


@pytest.mark.parametrize(
    ("agent", "contact", "expected"),
    [
        ("scraper/0.1 (news archive; +https://example.invalid/scraper)", "https://me.org/bot",
         "scraper/0.1 (news archive; +https://me.org/bot)"),
        ("scraper/0.1", "https://me.org/bot", "scraper/0.1 (+https://me.org/bot)"),
        ("scraper/0.1", None, "scraper/0.1"),
    ],
)  # fmt: skip
def test_identifying_user_agent(agent: str, contact: str | None, expected: str) -> None:
    assert identifying_user_agent(agent, contact) == expected
