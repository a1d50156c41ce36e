"""One daemon per SQLite database: an exclusive ``flock`` on a file next to the database.

SQLite has no ``SKIP LOCKED`` and one writer at a time, so two daemons on one file would only
poll feeds twice and fight over the write lock. ``flock`` is released by the kernel when the
process dies, even by SIGKILL, so a crashed daemon never blocks the next one (a lock *row* in
the database would). PostgreSQL needs no lock: daemons share the work through leases.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path
from types import TracebackType

from sqlalchemy.engine import make_url

from scraper.errors import ConfigError


def lock_path(database_url: str) -> Path | None:
    """The lock file for an SQLite URL (None for PostgreSQL and in-memory databases)."""
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return None
    return (
        Path(str(url.database))
        .expanduser()
        .resolve()
        .with_name(Path(str(url.database)).name + ".daemon.lock")
    )


class DaemonLock:
    """Context manager holding the lock; raises ConfigError naming the other daemon's pid."""

    def __init__(self, database_url: str) -> None:
        self.path = lock_path(database_url)
        self._fd: int | None = None

    def __enter__(self) -> DaemonLock:
        if self.path is None:
            return self
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip() or "unknown"
            os.close(fd)
            raise ConfigError(
                f"another `scraper run` (pid {holder}) already uses this SQLite database "
                f"(lock file {self.path}); SQLite supports one daemon at a time — use "
                "PostgreSQL to run several"
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode("ascii"), 0)
        self._fd = fd
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None
