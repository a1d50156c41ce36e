"""``scraper crawl``: one pass over the configured feeds, with progress and a summary."""

from __future__ import annotations

import json
import sys

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from scraper.cli.context import AppContext
from scraper.cli.output import stdout_console
from scraper.crawl import CrawlSummary, effective_config, select_feeds
from scraper.crawl_processes import crawl_in_processes
from scraper.pipeline import FeedOutcome
from scraper.store.faults import reported


@click.command("crawl")
@click.option(
    "--publisher",
    "publishers",
    multiple=True,
    metavar="ID",
    help="Crawl only this publisher's feeds (repeatable).",
)
@click.option(
    "--feed",
    "feeds",
    multiple=True,
    metavar="URL",
    help="Crawl only this configured feed (repeatable).",
)
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", help="Summary format."
)
@click.option(
    "--processes",
    type=click.IntRange(1, 256),
    default=None,
    help="Split the feeds over this many processes, by publisher (default: "
    "SCRAPER_CRAWL_PROCESSES, 1). Worth it on a cold crawl with cores to spare.",
)
@click.pass_obj
def crawl_command(
    app: AppContext,
    publishers: tuple[str, ...],
    feeds: tuple[str, ...],
    fmt: str,
    processes: int | None,
) -> None:
    """Fetch every configured feed once and archive what is new.

    Exits non-zero only when no feed at all could be crawled, or (status 2, with one message
    saying what to do) when the archive cannot be written.
    """
    with reported(app.settings.database_url):
        _crawl(app, publishers, feeds, fmt, processes or app.settings.crawl_processes)


def _crawl(
    app: AppContext, publishers: tuple[str, ...], feeds: tuple[str, ...], fmt: str, processes: int
) -> None:
    archive = app.archive()
    config = effective_config(archive, app.config)
    archive.sync_config(config)
    refs = select_feeds(archive, config, publishers, feeds)
    err = Console(stderr=True)
    show_progress = fmt == "text" and err.is_terminal
    with Progress(
        TextColumn("[bold]crawling"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[last]}"),
        TimeElapsedColumn(),
        console=err,
        disable=not show_progress,
        transient=True,
    ) as progress:
        task = progress.add_task("crawl", total=len(refs), last="")

        def done(outcome: FeedOutcome) -> None:
            progress.update(task, advance=1, last=outcome.feed.url[-50:])

        summary = crawl_in_processes(app.settings, config, archive, refs, processes, done)
    if fmt == "json":
        click.echo(json.dumps(summary.as_dict(), indent=2))
    else:
        render_summary(summary, stdout_console())
    if summary.nothing_crawled:
        sys.exit(1)


def render_summary(summary: CrawlSummary, console: Console) -> None:
    table = Table(title="Crawl summary", show_header=False, title_justify="left")
    table.add_column(style="bold")
    table.add_column()
    table.add_row(
        "feeds",
        f"{summary.feeds} total · {summary.feeds_ok} ok · "
        f"{summary.feeds_not_modified} not modified · {summary.feeds_failed} failed",
    )
    table.add_row(
        "articles", f"{summary.new} new · {summary.updated} updated · {summary.known} already known"
    )
    for source, target in summary.failovers[:10]:
        table.add_row("failover", f"{source} → {target}")
    for move in summary.adopted:
        table.add_row("adopted", f"{move.publisher_id}: {move.from_host} → {move.to_host}")
    for kind, count in summary.errors_by_kind.items():
        table.add_row("errors", f"{count} × {kind}")
    console.print(table)
    for failure in summary.failures[:20]:
        console.print(
            f"  [red]✗[/] {failure.stage}:{failure.reason} {failure.url} — {failure.message}",
            highlight=False,
            markup=True,
            soft_wrap=True,
        )
    if len(summary.failures) > 20:
        console.print(f"  … and {len(summary.failures) - 20} more (see the fetch log)")
