"""The hostile web: one publisher per attack, next to the three good demo publishers.

Every feed is polled in the same crawl, through the real pipeline, the real fetcher and a real
local server (:class:`~tests.hostile.streaming.StreamingWeb`, a LocalWeb). ``CASES`` is the
table the tests assert against: feed host → what a user sees in ``summary.errors_by_kind``.
The same web is served to ``scraper run`` in ``test_hostile_daemon.py`` (memory, time bounds and
``scraper feeds status`` of the daemon going through it round after round).
"""

from __future__ import annotations

import asyncio
import gzip
import time
from dataclasses import dataclass, field
from pathlib import Path

from scraper.config import load_config
from scraper.crawl import CrawlSummary, crawl
from scraper.demo.site import demo_config_text, load_site
from scraper.demo.web import Resource
from scraper.pipeline import FeedOutcome
from scraper.settings import Settings
from scraper.store.archive import Archive, open_archive
from tests.hostile.bait import Bait
from tests.hostile.streaming import Stream, StreamingWeb

DATA = Path(__file__).resolve().parents[1] / "data" / "hostile"
MB = 1024 * 1024
FETCH_TIMEOUT = 3.0
SSRF_LINKS = ("http://127.0.0.2/ssrf", "http://localhost/ssrf", "http://[::1]/ssrf",
              "http://169.254.169.254/latest/meta-data/", "http://10.0.0.1/ssrf",
              "http://app.localhost/ssrf")  # fmt: skip
WRONG_TYPES = {"/report.pdf": ("application/pdf", b"%PDF-1.7\n" + b"0" * 3000),
               "/clip.mp4": ("video/mp4", b"\0\0\0\x18ftypmp42" + b"0" * 3000),
               "/blob": ("application/octet-stream", b"%PDF-1.4\n" + b"0" * 3000),
               "/photo": ("image/jpeg", b"\xff\xd8\xff\xe0" + b"0" * 3000)}  # fmt: skip

# feed host → errors_by_kind that polling it adds (an empty dict: the feed is archived cleanly)
CASES: dict[str, dict[str, int]] = {
    "malformed.example": {"parse:malformed": 1},
    "unclosed.example": {},
    "laughs.example": {"parse:unsafe_xml": 1},
    "quadratic.example": {"parse:unsafe_xml": 1},
    "xxe-file.example": {"parse:unsafe_xml": 1},
    "xxe-http.example": {"parse:unsafe_xml": 1},
    "gzip-bomb.example": {"fetch:too_large": 1},
    "brotli-bomb.example": {"fetch:too_large": 1},
    "huge.example": {"fetch:too_large": 1},
    "trickle.example": {"fetch:timeout": 1},
    "loop.example": {"fetch:redirect_loop": 1},
    "ru-news.example": {},
    "image-feed.example": {"fetch:not_a_feed": 1},
    "wrong-types.example": {"page:not_html": len(WRONG_TYPES)},
    "error.example": {"fetch:http_5xx": 1},
    "busy.example": {"fetch:http_429": 1},
    "ssrf.example": {"page:blocked_address": len(SSRF_LINKS)},
    # gzip sent as the body itself, without Content-Encoding: inflated, within the feed cap
    "gzip-body.example": {},
    "gzip-body-bomb.example": {"parse:too_large": 1},
    "linkless.example": {"item:no_link": 1},  # the item is reported, the feed is fine
}
FAILED_FEEDS = {host for host, kinds in CASES.items()
                if any(k.startswith(("fetch:", "parse:")) for k in kinds)}  # fmt: skip


def rss(title: str, items: list[tuple[str, str, str]]) -> bytes:
    body = "".join(
        f"<item><title>{t}</title><link>{link}</link><description>{d}</description></item>"
        for link, t, d in items
    )
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
            f"<title>{title}</title>{body}</channel></rss>").encode()  # fmt: skip


def _quadratic() -> bytes:
    return (f'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY a "{"A" * 50_000}">]>'
            f"<rss version='2.0'><channel><title>q</title><item><title>{'&a;' * 50_000}</title>"
            "<link>http://quadratic.example/1</link></item></channel></rss>").encode()  # fmt: skip


def _article(title: str, words: str) -> Resource:
    sentence = (f"{words}: reporters followed the story for a week, spoke to officials, read the "
                "documents and checked every number twice before publishing it here")  # fmt: skip
    paragraphs = "".join(f"<p>{sentence}, part {i} of the report.</p>" for i in range(12))
    return Resource.text(f"<html><head><title>{title}</title></head><body><article>"
                         f"<h1>{title}</h1>{paragraphs}</article></body></html>")  # fmt: skip


def _feeds(web: StreamingWeb, bait: Bait) -> None:
    xml = "application/rss+xml"
    web.set("malformed.example", "/feed", Resource(b"<rss><channel><item>", xml))
    web.set("unclosed.example", "/feed", Resource((DATA / "unclosed.xml").read_bytes(), xml))
    web.set("laughs.example", "/feed", Resource((DATA / "billion-laughs.xml").read_bytes(), xml))
    web.set("quadratic.example", "/feed", Resource(_quadratic(), xml))
    web.set("xxe-file.example", "/feed", Resource((DATA / "xxe-file.xml").read_bytes(), xml))
    xxe_http = (DATA / "xxe-http.xml.tmpl").read_text().replace("{bait}", bait.url)
    web.set("xxe-http.example", "/feed", Resource(xxe_http.encode(), xml))
    for host, name, encoding in (("gzip-bomb.example", "bomb-128m.gz", "gzip"),
                                 ("brotli-bomb.example", "bomb-1g.br", "br")):  # fmt: skip
        body = (DATA / name).read_bytes()
        web.set(host, "/feed", Resource(body, xml, headers={"Content-Encoding": encoding}))
    web.stream("huge.example", "/feed", Stream(total=200 * MB, content_type=xml))
    web.stream(
        "trickle.example",
        "/feed",  # a byte every 2 s: under the read timeout (3 s)
        Stream(total=200, chunk=1, interval=2.0, declare_length=True, content_type=xml),
    )
    for host in ("huge.example", "trickle.example"):  # hosts with streams only: known to
        web.set(host, "/robots.txt", Resource(b"no rules", status=404))  # the daemon's robots
    web.set("loop.example", "/feed", Resource.redirect("/feed/", 301))
    web.set("loop.example", "/feed/", Resource.redirect("http://loop.example/feed", 302))
    bomb = (DATA / "bomb-128m.gz").read_bytes()
    web.set("gzip-body-bomb.example", "/feed", Resource(bomb, "application/rss+xml"))
    web.set("image-feed.example", "/feed", Resource(b"\x89PNG\r\n\x1a\n" + b"0" * 99, "image/png"))
    web.set("error.example", "/feed", Resource(b"oops", status=503))
    web.set("busy.example", "/feed", Resource(b"slow down", status=429,
                                              headers={"Retry-After": "120"}))  # fmt: skip


# The cp1251 feed's headlines, decoded. Both links serve the same page, so dedup stores one
# article (identical text) that shows the headline met last and keeps the other as a revision.
RU_TITLES = (
    "Правительство утвердило новый бюджет на следующий год",
    "В Москве прошла выставка современного искусства",
)


def _feeds_with_pages(web: StreamingWeb) -> None:
    cp1251 = (DATA / "cp1251-declared-utf8.xml").read_bytes()
    web.set("ru-news.example", "/feed", Resource(cp1251, "application/rss+xml; charset=utf-8"))
    for i in (1, 2):
        web.set("ru-news.example", f"/a/{i}", _article("Новости", "Правительство и бюджет"))
    for i in (1, 2):
        web.set("unclosed.example", f"/a/{i}", _article("Unclosed", "A recovered article"))
    teaser = "Teaser…"
    wrong = [(f"http://wrong-types.example{p}", f"File {p}", teaser) for p in WRONG_TYPES]
    web.set("wrong-types.example", "/feed", Resource(rss("Files", wrong), "application/rss+xml"))
    for path, (ctype, body) in WRONG_TYPES.items():
        web.set("wrong-types.example", path, Resource(body, ctype))
    packed = gzip.compress(rss("Packed", [("/a/1", "Packed", "A packed article")]))
    web.set("gzip-body.example", "/feed", Resource(packed, "application/rss+xml"))
    web.set("gzip-body.example", "/a/1", _article("Packed", "A packed article"))
    linkless = rss("Linkless", [("", "No link", teaser), ("/a/1", "Linked", teaser)])
    web.set("linkless.example", "/feed", Resource(linkless, "application/rss+xml"))
    web.set("linkless.example", "/a/1", _article("Linked", "A linked article"))
    ssrf = [(link, f"Internal {i}", teaser) for i, link in enumerate(SSRF_LINKS)]
    web.set("ssrf.example", "/feed", Resource(rss("SSRF", ssrf), "application/rss+xml"))
    for host in ("127.0.0.2", "localhost", "169.254.169.254", "10.0.0.1", "app.localhost"):
        web.set(host, "/ssrf", _article("Internal", "Internal secret"))


def config_text() -> str:
    extra = "".join(
        f'\n[[publisher]]\nid = "{host.split(".")[0]}"\nname = "{host}"\n'
        f'canonical_domain = "{host}"\nfeeds = ["http://{host}/feed"]\n'
        for host in CASES
    )
    return demo_config_text() + extra


def build_web(bait: Bait) -> StreamingWeb:
    web = StreamingWeb(load_site())
    web.start()
    _feeds(web, bait)
    _feeds_with_pages(web)
    return web


@dataclass
class Run:
    summary: CrawlSummary
    archive: Archive
    elapsed: float
    finished: dict[str, float] = field(default_factory=dict)  # feed URL → seconds after start


def run_hostile_crawl(
    database_url: str, tmp_path: Path, web: StreamingWeb, **settings: object
) -> Run:
    path = tmp_path / "publishers.toml"
    path.write_text(config_text(), encoding="utf-8")
    config = load_config(path)
    archive = open_archive(database_url, auto_upgrade=True)
    archive.sync_config(config)
    options: dict[str, object] = {"database_url": database_url, "fetch_timeout": FETCH_TIMEOUT,
                                  "max_feed_bytes": 2 * MB, "max_page_bytes": 2 * MB}  # fmt: skip
    options.update(settings)
    started = time.perf_counter()
    finished: dict[str, float] = {}

    def done(outcome: FeedOutcome) -> None:
        finished[outcome.feed.url] = time.perf_counter() - started

    summary = asyncio.run(crawl(Settings(**options), config, archive, archive.feed_refs(),  # type: ignore[arg-type]
                                proxy=web.proxy_url, on_feed_done=done))  # fmt: skip
    return Run(summary, archive, time.perf_counter() - started, finished)
