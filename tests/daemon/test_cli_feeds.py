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
from tests.daemon.helpers import write_config


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


def test_second_daemon_on_one_sqlite_file_is_refused(tmp_path: Path) -> None:
    config = write_config(tmp_path / "p.toml", {"alpha.example": range(1)})
    env = {"SCRAPER_DATABASE_URL": f"sqlite:///{tmp_path}/a.db", "SCRAPER_CONFIG": str(config)}
    group = click.Group(commands={"run": run_command}, callback=cli.callback, params=cli.params)
    with DaemonLock(env["SCRAPER_DATABASE_URL"]):
        result = CliRunner().invoke(group, ["run"], env=env)
    assert isinstance(result.exception, ConfigError)
    assert "already uses this SQLite database" in str(result.exception)
