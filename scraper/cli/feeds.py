"""``scraper feeds``: what the daemon follows, and how each feed is doing.

Feeds live in the database. The publishers file adds its feeds there on every start and reload;
``feeds add`` and ``feeds import`` add more, each under a configured publisher (the pipeline
needs the publisher's rules). The file wins over ``feeds remove`` for the feeds it lists, so
removing one of those is refused; disable it instead, or delete it from the file first.
"""

from __future__ import annotations

import dataclasses
import json
import sys
from datetime import UTC, datetime
from pathlib import Path

import click
from rich.console import Console
from rich.table import Table

from scraper.cli.context import AppContext
from scraper.cli.output import stdout_is_terminal, tsv_row
from scraper.config import Config
from scraper.domains import Resolver
from scraper.errors import ConfigError
from scraper.feeds.identity import FeedIdentity, FollowedFeed, FollowedFeeds, check_feed_url
from scraper.feeds.opml import OpmlFeed, OpmlFolder, export_opml, parse_opml
from scraper.store.schedule import FeedStatus, ScheduleStore

FORMAT = click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", help="Output format."
)


@click.group("feeds")
def feeds_group() -> None:
    """List, add, remove, enable and disable feeds; OPML import and export."""


def _store(app: AppContext) -> ScheduleStore:
    archive = app.archive()
    archive.sync_config(app.config)
    return ScheduleStore(archive.engine)


def _now() -> datetime:
    return datetime.now(UTC)


def _age(when: datetime | None, now: datetime | None = None) -> str:
    if when is None:
        return "—"
    seconds = (when - (now or _now())).total_seconds()
    span = abs(seconds)
    text = (
        f"{span:.0f} s" if span < 120 else f"{span / 60:.0f} min" if span < 7200
        else f"{span / 3600:.1f} h"
    )  # fmt: skip
    return f"in {text}" if seconds > 0 else f"{text} ago"


def feed_state(r: FeedStatus) -> str:
    """disabled, failing, never polled (a new feed, due now) or ok."""
    if r.disabled_at:
        return "disabled"
    if r.consecutive_errors:
        return "failing"
    return "never polled" if r.last_polled_at is None else "ok"


def next_poll_text(r: FeedStatus, now: datetime) -> str:
    """When the next poll is due. No time yet (a new feed) or a time passed is "due now":
    the daemon claims it at its next look, so "—" would wrongly read as "not scheduled"."""
    if r.disabled_at:
        return "—"
    if r.next_poll_at is None or r.next_poll_at <= now:
        return "due now"
    return _age(r.next_poll_at, now)


def _json(rows: list[FeedStatus]) -> str:
    def plain(value: object) -> object:
        return value.isoformat() if isinstance(value, datetime) else value

    return json.dumps(
        [{k: plain(v) for k, v in dataclasses.asdict(r).items()} for r in rows], indent=2
    )


@feeds_group.command("list")
@click.option("--publisher", "publishers", multiple=True, metavar="ID", help="Only these.")
@FORMAT
@click.pass_obj
def list_command(app: AppContext, publishers: tuple[str, ...], fmt: str) -> None:
    """Every feed: publisher, state, interval and next poll."""
    rows = _store(app).statuses(publisher_ids=publishers)
    if fmt == "json":
        click.echo(_json(rows))
        return
    header = ("publisher", "feed", "state", "interval", "next poll")
    lines = []
    now = _now()
    for r in rows:
        interval = f"{r.interval_s:.0f} s" if r.interval_s else "—"
        lines.append((r.publisher_id, r.url, feed_state(r), interval, next_poll_text(r, now)))
    if not stdout_is_terminal():  # whole URLs, one feed a line: for grep, cut and scripts
        click.echo("\n".join(tsv_row(*line) for line in (header, *lines)))
        return
    table = Table(*header)
    table.columns[1].overflow = "fold"  # a narrow terminal breaks a URL, never cuts it
    for line in lines:
        table.add_row(*line)
    Console().print(table)


@feeds_group.command("status")
@click.argument("urls", nargs=-1, metavar="[URL]...")
@FORMAT
@click.pass_obj
def status_command(app: AppContext, urls: tuple[str, ...], fmt: str) -> None:
    """Last poll, HTTP status, next poll, error streak and reason, items per day."""
    rows = _store(app).statuses(urls=urls)
    if urls and len(rows) < len(set(urls)):
        missing = set(urls) - {r.url for r in rows}
        raise ConfigError("not a followed feed: " + ", ".join(sorted(missing)))
    if fmt == "json":
        click.echo(_json(rows))
        return
    for r in rows:
        click.echo(_describe(r))


def _describe(r: FeedStatus) -> str:
    lines = [
        f"{r.url}  [{r.publisher_id}]" + (f"  {r.title}" if r.title else ""),
        f"  last poll   {_age(r.last_polled_at)} (HTTP {r.last_status or '—'})"
        if r.last_polled_at
        else "  last poll   never",
        f"  next poll   {next_poll_text(r, _now())}"
        + (f" (interval {r.interval_s:.0f} s)" if r.interval_s else ""),
        f"  items/day   {r.items_per_day:.1f}"
        if r.items_per_day is not None
        else "  items/day   —",
    ]
    if r.consecutive_errors:
        lines.append(
            f"  errors      {r.consecutive_errors} in a row since {_age(r.error_since)}: "
            f"{r.last_error_reason} — {r.last_error}"
        )
    if r.disabled_at:
        lines.append(f"  DISABLED    {_age(r.disabled_at)}: {r.disabled_reason}")
    return "\n".join(lines)


@feeds_group.command("add")
@click.argument("url")
@click.option(
    "--publisher", required=True, metavar="ID", help="Configured publisher it belongs to."
)
@click.pass_obj
def add_command(app: AppContext, url: str, publisher: str) -> None:
    """Follow a feed (polled by `scraper run` at once).

    A URL that is another spelling of a followed feed (http/https, tracking parameters, case,
    www., trailing slash, a redirect target it moved to) is not added again: the feed it is
    gets named instead.
    """
    url = check_feed_url(url)
    app.config.publisher(publisher)
    store = _store(app)
    same = _followed(app).find(url)
    if same is not None:
        click.echo(_already(url, same, publisher))
        return
    added = store.add(url, publisher, _now())
    click.echo(f"added {url}" if added else f"already followed: {url}")


def _followed(app: AppContext) -> FollowedFeeds:
    """Every followed feed by each of its spellings (the store must be synced first)."""
    return FollowedFeeds(FeedIdentity(app.config.publishers), app.archive().feed_spellings())


def _already(url: str, same: FollowedFeed, publisher: str | None) -> str:
    """Which feed ``url`` already is, with its URL when spelled differently."""
    text = f"already followed: {url}"
    if same.url != url:
        text += f" is {same.url}"
    if publisher is not None and same.publisher_id != publisher:
        text += f" (publisher {same.publisher_id!r}, not {publisher!r})"
    return text


@feeds_group.command("remove")
@click.argument("url")
@click.pass_obj
def remove_command(app: AppContext, url: str) -> None:
    """Stop following a feed added with `feeds add` or `feeds import` (articles stay)."""
    for p in app.config.publishers:
        if url in p.feeds:
            raise ConfigError(
                f"{url} is listed in {app.settings.config} under publisher {p.id!r}: remove it "
                "there, or use `scraper feeds disable`"
            )
    if not _store(app).remove(url):
        raise ConfigError(f"not a followed feed: {url}")
    click.echo(f"removed {url}")


@feeds_group.command("enable")
@click.argument("url")
@click.pass_obj
def enable_command(app: AppContext, url: str) -> None:
    """Poll a disabled feed again, at once, with its error streak forgotten."""
    if not _store(app).set_enabled(url, True, _now()):
        raise ConfigError(f"not a followed feed: {url}")
    click.echo(f"enabled {url}")


@feeds_group.command("disable")
@click.argument("url")
@click.option("--reason", default=None, help="Kept and shown by `feeds status`.")
@click.pass_obj
def disable_command(app: AppContext, url: str, reason: str | None) -> None:
    """Stop polling a feed but keep it (and why)."""
    if not _store(app).set_enabled(url, False, _now(), reason):
        raise ConfigError(f"not a followed feed: {url}")
    click.echo(f"disabled {url}")


@feeds_group.command("import")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False, allow_dash=True))
@click.option("--publisher", default=None, metavar="ID", help="Put every feed under this one.")
@click.pass_obj
def import_command(app: AppContext, file: Path, publisher: str | None) -> None:
    """Follow the feeds of an OPML file.

    Without --publisher, each feed goes to the publisher `feeds export` wrote on it, else the
    one owning its host, else the one named by an OPML folder around it (any level); feeds
    matching none are listed and skipped, and so are invalid URLs. Another spelling of a
    followed feed counts as already followed (see `feeds add`).
    """
    data = sys.stdin.buffer.read() if str(file) == "-" else file.read_bytes()
    feeds = parse_opml(data, str(file))
    if publisher is not None:
        app.config.publisher(publisher)
    store, now = _store(app), _now()
    followed, resolver = _followed(app), Resolver(app.config.publishers)
    added = known = 0
    for feed in feeds:
        try:
            url = check_feed_url(feed.url)
        except ConfigError as exc:
            click.echo(f"skipped {feed.url!r}: {exc}")
            continue
        owner = publisher or _owner(feed, app.config, resolver)
        same = followed.find(url)
        if same is not None:
            known += 1
            if same.url != url:
                click.echo(_already(url, same, owner))
        elif owner is None:
            unknown = (
                f"publisher {feed.publisher!r} is not configured and " if feed.publisher else ""
            )
            click.echo(f"skipped {url}: {unknown}no publisher owns its host (use --publisher)")
        elif store.add(url, owner, now):
            followed.add(url, owner)
            added += 1
        else:
            known += 1
    click.echo(f"{added} added, {known} already followed, {len(feeds) - added - known} skipped")


def _owner(feed: OpmlFeed, config: Config, resolver: Resolver) -> str | None:
    """The configured publisher a feed of an OPML file goes to, or None.

    The ``scraper:publisher`` attribute our own export writes comes first: it is the only
    thing that keeps a feed added under one publisher on another's host (a partner feed) with
    its publisher through export and import. Then the publisher owning the host, which is a
    fact about the URL; then the nearest enclosing folder named after a publisher's id, name
    or one of its domains (readers nest folders: ``Alpha/Politics``).
    """
    ids = {p.id for p in config.publishers}
    if feed.publisher in ids:
        return feed.publisher
    found = resolver.resolve(feed.url).publisher_id
    if found is not None:
        return found
    for folder in reversed(feed.folders):
        name = folder.strip().lower()
        for p in config.publishers:
            if name in (p.id, p.name.lower(), *p.domains):
                return p.id
    return None


@feeds_group.command("export")
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False), default=None)
@click.pass_obj
def export_command(app: AppContext, output: Path | None) -> None:
    """Write every feed as OPML 2.0, one folder per publisher.

    Each feed carries its publisher's id (``scraper:publisher``), which `feeds import` prefers,
    so importing the file into another archive puts every feed under the same publisher.
    """
    names = {p.id: p.name for p in app.config.publishers}
    folders: dict[str, list[tuple[str, str | None]]] = {}
    for r in _store(app).statuses():
        folders.setdefault(r.publisher_id, []).append((r.url, r.title))
    data = export_opml([OpmlFolder(names.get(k, k), v, k) for k, v in folders.items()])
    if output is None:
        click.echo(data.decode("utf-8"), nl=False)
    else:
        output.write_bytes(data)
