"""The scale site: N publishers × 1 RSS feed × 20 items, a 10–15 KB gzip page per item.

Runs as its own process (``python -m bench.throughput.site --feeds N``) so the crawler under test
never shares a CPU-bound event loop with it. A raw asyncio HTTP/1.1 server with keep-alive that
answers absolute-form request targets (``GET http://pub0007.example/a/3.html``), i.e. it is the
HTTP proxy the crawler is pointed at, and every ``pubNNNN.example`` host lives behind it.

Every body is generated once at start-up from a seeded RNG (distinct texts: dedup must not fold
them) and kept gzip-compressed; ETag and Last-Modified are sent with every 200. A share of the
hosts (``--ignore-share``, default 20 %) ignores If-None-Match / If-Modified-Since and always
answers 200 with the same bytes; ``GET http://bench.control/mode/{none,mixed,all}`` makes no host,
that share (the default) or every host ignore them; ``GET http://bench.control/stats`` returns
request counters.
Only 127.0.0.1 is ever listened on.
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import hashlib
import json
import random
import signal
import sys
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

ITEMS_PER_FEED = 20
CONTROL_HOST = "bench.control"

# Common English words: language detection says "en", random 5-word shingles never repeat.
_WORDS = [
    "the",
    "of",
    "and",
    "to",
    "in",
    "is",
    "was",
    "for",
    "on",
    "that",
    "with",
    "as",
    "by",
    "at",
    "from",
    "his",
    "her",
    "it",
    "an",
    "were",
    "are",
    "which",
    "this",
    "be",
    "or",
    "has",
    "had",
    "not",
    "but",
    "they",
    "their",
    "one",
    "all",
    "been",
    "new",
    "more",
    "would",
    "who",
    "after",
    "also",
    "two",
    "first",
    "year",
    "other",
    "government",
    "said",
    "people",
    "state",
    "city",
    "war",
    "council",
    "minister",
    "police",
    "report",
    "military",
    "forces",
    "troops",
    "border",
    "region",
    "president",
    "election",
    "party",
    "vote",
    "court",
    "law",
    "security",
    "attack",
    "drone",
    "air",
    "base",
    "officials",
    "week",
    "month",
    "country",
    "national",
    "public",
    "city",
    "water",
    "energy",
    "prices",
    "market",
    "bank",
    "economy",
    "workers",
    "union",
    "strike",
    "school",
    "hospital",
    "health",
    "plan",
    "budget",
    "tax",
    "local",
    "village",
    "river",
    "bridge",
    "road",
    "train",
    "port",
    "ship",
    "oil",
    "gas",
    "power",
    "grid",
    "winter",
    "summer",
    "morning",
    "evening",
    "night",
    "capital",
    "north",
    "south",
    "east",
    "west",
    "province",
    "district",
    "mayor",
    "governor",
    "army",
    "navy",
    "talks",
    "peace",
    "deal",
    "treaty",
    "sanctions",
    "trade",
    "exports",
    "imports",
    "farmers",
    "crops",
    "harvest",
    "weather",
    "storm",
    "flood",
    "fire",
    "rescue",
    "team",
    "crowd",
    "protest",
    "march",
    "statement",
    "interview",
    "press",
    "video",
    "photo",
    "source",
    "sources",
    "according",
    "claimed",
    "denied",
    "confirmed",
    "announced",
    "reported",
    "warned",
    "agreed",
    "rejected",
    "promised",
    "expected",
    "likely",
    "unlikely",
    "early",
    "late",
    "several",
    "many",
    "few",
    "most",
    "some",
    "every",
    "each",
    "another",
    "same",
    "different",
    "large",
    "small",
    "long",
    "short",
    "high",
    "low",
    "young",
    "old",
    "good",
    "bad",
    "free",
    "open",
    "closed",
    "major",
    "minor",
    "recent",
    "former",
    "current",
    "future",
    "past",
    "since",
    "before",
    "during",
    "while",
    "because",
    "although",
    "however",
    "meanwhile",
    "later",
    "today",
    "yesterday",
    "tomorrow",
]
_PARA_WORDS = (40, 110)
_CHROME = (
    '<div class="cookie-banner">We use cookies to improve your experience. '
    '<a href="/privacy">Privacy policy</a> <button>Accept all cookies</button></div>'
)


def _sentence(rng: random.Random, n: int) -> str:
    words = rng.choices(_WORDS, k=n)
    words[0] = words[0].capitalize()
    return " ".join(words) + "."


def _paragraph(rng: random.Random) -> str:
    n = rng.randint(*_PARA_WORDS)
    out, left = [], n
    while left > 0:
        k = min(left, rng.randint(8, 22))
        out.append(_sentence(rng, k))
        left -= k
    return " ".join(out)


def host_of(p: int) -> str:
    return f"pub{p:04d}.example"


def published(p: int, i: int) -> datetime:
    return datetime(2026, 1, 1, tzinfo=UTC) + timedelta(hours=p * 7 + i * 3)


def page_html(p: int, i: int) -> str:
    rng = random.Random(p * 1_000_003 + i)
    host = host_of(p)
    title = _sentence(rng, rng.randint(6, 11))[:-1]
    paragraphs = [_paragraph(rng) for _ in range(rng.randint(15, 19))]
    nav = "".join(
        f'<li><a href="http://{host}/section/{s}">{s.title()}</a></li>'
        for s in ("world", "politics", "economy", "military", "science", "culture", "opinion")
    )
    popular = "".join(
        f'<li><a href="http://{host}/a/{(i + k) % ITEMS_PER_FEED}.html">'
        f"{_sentence(rng, 7)[:-1]}</a></li>"
        for k in range(1, 7)
    )
    comments = "".join(
        f'<div class="comment"><span class="who">reader{k}</span><p>{_sentence(rng, 14)}</p></div>'
        for k in range(3)
    )
    body = "".join(f"<p>{para}</p>" for para in paragraphs)
    when = published(p, i).isoformat()
    return (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{title} | Pub {p}'
        f'</title><link rel="canonical" href="http://{host}/a/{i}.html">'
        f'<meta property="og:title" content="{title}">'
        f'<meta name="author" content="Author {p % 37}">'
        f'<meta property="article:published_time" content="{when}">'
        f'<link rel="stylesheet" href="/static/site.css"><script src="/static/app.js"></script>'
        f'</head><body>{_CHROME}<header class="site-header"><a class="logo" href="/">Pub {p}</a>'
        f'<nav><ul>{nav}</ul></nav><form class="search"><input name="q"></form></header>'
        f'<main><article class="post"><h1 class="entry-title">{title}</h1>'
        f'<div class="byline">By <span class="author">Author {p % 37}</span> '
        f'<time datetime="{when}">{when[:10]}</time></div>'
        f'<div class="entry-content">{body}</div>'
        f'<div class="share">Share on Facebook · Share on X · Share by email</div></article>'
        f'<section class="comments"><h3>Comments</h3>{comments}</section></main>'
        f'<aside class="sidebar"><h3>Popular</h3><ul>{popular}</ul>'
        f'<div class="newsletter">Subscribe to our newsletter for daily updates.</div></aside>'
        f"<footer><p>© 2026 Pub {p}. All rights reserved.</p><ul>{nav}</ul></footer>"
        f"</body></html>"
    )


def feed_xml(p: int, titles: list[str]) -> str:
    host = host_of(p)
    items = []
    for i, title in enumerate(titles):
        rng = random.Random(p * 7919 + i)
        when = format_datetime(published(p, i), usegmt=True)
        items.append(
            f"<item><title>{title}</title><link>http://{host}/a/{i}.html</link>"
            f'<guid isPermaLink="true">http://{host}/a/{i}.html</guid><pubDate>{when}</pubDate>'
            f"<dc:creator>Author {p % 37}</dc:creator>"
            f"<description>{_sentence(rng, 30)[:-1]} …</description></item>"
        )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/"><channel>'
        f"<title>Pub {p}</title><link>http://{host}/</link><description>News from pub {p}"
        f"</description><language>en</language>{''.join(items)}</channel></rss>"
    )


class Resource:
    __slots__ = ("ctype", "etag", "gz", "last_modified", "length")

    def __init__(self, body: bytes, ctype: str, when: datetime) -> None:
        self.gz = gzip.compress(body, compresslevel=6, mtime=0)
        self.etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
        self.last_modified = format_datetime(when, usegmt=True)
        self.ctype = ctype
        self.length = len(body)


def build_site(feeds: int) -> dict[tuple[str, str], Resource]:
    site: dict[tuple[str, str], Resource] = {}
    for p in range(feeds):
        host = host_of(p)
        titles = []
        for i in range(ITEMS_PER_FEED):
            html = page_html(p, i)
            titles.append(html.split("<title>", 1)[1].split(" | ", 1)[0])
            site[host, f"/a/{i}.html"] = Resource(
                html.encode(), "text/html; charset=utf-8", published(p, i)
            )
        site[host, "/feed.xml"] = Resource(
            feed_xml(p, titles).encode(), "application/rss+xml; charset=utf-8",
            published(p, ITEMS_PER_FEED - 1),
        )  # fmt: skip
    return site


def ignores_validators(p: int, share: float) -> bool:
    """Deterministic choice of the hosts that ignore conditional headers."""
    return (p * 2654435761 % 1000) / 1000 < share


class Server:
    def __init__(
        self, site: dict[tuple[str, str], Resource], feeds: int, ignore_share: float
    ) -> None:
        self.site = site
        self.ignore_hosts = {
            host_of(p) for p in range(feeds) if ignores_validators(p, ignore_share)
        }
        self.mode = "mixed"
        self.counts: dict[int, int] = {}
        self.connections = 0

    def answer(self, target: str, headers: dict[str, str]) -> bytes:
        host, path = _split_target(target, headers.get("host", ""))
        if host == CONTROL_HOST:
            return self._control(path)
        res = self.site.get((host, path))
        if res is None:
            return self._simple(404, b"not found")
        mode = self.mode
        conditional = mode == "none" or (mode == "mixed" and host not in self.ignore_hosts)
        if conditional:
            inm = headers.get("if-none-match")
            if (inm is not None and res.etag in inm) or (
                inm is None and headers.get("if-modified-since") == res.last_modified
            ):
                self.counts[304] = self.counts.get(304, 0) + 1
                return (
                    f"HTTP/1.1 304 Not Modified\r\nETag: {res.etag}\r\n"
                    f"Last-Modified: {res.last_modified}\r\nContent-Length: 0\r\n\r\n"
                ).encode()
        self.counts[200] = self.counts.get(200, 0) + 1
        if "gzip" in headers.get("accept-encoding", ""):
            body, enc = res.gz, "Content-Encoding: gzip\r\n"
        else:
            body, enc = gzip.decompress(res.gz), ""
        head = (
            f"HTTP/1.1 200 OK\r\nContent-Type: {res.ctype}\r\nContent-Length: {len(body)}\r\n"
            f"{enc}Vary: Accept-Encoding\r\nETag: {res.etag}\r\n"
            f"Last-Modified: {res.last_modified}\r\nCache-Control: max-age=60\r\n\r\n"
        ).encode()
        return head + body

    def _control(self, path: str) -> bytes:
        if path.startswith("/mode/"):  # none | mixed | all: who ignores validators
            self.mode = path.rsplit("/", 1)[1]
            self.counts.clear()
            return self._simple(200, b"ok")
        stats = {"counts": self.counts, "connections": self.connections,
                 "mode": self.mode, "ignore_hosts": len(self.ignore_hosts)}  # fmt: skip
        return self._simple(200, json.dumps(stats).encode(), "application/json")

    def _simple(self, status: int, body: bytes, ctype: str = "text/plain") -> bytes:
        reason = {200: "OK", 404: "Not Found", 400: "Bad Request"}.get(status, "X")
        return (
            f"HTTP/1.1 {status} {reason}\r\nContent-Type: {ctype}\r\n"
            f"Content-Length: {len(body)}\r\n\r\n"
        ).encode() + body


def _split_target(target: str, host_header: str) -> tuple[str, str]:
    if target.startswith("http://"):
        rest = target[7:]
        slash = rest.find("/")
        host, path = (rest, "/") if slash < 0 else (rest[:slash], rest[slash:])
    else:
        host, path = host_header, target
    return host.split(":", 1)[0].lower(), path.split("?", 1)[0]


class Protocol(asyncio.Protocol):
    def __init__(self, server: Server) -> None:
        self.server = server
        self.buf = b""
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]
        self.server.connections += 1

    def data_received(self, data: bytes) -> None:
        self.buf += data
        assert self.transport is not None
        while True:
            end = self.buf.find(b"\r\n\r\n")
            if end < 0:
                return
            head, self.buf = self.buf[:end].decode("latin-1"), self.buf[end + 4 :]
            lines = head.split("\r\n")
            parts = lines[0].split(" ")
            headers = {}
            for line in lines[1:]:
                name, _, value = line.partition(":")
                headers[name.strip().lower()] = value.strip()
            if len(parts) != 3:
                self.transport.write(self.server._simple(400, b"bad request"))
                self.transport.close()
                return
            self.transport.write(self.server.answer(parts[1], headers))
            if headers.get("connection", "").lower() == "close":
                self.transport.close()
                return


async def serve(server: Server, port: int) -> None:
    loop = asyncio.get_running_loop()
    srv = await loop.create_server(lambda: Protocol(server), "127.0.0.1", port, backlog=1024)
    print(srv.sockets[0].getsockname()[1], flush=True)
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    srv.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.throughput.site")
    parser.add_argument("--feeds", type=int, default=500)
    parser.add_argument("--ignore-share", type=float, default=0.2)
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args(argv)
    site = build_site(args.feeds)
    sizes = [r.length for (h, p), r in site.items() if p.startswith("/a/")]
    gz = [len(r.gz) for (h, p), r in site.items() if p.startswith("/a/")]
    print(
        json.dumps(
            {
                "pages": len(sizes),
                "page_bytes_mean": sum(sizes) // len(sizes),
                "page_bytes_min": min(sizes),
                "page_bytes_max": max(sizes),
                "page_gzip_mean": sum(gz) // len(gz),
            }
        ),
        file=sys.stderr,
        flush=True,
    )
    asyncio.run(serve(Server(site, args.feeds, args.ignore_share), args.port))
    return 0


if __name__ == "__main__":
    sys.exit(main())
