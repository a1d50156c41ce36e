"""Content-Encoding decoders whose output per step is bounded: decompression bombs stop early.

httpx decodes each received chunk in one call, and one 64 KiB chunk of a gzip bomb inflates to
about 64 MiB, one of a brotli bomb to far more. The fetcher therefore reads the raw bytes and
decodes them here, ``step`` bytes of output at a time, so the size cap is checked long before
memory grows: a bomb costs at most ``cap + step`` bytes, whatever its ratio.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from typing import Protocol

import brotli  # type: ignore[import-untyped]  # no stubs; a C extension

STEP = 64 * 1024


class DecodeError(Exception):
    """The body does not decode with the Content-Encoding the server named."""


class _Decoder(Protocol):
    def feed(self, data: bytes) -> Iterator[bytes]: ...
    def flush(self) -> Iterator[bytes]: ...


class _Identity:
    def feed(self, data: bytes) -> Iterator[bytes]:
        if data:
            yield data

    def flush(self) -> Iterator[bytes]:
        return iter(())


class _Zlib:
    """gzip (wbits 16+) or deflate (zlib-wrapped, falling back to raw, as browsers do)."""

    def __init__(self, gzip: bool) -> None:
        self._gzip = gzip
        self._obj = zlib.decompressobj(16 + zlib.MAX_WBITS if gzip else zlib.MAX_WBITS)
        self._started = False

    def feed(self, data: bytes) -> Iterator[bytes]:
        if not self._started and not self._gzip and data:
            self._started = True
            if data[0] & 0x0F != 8:  # no zlib header: a raw deflate stream
                self._obj = zlib.decompressobj(-zlib.MAX_WBITS)
        pending = data
        while pending:
            try:
                out = self._obj.decompress(pending, STEP)
            except zlib.error as exc:
                raise DecodeError(str(exc)) from exc
            pending = self._obj.unconsumed_tail
            if out:
                yield out
            if self._obj.eof:
                return  # trailing garbage after the stream is ignored, as browsers do

    def flush(self) -> Iterator[bytes]:
        out = self._obj.flush(STEP)
        if out:
            yield out


class _Brotli:
    def __init__(self) -> None:
        self._obj = brotli.Decompressor()

    def feed(self, data: bytes) -> Iterator[bytes]:
        try:
            out = self._obj.process(data, output_buffer_limit=STEP)
            while True:
                if out:
                    yield out
                if self._obj.can_accept_more_data():
                    return
                out = self._obj.process(b"", output_buffer_limit=STEP)
        except brotli.error as exc:
            raise DecodeError(str(exc)) from exc

    def flush(self) -> Iterator[bytes]:
        return iter(())


class _Chain:
    """``Content-Encoding: gzip, br`` means br was applied last, so it is undone first."""

    def __init__(self, decoders: list[_Decoder]) -> None:
        self._decoders = decoders

    def feed(self, data: bytes) -> Iterator[bytes]:
        return self._run([data], 0, flush=False)

    def flush(self) -> Iterator[bytes]:
        return self._run([], 0, flush=True)

    def _run(self, pieces: list[bytes], index: int, *, flush: bool) -> Iterator[bytes]:
        if index == len(self._decoders):
            yield from pieces
            return
        decoder = self._decoders[index]
        for piece in pieces:
            for out in decoder.feed(piece):
                yield from self._run([out], index + 1, flush=False)
        if flush:
            for out in decoder.flush():
                yield from self._run([out], index + 1, flush=False)
            yield from self._run([], index + 1, flush=True)


def decoder_for(content_encoding: str | None) -> _Decoder:
    """A bounded decoder for a Content-Encoding header; :class:`DecodeError` if unsupported."""
    names = [n.strip().lower() for n in (content_encoding or "").split(",") if n.strip()]
    decoders: list[_Decoder] = []
    for name in reversed(names):
        if name in ("gzip", "x-gzip"):
            decoders.append(_Zlib(gzip=True))
        elif name == "deflate":
            decoders.append(_Zlib(gzip=False))
        elif name == "br":
            decoders.append(_Brotli())
        elif name != "identity":
            raise DecodeError(f"unsupported Content-Encoding {name!r}")
    if not decoders:
        return _Identity()
    return decoders[0] if len(decoders) == 1 else _Chain(decoders)
