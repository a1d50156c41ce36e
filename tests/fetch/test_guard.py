"""SSRF guard: address checks alone (no connection), then the connect-time backend."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable

import httpcore
import pytest

from scraper.demo.web import LocalWeb, Resource
from scraper.errors import FetchError
from scraper.fetch import Fetcher, build_client
from scraper.fetch.client import GuardedTransport
from scraper.fetch.guard import (
    BlockedAddressError,
    GuardedBackend,
    check_addresses,
    check_url,
    is_blocked_address,
)
from scraper.models import FetchResult
from scraper.settings import Settings

BLOCKED = [
    "127.0.0.1", "127.0.0.2", "10.0.0.1", "10.255.255.255", "172.16.0.1", "172.31.255.254",
    "192.168.1.1", "169.254.169.254", "169.254.0.1", "100.64.0.1", "100.127.255.254",
    "0.0.0.0", "0.1.2.3", "224.0.0.1", "239.255.255.250", "255.255.255.255", "240.0.0.1",
    "192.0.0.8", "198.18.0.1", "192.0.2.1", "::1", "::", "fd00::1", "fd00:ec2::254", "fc00::1",
    "fe80::1", "ff02::1", "ff0e::1", "::ffff:10.0.0.1", "::ffff:127.0.0.1",
    "::ffff:169.254.169.254", "64:ff9b::a00:1", "2002:a00:1::1", "2002:7f00:1::1",
    "2001:db8::1", "100::1",
]  # fmt: skip
PUBLIC = ["93.184.216.34", "8.8.8.8", "1.1.1.1", "2606:4700:4700::1111", "2a00:1450:4001::1",
          "::ffff:93.184.216.34", "172.32.0.1", "100.128.0.1", "11.0.0.1"]  # fmt: skip


@pytest.mark.parametrize("address", BLOCKED)
def test_non_public_addresses_are_blocked(address: str) -> None:
    assert is_blocked_address(address)


@pytest.mark.parametrize("address", PUBLIC)
def test_public_addresses_pass(address: str) -> None:
    assert not is_blocked_address(address)


@pytest.mark.parametrize(
    "url",
    ["http://127.0.0.2/", "http://localhost:8080/x", "http://LOCALHOST./", "http://a.localhost/",
     "http://[::1]/", "http://10.0.0.1/", "http://169.254.169.254/latest/meta-data/",
     "http://[::ffff:10.0.0.1]/", "http://0.0.0.0/", "http://[fe80::1%25eth0]/",
     "https://100.64.1.1/", "http://224.0.0.1/"],
)  # fmt: skip
def test_urls_naming_blocked_hosts_are_refused_unless_allowed(url: str) -> None:
    with pytest.raises(FetchError) as err:
        check_url(url, allow_private=False)
    assert (err.value.reason, err.value.transient, err.value.url) == ("blocked_address", False, url)
    check_url(url, allow_private=True)


@pytest.mark.parametrize(
    "url", ["file:///etc/passwd", "ftp://x.example/", "gopher://x/", "http:///x"]
)
def test_other_schemes_and_hostless_urls_are_bad_urls(url: str) -> None:
    for allow in (False, True):
        with pytest.raises(FetchError) as err:
            check_url(url, allow_private=allow)
        assert err.value.reason == "bad_url"


def test_names_are_not_resolved_by_the_url_check() -> None:
    check_url("http://intranet.example/", allow_private=False)  # the loopback guard would raise


def test_every_resolved_address_is_checked() -> None:
    assert check_addresses("ok.example", ["93.184.216.34", "93.184.216.34"]) == ["93.184.216.34"]
    with pytest.raises(BlockedAddressError) as err:
        check_addresses("mixed.example", ["93.184.216.34", "10.0.0.7"])
    assert err.value.address == "10.0.0.7"


class Recorder(httpcore.AsyncNetworkBackend):
    """Stands in for the socket layer: records what would be connected to, connects nothing."""

    def __init__(self) -> None:
        self.connects: list[tuple[str, int]] = []

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        self.connects.append((host, port))
        raise httpcore.ConnectError("recorder connects nothing")


def _resolver(answers: dict[str, list[list[str]]]):  # type: ignore[no-untyped-def]
    calls: list[str] = []

    async def resolve(host: str, port: int) -> list[str]:
        calls.append(host)
        return answers[host][min(len(calls), len(answers[host])) - 1]

    return resolve, calls


def test_backend_connects_to_the_checked_ip_and_resolves_once() -> None:
    # A rebinding resolver: public on the first answer, private on any later one.
    resolve, calls = _resolver({"rebind.example": [["93.184.216.34"], ["127.0.0.1"]]})
    recorder = Recorder()
    backend = GuardedBackend(resolver=resolve, inner=recorder)
    with pytest.raises(httpcore.ConnectError):
        asyncio.run(backend.connect_tcp("rebind.example", 443, timeout=1))
    assert calls == ["rebind.example"]
    assert recorder.connects == [("93.184.216.34", 443)]


@pytest.mark.parametrize(
    "answer", [["127.0.0.1"], ["93.184.216.34", "10.1.2.3"], ["169.254.169.254"], ["::1"]]
)
def test_backend_refuses_before_connecting(answer: list[str]) -> None:
    resolve, _ = _resolver({"evil.example": [answer]})
    recorder = Recorder()
    backend = GuardedBackend(resolver=resolve, inner=recorder)
    with pytest.raises(BlockedAddressError):
        asyncio.run(backend.connect_tcp("evil.example", 80, timeout=1))
    assert recorder.connects == []


def _fetch_direct(web: LocalWeb, url: str, resolve: object, allow: bool = False) -> FetchResult:
    settings = Settings(fetch_timeout=3, allow_private_networks=allow)
    backend = GuardedBackend(allow_private=allow, resolver=resolve)  # type: ignore[arg-type]

    async def run() -> FetchResult:
        transport = GuardedTransport(__import__("httpx").Limits(), backend)
        async with build_client(settings, transport=transport) as client:
            return await Fetcher(client, settings).fetch(url)

    return asyncio.run(run())


def test_a_name_resolving_to_loopback_is_refused_at_connect_time() -> None:
    with LocalWeb({"intranet.example": {"/": Resource.text("secret")}}) as web:
        resolve, calls = _resolver({"intranet.example": [["127.0.0.1"]]})
        with pytest.raises(FetchError) as err:
            _fetch_direct(web, f"http://intranet.example:{web.port}/", resolve)
        assert (err.value.reason, err.value.transient) == ("blocked_address", False)
        assert calls == ["intranet.example"]
        assert web.requests == []


def test_allowed_private_connects_to_the_ip_and_keeps_the_host_name() -> None:
    with LocalWeb({"intranet.example": {"/": Resource.text("secret")}}) as web:
        resolve, _ = _resolver({"intranet.example": [["127.0.0.1"]]})
        result = _fetch_direct(web, f"http://intranet.example:{web.port}/", resolve, allow=True)
        assert result.body == b"secret"
        assert web.requests[0].host == "intranet.example"


def test_through_a_proxy_only_the_target_is_checked() -> None:
    site = {"news.example": {"/": Resource.text("hello")},
            "127.0.0.2": {"/": Resource.text("bait")}}  # fmt: skip
    with LocalWeb(site) as web:  # the proxy itself is on 127.0.0.1: exempt

        async def run(url: str, allow: bool) -> FetchResult:
            settings = Settings(fetch_timeout=3, allow_private_networks=allow)
            async with build_client(settings, proxy=web.proxy_url) as client:
                return await Fetcher(client, settings).fetch(url)

        assert asyncio.run(run("http://news.example/", False)).body == b"hello"
        for url in ("http://127.0.0.2/", "http://localhost/", "http://[::1]/"):
            with pytest.raises(FetchError) as err:
                asyncio.run(run(url, False))
            assert err.value.reason == "blocked_address"
        assert {r.host for r in web.requests} == {"news.example"}
        assert asyncio.run(run("http://127.0.0.2/", True)).body == b"bait"
