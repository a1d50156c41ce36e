"""`scraper feeds …` and `scraper run`'s refusal of a second daemon on one SQLite file."""

from __future__ import annotations

import json
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from scraper.cli import cli
from scraper.cli.feeds import feeds_group
from scraper.cli.run import run_command
from scraper.errors import ConfigError
from scraper.schedule.lock import DaemonLock
from scraper.store.archive import open_archive
from tests.daemon.helpers import write_config

FILE_FEED = "http://alpha.example/feeds/0.xml"  # listed in the publishers file


@pytest.fixture
def invoke(tmp_path: Path) -> object:
    config = write_config(tmp_path / "p.toml", {"alpha.example": range(2)})
    env = {"SCRAPER_DATABASE_URL": f"sqlite:///{tmp_path}/a.db", "SCRAPER_CONFIG": str(config)}
    group = click.Group(commands={**cli.commands, "feeds": feeds_group, "run": run_command},
                        callback=cli.callback, params=cli.params)  # fmt: skip

    def run(*args: str, code: int = 0) -> str:
        result = CliRunner().invoke(group, list(args), env=env)
        assert result.exit_code == code, result.output
        return result.output

    return run


def test_add_list_disable_enable_remove(invoke: object) -> None:
    run = invoke  # type: ignore[assignment]
    new = "http://alpha.example/extra.xml"
    assert "added" in run("feeds", "add", new, "--publisher", "alpha")
    assert "already followed" in run("feeds", "add", new, "--publisher", "alpha")
    run("feeds", "add", "http://x.example/f", "--publisher", "nobody", code=1)
    listed = json.loads(run("feeds", "list", "--format", "json"))
    assert len(listed) == 3
    assert "disabled" in run("feeds", "disable", new, "--reason", "paywalled")
    status = json.loads(run("feeds", "status", new, "--format", "json"))[0]
    assert status["disabled_reason"] == "paywalled" and status["disabled_at"]
    assert "DISABLED" in run("feeds", "status", new)
    run("feeds", "enable", new)
    assert json.loads(run("feeds", "status", new, "--format", "json"))[0]["disabled_at"] is None
    run("feeds", "remove", "http://alpha.example/feeds/0.xml", code=1)  # listed in the file
    assert "removed" in run("feeds", "remove", new)
    run("feeds", "status", new, code=1)


def test_list_piped_prints_whole_urls_one_feed_a_line(invoke: object) -> None:
    """Rich drew the table 80 columns wide for a pipe: URLs came out cut with an ellipsis."""
    run = invoke  # type: ignore[assignment]
    long = "http://alpha.example/category/politics/europe/feed.xml?format=rss2&lang=en&page=1"
    run("feeds", "add", long, "--publisher", "alpha")
    lines = run("feeds", "list").splitlines()  # CliRunner's stdout is not a terminal
    assert lines[0] == "publisher\tfeed\tstate\tinterval\tnext poll"
    assert [line.split("\t")[:3] for line in lines[1:]] == [
        ["alpha", long, "never polled"],
        ["alpha", "http://alpha.example/feeds/0.xml", "never polled"],
        ["alpha", "http://alpha.example/feeds/1.xml", "never polled"],
    ]


def test_opml_import_and_export(invoke: object, tmp_path: Path) -> None:
    run = invoke  # type: ignore[assignment]
    opml = tmp_path / "subs.opml"
    opml.write_text(
        '<opml version="2.0"><body><outline text="Alpha">'
        '<outline text="a" xmlUrl="http://alpha.example/more.xml"/>'
        '<outline text="b" xmlUrl="http://unknown.example/feed"/></outline>'
        '<outline text="c" xmlUrl="http://elsewhere.example/rss"/></body></opml>',
        encoding="utf-8",
    )
    out = run("feeds", "import", str(opml))
    assert "2 added" in out and "skipped http://elsewhere.example/rss" in out  # folder "Alpha"
    assert "1 added" in run("feeds", "import", str(opml), "--publisher", "alpha")
    exported = run("feeds", "export")
    assert exported.count("xmlUrl=") == 5 and 'text="alpha.example"' in exported


@pytest.fixture
def on_both(database_url: str, tmp_path: Path) -> object:
    """`invoke` on SQLite and PostgreSQL, with publishers alpha and bravo, one feed each."""
    config = write_config(
        tmp_path / "p.toml", {"alpha.example": range(1), "bravo.example": range(1)}
    )
    open_archive(database_url, auto_upgrade=True).close()
    env = {"SCRAPER_DATABASE_URL": database_url, "SCRAPER_CONFIG": str(config)}

    def run(*args: str, code: int = 0) -> str:
        result = CliRunner().invoke(cli, list(args), env=env)
        assert result.exit_code == code, result.output
        return result.output

    run.database_url = database_url  # type: ignore[attr-defined]
    return run


def _urls(run: object) -> list[str]:
    return sorted(f["url"] for f in json.loads(run("feeds", "list", "--format", "json")))  # type: ignore[operator]


@pytest.mark.parametrize(
    "spelling",
    [
        "https://alpha.example/feeds/0.xml",
        "http://alpha.example/feeds/0.xml?utm_source=rss&utm_medium=feed",
        "HTTP://ALPHA.EXAMPLE/feeds/0.xml",
        "http://www.alpha.example/feeds/0.xml",
        "http://alpha.example/feeds/0.xml/",
        "http://alpha.example:80/feeds//0.xml#latest",
    ],
)
def test_another_spelling_of_a_followed_feed_names_that_feed(
    on_both: object, spelling: str
) -> None:
    run = on_both  # type: ignore[assignment]
    before = _urls(run)
    assert run("feeds", "add", spelling, "--publisher", "alpha").strip() == (
        f"already followed: {spelling} is {FILE_FEED}"
    )
    assert _urls(run) == before


def test_parameters_that_select_a_feed_make_different_feeds(on_both: object) -> None:
    run = on_both  # type: ignore[assignment]
    for url in (
        "http://alpha.example/feed?format=rss",
        "http://alpha.example/feed?format=atom",
        "http://alpha.example/feed?format=rss&cat=5",
        "http://alpha.example/feed/amp/",
    ):
        assert run("feeds", "add", url, "--publisher", "alpha").strip() == f"added {url}"
    out = run("feeds", "add", "https://alpha.example/feed?cat=5&format=rss&fbclid=x",
              "--publisher", "alpha")  # fmt: skip
    assert "is http://alpha.example/feed?format=rss&cat=5" in out
    assert len(_urls(run)) == 6


def test_a_feeds_redirect_target_is_that_feed(on_both: object) -> None:
    run = on_both  # type: ignore[assignment]
    run("feeds", "list")  # the publishers file's feeds are in the database from now on
    archive = open_archive(run.database_url)  # type: ignore[attr-defined]
    try:
        feed = archive.feed_refs(urls=[FILE_FEED])[0]
        archive.move_feed(feed.id, "https://cdn.example/alpha/all.xml", "redirect")
        bravo = archive.feed_refs(["bravo"])[0]
        archive.remember_feed_url(bravo.id, "https://old.example/b.rss", "redirect")
    finally:
        archive.close()
    out = run("feeds", "add", "http://cdn.example/alpha/all.xml/", "--publisher", "alpha")
    assert out.strip() == f"already followed: http://cdn.example/alpha/all.xml/ is {FILE_FEED}"
    out = run("feeds", "add", "https://old.example/b.rss", "--publisher", "alpha")
    assert f"is {bravo.url} (publisher 'bravo', not 'alpha')" in out
    assert len(_urls(run)) == 2


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("http://alpha.example/my feed.xml", "contains a space"),
        ("ftp://alpha.example/feed.xml", "must start with http:// or https://"),
        ("alpha.example/feed.xml", "must start with http:// or https://"),
        ("http:///feed.xml", "has no host name"),
        ("http://alpha.example:99999/feed.xml", "port 99999 is out of range"),
    ],
)
def test_an_invalid_url_is_refused_with_the_reason(tmp_path: Path, url: str, why: str) -> None:
    config = write_config(tmp_path / "p.toml", {"alpha.example": range(1)})
    env = {"SCRAPER_DATABASE_URL": f"sqlite:///{tmp_path}/a.db", "SCRAPER_CONFIG": str(config)}
    result = CliRunner().invoke(cli, ["feeds", "add", url, "--publisher", "alpha"], env=env)
    assert isinstance(result.exception, ConfigError)
    assert str(result.exception).startswith(f"{url!r} is not a valid feed URL: ")
    assert why in str(result.exception)
    listed = CliRunner().invoke(cli, ["feeds", "list", "--format", "json"], env=env).output
    assert [f["url"] for f in json.loads(listed)] == [FILE_FEED]


def test_import_skips_spellings_of_followed_feeds_and_invalid_urls(
    on_both: object, tmp_path: Path
) -> None:
    run = on_both  # type: ignore[assignment]
    opml = tmp_path / "subs.opml"
    opml.write_text(
        '<opml version="2.0"><body>'
        '<outline text="a" xmlUrl="https://www.alpha.example/feeds/0.xml?utm_source=opml"/>'
        '<outline text="b" xmlUrl="http://alpha.example/new.xml"/>'
        '<outline text="c" xmlUrl="HTTPS://ALPHA.EXAMPLE/new.xml/"/>'
        '<outline text="d" xmlUrl="http://alpha.example/my feed.xml"/></body></opml>',
        encoding="utf-8",
    )
    out = run("feeds", "import", str(opml))
    assert (
        f"already followed: https://www.alpha.example/feeds/0.xml?utm_source=opml is {FILE_FEED}"
        in out
    )
    assert "already followed: HTTPS://ALPHA.EXAMPLE/new.xml/ is http://alpha.example/new.xml" in out
    assert "skipped 'http://alpha.example/my feed.xml': " in out and "contains a space" in out
    assert "1 added, 2 already followed, 1 skipped" in out
    assert _urls(run) == sorted([FILE_FEED, "http://alpha.example/new.xml",
                                 "http://bravo.example/feeds/0.xml"])  # fmt: skip


def _feeds(run: object) -> list[tuple[str, str]]:
    listed = json.loads(run("feeds", "list", "--format", "json"))  # type: ignore[operator]
    return sorted((f["publisher_id"], f["url"]) for f in listed)


def test_opml_round_trip_keeps_every_feeds_publisher(on_both: object, tmp_path: Path) -> None:
    """A feed added under alpha on bravo's host came back under bravo (host before folder)."""
    run = on_both  # type: ignore[assignment]
    run("feeds", "add", "http://bravo.example/partner.xml", "--publisher", "alpha")
    run("feeds", "add", "http://feeds.elsewhere.example/bravo?format=rss", "--publisher", "bravo")
    run("feeds", "add", "http://alpha.example/to-bravo.xml", "--publisher", "bravo")
    before = _feeds(run)
    opml = tmp_path / "all.opml"
    run("feeds", "export", "-o", str(opml))
    empty = {"SCRAPER_DATABASE_URL": f"sqlite:///{tmp_path / 'empty.db'}",
             "SCRAPER_CONFIG": str(tmp_path / "p.toml")}  # fmt: skip

    def run_empty(*args: str) -> str:
        result = CliRunner().invoke(cli, list(args), env=empty)
        assert result.exit_code == 0, result.output
        return result.output

    out = run_empty("feeds", "import", str(opml))
    assert "3 added, 2 already followed, 0 skipped" in out  # the file's two feeds
    assert _feeds(run_empty) == before


def test_import_the_publisher_attribute_wins_unless_not_configured(
    invoke: object, tmp_path: Path
) -> None:
    run = invoke  # type: ignore[assignment]
    opml = tmp_path / "subs.opml"
    opml.write_text(
        '<opml version="2.0" xmlns:scraper="urn:x-scraper:opml"><body>'
        '<outline xmlUrl="http://elsewhere.example/a" scraper:publisher="alpha"/>'
        '<outline xmlUrl="http://elsewhere.example/b" scraper:publisher="zulu"/>'
        "</body></opml>",
        encoding="utf-8",
    )
    out = run("feeds", "import", str(opml))
    assert "1 added, 0 already followed, 1 skipped" in out
    assert "skipped http://elsewhere.example/b: publisher 'zulu' is not configured" in out


@pytest.mark.parametrize(
    "folders",
    [
        ("alpha.example", "Politics"),  # the publisher's name, one level up
        ("Alpha", "Europe", "Politics"),  # its id, in any case, two levels up
        ("News", "ALPHA.EXAMPLE"),  # its name (here also its domain), innermost, any case
    ],
)
def test_import_any_enclosing_folder_names_the_publisher(
    invoke: object, tmp_path: Path, folders: tuple[str, ...]
) -> None:
    run = invoke  # type: ignore[assignment]
    opml = tmp_path / "subs.opml"
    inner = '<outline text="p" xmlUrl="http://feeds.feedburner.example/alpha-politics"/>'
    for folder in reversed(folders):
        inner = f'<outline text="{folder}">{inner}</outline>'
    opml.write_text(f'<opml version="2.0"><body>{inner}</body></opml>', encoding="utf-8")
    assert "1 added" in run("feeds", "import", str(opml))
    assert ("alpha", "http://feeds.feedburner.example/alpha-politics") in _feeds(run)


def test_second_daemon_on_one_sqlite_file_is_refused(tmp_path: Path) -> None:
    config = write_config(tmp_path / "p.toml", {"alpha.example": range(1)})
    env = {"SCRAPER_DATABASE_URL": f"sqlite:///{tmp_path}/a.db", "SCRAPER_CONFIG": str(config)}
    group = click.Group(commands={"run": run_command}, callback=cli.callback, params=cli.params)
    with DaemonLock(env["SCRAPER_DATABASE_URL"]):
        result = CliRunner().invoke(group, ["run"], env=env)
    assert isinstance(result.exception, ConfigError)
    assert "already uses this SQLite database" in str(result.exception)
