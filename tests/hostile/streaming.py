"""LocalWeb plus resources that are generated while they are sent: a 200 MB body that never
sits in memory, and a server that trickles one byte every few seconds.

:class:`~scraper.demo.web.LocalWeb` serves bodies from memory with an exact Content-Length,
which is what most tests want but cannot model these two. :class:`StreamingWeb` is a LocalWeb
(same proxy, same fake hosts, same request log) whose handler answers the paths registered
with :meth:`StreamingWeb.stream` itself and hands every other request to LocalWeb unchanged.
It relies on LocalWeb's handler internals (``_target``, ``_log``): test code only. It also
remembers when each host and path was asked (:attr:`first_seen`, :attr:`times`), which is what
"no case takes longer than its timeout" is measured from.
"""

from __future__ import annotations

import contextlib
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from typing import cast

from scraper.demo.web import LocalWeb, _Handler, _Server


@dataclass(frozen=True)
class Stream:
    """``total`` bytes of ``fill``, ``chunk`` at a time, ``interval`` seconds apart.

    ``declare_length`` sends Content-Length; otherwise the body ends when the connection closes
    (so only counting the bytes received can stop it).
    """

    total: int
    chunk: int = 64 * 1024
    interval: float = 0.0
    content_type: str = "text/html; charset=utf-8"
    declare_length: bool = False
    fill: bytes = b"<p>filler</p>\n"


class _StreamingHandler(_Handler):
    def _serve(self, *, head: bool) -> None:
        web = cast(StreamingWeb, cast(_Server, self.server).web)
        host, path, via_proxy = self._target()
        stream = web.streams.get((host or "", path))
        if stream is None:
            super()._serve(head=head)
            return
        web._log(self, host or "", path, 200, via_proxy=via_proxy)
        self.close_connection = True
        self.send_response(200)
        self.send_header("Content-Type", stream.content_type)
        self.send_header("Connection", "close")
        if stream.declare_length:
            self.send_header("Content-Length", str(stream.total))
        self.end_headers()
        with contextlib.suppress(OSError):  # the client hanging up is the expected ending
            self._write(stream, web)

    def _write(self, stream: Stream, web: StreamingWeb) -> None:
        block = (stream.fill * (stream.chunk // len(stream.fill) + 1))[: stream.chunk]
        sent = 0
        while sent < stream.total and web.running:
            piece = block[: stream.total - sent]
            self.wfile.write(piece)
            self.wfile.flush()
            sent += len(piece)
            if stream.interval:
                time.sleep(stream.interval)


class StreamingWeb(LocalWeb):
    """A LocalWeb that can also stream generated bodies (see the module docstring)."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.streams: dict[tuple[str, str], Stream] = {}
        self.running = False
        self.first_seen: dict[str, float] = {}  # host → monotonic time of its first request
        self.times: dict[tuple[str, str], list[float]] = {}  # (host, path) → request times

    def _log(
        self, handler: BaseHTTPRequestHandler, host: str, path: str, status: int, *, via_proxy: bool
    ) -> None:
        now = time.monotonic()
        with self._lock:
            self.first_seen.setdefault(host, now)
            self.times.setdefault((host, path), []).append(now)
        super()._log(handler, host, path, status, via_proxy=via_proxy)

    def start(self) -> StreamingWeb:
        super().start()
        assert self._server is not None
        self._server.RequestHandlerClass = _StreamingHandler
        self.running = True
        return self

    def stop(self) -> None:
        self.running = False
        super().stop()

    def stream(self, host: str, path: str, stream: Stream) -> None:
        self.streams[(host.lower(), path)] = stream
