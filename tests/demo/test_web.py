"""LocalWeb: a real HTTP/1.1 server that plays any host, as origin or as forward proxy."""

from __future__ import annotations

import gzip
import socket
from collections.abc import Iterator

import httpx
import pytest

from scraper.demo.guard import OffMachineTrafficError, loopback_only
from scraper.demo.web import DROPPED, LocalWeb, Resource

FEED = b"<?xml version='1.0'?><rss version='2.0'><channel><title>t</title></channel></rss>" * 8
SF = "southfront.press"


@pytest.fixture
def web() -> Iterator[LocalWeb]:
    sites = {
        SF: {
            "/feed/": Resource(FEED, content_type="application/rss+xml; charset=UTF-8"),
            "/tiny": Resource(b"tiny", content_type="text/plain"),
            "/?p=1": Resource.redirect("http://southfront.press/feed/"),
        }
    }
    with LocalWeb(sites) as running:
        yield running


@pytest.fixture
def proxied(web: LocalWeb) -> Iterator[httpx.Client]:
    with httpx.Client(proxy=web.proxy_url, trust_env=False, timeout=5) as client:
        yield client


@pytest.fixture
def origin(web: LocalWeb) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=web.url, trust_env=False, timeout=5) as client:
        yield client


def test_binds_loopback_on_an_ephemeral_port(web: LocalWeb) -> None:
    assert web.url.startswith("http://127.0.0.1:")
    assert web.proxy_url == web.url
    assert web.port > 0


def test_origin_routes_by_host_header(web: LocalWeb, origin: httpx.Client) -> None:
    response = origin.get("/feed/", headers={"Host": SF, "Accept-Encoding": "identity"})
    assert response.status_code == 200
    assert response.content == FEED
    assert response.headers["content-length"] == str(len(FEED))
    assert response.headers["etag"].startswith('"')
    assert response.headers["last-modified"] == "Fri, 28 Mar 2025 12:00:00 GMT"
    assert response.http_version == "HTTP/1.1"
    assert web.requests[-1].via_proxy is False


def test_proxy_routes_by_absolute_url(web: LocalWeb, proxied: httpx.Client) -> None:
    response = proxied.get(f"http://{SF}/feed/")
    assert response.status_code == 200
    assert response.content == FEED
    (logged,) = web.requests
    assert (logged.host, logged.path, logged.method, logged.status) == (SF, "/feed/", "GET", 200)
    assert logged.via_proxy is True
    assert logged.headers["host"] == SF


def test_keep_alive_reuses_one_connection(web: LocalWeb, proxied: httpx.Client) -> None:
    streams = set()
    for _ in range(3):
        response = proxied.get(f"http://{SF}/tiny")
        assert response.status_code == 200
        streams.add(id(response.extensions["network_stream"]))
    assert len(streams) == 1


def test_head_has_length_but_no_body(proxied: httpx.Client) -> None:
    response = proxied.head(f"http://{SF}/feed/", headers={"Accept-Encoding": "identity"})
    assert response.status_code == 200
    assert response.headers["content-length"] == str(len(FEED))
    assert response.content == b""


def test_if_none_match_gives_304_without_body(web: LocalWeb, proxied: httpx.Client) -> None:
    first = proxied.get(f"http://{SF}/feed/")
    second = proxied.get(f"http://{SF}/feed/", headers={"If-None-Match": first.headers["etag"]})
    assert second.status_code == 304
    assert second.content == b""
    assert second.headers["etag"] == first.headers["etag"]
    assert web.count(host=SF, path="/feed/", status=304) == 1
    assert web.requests[-1].conditional is True


def test_if_modified_since_gives_304(proxied: httpx.Client) -> None:
    fresh = proxied.get(
        f"http://{SF}/feed/", headers={"If-Modified-Since": "Sat, 29 Mar 2025 0:0:0 GMT"}
    )
    stale = proxied.get(
        f"http://{SF}/feed/", headers={"If-Modified-Since": "Thu, 27 Mar 2025 12:00:00 GMT"}
    )
    assert fresh.status_code == 304
    assert stale.status_code == 200


def test_changed_etag_means_200(proxied: httpx.Client) -> None:
    response = proxied.get(f"http://{SF}/feed/", headers={"If-None-Match": '"stale"'})
    assert response.status_code == 200


def test_ignore_conditional_always_answers_200(web: LocalWeb, proxied: httpx.Client) -> None:
    web.set(
        SF, "/feed/", Resource(FEED, content_type="application/rss+xml", ignore_conditional=True)
    )
    first = proxied.get(f"http://{SF}/feed/")
    again = proxied.get(
        f"http://{SF}/feed/",
        headers={
            "If-None-Match": first.headers["etag"],
            "If-Modified-Since": first.headers["last-modified"],
        },
    )
    assert again.status_code == 200
    assert again.content == first.content == FEED
    assert web.count(path="/feed/", status=200) == 2


def test_gzip_when_asked_and_large_enough(proxied: httpx.Client) -> None:
    response = proxied.get(f"http://{SF}/feed/", headers={"Accept-Encoding": "gzip"})
    assert response.headers["content-encoding"] == "gzip"
    assert response.headers["vary"] == "Accept-Encoding"
    assert response.content == FEED  # httpx decodes
    assert int(response.headers["content-length"]) == len(gzip.compress(FEED, mtime=0))
    assert response.headers["etag"].startswith('W/"')  # like nginx: gzip weakens the tag

    plain = proxied.get(f"http://{SF}/feed/", headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers
    refused = proxied.get(f"http://{SF}/feed/", headers={"Accept-Encoding": "gzip;q=0"})
    assert "content-encoding" not in refused.headers
    tiny = proxied.get(f"http://{SF}/tiny", headers={"Accept-Encoding": "gzip"})
    assert "content-encoding" not in tiny.headers


def test_weak_etag_of_gzip_answer_still_validates(proxied: httpx.Client) -> None:
    first = proxied.get(f"http://{SF}/feed/", headers={"Accept-Encoding": "gzip"})
    again = proxied.get(
        f"http://{SF}/feed/",
        headers={"Accept-Encoding": "identity", "If-None-Match": first.headers["etag"]},
    )
    assert again.status_code == 304


def test_redirect(web: LocalWeb, proxied: httpx.Client) -> None:
    response = proxied.get(f"http://{SF}/?p=1")
    assert response.status_code == 301
    assert response.headers["location"] == "http://southfront.press/feed/"
    followed = proxied.get(f"http://{SF}/?p=1", follow_redirects=True)
    assert followed.status_code == 200
    assert [str(r.url) for r in followed.history] == ["http://southfront.press/?p=1"]
    web.set(SF, "/moved", Resource.redirect("/feed/", status=308))
    assert proxied.get(f"http://{SF}/moved").status_code == 308


def test_query_falls_back_to_bare_path(proxied: httpx.Client) -> None:
    response = proxied.get(f"http://{SF}/feed/?utm_source=rss")
    assert response.status_code == 200


def test_block_host_answers_every_path(web: LocalWeb, proxied: httpx.Client) -> None:
    web.block_host(SF)
    assert proxied.get(f"http://{SF}/feed/").status_code == 451
    assert proxied.get(f"http://{SF}/anything").status_code == 451
    web.block_host(SF, status=403)
    assert proxied.get(f"http://{SF}/feed/").status_code == 403
    web.restore_host(SF)
    assert proxied.get(f"http://{SF}/feed/").status_code == 200
    assert web.count(host=SF, status=451) == 2


def test_fail_host_drops_the_connection(web: LocalWeb, proxied: httpx.Client) -> None:
    web.fail_host(SF)
    with pytest.raises(httpx.TransportError):
        proxied.get(f"http://{SF}/feed/")
    assert web.count(host=SF, status=DROPPED) == 1
    web.restore_host(SF)
    assert proxied.get(f"http://{SF}/feed/").status_code == 200


def test_unknown_host_and_path(web: LocalWeb, proxied: httpx.Client) -> None:
    unknown = proxied.get("http://no-such-host.example/feed/")
    assert unknown.status_code == 502
    assert unknown.text.strip() == "unknown host"
    assert proxied.get(f"http://{SF}/nope").status_code == 404
    assert web.count(host="no-such-host.example", status=502) == 1


def test_connect_is_refused_clearly(web: LocalWeb, proxied: httpx.Client) -> None:
    with pytest.raises(httpx.ProxyError, match="501"):
        proxied.get(f"https://{SF}/feed/")
    assert web.count(method="CONNECT", status=501) == 1


def test_set_and_remove_at_runtime(web: LocalWeb, proxied: httpx.Client) -> None:
    web.set("new.example", "/a", Resource.text("hello"))
    assert proxied.get("http://new.example/a").text == "hello"
    web.remove("new.example", "/a")
    assert proxied.get("http://new.example/a").status_code == 404
    assert "new.example" in web.hosts


def test_delay_lets_clients_time_out(web: LocalWeb, proxied: httpx.Client) -> None:
    web.set(SF, "/slow", Resource(b"slow", content_type="text/plain", delay=0.5))
    with pytest.raises(httpx.ReadTimeout):
        proxied.get(f"http://{SF}/slow", timeout=0.1)


def test_log_counts_and_clear(web: LocalWeb, proxied: httpx.Client) -> None:
    for _ in range(3):
        proxied.get(f"http://{SF}/feed/")
    proxied.get(f"http://{SF}/tiny")
    assert web.count() == 4
    assert web.count(host=SF, path="/feed/") == 3
    assert web.count(path="/tiny", status=200) == 1
    assert web.count(conditional=True) == 0
    web.clear_log()
    assert web.requests == []


def test_resource_validation() -> None:
    with pytest.raises(ValueError, match="redirect"):
        Resource(b"", redirect_to="/x")
    with pytest.raises(ValueError, match="needs redirect_to"):
        Resource(b"", status=302)
    assert Resource(b"x", etag=None).etag_value is None
    assert Resource(b"x", etag='"v1"').etag_value == '"v1"'
    assert Resource(b"x").etag_value == Resource(b"x").etag_value != Resource(b"y").etag_value


def test_guard_refuses_off_machine_traffic() -> None:
    with loopback_only() as guard:
        with pytest.raises(OffMachineTrafficError):
            socket.getaddrinfo("example.com", 80)
        with pytest.raises(OffMachineTrafficError), socket.socket() as sock:
            sock.connect(("192.0.2.1", 80))  # TEST-NET-1; refused before any packet
        assert len(guard.violations) == 2
        assert socket.getaddrinfo("127.0.0.1", 80)
