"""A local web that can stand in for any host, so demos and tests never touch the network.

The crawler fetches feeds and pages from publishers' real hosts. Tests and the demo must not: this
module serves fake hosts from memory on ``127.0.0.1``. One :class:`LocalWeb` answers two ways:

* as an **origin server** — a client connects to ``web.url`` and names the fake host in the
  ``Host`` header;
* as an **HTTP forward proxy** — a client configured with ``proxy=web.proxy_url`` (or
  ``HTTP_PROXY``) sends absolute-form requests (``GET http://southfront.press/feed/ HTTP/1.1``),
  and the host is taken from that URL. This lets code under test use the publishers' real URLs
  unchanged. Nothing is ever forwarded anywhere: unknown hosts get ``502 unknown host``, and
  ``CONNECT`` (https through a proxy) is refused with ``501``.

It speaks real HTTP/1.1 (keep-alive, exact ``Content-Length``, ``HEAD``), because the fetcher's
behaviour around conditional GETs, compression, redirects, blocks and dead hosts is what the tests
are about, and a mocked transport would not exercise any of it.
"""

from __future__ import annotations

import contextlib
import enum
import gzip
import hashlib
import socket
import sys
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Final, cast
from urllib.parse import urlsplit

__all__ = [
    "COMPUTED",
    "DROPPED",
    "FIXED_LAST_MODIFIED",
    "LocalWeb",
    "LoggedRequest",
    "Resource",
    "Sites",
]

FIXED_LAST_MODIFIED: Final = "Fri, 28 Mar 2025 12:00:00 GMT"
"""Default ``Last-Modified``: fixed, so runs are reproducible and ``If-Modified-Since`` works."""

DROPPED: Final = 0
"""Logged status of a request whose connection was closed without an answer (``fail_host``)."""

GZIP_MIN_BYTES: Final = 200
"""Bodies up to this size are sent as is, like nginx's ``gzip_min_length``: gzip would not pay."""

_REDIRECT_STATUSES: Final = frozenset({301, 302, 303, 307, 308})
_UNCOMPRESSIBLE_PREFIXES: Final = ("image/", "video/", "audio/", "application/zip")
_IDLE_TIMEOUT_S: Final = 30.0


class _Computed(enum.Enum):
    """Sentinel type: "derive this value from the body" (distinct from ``None`` = "send none")."""

    TOKEN = "computed"


COMPUTED: Final = _Computed.TOKEN
"""Default of :attr:`Resource.etag`: a strong ETag computed from the body."""


@dataclass(frozen=True, slots=True)
class Resource:
    """What one ``host + path`` answers.

    Frozen so a resource can be shared between handler threads; replace it with
    :meth:`LocalWeb.set` to change what a URL serves.

    ``etag`` is :data:`COMPUTED` by default (a strong ETag hashed from ``body``), or an explicit
    quoted value, or ``None`` to send no ETag. ``last_modified`` is a fixed date by default, or
    ``None`` to send none. ``ignore_conditional`` mimics servers that answer 200 with the same
    bytes every time, whatever validators the client sends. ``delay`` (seconds) is slept before
    answering, to exercise timeouts and concurrency.
    """

    body: bytes
    content_type: str = "text/html; charset=utf-8"
    status: int = 200
    headers: Mapping[str, str] = field(default_factory=dict)
    etag: str | _Computed | None = COMPUTED
    last_modified: str | None = FIXED_LAST_MODIFIED
    ignore_conditional: bool = False
    redirect_to: str | None = None
    delay: float = 0.0

    def __post_init__(self) -> None:
        if self.redirect_to is not None and self.status not in _REDIRECT_STATUSES:
            raise ValueError(
                f"redirect_to needs a redirect status (301/302/303/307/308), not {self.status}; "
                "use Resource.redirect(...)"
            )
        if self.status in _REDIRECT_STATUSES and self.redirect_to is None:
            raise ValueError(f"status {self.status} needs redirect_to")
        if self.delay < 0:
            raise ValueError("delay must be >= 0")

    @classmethod
    def redirect(cls, location: str, status: int = 301) -> Resource:
        """A redirect to ``location`` (absolute or relative), with a small HTML body like nginx."""
        body = (
            f"<html><head><title>{status} Moved</title></head>"
            f'<body><a href="{location}">Moved here</a></body></html>\n'
        ).encode()
        return cls(body=body, status=status, redirect_to=location, etag=None, last_modified=None)

    @classmethod
    def text(cls, text: str, content_type: str = "text/html; charset=utf-8") -> Resource:
        """A 200 resource from text, encoded as UTF-8 (the charset the content type names)."""
        return cls(body=text.encode("utf-8"), content_type=content_type)

    @property
    def etag_value(self) -> str | None:
        """The ETag actually sent for the uncompressed body (``COMPUTED`` resolved)."""
        if isinstance(self.etag, _Computed):
            return '"' + hashlib.sha256(self.body).hexdigest()[:20] + '"'
        return self.etag


Sites = Mapping[str, Mapping[str, Resource]]
"""host → path → resource. A path may carry a query (``/?p=123``), matched before the bare path."""


@dataclass(frozen=True, slots=True)
class LoggedRequest:
    """One request as the server saw it, for assertions like "the feed was fetched once".

    ``host`` is lower-case without a port; ``path`` is the request path with its query string.
    ``status`` is what was answered, :data:`DROPPED` if the connection was cut instead.
    ``conditional`` says the client sent ``If-None-Match`` or ``If-Modified-Since``.
    ``headers`` has lower-case names. ``via_proxy`` says the target was absolute-form.
    """

    host: str
    path: str
    method: str
    status: int
    conditional: bool
    headers: Mapping[str, str]
    via_proxy: bool = False


class _Server(ThreadingHTTPServer):
    """The stdlib server plus a back-reference to the :class:`LocalWeb` that routes requests."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, web: LocalWeb) -> None:
        self.web = web
        super().__init__(("127.0.0.1", 0), _Handler)

    def handle_error(self, request: object, client_address: object) -> None:
        """A client that hangs up (timeout, test over) is normal here; anything else is a bug."""
        if isinstance(sys.exc_info()[1], ConnectionError | TimeoutError):
            return
        super().handle_error(request, client_address)  # type: ignore[arg-type]


class _Handler(BaseHTTPRequestHandler):
    """Parses one request at a time on a keep-alive connection and asks LocalWeb what to send."""

    protocol_version = "HTTP/1.1"
    server_version = "LocalWeb/1.0"
    sys_version = ""
    timeout = _IDLE_TIMEOUT_S  # idle keep-alive connections end instead of holding a thread

    @property
    def _web(self) -> LocalWeb:
        return cast(_Server, self.server).web

    def setup(self) -> None:
        super().setup()
        self._web._track(self.connection, add=True)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self._web._track(self.connection, add=False)

    def log_message(self, format: str, *args: object) -> None:
        """Silence the default stderr access log: tests read :attr:`LocalWeb.requests` instead."""

    def do_GET(self) -> None:
        self._serve(head=False)

    def do_HEAD(self) -> None:
        self._serve(head=True)

    def do_CONNECT(self) -> None:
        message = (
            "LocalWeb does not tunnel CONNECT (https through the proxy); "
            "use http:// URLs for fake hosts\n"
        )
        host = self.path.rsplit(":", 1)[0].lower()
        self._web._log(self, host, self.path, 501, via_proxy=True)
        self._send_simple(501, message, close=True)

    def _drain_request_body(self) -> None:
        length = self.headers.get("Content-Length")
        if length and length.isdigit():
            self.rfile.read(int(length))

    def _target(self) -> tuple[str | None, str, bool]:
        """(host, path?query, via_proxy) from an absolute-form target or the Host header."""
        if "://" in self.path.split("?", 1)[0]:
            parts = urlsplit(self.path)
            path = parts.path or "/"
            if parts.query:
                path += "?" + parts.query
            return (parts.hostname or "").lower() or None, path, True
        host_header = self.headers.get("Host")
        if not host_header:
            return None, self.path, False
        host = urlsplit("//" + host_header.strip()).hostname or ""
        return host.lower() or None, self.path, False

    def _serve(self, *, head: bool) -> None:
        self._drain_request_body()
        host, path, via_proxy = self._target()
        if host is None:
            self._web._log(self, "", path, 400, via_proxy=via_proxy)
            self._send_simple(400, "missing Host header\n", close=True)
            return
        decision = self._web._route(host, path)
        if decision == DROPPED:
            self._web._log(self, host, path, DROPPED, via_proxy=via_proxy)
            self.close_connection = True
            # A dead host: no status line at all. shutdown() makes the client see EOF now.
            with contextlib.suppress(OSError):
                self.connection.shutdown(socket.SHUT_RDWR)
            return
        if isinstance(decision, int):
            body = {
                404: "not found\n",
                502: "unknown host\n",
                451: "Unavailable For Legal Reasons\n",
            }.get(decision, f"{decision} {_reason(decision)}\n")
            self._web._log(self, host, path, decision, via_proxy=via_proxy)
            self._send_simple(decision, body, head=head)
            return
        resource = decision
        if resource.delay:
            time.sleep(resource.delay)
        self._send_resource(host, path, resource, head=head, via_proxy=via_proxy)

    def _send_simple(
        self, status: int, text: str, *, head: bool = False, close: bool = False
    ) -> None:
        body = text.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        if close:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        if not head:
            self.wfile.write(body)

    def _not_modified(self, etag: str | None, last_modified: str | None) -> bool:
        """RFC 9110 §13.2.2: If-None-Match wins; If-Modified-Since only when it is absent."""
        inm = self.headers.get("If-None-Match")
        if inm is not None:
            if etag is None:
                return False
            if inm.strip() == "*":
                return True
            wanted = {_opaque(tag) for tag in inm.split(",") if tag.strip()}
            return _opaque(etag) in wanted  # weak comparison, as the RFC says for If-None-Match
        ims = self.headers.get("If-Modified-Since")
        if ims is None or last_modified is None:
            return False
        try:
            return parsedate_to_datetime(last_modified) <= parsedate_to_datetime(ims)
        except (TypeError, ValueError):
            return False  # an unparseable date is ignored, as the RFC requires

    def _accepts_gzip(self) -> bool:
        for item in self.headers.get("Accept-Encoding", "").split(","):
            name, _, params = item.strip().partition(";")
            if name.strip().lower() in {"gzip", "x-gzip", "*"}:
                q = params.strip().removeprefix("q=").strip()
                try:
                    return not q or float(q) > 0
                except ValueError:
                    return True
        return False

    def _send_resource(
        self, host: str, path: str, resource: Resource, *, head: bool, via_proxy: bool
    ) -> None:
        extra = {k.lower(): v for k, v in resource.headers.items()}
        compressible = (
            resource.status == 200
            and len(resource.body) > GZIP_MIN_BYTES
            and "content-encoding" not in extra
            and not resource.content_type.startswith(_UNCOMPRESSIBLE_PREFIXES)
        )
        use_gzip = compressible and self._accepts_gzip()
        etag = resource.etag_value
        if use_gzip and etag is not None and not etag.startswith("W/"):
            etag = "W/" + etag  # like nginx: the gzipped bytes differ, so the tag turns weak
        last_modified = resource.last_modified

        if (
            resource.status == 200
            and not resource.ignore_conditional
            and self._not_modified(etag, last_modified)
        ):
            self._web._log(self, host, path, 304, via_proxy=via_proxy)
            self.send_response(304)
            if etag is not None:
                self.send_header("ETag", etag)
            if last_modified is not None:
                self.send_header("Last-Modified", last_modified)
            if compressible:
                self.send_header("Vary", "Accept-Encoding")
            self.end_headers()
            return

        body = gzip.compress(resource.body, mtime=0) if use_gzip else resource.body
        self._web._log(self, host, path, resource.status, via_proxy=via_proxy)
        self.send_response(resource.status)
        self.send_header("Content-Type", resource.content_type)
        self.send_header("Content-Length", str(len(body)))
        if resource.redirect_to is not None:
            self.send_header("Location", resource.redirect_to)
        if resource.status == 200:
            if etag is not None:
                self.send_header("ETag", etag)
            if last_modified is not None:
                self.send_header("Last-Modified", last_modified)
        if compressible:
            self.send_header("Vary", "Accept-Encoding")
        if use_gzip:
            self.send_header("Content-Encoding", "gzip")
        for name, value in resource.headers.items():
            if name.lower() not in {"content-length", "content-type", "location"}:
                self.send_header(name, value)
        self.end_headers()
        if not head:
            self.wfile.write(body)


def _opaque(tag: str) -> str:
    tag = tag.strip()
    return tag[2:] if tag.startswith("W/") else tag


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


class LocalWeb:
    """A thread-backed HTTP/1.1 server on ``127.0.0.1`` serving fake hosts from memory.

    Use as a context manager::

        with LocalWeb(load_site()) as web:
            client = httpx.Client(proxy=web.proxy_url, trust_env=False)
            client.get("http://southfront.press/feed/")

    Everything is mutable while it runs (from any thread): :meth:`set`, :meth:`remove`,
    :meth:`block_host`, :meth:`fail_host`, :meth:`restore_host`. Requests are logged in
    :attr:`requests` for assertions.

    ``default_host`` answers requests whose ``Host`` is the server itself (``127.0.0.1:PORT`` or
    ``localhost``), so a browser pointed at :attr:`url` shows something.
    """

    def __init__(self, sites: Sites | None = None, *, default_host: str | None = None) -> None:
        self._lock = threading.Lock()
        self._sites: dict[str, dict[str, Resource]] = {
            host.lower(): dict(paths) for host, paths in (sites or {}).items()
        }
        self._blocked: dict[str, int] = {}
        self._failing: set[str] = set()
        self._log_entries: list[LoggedRequest] = []
        self._connections: set[socket.socket] = set()
        self._default_host = default_host.lower() if default_host else None
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self) -> LocalWeb:
        """Bind an ephemeral port on 127.0.0.1 and serve in a daemon thread."""
        if self._server is not None:
            raise RuntimeError("LocalWeb is already running")
        self._server = _Server(self)
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"LocalWeb:{self.port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and cut open keep-alive connections so no handler thread lingers."""
        server, thread = self._server, self._thread
        if server is None:
            return
        server.shutdown()
        server.server_close()
        with self._lock:
            connections = list(self._connections)
        for conn in connections:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
        if thread is not None:
            thread.join(timeout=5)
        self._server = self._thread = None

    def __enter__(self) -> LocalWeb:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("LocalWeb is not running; use it as a context manager")
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        """Base URL of the server as an origin (send the fake host in ``Host``)."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def proxy_url(self) -> str:
        """The same server used as an HTTP forward proxy (``HTTP_PROXY`` / ``proxy=``)."""
        return self.url

    # -- content -----------------------------------------------------------------------------

    def set(self, host: str, path: str, resource: Resource) -> None:
        """Serve ``resource`` at ``host`` + ``path`` from now on (adds the host if new)."""
        with self._lock:
            self._sites.setdefault(host.lower(), {})[path] = resource

    def remove(self, host: str, path: str) -> None:
        """Make ``host`` + ``path`` answer 404 from now on (no error if it did already)."""
        with self._lock:
            self._sites.get(host.lower(), {}).pop(path, None)

    def get(self, host: str, path: str) -> Resource | None:
        """The resource currently served at ``host`` + ``path``, if any."""
        with self._lock:
            return self._sites.get(host.lower(), {}).get(path)

    def block_host(self, host: str, status: int = 451) -> None:
        """Answer every path on ``host`` with ``status`` (a blocked or seized domain)."""
        with self._lock:
            self._failing.discard(host.lower())
            self._blocked[host.lower()] = status

    def fail_host(self, host: str) -> None:
        """Close every connection for ``host`` without answering, like a dead server."""
        with self._lock:
            self._blocked.pop(host.lower(), None)
            self._failing.add(host.lower())

    def restore_host(self, host: str) -> None:
        """Undo :meth:`block_host` / :meth:`fail_host`: serve the host's resources again."""
        with self._lock:
            self._blocked.pop(host.lower(), None)
            self._failing.discard(host.lower())

    @property
    def hosts(self) -> list[str]:
        """Hosts that have content, sorted."""
        with self._lock:
            return sorted(self._sites)

    # -- log ---------------------------------------------------------------------------------

    @property
    def requests(self) -> list[LoggedRequest]:
        """A snapshot of every request seen so far, oldest first."""
        with self._lock:
            return list(self._log_entries)

    def count(
        self,
        host: str | None = None,
        path: str | None = None,
        status: int | None = None,
        *,
        method: str | None = None,
        conditional: bool | None = None,
    ) -> int:
        """How many logged requests match every filter given (``None`` = any)."""
        return sum(
            1
            for r in self.requests
            if (host is None or r.host == host.lower())
            and (path is None or r.path == path)
            and (status is None or r.status == status)
            and (method is None or r.method == method.upper())
            and (conditional is None or r.conditional == conditional)
        )

    def clear_log(self) -> None:
        """Forget logged requests, so a test can assert on one phase only."""
        with self._lock:
            self._log_entries.clear()

    # -- used by the handler -----------------------------------------------------------------

    def _route(self, host: str, path: str) -> Resource | int:
        """A resource, an error status, or :data:`DROPPED` (close the connection unanswered)."""
        with self._lock:
            if host in {"127.0.0.1", "localhost", "::1"} and self._default_host:
                host = self._default_host
            if host in self._failing:
                return DROPPED
            if host in self._blocked:
                return self._blocked[host]
            paths = self._sites.get(host)
            if paths is None:
                return 502
            found = paths.get(path)
            if found is None and "?" in path:
                found = paths.get(path.split("?", 1)[0])
            return 404 if found is None else found

    def _log(
        self, handler: BaseHTTPRequestHandler, host: str, path: str, status: int, *, via_proxy: bool
    ) -> None:
        headers: dict[str, str] = {}
        for name, value in handler.headers.items():
            key = name.lower()
            headers[key] = f"{headers[key]}, {value}" if key in headers else value
        entry = LoggedRequest(
            host=host,
            path=path,
            method=handler.command,
            status=status,
            conditional="if-none-match" in headers or "if-modified-since" in headers,
            headers=headers,
            via_proxy=via_proxy,
        )
        with self._lock:
            self._log_entries.append(entry)

    def _track(self, conn: socket.socket, *, add: bool) -> None:
        with self._lock:
            if add:
                self._connections.add(conn)
            else:
                self._connections.discard(conn)
