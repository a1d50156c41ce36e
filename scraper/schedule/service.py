"""Run the daemon as a service: the SQLite lock, signals, the metrics server, the event loop.

SIGTERM and SIGINT stop it cleanly (see :class:`~scraper.schedule.daemon.Daemon`); a second
SIGINT does not interrupt the grace period (systemd and Docker send SIGKILL after their own
timeout anyway). SIGHUP reloads the publishers file.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import sys
from collections.abc import Callable
from typing import NoReturn

from scraper.config import Config
from scraper.errors import ConfigError
from scraper.schedule.daemon import Daemon
from scraper.schedule.lock import DaemonLock
from scraper.schedule.metrics import MetricsServer
from scraper.settings import Settings
from scraper.store.archive import Archive

log = logging.getLogger(__name__)


def run_daemon(settings: Settings, config: Config, archive: Archive) -> None:
    """Block until SIGTERM/SIGINT; raises ConfigError when another daemon holds SQLite."""
    with DaemonLock(settings.database_url), asyncio.Runner() as runner:
        daemon = Daemon(settings, config, archive)
        try:
            runner.run(serve(daemon))
        finally:
            if daemon.abandoned:
                _exit_abandoning(failed=sys.exc_info()[0] is not None)


def _exit_abandoning(*, failed: bool) -> NoReturn:
    """Exit now, without the interpreter's exit: a thread blocked in a database call that
    does not answer cannot be interrupted, and both closing the event loop (which joins its
    executor) and interpreter exit (which joins every worker thread) would wait for it
    forever, after the daemon has already stopped within its grace. The kernel releases the
    SQLite lock and the server's connections; leases expire by themselves."""
    log.warning("Exiting without waiting for database calls that do not answer")
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        stream.flush()
    os._exit(1 if failed else 0)


async def serve(daemon: Daemon, stop: asyncio.Event | None = None) -> None:
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, _stopper(stop, signum))
    loop.add_signal_handler(signal.SIGHUP, lambda: _reload(daemon))
    server = await _metrics_server(daemon)
    try:
        await daemon.run(stop)
    finally:
        if server is not None:
            await server.close()
        for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            loop.remove_signal_handler(signum)


def _stopper(stop: asyncio.Event, signum: int) -> Callable[[], None]:
    def handler() -> None:
        log.warning("Stopping", extra={"signal": signal.Signals(signum).name})
        stop.set()

    return handler


_reloads: set[asyncio.Task[None]] = set()


def _reload(daemon: Daemon) -> None:
    task = asyncio.get_running_loop().create_task(daemon.reload("SIGHUP"))
    _reloads.add(task)
    task.add_done_callback(_reloads.discard)


async def _metrics_server(daemon: Daemon) -> MetricsServer | None:
    port = daemon.settings.metrics_port
    if port is None:
        return None
    server = MetricsServer(daemon.metrics, daemon.health)
    try:
        await server.start(daemon.settings.metrics_host, port)
    except OSError as exc:
        raise ConfigError(f"SCRAPER_METRICS_PORT: cannot listen on port {port}: {exc}") from exc
    return server
