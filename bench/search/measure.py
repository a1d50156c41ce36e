"""Time searches through the HTTP API, in process, and keep the SQL each request ran.

One request at a time (latency, not throughput) through ``httpx.ASGITransport`` into the app
``create_app`` builds, so routing, validation, the store and serialisation are all counted.
SQLAlchemy cursor events record every statement of the request with its own duration, so a
slow shape can be traced to the statement (and re-run under EXPLAIN ANALYZE). On SQLite a
statement's duration includes reading its rows: the driver computes each row (bm25, a snippet)
when it is fetched, not when the statement is executed, so the bench's connections use a cursor
that also times its fetches (:class:`_TimedConnection`).
"""

from __future__ import annotations

import asyncio
import re
import sqlite3
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
from sqlalchemy import event

from scraper.api import create_app
from scraper.config import Config
from scraper.settings import Settings
from scraper.store.archive import Archive

WARMUP = 5
# Progress lines for the operator (bench.search.run.log).
Log = Callable[[str], None]


@dataclass
class Statement:
    sql: str
    params: Any
    seconds: float
    cursor: Any = field(default=None, repr=False)
    executed: float = field(init=False)  # to the first row (SQLite) or to all rows

    def __post_init__(self) -> None:
        self.executed = self.seconds

    def settle(self) -> None:
        """Add the time spent fetching the rows (SQLite), once the request is done."""
        self.seconds = self.executed + getattr(self.cursor, "fetch_seconds", 0.0)
        self.cursor = None


class _TimedCursor(sqlite3.Cursor):
    """A pysqlite cursor that adds up the time its fetches take (SQLite runs the statement
    on during each fetch)."""

    fetch_seconds = 0.0

    def fetchone(self) -> Any:
        began = time.perf_counter()
        try:
            return super().fetchone()
        finally:
            self.fetch_seconds += time.perf_counter() - began

    def fetchmany(self, size: int | None = None) -> list[Any]:
        began = time.perf_counter()
        try:
            return super().fetchmany(self.arraysize if size is None else size)
        finally:
            self.fetch_seconds += time.perf_counter() - began

    def fetchall(self) -> list[Any]:
        began = time.perf_counter()
        try:
            return super().fetchall()
        finally:
            self.fetch_seconds += time.perf_counter() - began


class _TimedConnection(sqlite3.Connection):
    def cursor(self, factory: Any = _TimedCursor) -> Any:
        return super().cursor(factory)


@dataclass
class Sample:
    params: dict[str, str]
    seconds: float
    items: int
    statements: list[Statement]

    @property
    def sql_seconds(self) -> float:
        return sum(s.seconds for s in self.statements)

    @property
    def slowest(self) -> Statement:
        return max(self.statements, key=lambda s: s.seconds)


@dataclass
class ShapeResult:
    shape: str
    samples: list[Sample] = field(default_factory=list)
    planned: int = 0
    capped: bool = False

    def pct(self, q: float) -> float:
        values = sorted(s.seconds for s in self.samples)
        if not values:
            return float("nan")
        return values[min(len(values) - 1, max(0, round(q * len(values)) - 1))] * 1000

    @property
    def p50(self) -> float:
        return statistics.median(s.seconds for s in self.samples) * 1000

    @property
    def p95(self) -> float:
        return self.pct(0.95)

    @property
    def max(self) -> float:
        return max(s.seconds for s in self.samples) * 1000

    @property
    def mean_items(self) -> float:
        return statistics.mean(s.items for s in self.samples)

    @property
    def zero_hits(self) -> int:
        return sum(1 for s in self.samples if s.items == 0)

    @property
    def slowest_sql_p50(self) -> float:
        return statistics.median(s.slowest.seconds for s in self.samples) * 1000

    @property
    def sql_p50(self) -> float:
        return statistics.median(s.sql_seconds for s in self.samples) * 1000

    def breakdown(self) -> list[tuple[str, int, float, float]]:
        """Per statement kind (its first words): count, p50 and p95 in ms."""
        kinds: dict[str, list[float]] = {}
        for sample in self.samples:
            for st in sample.statements:
                # Numbers out: the display statements carry the hits' ids in their text.
                label = re.sub(r"\d+", "N", " ".join(st.sql.split()))[:70]
                kinds.setdefault(label, []).append(st.seconds * 1000)
        out = []
        for label, values in kinds.items():
            values.sort()
            p95 = values[min(len(values) - 1, max(0, round(0.95 * len(values)) - 1))]
            out.append((label, len(values), statistics.median(values), p95))
        return out

    @property
    def other_p50(self) -> float:
        """Time outside SQL statements: API, serialisation, Python, waiting for a CPU."""
        return statistics.median(s.seconds - s.sql_seconds for s in self.samples) * 1000

    def worst(self) -> Sample:
        return max(self.samples, key=lambda s: s.seconds)


class _Recorder:
    def __init__(self, archive: Archive) -> None:
        self.statements: list[Statement] = []
        self._started: dict[int, float] = {}
        event.listen(archive.engine, "before_cursor_execute", self._before)
        event.listen(archive.engine, "after_cursor_execute", self._after)
        if archive.engine.dialect.name == "sqlite":
            event.listen(archive.engine, "do_connect", self._timed_connection)
            archive.engine.dispose()  # connections from now on are timed ones

    @staticmethod
    def _timed_connection(_dialect: Any, _record: Any, _args: Any, kwargs: Any) -> None:
        kwargs["factory"] = _TimedConnection

    def _before(
        self, _conn: Any, cursor: Any, _statement: str, _params: Any, _context: Any, _many: bool
    ) -> None:
        self._started[id(cursor)] = time.perf_counter()

    def _after(
        self, _conn: Any, cursor: Any, statement: str, params: Any, _context: Any, _many: bool
    ) -> None:
        began = self._started.pop(id(cursor), None)
        if began is not None:
            seconds = time.perf_counter() - began
            self.statements.append(Statement(statement, params, seconds, cursor))

    def take(self) -> list[Statement]:
        out, self.statements = self.statements, []
        for statement in out:
            statement.settle()
        return out


async def _run(
    archive: Archive,
    config: Config,
    queries: dict[str, list[dict[str, str]]],
    per_shape_cap_s: float,
    log: Log,
) -> list[ShapeResult]:
    url = archive.engine.url.render_as_string(hide_password=False)
    app = create_app(Settings(database_url=url), config, archive)
    recorder = _Recorder(archive)
    results = []
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:

        async def get(params: dict[str, str]) -> tuple[float, int]:
            began = time.perf_counter()
            response = await client.get("/api/articles", params=params)
            elapsed = time.perf_counter() - began
            response.raise_for_status()
            body = response.json()
            assert body["ranked"], body
            return elapsed, len(body["items"])

        for shape, params_list in queries.items():
            warm, timed = params_list[:WARMUP], params_list[WARMUP:]
            for params in warm:
                await get(params)
            recorder.take()
            result = ShapeResult(shape, planned=len(timed))
            started = time.monotonic()
            for params in timed:
                seconds, items = await get(params)
                result.samples.append(Sample(params, seconds, items, recorder.take()))
                if time.monotonic() - started > per_shape_cap_s:
                    result.capped = True
                    break
            log(
                f"  {shape}: {len(result.samples)} queries, p50 {result.p50:.1f} ms, "
                f"p95 {result.p95:.1f} ms"
            )
            results.append(result)
    return results


def measure(
    archive: Archive,
    config: Config,
    queries: dict[str, list[dict[str, str]]],
    per_shape_cap_s: float,
    log: Log,
) -> list[ShapeResult]:
    return asyncio.run(_run(archive, config, queries, per_shape_cap_s, log))
