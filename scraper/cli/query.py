"""``scraper search``, ``show`` and ``export``: read the archive."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from scraper.cli.context import AppContext
from scraper.cli.output import stdout_console
from scraper.dedup.revisions import Version, history
from scraper.domains import Resolver
from scraper.models import Article
from scraper.query.contract import FIELDS, article_to_csv_row, article_to_dict, iso, parse_when
from scraper.query.warc import write_warc
from scraper.reextract import reextract
from scraper.store.archive import ArticleFilter
from scraper.store.filters import LANGUAGE_PATTERN


class DateParam(click.ParamType):  # type: ignore[type-arg]
    name = "DATE"

    def __init__(self, *, end: bool = False) -> None:
        self.end = end

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> datetime:
        if isinstance(value, datetime):
            return value
        try:
            return parse_when(str(value), end=self.end)
        except ValueError as exc:
            self.fail(str(exc), param, ctx)


class LanguageParam(click.ParamType):  # type: ignore[type-arg]
    """A language code as the API's ``language=`` takes it (``de``, ``EN``, ``pt-BR``)."""

    name = "CODE"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        code = str(value).strip()
        if not LANGUAGE_PATTERN.fullmatch(code):
            self.fail(f"{value!r} is not a language code (ISO 639-1, e.g. de)", param, ctx)
        return code


def _filters(
    publishers: tuple[str, ...],
    since: datetime | None,
    until: datetime | None,
    language: str | None = None,
) -> ArticleFilter:
    return ArticleFilter(publishers=publishers, since=since, until=until, language=language)


_filter_options = [
    click.option(
        "--publisher",
        "publishers",
        multiple=True,
        metavar="ID",
        help="Only this publisher (repeatable).",
    ),
    click.option("--since", type=DateParam(), help="Published on or after (YYYY-MM-DD)."),
    click.option("--until", type=DateParam(end=True), help="Published on or before."),
    click.option(
        "--language",
        type=LanguageParam(),
        help="Only articles in this language (ISO 639-1, e.g. de; any case), as the API's "
        "language=. Search also parses the query in that language only.",
    ),
]


def filter_options(fn: Any) -> Any:
    for option in reversed(_filter_options):
        fn = option(fn)
    return fn


@click.command("search")
@click.argument("query", required=False, default="")
@filter_options
@click.option("--limit", type=click.IntRange(1, 1000), default=20, show_default=True)
@click.option("--format", "fmt", type=click.Choice(["table", "json", "jsonl"]), default="table")
@click.option(
    "--all",
    "show_all",
    is_flag=True,
    help="Every copy of a story; by default a story cluster (the same text from several "
    "publishers) shows once, its best-ranked copy, with the other publishers named.",
)
@click.pass_obj
def search_command(
    app: AppContext,
    query: str,
    publishers: tuple[str, ...],
    since: datetime | None,
    until: datetime | None,
    language: str | None,
    limit: int,
    fmt: str,
    show_all: bool,
) -> None:
    """Ranked full-text search. QUERY: words, "a phrase", -excluded, a or b."""
    filters = _filters(publishers, since, until, language)
    results = app.archive().search(query, filters, limit, collapse=not show_all)
    if fmt == "json":
        click.echo(
            json.dumps(
                [article_to_dict(a, text=False) for a in results], indent=2, ensure_ascii=False
            )
        )
    elif fmt == "jsonl":
        for article in results:
            click.echo(json.dumps(article_to_dict(article, text=False), ensure_ascii=False))
    else:
        _search_table(results, stdout_console())


def _highlight(snippet: str) -> str:
    parts = escape(snippet.replace("\n", " ")).split("**")
    return "".join(f"[bold yellow]{p}[/]" if i % 2 else p for i, p in enumerate(parts))


def _search_table(results: list[Article], console: Console) -> None:
    if not results:
        console.print("no matching articles")
        return
    table = Table(show_lines=True)
    for name in ("id", "published", "publisher", "title / snippet"):
        table.add_column(name, overflow="fold")
    for article in results:
        when = article.published_at.strftime("%Y-%m-%d") if article.published_at else "—"
        body = f"[bold]{escape(article.title or '(untitled)')}[/]\n{escape(article.url)}"
        if article.snippet:
            body += "\n" + _highlight(article.snippet)
        if article.also_published_by:
            body += f"\n[dim]also published by: {escape(', '.join(article.also_published_by))}[/]"
        table.add_row(str(article.id), when, article.publisher, body)
    console.print(table)


@click.command("show")
@click.argument("ref", metavar="ID-OR-URL")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@click.option(
    "--revisions",
    is_flag=True,
    help="Print the article's text history instead: a paragraph-level diff per change.",
)
@click.pass_obj
def show_command(app: AppContext, ref: str, fmt: str, revisions: bool) -> None:
    """Print one article, by archive id or by any URL it was seen under."""
    archive = app.archive()
    if ref.isdigit():
        article = archive.get(int(ref))
    else:
        article = archive.find(Resolver(app.effective_config().publishers).lookup_urls(ref))
    if article is None:
        raise click.ClickException(f"no article {ref!r} in the archive")
    if revisions:
        _show_revisions(article, archive.versions(article.id), fmt)
        return
    if fmt == "json":
        click.echo(json.dumps(article_to_dict(article), indent=2, ensure_ascii=False))
        return
    click.echo(article.title or "(untitled)")
    click.echo(
        f"{article.publisher} · {iso(article.published_at) or 'undated'} · "
        f"{', '.join(article.authors) or 'no author'} · {article.language or '?'} · "
        f"{article.word_count} words"
        + (f" · {article.revisions} earlier versions" if article.revisions else "")
        + (f" · story cluster {article.cluster}" if article.cluster is not None else "")
    )
    for url in article.urls:
        click.echo(f"  {url}")
    click.echo()
    click.echo(article.text)


def _show_revisions(article: Article, versions: list[Version], fmt: str) -> None:
    if fmt == "json":
        data = [
            {"title": v.title, "seen_at": iso(v.seen_at), "replaced_at": iso(v.replaced_at),
             "text": v.text}
            for v in versions
        ]  # fmt: skip
        click.echo(json.dumps({"id": article.id, "versions": data}, indent=2, ensure_ascii=False))
        return
    click.echo(f"{article.title or '(untitled)'} — {len(versions)} version(s)")
    if len(versions) < 2:
        click.echo("the text never changed")
        return
    click.echo()
    for line in history(versions):
        click.echo(line)


@click.command("export")
@filter_options
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["jsonl", "csv", "warc"]),
    default="jsonl",
    show_default=True,
    help="warc: the stored raw pages, with the clean text as metadata records (needs --output).",
)
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, allow_dash=True),
    default="-",
    help="File to write (default: standard output).",
)
@click.pass_obj
def export_command(
    app: AppContext,
    publishers: tuple[str, ...],
    since: datetime | None,
    until: datetime | None,
    language: str | None,
    fmt: str,
    output: str,
) -> None:
    """Stream every matching article (memory stays flat on any archive size)."""
    filters = _filters(publishers, since, until, language)
    if fmt == "warc":
        if output == "-":
            raise click.UsageError("--format warc writes a binary file: give --output FILE")
        with Path(output).open("wb") as out:
            count = write_warc(app.archive().pages(filters), out)
        click.echo(f"wrote {count} pages to {output}", err=True)
        return
    with click.open_file(output, "w", encoding="utf-8") as out:
        _write_articles(app.archive().export(filters), fmt, out)


def _write_articles(articles: Iterator[Article], fmt: str, out: Any) -> None:
    if fmt == "csv":
        writer = csv.DictWriter(out, fieldnames=FIELDS, lineterminator="\n")
        writer.writeheader()
        for article in articles:
            writer.writerow(article_to_csv_row(article))
        return
    for article in articles:
        out.write(json.dumps(article_to_dict(article), ensure_ascii=False) + "\n")


@click.command("reextract")
@filter_options
@click.pass_obj
def reextract_command(
    app: AppContext,
    publishers: tuple[str, ...],
    since: datetime | None,
    until: datetime | None,
    language: str | None,
) -> None:
    """Re-run extraction on stored pages (after the extractor or a publisher's rules changed).

    Updates text and search index in place; keeps the old text as a revision only when the
    text truly changed.
    """
    summary = reextract(
        app.archive(),
        app.effective_config(),
        _filters(publishers, since, until, language),
        settings=app.settings,
    )
    skipped = ", ".join(f"{n} {reason}" for reason, n in summary.skipped.items()) or "none"
    click.echo(
        f"{summary.pages} pages: {summary.updated} updated, {summary.unchanged} unchanged"
        f", skipped: {skipped}"
    )
