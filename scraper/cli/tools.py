"""Single-purpose tools: extract one page, resolve one URL, list publishers."""

from __future__ import annotations

import json
import sys
from typing import Any

import click

from scraper.cli.context import AppContext
from scraper.crawl import suggestions
from scraper.domains import Resolver
from scraper.query.contract import iso


@click.command("extract")
@click.argument("source", type=click.File("rb"), default="-", metavar="[FILE|-]")
@click.option("--url", help="The page's URL (resolves relative links, URL dates).")
@click.option("--charset", help="The charset the server's Content-Type named (it outranks <meta>).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
def extract_command(source: Any, url: str | None, charset: str | None, fmt: str) -> None:
    """Extract the article text and metadata of one saved HTML page."""
    from scraper.extract import extract

    result = extract(source.read(), url, charset=charset)
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
    resolver = Resolver(app.effective_config().publishers)
    for url in urls:
        click.echo("\n".join(resolver.resolve(url).describe()))


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


@domains_group.command("suggest")
@click.option("--publisher", "publisher_id", metavar="ID", help="Only this publisher's moves.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@click.pass_obj
def suggest_command(app: AppContext, publisher_id: str | None, fmt: str) -> None:
    """List candidate domain moves with their evidence, strongest first."""
    config = app.effective_config()
    items = suggestions(app.archive(), config)
    items = [s for s in items if publisher_id in (None, s.publisher_id)]
    if fmt == "json":
        click.echo(json.dumps([{
            "publisher": s.publisher_id, "from": s.from_host, "to": s.to_host,
            "evidence": s.kinds, "strength": s.strength, "configured": s.configured,
            "example": s.example_url, "last_seen_at": iso(s.last_seen_at),
        } for s in items], indent=2))  # fmt: skip
        return
    if not items:
        click.echo("no evidence of any domain move yet")
    for s in items:
        state = "already configured" if s.configured else "NEW"
        kinds = ", ".join(f"{kind} ×{n}" for kind, n in sorted(s.kinds.items()))
        click.echo(
            f"{s.publisher_id or '(unknown publisher)'}: {s.from_host} → {s.to_host} "
            f"[{state}; {s.strength} kind(s)]\n  evidence: {kinds}\n"
            f"  example: {s.example_url}"
        )


@domains_group.command("adopt")
@click.argument("from_host")
@click.argument("to_host")
@click.option(
    "--publisher",
    "publisher_id",
    metavar="ID",
    help="The publisher moving (default: the one FROM_HOST belongs to).",
)
@click.pass_obj
def adopt_command(app: AppContext, from_host: str, to_host: str, publisher_id: str | None) -> None:
    """Record that a publisher moved from FROM_HOST to TO_HOST (its new canonical domain).

    The publishers file is not rewritten; the move is applied on top of it from now on.
    """
    config = app.effective_config()
    owner = publisher_id or Resolver(config.publishers).publisher_for_host(from_host)
    if owner is None:
        raise click.ClickException(
            f"{from_host} belongs to no configured publisher: use --publisher"
        )
    config.publisher(owner)
    app.archive().adopt(owner, from_host.lower(), to_host.lower(), "manual")
    click.echo(f"{owner}: canonical domain is now {to_host.lower()} (was {from_host.lower()})")
