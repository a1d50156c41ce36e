"""Single-purpose tools: extract one page, resolve one URL, list publishers."""

from __future__ import annotations

import json
import sys
from typing import Any

import click

from scraper.cli.context import AppContext
from scraper.domains import Resolver
from scraper.query.contract import iso


@click.command("extract")
@click.argument("source", type=click.File("rb"), default="-", metavar="[FILE|-]")
@click.option("--url", help="The page's URL (resolves relative links, URL dates).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
def extract_command(source: Any, url: str | None, fmt: str) -> None:
    """Extract the article text and metadata of one saved HTML page."""
    from scraper.extract import extract

    result = extract(source.read(), url)
    if fmt == "text":
        click.echo(result.text)
        return
    click.echo(json.dumps({
        "title": result.title, "authors": list(result.authors),
        "published_at": iso(result.published_at), "language": result.language,
        "canonical_url": result.canonical_url, "text": result.text,
    }, indent=2, ensure_ascii=False))  # fmt: skip


@click.group("domains")
def domains_group() -> None:
    """Publisher domains: resolve URLs to their publisher and canonical form."""


@domains_group.command("resolve")
@click.argument("urls", nargs=-1, required=True)
@click.pass_obj
def resolve_command(app: AppContext, urls: tuple[str, ...]) -> None:
    """Print the publisher, canonical URL and the rules that applied, for each URL."""
    resolver = Resolver(app.config.publishers)
    for url in urls:
        res = resolver.resolve(url)
        click.echo(
            f"{url}\n  publisher: {res.publisher_id or '(unknown)'}\n"
            f"  canonical: {res.canonical_url}\n  rules: {', '.join(res.rules) or 'none'}"
        )


@click.group("publishers")
def publishers_group() -> None:
    """The configured publishers."""


@publishers_group.command("list")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@click.pass_obj
def list_command(app: AppContext, fmt: str) -> None:
    """List publishers with their domains and feeds."""
    if fmt == "json":
        data = [p.model_dump(mode="json") for p in app.config.publishers]
        json.dump(data, sys.stdout, indent=2)
        click.echo()
        return
    for publisher in app.config.publishers:
        click.echo(f"{publisher.id}: {publisher.name}")
        click.echo(f"  domains: {', '.join(publisher.domains)}")
        for feed in publisher.feeds:
            click.echo(f"  feed: {feed}")
