"""When the archive cannot be written: recognise it, say it plainly, and back off.

A read-only database or a full disk is not a feed's fault and not a bug: every write fails the
same way until an operator acts, and polling more feeds meanwhile only burns their schedules
(and, before this module, printed one traceback per feed). :func:`classify` turns the driver's
error (SQLite or PostgreSQL, however deeply SQLAlchemy and :class:`StorageError` wrapped it) into
one :class:`ArchiveUnwritableError` that names what happened, which database, and what to do.
:class:`Outage` is the daemon's memory of such a fault: when it started, how often the retry
failed, and when to try again (exponential backoff, capped).

Losing the connection for a moment (a restart, ``pg_terminate_backend``) is *not* classified
here: ``Archive`` retries that on a fresh connection by itself. A server that refuses
connections outright, or says it is starting up or shutting down, is.
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
import time
from collections.abc import Callable, Coroutine, Iterator
from dataclasses import dataclass
from typing import Any, Final, Literal, TypeVar

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, SQLAlchemyError

from scraper.errors import StorageError

_T = TypeVar("_T")
FaultKind = Literal[
    "read_only", "disk_full", "io_error", "cannot_open", "unreachable", "unresponsive"
]


@dataclass(frozen=True, slots=True)
class _Kind:
    what: str
    todo: str


KINDS: Final[dict[FaultKind, _Kind]] = {
    "read_only": _Kind(
        "it is read-only",
        "make it writable again (file permissions or a read-only mount for SQLite; for "
        "PostgreSQL `ALTER DATABASE … RESET default_transaction_read_only`, or point "
        "SCRAPER_DATABASE_URL at the primary instead of a standby)",
    ),
    "disk_full": _Kind(
        "the disk holding it is full",
        "free space on that disk or grow it (`scraper` needs room for new articles and "
        "the database's journal)",
    ),
    "io_error": _Kind(
        "the disk reported an I/O error while writing",
        "check the disk (full, failing or removed?) and the system log",
    ),
    "cannot_open": _Kind(
        "the database file cannot be opened",
        "check that its directory exists and this user may write there",
    ),
    "unreachable": _Kind(
        "the database server is not accepting connections",
        "start it, or check SCRAPER_DATABASE_URL",
    ),
    "unresponsive": _Kind(
        "the database server did not answer in time (SCRAPER_DB_CONNECT_TIMEOUT, "
        "SCRAPER_DB_TCP_TIMEOUT or SCRAPER_DB_STATEMENT_TIMEOUT ran out)",
        "check the server's load and locks (a VACUUM FULL, an index build, a transaction "
        "left open) and the network to it",
    ),
}

# PostgreSQL SQLSTATEs (https://www.postgresql.org/docs/current/errcodes-appendix.html)
_PG_STATES: Final[dict[str, FaultKind]] = {
    "25006": "read_only",  # read_only_sql_transaction (default_transaction_read_only, standby)
    "53100": "disk_full",  # disk_full ("could not extend file …: No space left on device")
    "58030": "io_error",  # io_error
    "57P03": "unreachable",  # cannot_connect_now: starting up, shutting down, in recovery
    "08001": "unreachable",  # sqlclient_unable_to_establish_sqlconnection
    "08004": "unreachable",  # sqlserver_rejected_establishment_of_sqlconnection
    "57014": "unresponsive",  # query_canceled: SCRAPER_DB_STATEMENT_TIMEOUT ran out
}
# Message fragments, lower case, for errors that carry no code (both drivers' wordings).
_WORDS: Final[tuple[tuple[str, FaultKind], ...]] = (
    ("attempt to write a readonly database", "read_only"),
    ("read-only transaction", "read_only"),
    ("readonly database", "read_only"),
    ("database or disk is full", "disk_full"),
    ("no space left on device", "disk_full"),
    ("could not extend file", "disk_full"),
    ("disk quota exceeded", "disk_full"),
    ("disk i/o error", "io_error"),
    ("unable to open database file", "cannot_open"),
    ("connection refused", "unreachable"),
    ("the database system is starting up", "unreachable"),
    ("the database system is shutting down", "unreachable"),
    ("the database system is in recovery mode", "unreachable"),
    ("could not connect to server", "unreachable"),
    # The timeouts scraper.store.db sets: a server that hangs instead of refusing.
    ("connection timeout expired", "unresponsive"),
    ("canceling statement due to statement timeout", "unresponsive"),
)
_SQLITE_PREFIXES: Final[tuple[tuple[str, FaultKind], ...]] = (
    ("SQLITE_READONLY", "read_only"),
    ("SQLITE_PERM", "read_only"),
    ("SQLITE_FULL", "disk_full"),
    ("SQLITE_IOERR", "io_error"),
    ("SQLITE_CANTOPEN", "cannot_open"),
)


class ArchiveUnwritableError(StorageError):
    """The archive database refuses every write until someone fixes it; ``kind`` says why.

    ``str()`` is the whole operator message: what happened, to which database, what to do,
    and the driver's own words last (they are what a search engine knows).
    """

    def __init__(self, kind: FaultKind, database: str, detail: str) -> None:
        self.kind: FaultKind = kind
        self.database = database
        self.detail = detail
        self.what = KINDS[kind].what
        self.todo = KINDS[kind].todo
        super().__init__(
            f"cannot write to the archive database {database}: {self.what}. "
            f"What to do: {self.todo}. (database said: {detail})"
        )

    def __reduce__(self) -> tuple[type[ArchiveUnwritableError], tuple[FaultKind, str, str]]:
        """Pickled by what it was made from (a crawl process reports it to its parent)."""
        return type(self), (self.kind, self.database, self.detail)


def describe_database(url: str) -> str:
    """The database as an operator recognises it, without its password: the file for SQLite."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        return "(unparseable SCRAPER_DATABASE_URL)"
    if parsed.get_backend_name() == "sqlite":
        path = parsed.database or ":memory:"
        return f"file {path.removeprefix('file:')}"
    return parsed.render_as_string(hide_password=True)


def _chain(exc: BaseException) -> list[BaseException]:
    """The exception, what it wraps (DBAPI ``orig``) and what caused it, each once."""
    seen: list[BaseException] = []
    todo: list[BaseException | None] = [exc]
    while todo:
        item = todo.pop(0)
        if item is None or any(item is s for s in seen) or len(seen) > 20:
            continue
        seen.append(item)
        orig = item.orig if isinstance(item, DBAPIError) else None
        todo += [orig if isinstance(orig, BaseException) else None, item.__cause__,
                 item.__context__]  # fmt: skip
    return seen


def _found(exc: BaseException) -> tuple[FaultKind, BaseException] | None:
    """The fault an exception's chain names, and the link that named it."""
    chain = _chain(exc)
    for item in chain:
        if isinstance(item, ArchiveUnwritableError):
            return item.kind, item
        sqlstate = getattr(item, "sqlstate", None)
        if isinstance(sqlstate, str) and sqlstate in _PG_STATES:
            return _PG_STATES[sqlstate], item
        name = getattr(item, "sqlite_errorname", None)
        if isinstance(name, str):
            for prefix, kind in _SQLITE_PREFIXES:
                if name.startswith(prefix):
                    return kind, item
    for item in reversed(chain):  # the innermost wording first: the driver's own
        if _from_database(item) and (found := kind_in_message(str(item))):
            return found, item
    return None


def _from_database(exc: BaseException) -> bool:
    """Words are trusted only from the database's errors: "connection refused" from a feed's
    server (say, in a ``__context__``) must not pause the daemon as an archive outage."""
    if isinstance(exc, SQLAlchemyError | StorageError | sqlite3.Error):
        return True
    return type(exc).__module__.split(".")[0] == "psycopg"


def kind_of(exc: BaseException) -> FaultKind | None:
    """Which fault an exception (or anything in its chain) is, or None when it is none."""
    found = _found(exc)
    return found[0] if found else None


def kind_in_message(message: str) -> FaultKind | None:
    """The fault a stored error message names (a crawl's failures keep only the message)."""
    lowered = message.lower()
    return next((kind for words, kind in _WORDS if words in lowered), None)


def _driver_words(message: str) -> str:
    """The driver's part of a message: its first line, without SQLAlchemy's ``[SQL: …]``."""
    line = message.strip().splitlines()[0] if message.strip() else ""
    return line.split(" [SQL:", 1)[0].strip()[:300]


def classify(exc: BaseException, database_url: str) -> ArchiveUnwritableError | None:
    """An :class:`ArchiveUnwritableError` for an error that means the archive cannot be written,
    naming the database of ``database_url``; None for every other error (those stay bugs or
    per-item failures, reported where they happen)."""
    if isinstance(exc, ArchiveUnwritableError):
        return exc
    found = _found(exc)
    if found is None:
        return None
    kind, item = found
    detail = _driver_words(str(item)) or type(item).__name__
    return ArchiveUnwritableError(kind, describe_database(database_url), detail)


def from_message(message: str, database_url: str) -> ArchiveUnwritableError | None:
    """Like :func:`classify`, for a failure of which only the message was kept."""
    kind = kind_in_message(message)
    if kind is None:
        return None
    # "URL: cannot store article: (sqlite3.OperationalError) database or disk is full [SQL…"
    driver = _driver_words(message).rsplit(": ", 1)[-1]
    return ArchiveUnwritableError(kind, describe_database(database_url), driver or kind)


@contextlib.contextmanager
def reported(database_url: str) -> Iterator[None]:
    """Re-raise an archive write fault escaping the block as one :class:`ArchiveUnwritableError`
    (a :class:`~scraper.errors.ScraperError`: the CLI prints its message, no traceback)."""
    try:
        yield
    except Exception as exc:
        fault = classify(exc, database_url)
        if fault is None or fault is exc:
            raise
        raise fault from exc


async def quiet(coro: Coroutine[Any, Any, _T]) -> _T:
    """Run ``coro`` (a crawl) so that an archive write fault ends it with one report.

    When the archive stops taking writes mid-crawl, every feed's task fails the same way, and
    the first failure ends the crawl; asyncio would then print each of the others ("Task
    exception was never retrieved": the same fault again, or a request on the HTTP client the
    ending crawl just closed) with a traceback of its own. After a fault those are dropped; the
    caller reports the fault once. Any other unhandled task error is still printed.
    """
    loop = asyncio.get_running_loop()
    previous = loop.get_exception_handler()
    aborted = False

    def handler(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        exc = context.get("exception")
        if aborted or (isinstance(exc, BaseException) and kind_of(exc) is not None):
            return
        if previous is not None:
            previous(loop, context)
        else:
            loop.default_exception_handler(context)

    loop.set_exception_handler(handler)
    try:
        return await coro
    except Exception as exc:
        aborted = kind_of(exc) is not None
        raise


class Outage:
    """The daemon's memory of one period during which the archive cannot be written.

    The first failure starts it; the daemon then tries again after ``first_s``, and after
    every failed retry waits twice as long, up to ``max_s``. Failures that arrive before the
    next retry was due (the other polls that were running when the fault began) do not grow
    the delay: they are the same failure seen again. :meth:`recovered` ends it.
    """

    def __init__(
        self, first_s: float, max_s: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.first_s = max(first_s, 0.0)
        self.max_s = max(max_s, self.first_s)
        self._clock = clock
        self.fault: ArchiveUnwritableError | None = None
        self.started = 0.0
        self.attempts = 0
        self.retry_at = 0.0

    @property
    def active(self) -> bool:
        return self.fault is not None

    def delay(self) -> float:
        """Seconds from the latest failed try to the next one."""
        return min(self.max_s, self.first_s * 2.0 ** max(self.attempts - 1, 0))

    def failed(self, fault: ArchiveUnwritableError) -> bool:
        """Record a failed write; True when it starts a new outage (log it then, once)."""
        now = self._clock()
        new = self.fault is None
        if new:
            self.started, self.attempts = now, 1
        elif now >= self.retry_at:
            self.attempts += 1  # a retry failed, not a straggler of the first wave
        self.fault = fault
        self.retry_at = now + self.delay() if new else max(self.retry_at, now + self.delay())
        return new

    def ready(self) -> bool:
        """May the daemon write now: no outage, or its next retry is due."""
        return self.fault is None or self._clock() >= self.retry_at

    def retry_in(self) -> float:
        return max(self.retry_at - self._clock(), 0.0)

    def duration(self) -> float:
        return self._clock() - self.started if self.fault is not None else 0.0

    def recovered(self) -> float | None:
        """End the outage; returns how long it lasted (None when there was none)."""
        if self.fault is None:
            return None
        lasted = self.duration()
        self.fault, self.attempts, self.retry_at = None, 0, 0.0
        return lasted
