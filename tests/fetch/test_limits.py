"""Limits on every fetch, against a real local server: bombs, huge and trickling bodies,
redirect loops, wrong content types and Retry-After."""

from __future__ import annotations

import asyncio
import gzip
import time
import tracemalloc
from collections.abc import Iterator
from email.utils import formatdate
from pathlib import Path

import pytest

from scraper.demo.web import Resource
from scraper.errors import FetchError
from scraper.fetch import Fetcher, build_client
from scraper.fetch.classify import retry_after_seconds
from scraper.fetch.content import Kind
from scraper.models import FetchResult
from scraper.settings import Settings
from tests.hostile.streaming import Stream, StreamingWeb

HOSTILE = Path(__file__).resolve().parents[1] / "data" / "hostile"
MB = 1024 * 1024


@pytest.fixture
def web() -> Iterator[StreamingWeb]:
    with StreamingWeb() as web:
        yield web


def fetch(web: StreamingWeb, url: str, kind: Kind = "any", **settings: object) -> FetchResult:
    options: dict[str, object] = {"fetch_timeout": 5.0, "max_page_bytes": MB}
    options.update(settings)
    config = Settings(**options)  # type: ignore[arg-type]

    async def run() -> FetchResult:
        async with build_client(config, proxy=web.proxy_url) as client:
            return await Fetcher(client, config).fetch(url, kind=kind)

    return asyncio.run(run())


def failure(web: StreamingWeb, url: str, kind: Kind = "any", **settings: object) -> FetchError:
    with pytest.raises(FetchError) as err:
        fetch(web, url, kind, **settings)
    return err.value


@pytest.mark.parametrize(
    ("name", "encoding"),
    [("bomb-128m.gz", "gzip"), ("bomb-128m.deflate", "deflate"), ("bomb-1g.br", "br")],
)
def test_compression_bombs_stop_at_the_cap(web: StreamingWeb, name: str, encoding: str) -> None:
    bomb = (HOSTILE / name).read_bytes()
    web.set("bomb.example", "/", Resource(bomb, headers={"Content-Encoding": encoding}))
    tracemalloc.start()
    try:
        err = failure(web, "http://bomb.example/")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert (err.reason, err.transient) == ("too_large", False)
    assert peak < 12 * MB  # cap (1 MB) + one step + the compressed body + overhead


def test_a_small_compressed_body_is_decoded(web: StreamingWeb) -> None:
    web.set("ok.example", "/", Resource(gzip.compress(b"<p>hi</p>"),
                                        headers={"Content-Encoding": "gzip"}))  # fmt: skip
    assert fetch(web, "http://ok.example/").body == b"<p>hi</p>"


def test_corrupt_compression_is_a_decoding_error(web: StreamingWeb) -> None:
    web.set("bad.example", "/", Resource(b"not gzip at all", headers={"Content-Encoding": "gzip"}))
    assert failure(web, "http://bad.example/").reason == "decoding"


def test_200_mb_body_without_length_is_cut_at_the_cap(web: StreamingWeb) -> None:
    web.stream("huge.example", "/", Stream(total=200 * MB))
    started = time.perf_counter()
    tracemalloc.start()
    try:
        err = failure(web, "http://huge.example/")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert err.reason == "too_large"
    assert peak < 8 * MB
    assert time.perf_counter() - started < 5


def test_200_mb_declared_length_is_refused_before_reading(web: StreamingWeb) -> None:
    web.stream("huge.example", "/", Stream(total=200 * MB, declare_length=True))
    err = failure(web, "http://huge.example/")
    assert err.reason == "too_large" and "declares" in err.message


def test_trickling_server_is_cut_by_the_total_timeout(web: StreamingWeb) -> None:
    # One byte every 0.5 s never trips the per-read timeout (2 s); only the total one can stop it.
    web.stream("slow.example", "/", Stream(total=100, chunk=1, interval=0.5, declare_length=True))
    started = time.perf_counter()
    err = failure(web, "http://slow.example/", fetch_timeout=2.0)
    elapsed = time.perf_counter() - started
    assert (err.reason, err.transient) == ("timeout", True)
    assert 1.9 < elapsed < 3.5


def test_redirect_loop_through_the_proxy(web: StreamingWeb) -> None:
    web.set("loop.example", "/a", Resource.redirect("/b", 302))
    web.set("loop.example", "/b", Resource.redirect("http://loop.example/a", 301))
    err = failure(web, "http://loop.example/a")
    assert (err.reason, err.url) == ("redirect_loop", "http://loop.example/a")
    assert web.count(host="loop.example") == 2


def test_too_many_redirects_through_the_proxy(web: StreamingWeb) -> None:
    for i in range(10):
        web.set("chain.example", f"/{i}", Resource.redirect(f"/{i + 1}", 302))
    err = failure(web, "http://chain.example/0", max_redirects=3)
    assert err.reason == "too_many_redirects"
    assert web.count(host="chain.example") == 4


@pytest.mark.parametrize(
    ("location", "reason"),
    [("http://127.0.0.2/admin", "blocked_address"), ("http://localhost/", "blocked_address"),
     ("http://[::1]:8080/", "blocked_address"),
     ("http://169.254.169.254/latest/", "blocked_address"),
     ("file:///etc/passwd", "bad_url"), ("gopher://x.example/", "bad_url")],
)  # fmt: skip
def test_redirects_into_private_space_are_refused(
    web: StreamingWeb, location: str, reason: str
) -> None:
    web.set("jump.example", "/", Resource.redirect(location, 302))
    err = failure(web, "http://jump.example/")
    assert (err.reason, err.transient, err.url) == (reason, False, location)
    assert {r.host for r in web.requests} == {"jump.example"}


PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n" + b"0" * 5000
PAGE_REFUSALS = [
    ("application/pdf", PDF), ("image/png", b"\x89PNG\r\n\x1a\n" + b"0" * 500),
    ("video/mp4", b"\0\0\0\x18ftypmp42" + b"0" * 500),
    ("application/zip", b"PK\x03\x04" + b"0" * 99),
    ("application/octet-stream", PDF), ("", PDF), ("binary/octet-stream", b"\xff\xd8\xff\xe0" * 9),
    ("audio/mpeg", b"ID3" + b"0" * 99),
    ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", b"PK\x03\x04"),
]  # fmt: skip


@pytest.mark.parametrize(("content_type", "body"), PAGE_REFUSALS)
def test_pages_that_are_not_html_are_skipped(
    web: StreamingWeb, content_type: str, body: bytes
) -> None:
    web.set("files.example", "/doc", Resource(body, content_type=content_type))
    err = failure(web, "http://files.example/doc", kind="page")
    assert (err.reason, err.transient) == ("not_html", False)


@pytest.mark.parametrize(
    ("content_type", "fill"),
    [("application/pdf", b"%PDF-1.7 "), ("application/octet-stream", b"%PDF-1.7 ")],
)
def test_a_huge_binary_is_refused_without_being_read(
    web: StreamingWeb, content_type: str, fill: bytes
) -> None:
    web.stream(
        "files.example", "/big", Stream(total=200 * MB, content_type=content_type, fill=fill)
    )
    started = time.perf_counter()
    err = failure(web, "http://files.example/big", kind="page", max_page_bytes=100 * MB)
    assert err.reason == "not_html"
    assert time.perf_counter() - started < 2


@pytest.mark.parametrize(
    ("content_type", "body"),
    [("text/html", b"<p>x</p>"), ("application/xhtml+xml", b"<html/>"), ("text/plain", b"words"),
     ("application/octet-stream", b"<!doctype html><p>x</p>"), ("", b"<html><p>x</p></html>")],
)  # fmt: skip
def test_anything_that_may_be_html_is_read(
    web: StreamingWeb, content_type: str, body: bytes
) -> None:
    web.set("files.example", "/p", Resource(body, content_type=content_type))
    assert fetch(web, "http://files.example/p", kind="page").body == body


@pytest.mark.parametrize(
    ("content_type", "body", "refused"),
    [("image/jpeg", b"\xff\xd8\xff\xe0", True), ("application/pdf", PDF, True),
     ("application/octet-stream", b"GIF89a" + b"0" * 30, True), ("text/html", b"<rss/>", False),
     ("application/rss+xml", b"<rss/>", False), ("application/json", b"{}", False)],
)  # fmt: skip
def test_feeds_of_a_clearly_wrong_type_are_not_a_feed(
    web: StreamingWeb, content_type: str, body: bytes, refused: bool
) -> None:
    web.set("feeds.example", "/feed", Resource(body, content_type=content_type))
    if refused:
        assert failure(web, "http://feeds.example/feed", kind="feed").reason == "not_a_feed"
    else:
        assert fetch(web, "http://feeds.example/feed", kind="feed").body == body


def test_429_carries_retry_after_seconds(web: StreamingWeb) -> None:
    web.set("busy.example", "/", Resource(b"slow down", status=429,
                                          headers={"Retry-After": "120"}))  # fmt: skip
    err = failure(web, "http://busy.example/")
    assert (err.reason, err.transient, err.status, err.retry_after) == (
        "http_429",
        True,
        429,
        120.0,
    )


def test_503_with_an_http_date_retry_after(web: StreamingWeb) -> None:
    later = formatdate(time.time() + 90, usegmt=True)
    web.set("down.example", "/", Resource(b"down", status=503, headers={"Retry-After": later}))
    err = failure(web, "http://down.example/")
    assert err.reason == "http_5xx" and err.retry_after is not None
    assert 80 <= err.retry_after <= 91


@pytest.mark.parametrize(
    ("value", "seconds"),
    [(None, None), ("", None), ("soon", None), ("0", 0.0), ("3600", 3600.0),
     ("99999999999", 7 * 24 * 3600.0), ("Wed, 21 Oct 2015 07:28:00 GMT", 0.0), ("-5", None)],
)  # fmt: skip
def test_retry_after_parsing(value: str | None, seconds: float | None) -> None:
    assert retry_after_seconds(value) == seconds


def test_5xx_without_retry_after(web: StreamingWeb) -> None:
    web.set("err.example", "/", Resource(b"boom", status=500))
    err = failure(web, "http://err.example/")
    assert (err.reason, err.transient, err.retry_after) == ("http_5xx", True, None)
