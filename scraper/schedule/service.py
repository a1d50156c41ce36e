"""Run the daemon as a service: the SQLite lock, signals, the metrics server, the event loop.

SIGTERM and SIGINT stop it cleanly (see :class:`~scraper.schedule.daemon.Daemon`); a second
SIGINT does not interrupt the grace period (systemd and Docker send SIGKILL after their own
timeout anyway). SIGHUP reloads the publishers file.
"""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Callable

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
    with DaemonLock(settings.database_url):
        asyncio.run(serve(Daemon(settings, config, archive)))


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
