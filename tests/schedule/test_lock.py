"""One daemon per SQLite file; the lock dies with its process; PostgreSQL needs none."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from scraper.errors import ConfigError
from scraper.schedule.lock import DaemonLock, lock_path


def test_second_daemon_on_one_sqlite_file_is_refused(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/a.db"
    with DaemonLock(url), pytest.raises(ConfigError, match=rf"pid {os.getpid()}.*PostgreSQL"):
        DaemonLock(url).__enter__()
    with DaemonLock(url):  # released on exit
        pass


def test_lock_of_a_killed_daemon_is_free_at_once(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/a.db"
    code = (
        "import sys, time\nfrom scraper.schedule.lock import DaemonLock\n"
        f"with DaemonLock({url!r}):\n    print('locked', flush=True)\n    time.sleep(60)\n"
    )
    child = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    assert child.stdout is not None and child.stdout.readline().strip() == "locked"
    with pytest.raises(ConfigError):
        DaemonLock(url).__enter__()
    child.send_signal(signal.SIGKILL)
    child.wait()
    with DaemonLock(url):
        pass


def test_only_sqlite_files_are_locked(tmp_path: Path) -> None:
    assert lock_path("postgresql+psycopg://u@127.0.0.1/db") is None
    assert lock_path("sqlite:///:memory:") is None
    assert lock_path(f"sqlite:///{tmp_path}/x.db") == tmp_path / "x.db.daemon.lock"
