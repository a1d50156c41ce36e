"""Failover across a publisher's domains, against httpx.MockTransport."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from scraper.errors import FetchError
from scraper.fetch import Fetcher, build_client
from scraper.fetch.failover import Answer, fetch_with_failover, same_scheme
from scraper.settings import Settings

ALTERNATIVES = ["https://new.test/a", "https://mirror.test/a"]


def run(handler: object, url: str = "http://old.test/a", **kw: object) -> Answer:
    settings = Settings(allow_private_networks=True)

    async def go() -> Answer:
        transport = httpx.MockTransport(handler)  # type: ignore[arg-type]
        async with build_client(settings, transport=transport) as client:
            fetcher = Fetcher(client, settings)
            return await fetch_with_failover(fetcher, url, lambda _: ALTERNATIVES, **kw)  # type: ignore[arg-type]

    return asyncio.run(go())


def dead(host: str, error: Exception) -> object:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.host == host:
            raise error
        return httpx.Response(200, content=f"page on {request.url.host}".encode())

    return handler


@pytest.mark.parametrize(
    "error",
    [httpx.ConnectError("[Errno -2] Name or service not known"),
     httpx.ConnectError("[Errno 111] Connection refused"),
     httpx.ConnectError("[SSL: CERTIFICATE_VERIFY_FAILED]")],
)  # fmt: skip
def test_unreachable_host_fails_over_keeping_the_scheme(error: Exception) -> None:
    answer = run(dead("old.test", error))
    assert answer.failed_over_from == "http://old.test/a"
    assert answer.result.url == "http://new.test/a"  # same scheme as the link we were given
    assert answer.result.body == b"page on new.test"


def test_451_and_block_pages_fail_over_but_404_does_not() -> None:
    def blocked(request: httpx.Request) -> httpx.Response:
        return httpx.Response(451 if request.url.host == "old.test" else 200, content=b"ok")

    assert run(blocked).result.url == "http://new.test/a"

    def censor(request: httpx.Request) -> httpx.Response:
        if request.url.host in ("old.test", "new.test"):
            return httpx.Response(200, content=b"<h1>Access restricted by order of X</h1>")
        return httpx.Response(200, content=b"the article")

    answer = run(censor, block_signatures=[r"restricted by order"])
    assert answer.result.url == "http://mirror.test/a"

    def missing(request: httpx.Request) -> httpx.Response:
        return httpx.Response(404)

    with pytest.raises(FetchError) as err:
        run(missing)
    assert err.value.reason == "http_404"


def test_every_domain_down_raises_the_first_failure() -> None:
    def down(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError(f"[Errno 111] refused by {request.url.host}")

    with pytest.raises(FetchError) as err:
        run(down)
    assert err.value.url == "http://old.test/a"
    assert err.value.reason == "connect"


def test_same_scheme() -> None:
    assert same_scheme("https://a.test/x?q=1", "http://b.test/") == "http://a.test/x?q=1"
