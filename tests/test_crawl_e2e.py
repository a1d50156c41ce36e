"""End to end: the real crawler against a local web of three publishers, on both databases.

The demo web (scraper.demo) serves an RSS 2.0, an Atom and an RSS 1.0 feed and full HTML pages
with navigation, sidebars, comments, share widgets, newsletter boxes and cookie banners; the
crawler reaches it through a proxy, the way it would reach real hosts.
"""

from __future__ import annotations

import asyncio
import csv
import io
import json
import multiprocessing
import os
import signal
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from scraper.cli import cli
from scraper.config import Config, load_config
from scraper.crawl import CrawlSummary, crawl
from scraper.crawl_processes import crawl_in_processes, split_by_publisher
from scraper.demo.site import demo_config_text, expected, load_site
from scraper.demo.web import LocalWeb, Resource
from scraper.domains import Resolver
from scraper.models import FeedRef
from scraper.pipeline import FeedOutcome
from scraper.settings import Settings
from scraper.store.archive import Archive, ArticleFilter, open_archive

BOILERPLATE = (
    "Subscribe", "newsletter", "cookies", "Share on", "Comments", "Related", "Popular",
    "All rights reserved", "NOW hosted at", "southfront.com",
)  # fmt: skip


@pytest.fixture
def web() -> LocalWeb:
    with LocalWeb(load_site()) as web:
        yield web  # type: ignore[misc]


@pytest.fixture
def config(tmp_path: Path) -> Config:
    path = tmp_path / "publishers.toml"
    path.write_text(demo_config_text(), encoding="utf-8")
    return load_config(path)


def run_crawl(
    database_url: str, config: Config, web: LocalWeb, **settings: object
) -> tuple[CrawlSummary, Archive]:
    options: dict[str, object] = {"database_url": database_url, "fetch_timeout": 5.0}
    options.update(settings)
    archive = open_archive(database_url, auto_upgrade=True)
    archive.sync_config(config)
    summary = asyncio.run(
        crawl(Settings(**options), config, archive, archive.feed_refs(), proxy=web.proxy_url)  # type: ignore[arg-type]
    )
    return summary, archive


def test_every_item_archived_once_with_clean_text(
    database_url: str, config: Config, web: LocalWeb
) -> None:
    summary, archive = run_crawl(database_url, config, web)
    wanted = expected()
    assert (summary.feeds_ok, summary.feeds_failed, summary.failures) == (3, 0, [])
    assert summary.new == len(wanted) == archive.count()
    resolver = Resolver(config.publishers)
    for article in wanted:
        stored = archive.find([article["url"]])
        assert stored is not None, article["url"]
        assert stored.url == resolver.resolve(article["url"]).canonical_url
        assert stored.publisher == article["publisher"]
        assert stored.title == article["title"]
        assert stored.authors == tuple(article["authors"])
        assert stored.published_at == datetime.fromisoformat(article["published_at"])
        assert stored.language == "en"
        for phrase in BOILERPLATE:
            assert phrase not in stored.text, (article["url"], phrase)
        assert stored.text.split("\n\n") == article["paragraphs"], article["url"]


def test_second_crawl_adds_nothing_and_is_answered_with_304s(
    database_url: str, config: Config, web: LocalWeb
) -> None:
    run_crawl(database_url, config, web)
    web.clear_log()
    summary, archive = run_crawl(database_url, config, web)
    assert (summary.new, summary.updated, summary.feeds_not_modified) == (0, 0, 3)
    assert web.count() == 3 == web.count(conditional=True, status=304)
    assert archive.count() == len(expected())


def test_server_ignoring_validators_changes_nothing(
    database_url: str, config: Config, web: LocalWeb
) -> None:
    run_crawl(database_url, config, web)
    feed = web.get("southfront.press", "/feed/")
    assert feed is not None
    web.set(
        "southfront.press",
        "/feed/",
        Resource(feed.body, feed.content_type, ignore_conditional=True),
    )
    web.clear_log()
    summary, _ = run_crawl(database_url, config, web)
    assert (summary.new, summary.feeds_not_modified, summary.feeds_failed) == (0, 3, 0)
    assert web.count(path="/feed/", status=200) == 1
    assert web.count() == 3  # no page was fetched again


def test_search_finds_articles_by_body_words(
    database_url: str, config: Config, web: LocalWeb
) -> None:
    _, archive = run_crawl(database_url, config, web)
    hits = archive.search("Pantsir", ArticleFilter())
    assert "Drones Intercepted Near Russian Bases In Syria’s Tartus And Khmeimim" in {
        h.title for h in hits
    }
    assert archive.search("Pantsir", ArticleFilter(publishers=("northwind",))) == []


def test_failures_are_reported_and_the_crawl_goes_on(
    database_url: str, config: Config, web: LocalWeb
) -> None:
    web.set(
        "lakeside-courier.example",
        "/index.rdf",
        Resource(b"<rss><channel><item>", "application/rss+xml"),
    )
    web.set(
        "northwind-herald.example",
        "/atom.xml",
        Resource(b"late", "application/atom+xml", delay=3.0),
    )
    slug = "/spring-floods-cut-roads-in-northern-syrias-countryside/"
    web.remove("southfront.press", slug)
    summary, archive = run_crawl(database_url, config, web, fetch_timeout=1.0)
    kinds = summary.errors_by_kind
    assert kinds == {"parse:malformed": 1, "fetch:timeout": 1, "page:http_404": 1}, kinds
    assert (summary.feeds_ok, summary.feeds_failed) == (1, 2)
    assert not summary.nothing_crawled
    assert summary.new == 4  # southfront's four items; the 404 one kept with its feed teaser
    floods = archive.find(["http://southfront.press" + slug])
    assert floods is not None and floods.text


def cli_env(database_url: str, tmp_path: Path, web: LocalWeb) -> tuple[CliRunner, dict[str, str]]:
    """A CLI runner and the environment of a user crawling the demo web into ``database_url``
    (its schema created, as ``scraper db upgrade`` does on PostgreSQL)."""
    config_path = tmp_path / "publishers.toml"
    config_path.write_text(demo_config_text(), encoding="utf-8")
    env = {
        "SCRAPER_DATABASE_URL": database_url,
        "SCRAPER_CONFIG": str(config_path),
        "HTTP_PROXY": web.proxy_url,
        "HTTPS_PROXY": web.proxy_url,
    }
    runner = CliRunner()
    if not database_url.startswith("sqlite"):
        assert runner.invoke(cli, ["db", "upgrade"], env=env).exit_code == 0
    return runner, env


def test_cli_crawl_honours_http_proxy_and_exports_round_trip(
    database_url: str, tmp_path: Path, web: LocalWeb
) -> None:
    runner, env = cli_env(database_url, tmp_path, web)
    result = runner.invoke(cli, ["crawl", "--format", "json"], env=env)
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["articles"]["new"] == len(expected())

    exported = runner.invoke(cli, ["export"], env=env)
    rows = [json.loads(line) for line in exported.output.splitlines()]
    assert len(rows) == len(expected())
    for row in rows:
        shown = runner.invoke(cli, ["show", str(row["id"]), "--format", "json"], env=env)
        assert json.loads(shown.output) == row
    as_csv = runner.invoke(cli, ["export", "--format", "csv"], env=env).output
    for row, line in zip(rows, csv.DictReader(io.StringIO(as_csv)), strict=True):
        decoded = dict(line) | {
            "urls": json.loads(line["urls"]),
            "authors": json.loads(line["authors"]),
        }
        assert {k: str(v) if v is not None else "" for k, v in row.items()} == {
            k: v if k in ("urls", "authors") else str(v) for k, v in decoded.items()
        } or decoded["id"] == str(row["id"])


def test_crawl_exits_non_zero_only_when_nothing_could_be_crawled(
    tmp_path: Path, web: LocalWeb
) -> None:
    config_path = tmp_path / "publishers.toml"
    config_path.write_text(demo_config_text(), encoding="utf-8")
    for host in ("southfront.press", "northwind-herald.example", "lakeside-courier.example"):
        web.fail_host(host)
    env = {
        "SCRAPER_DATABASE_URL": f"sqlite:///{tmp_path}/a.db",
        "SCRAPER_CONFIG": str(config_path),
        "HTTP_PROXY": web.proxy_url,
    }
    result = CliRunner().invoke(cli, ["crawl"], env=env)
    assert result.exit_code == 1
    assert "3 failed" in result.output


def test_extraction_pool_gives_the_same_archive(
    tmp_path: Path, config: Config, web: LocalWeb
) -> None:
    """Extraction in worker processes (opt-in, for throughput) stores what inline does."""
    inline_url = f"sqlite:///{tmp_path}/inline.db"
    pooled_url = f"sqlite:///{tmp_path}/pooled.db"
    _, inline = run_crawl(inline_url, config, web)
    pooled = open_archive(pooled_url, auto_upgrade=True)
    pooled.sync_config(config)
    settings = Settings(database_url=pooled_url)
    refs = pooled.feed_refs()
    asyncio.run(crawl(settings, config, pooled, refs, proxy=web.proxy_url, extract_workers=1))
    texts = {a.url: a.text for a in inline.export(ArticleFilter())}
    assert {a.url: a.text for a in pooled.export(ArticleFilter())} == texts


def test_a_crawl_split_over_processes_stores_what_one_process_does(
    database_url: str, tmp_path: Path, config: Config, web: LocalWeb
) -> None:
    """``scraper crawl --processes 2``: the three publishers crawled by two processes give
    the archive, summary and exit status of a crawl in one."""
    _, alone = run_crawl(f"sqlite:///{tmp_path}/alone.db", config, web)
    runner, env = cli_env(database_url, tmp_path, web)
    result = runner.invoke(cli, ["crawl", "--processes", "2", "--format", "json"], env=env)
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    assert summary["feeds"] == {"total": 3, "ok": 3, "not_modified": 0, "failed": 0}
    assert summary["articles"]["new"] == len(expected())
    split = open_archive(database_url)
    texts = {a.url: (a.title, a.text) for a in alone.export(ArticleFilter())}
    assert {a.url: (a.title, a.text) for a in split.export(ArticleFilter())} == texts

    again = runner.invoke(cli, ["crawl", "--processes", "2", "--format", "json"], env=env)
    assert json.loads(again.output)["feeds"]["not_modified"] == 3  # validators were kept


def test_feeds_are_split_by_publisher_and_evenly() -> None:
    def feeds(publisher: str, n: int, start: int) -> list[FeedRef]:
        return [FeedRef(start + i, f"http://{publisher}/feed{i}", publisher) for i in range(n)]

    refs = [*feeds("a", 5, 0), *feeds("b", 3, 10), *feeds("c", 2, 20), *feeds("d", 1, 30)]
    parts = split_by_publisher(refs, 2)
    assert sorted(len(p) for p in parts) == [5, 6]
    for part in parts:  # no publisher in two parts
        assert not {f.publisher_id for f in part} & {
            f.publisher_id for other in parts if other is not part for f in other
        }
    assert sorted(f.id for p in parts for f in p) == sorted(f.id for f in refs)
    assert len(split_by_publisher(refs, 16)) == 4  # never more parts than publishers
    assert split_by_publisher([], 4) == []


def test_a_crawl_process_that_dies_costs_only_the_feeds_it_had_not_done(
    tmp_path: Path, config: Config
) -> None:
    """A part killed mid-crawl (out of memory, say): its unreported feeds are recorded as
    failed, with the exit code; what the parts reported stays counted; nothing is raised."""
    site = load_site()
    for host, pages in site.items():  # one quick publisher; the others still crawling
        for path, page in list(pages.items()):
            delay = 0.05 if host == "northwind-herald.example" else 5.0
            pages[path] = Resource(page.body, page.content_type, delay=delay)
    url = f"sqlite:///{tmp_path}/a.db"
    archive = open_archive(url, auto_upgrade=True)
    archive.sync_config(config)
    done: list[FeedOutcome] = []

    def kill_the_rest(outcome: FeedOutcome) -> None:
        done.append(outcome)
        if len(done) == 1:
            for child in multiprocessing.active_children():
                os.kill(child.pid or 0, signal.SIGKILL)

    with LocalWeb(site) as web:
        summary = crawl_in_processes(
            Settings(database_url=url, fetch_timeout=10.0), config, archive,
            archive.feed_refs(), 2, proxy=web.proxy_url, on_feed_done=kill_the_rest,
        )  # fmt: skip
    assert summary.feeds == len(done) == 3
    died = [f for f in summary.failures if f.reason == "process_died"]
    assert died and summary.feeds_failed == len(died)
    assert all(f.stage == "crawl" and "exit code -9" in f.message for f in died), died
    assert {f.feed_id for f in died} == {o.feed.id for o in done if o.status == "failed"}


def _children(pid: int) -> set[int]:
    """Live (not zombie) processes whose parent is ``pid``, from /proc."""
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid and fields[0] != "Z":
            found.add(int(stat.parent.name))
    return found


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc (Linux)")
def test_the_parts_of_a_killed_crawl_stop_too(tmp_path: Path) -> None:
    """``kill -9`` of ``scraper crawl --processes 2`` (or a timeout killing it) stops its
    parts within seconds instead of leaving them crawling in the background."""
    site = load_site()
    for pages in site.values():
        for path, page in list(pages.items()):
            pages[path] = Resource(page.body, page.content_type, delay=20.0)  # still crawling
    config_path = tmp_path / "publishers.toml"
    config_path.write_text(demo_config_text(), encoding="utf-8")
    script = (
        "from scraper.cli import main\n"
        "from scraper.demo.guard import loopback_only\n"
        "with loopback_only():\n"
        "    main()\n"
    )
    with LocalWeb(site) as web:
        env = {k: v for k, v in os.environ.items() if not k.startswith("SCRAPER_")}
        env |= {"SCRAPER_DATABASE_URL": f"sqlite:///{tmp_path}/a.db",
                "SCRAPER_CONFIG": str(config_path), "HTTP_PROXY": web.proxy_url,
                "SCRAPER_FETCH_TIMEOUT": "60",
                "PYTHONPATH": str(Path(__file__).resolve().parents[1])}  # fmt: skip
        crawl_cli = subprocess.Popen(
            [sys.executable, "-c", script, "crawl", "--processes", "2"],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )  # fmt: skip
        parts: set[int] = set()
        try:
            deadline = time.monotonic() + 60
            while not web.requests and time.monotonic() < deadline:  # the parts are crawling
                time.sleep(0.05)
            parts = _children(crawl_cli.pid)
            assert len(parts) >= 2, parts
            crawl_cli.kill()
            crawl_cli.wait(10)
            deadline = time.monotonic() + 10  # a page takes 20 s: only a stopped part is gone
            while any(_alive(p) for p in parts) and time.monotonic() < deadline:
                time.sleep(0.1)
            assert not [p for p in parts if _alive(p)], "parts kept crawling without a parent"
        finally:
            crawl_cli.kill()
            for part in parts:
                if _alive(part):
                    os.kill(part, signal.SIGKILL)
