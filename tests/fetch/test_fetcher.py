"""The fetcher against httpx.MockTransport: conditional GET, redirects, caps, error labels."""

from __future__ import annotations

import asyncio
import gzip
from collections.abc import Callable

import httpx
import pytest

from scraper.errors import FetchError
from scraper.fetch import Fetcher, build_client
from scraper.models import FetchResult
from scraper.settings import Settings

Handler = Callable[[httpx.Request], httpx.Response]


def fetch(handler: Handler, url: str = "http://news.test/feed", **kw: object) -> FetchResult:
    settings = Settings(max_redirects=3, fetch_timeout=2)

    async def run() -> FetchResult:
        async with build_client(settings, transport=httpx.MockTransport(handler)) as client:
            return await Fetcher(client, settings).fetch(url, **kw)  # type: ignore[arg-type]

    return asyncio.run(run())


def test_conditional_headers_are_sent_and_304_is_a_result() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(304)

    result = fetch(handler, etag='"v1"', last_modified="Fri, 28 Mar 2025 10:00:00 GMT")
    assert result.not_modified
    assert seen[0].headers["if-none-match"] == '"v1"'
    assert seen[0].headers["if-modified-since"] == "Fri, 28 Mar 2025 10:00:00 GMT"
    assert "scraper" in seen[0].headers["user-agent"]


def test_redirects_are_followed_and_every_hop_recorded() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.host == "old.test":
            return httpx.Response(301, headers={"Location": "http://new.test/feed"})
        if request.url.path == "/feed":
            return httpx.Response(302, headers={"Location": "/feed/"})
        return httpx.Response(200, content=b"<rss/>", headers={"ETag": '"x"'})

    result = fetch(handler, "http://old.test/feed")
    assert result.final_url == "http://new.test/feed/"
    assert [(h.url, h.status) for h in result.redirects] == [
        ("http://old.test/feed", 301),
        ("http://new.test/feed", 302),
    ]
    assert result.etag == '"x"'


def test_redirect_loop_and_too_many_redirects() -> None:
    def loop(request: httpx.Request) -> httpx.Response:
        target = "/b" if request.url.path == "/a" else "/a"
        return httpx.Response(302, headers={"Location": target})

    with pytest.raises(FetchError) as err:
        fetch(loop, "http://news.test/a")
    assert err.value.reason == "redirect_loop"

    def chain(request: httpx.Request) -> httpx.Response:
        return httpx.Response(302, headers={"Location": request.url.path + "x"})

    with pytest.raises(FetchError) as err:
        fetch(chain, "http://news.test/x")
    assert err.value.reason == "too_many_redirects"


@pytest.mark.parametrize(
    ("status", "reason", "transient"),
    [(404, "http_404", False), (410, "http_410", False), (400, "http_4xx", False),
     (451, "blocked", False), (429, "http_429", True), (503, "http_5xx", True)],
)  # fmt: skip
def test_status_errors_are_labelled(status: int, reason: str, transient: bool) -> None:
    with pytest.raises(FetchError) as err:
        fetch(lambda r: httpx.Response(status))
    assert (err.value.reason, err.value.transient, err.value.status) == (reason, transient, status)
    assert err.value.url == "http://news.test/feed"


def test_body_cap_counts_decompressed_bytes() -> None:
    bomb = gzip.compress(b"\0" * 5_000_000)

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=bomb, headers={"Content-Encoding": "gzip"})

    assert len(bomb) < 10_000
    with pytest.raises(FetchError) as err:
        fetch(handler, max_bytes=100_000)
    assert err.value.reason == "too_large"
    assert fetch(handler, max_bytes=6_000_000).body == b"\0" * 5_000_000


@pytest.mark.parametrize(
    ("exc", "reason"),
    [
        (httpx.ConnectError("[Errno -2] Name or service not known"), "dns"),
        (httpx.ConnectError("[Errno 111] Connection refused"), "connect"),
        (httpx.ConnectError("[SSL: CERTIFICATE_VERIFY_FAILED]"), "tls"),
        (httpx.ReadTimeout("timed out"), "timeout"),
        (httpx.RemoteProtocolError("peer closed connection"), "protocol"),
    ],
)
def test_transport_errors_are_labelled(exc: Exception, reason: str) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise exc

    with pytest.raises(FetchError) as err:
        fetch(handler)
    assert err.value.reason == reason
    assert err.value.transient
