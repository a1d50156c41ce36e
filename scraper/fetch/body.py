"""Read a response body within a byte cap, decoding Content-Encoding ourselves, in bounded steps.

The cap counts *decoded* bytes (what ends up in memory), and decoding advances at most
:data:`~scraper.fetch.decompress.STEP` bytes at a time, so a 200 MB body or a compression bomb
stops at the cap. A response that is clearly of the wrong kind (see :mod:`scraper.fetch.content`)
is refused from its headers, or from its first bytes when the headers say nothing.
"""

from __future__ import annotations

import httpx

from scraper.errors import FetchError
from scraper.fetch.content import REASONS, Kind, needs_sniffing, refused_type, sniff_binary
from scraper.fetch.decompress import decoder_for

_SNIFF_BYTES = 16


class _Body:
    """Collects decoded chunks, enforcing the cap and sniffing the first bytes once."""

    def __init__(self, url: str, limit: int, kind: Kind, sniff: bool) -> None:
        self.url, self.limit, self.kind, self.sniff = url, limit, kind, sniff
        self.chunks: list[bytes] = []
        self.size = 0

    def add(self, data: bytes) -> None:
        self.size += len(data)
        if self.size > self.limit:
            raise FetchError(
                self.url, "too_large", f"body exceeds {self.limit} bytes", transient=False
            )
        self.chunks.append(data)
        if self.sniff and self.size >= _SNIFF_BYTES:
            self.check_head()

    def check_head(self) -> None:
        self.sniff = False
        found = sniff_binary(b"".join(self.chunks)[:_SNIFF_BYTES])
        if found:
            raise wrong_kind(self.url, self.kind, f"body is a {found}")


def wrong_kind(url: str, kind: Kind, why: str) -> FetchError:
    wanted = "a feed" if kind == "feed" else "an HTML page"
    return FetchError(url, REASONS[kind], f"{why}, not {wanted}", transient=False)


def check_headers(url: str, headers: httpx.Headers, limit: int, kind: Kind) -> None:
    """Refuse before reading a byte: wrong Content-Type, or a declared size over the cap."""
    content_type = headers.get("content-type", "")
    why = refused_type(content_type) if kind != "any" else None
    if why:
        raise wrong_kind(url, kind, why)
    declared = headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise FetchError(
            url, "too_large", f"declares {declared} bytes (cap {limit})", transient=False
        )


async def read_body(response: httpx.Response, url: str, limit: int, kind: Kind) -> bytes:
    """The decoded body of ``response``, or :class:`FetchError` (too_large, not_html …)."""
    check_headers(url, response.headers, limit, kind)
    sniff = kind != "any" and needs_sniffing(response.headers.get("content-type", ""))
    body = _Body(url, limit, kind, sniff)
    if response.is_stream_consumed:  # built in memory (httpx.MockTransport), decoded by httpx
        body.add(response.content)
    else:
        decoder = decoder_for(response.headers.get("content-encoding"))
        async for raw in response.aiter_raw():
            for data in decoder.feed(raw):
                body.add(data)
        for data in decoder.flush():
            body.add(data)
    if body.sniff:
        body.check_head()
    return b"".join(body.chunks)
