"""What the daemon counts, in Prometheus form, and the tiny server for /metrics and /healthz.

The counters exist whether or not they are served: tests and the bench read them in-process.
The server is a plain asyncio listener (no thread, no framework) answering two paths;
``/healthz`` answers 503 when the archive cannot be written, when the dispatch job has not
completed recently (the scheduler is stuck or the database keeps failing) or when ``SELECT 1``
does not come back in time.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

log = logging.getLogger(__name__)

HealthCheck = Callable[[], Awaitable[tuple[bool, str]]]

_SECONDS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)
_LAG = (0.1, 0.25, 0.5, 1.0, 2.0, 3.0, 4.0, 5.0, 7.5, 10.0, 20.0, 60.0, 300.0)


class DaemonMetrics:
    """Every metric of one daemon process, on a registry of its own (tests build many)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.polls = Counter("scraper_polls", "Feed polls by outcome.", ["outcome"], registry=r)
        self.fetch_seconds = Histogram(
            "scraper_fetch_seconds", "Latency of one request.", buckets=_SECONDS, registry=r
        )
        self.poll_seconds = Histogram(
            "scraper_poll_seconds", "Duration of one feed poll.", buckets=_SECONDS, registry=r
        )
        self.articles = Counter(
            "scraper_articles_stored", "Articles stored by status.", ["status"], registry=r
        )
        self.overdue = Gauge(
            "scraper_feeds_overdue", "Enabled feeds past due that no daemon holds.", registry=r
        )
        self.takeovers = Counter(
            "scraper_lease_takeovers", "Feeds claimed after another daemon's lease expired.",
            registry=r,
        )  # fmt: skip
        self.lag = Histogram(
            "scraper_schedule_lag_seconds", "How late a poll starts.", buckets=_LAG, registry=r
        )
        self.overhead = Histogram(
            "scraper_schedule_overhead_seconds",
            "Database time the scheduler spends per poll (claim share + writing the next poll).",
            buckets=_SECONDS,
            registry=r,
        )
        self.in_flight = Gauge("scraper_polls_in_flight", "Polls running now.", registry=r)
        self.unwritable = Gauge(
            "scraper_archive_unwritable",
            "1 while the archive cannot be written (read-only, disk full, server down): "
            "polling is paused and retried with backoff.",
            registry=r,
        )

    def render(self) -> bytes:
        return generate_latest(self.registry)


class MetricsServer:
    """Serves ``/metrics`` and ``/healthz`` until closed."""

    def __init__(self, metrics: DaemonMetrics, health: HealthCheck) -> None:
        self._metrics = metrics
        self._health = health
        self._server: asyncio.Server | None = None

    async def start(self, host: str, port: int) -> int:
        self._server = await asyncio.start_server(self._handle, host, port)
        bound: int = self._server.sockets[0].getsockname()[1]
        log.info("Metrics server listening", extra={"host": host, "port": bound})
        return bound

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            request = await asyncio.wait_for(reader.readline(), 5.0)
            parts = request.decode("latin-1").split()
            path = parts[1].split("?", 1)[0] if len(parts) > 1 else ""
            status, ctype, body = await self._answer(path)
            head = (
                f"HTTP/1.0 {status}\r\nContent-Type: {ctype}\r\n"
                f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
            )
            writer.write(head.encode("latin-1") + body)
            await writer.drain()
        except (OSError, TimeoutError, UnicodeError):
            pass
        finally:
            writer.close()

    async def _answer(self, path: str) -> tuple[str, str, bytes]:
        if path == "/metrics":
            return "200 OK", "text/plain; version=0.0.4; charset=utf-8", self._metrics.render()
        if path == "/healthz":
            ok, message = await self._health()
            status = "200 OK" if ok else "503 Service Unavailable"
            return status, "text/plain; charset=utf-8", (message + "\n").encode()
        return "404 Not Found", "text/plain; charset=utf-8", b"not found\n"
