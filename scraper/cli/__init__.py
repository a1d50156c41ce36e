"""The ``scraper`` command. Commands are thin: parse options, call one module, render."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from scraper import __version__
from scraper.cli.context import AppContext
from scraper.cli.crawl import crawl_command
from scraper.cli.db import db_group
from scraper.cli.feeds import feeds_group
from scraper.cli.query import export_command, reextract_command, search_command, show_command
from scraper.cli.run import run_command
from scraper.cli.serve import serve_command
from scraper.cli.tools import domains_group, extract_command, publishers_group
from scraper.errors import ScraperError


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--config",
    "config_path",
    type=click.Path(path_type=Path, dir_okay=False),
    envvar="SCRAPER_CONFIG",
    help="Publishers file [env SCRAPER_CONFIG; default config/publishers.toml].",
)
@click.option("-v", "--verbose", count=True, help="More log output (-v info, -vv debug).")
@click.version_option(__version__, prog_name="scraper")
@click.pass_context
def cli(ctx: click.Context, config_path: Path | None, verbose: int) -> None:
    """A news archive that keeps one clean copy of every article, across domain moves."""
    ctx.obj = AppContext.create(config_path, verbose)


cli.add_command(crawl_command)
cli.add_command(search_command)
cli.add_command(show_command)
cli.add_command(export_command)
cli.add_command(reextract_command)
cli.add_command(db_group)
cli.add_command(extract_command)
cli.add_command(domains_group)
cli.add_command(publishers_group)
cli.add_command(serve_command)
cli.add_command(run_command)
cli.add_command(feeds_group)


def main() -> None:
    try:
        cli.main(standalone_mode=False)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except ScraperError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
