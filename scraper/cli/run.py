"""``scraper run``: the long-running daemon (see docs/daemon.md)."""

from __future__ import annotations

import click

from scraper.cli.context import AppContext
from scraper.schedule.service import run_daemon
from scraper.store.faults import reported


@click.command("run")
@click.pass_obj
def run_command(app: AppContext) -> None:
    """Poll every enabled feed on its own schedule until stopped.

    SIGTERM or SIGINT stop it cleanly (running polls get SCRAPER_SHUTDOWN_GRACE seconds);
    SIGHUP, or saving the publishers file, reloads publishers and feeds. With PostgreSQL any
    number of `scraper run` processes share the feeds; with SQLite only one may run.
    """
    with reported(app.settings.database_url):  # at start-up; later the daemon rides it out
        run_daemon(app.settings, app.effective_config(), app.archive())
