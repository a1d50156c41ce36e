"""A publisher that moved house twice: southfront.com (301 → .org) → southfront.org (blocked)
→ southfront.press (live), with a mirror, AMP pages, tracking parameters and an aggregator
linking through old domains. The archive must hold each article once, under its live canonical
URL, with every URL it was met under; the failover is recorded; both moves are suggested.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from scraper.cli import cli
from scraper.config import Config, load_config
from scraper.crawl import CrawlSummary, crawl
from scraper.demo.web import LocalWeb, Resource
from scraper.domains.moves import suggest
from scraper.settings import Settings
from scraper.store.archive import Archive, open_archive

FOOTER = [
    "_" * 60,
    "SouthFront: Analysis and Intelligence",
    "NOW hosted at southfront.press",
    "Previously, SouthFront: Analysis and Intelligence was at southfront.org.",
    "Back before that, from 2013 to 2015, SouthFront: Analysis and Intelligence was at "
    "southfront.com",
]
SLUGS = ["drones-over-tartus", "convoys-on-the-coast", "talks-on-the-bases", "air-defense-alert"]

CONFIG = """
[[publisher]]
id = "southfront"
name = "SouthFront: Analysis and Intelligence"
canonical_domain = "southfront.press"
feeds = ["http://southfront.org/feed/"]
aliases = [
  { domain = "southfront.org", status = "blocked" },
  { domain = "southfront.com", since = 2013, until = 2015 },
  { domain = "mirror-sf.example", role = "mirror", status = "live" },
]

[[publisher]]
id = "digest"
name = "Weekly Digest"
canonical_domain = "digest.example"
feeds = ["http://digest.example/rss"]
"""


def body(slug: str) -> list[str]:
    """Four distinct paragraphs per article: no two articles share body text."""
    words = slug.replace("-", " ")
    return [
        f"Reports about {words} reached the newsroom early on Friday morning from local sources.",
        f"Officials declined to comment on {words}, citing the ongoing security situation there.",
        f"Residents described what they saw during the {words} events to our correspondent.",
        f"Analysts expect further developments regarding {words} in the coming weeks and months.",
    ]


def page(slug: str) -> bytes:
    paragraphs = "".join(f"<p>{p}</p>" for p in body(slug) + FOOTER)
    return f"""<!doctype html><html lang="en"><head><title>{slug} | SouthFront</title>
<link rel="canonical" href="http://southfront.press/{slug}/">
<meta property="article:published_time" content="2025-03-2{SLUGS.index(slug)}T10:00:00Z">
</head><body><nav><a href="/">Home</a><a href="/about/">About</a></nav>
<article><h1>{slug}</h1><div class="entry-content">{paragraphs}</div></article>
<aside class="sidebar"><h3>Popular</h3><ul><li><a href="/x/">Other story</a></li></ul></aside>
<footer>© SouthFront</footer></body></html>""".encode()


def rss(items: list[tuple[str, str]]) -> bytes:
    entries = "".join(
        f"<item><title>{title}</title><link>{link}</link>"
        f"<description>Teaser for {title} […]</description></item>"
        for title, link in items
    )
    return (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>'
        f"<link>http://southfront.press/</link>{entries}</channel></rss>"
    ).encode()


def world() -> dict[str, dict[str, Resource]]:
    press = {f"/{s}/": Resource(page(s)) for s in SLUGS}
    press[f"/{SLUGS[2]}/amp/"] = Resource(page(SLUGS[2]))
    press["/feed/"] = Resource(
        rss(
            [
                (SLUGS[0], f"http://southfront.press/{SLUGS[0]}/?utm_source=rss&utm_medium=rss"),
                (SLUGS[1], f"http://southfront.com/{SLUGS[1]}/"),
                (SLUGS[2], f"http://southfront.press/{SLUGS[2]}/amp/"),
                (SLUGS[3], f"http://mirror-sf.example/{SLUGS[3]}/"),
            ]
        ),
        "application/rss+xml",
    )
    com = {f"/{s}/": Resource.redirect(f"http://southfront.org/{s}/", 301) for s in SLUGS}
    mirror = {f"/{s}/": Resource(page(s)) for s in SLUGS}
    digest = {
        "/rss": Resource(
            rss(
                [
                    (SLUGS[0], f"http://southfront.com/{SLUGS[0]}/?utm_campaign=digest"),
                    (SLUGS[1], f"http://www.southfront.org/{SLUGS[1]}/?fbclid=abc"),
                ]
            ),
            "application/rss+xml",
        )
    }
    return {"southfront.press": press, "southfront.com": com, "mirror-sf.example": mirror,
            "digest.example": digest, "southfront.org": {}}  # fmt: skip


@pytest.fixture
def web() -> LocalWeb:
    with LocalWeb(world()) as web:
        web.block_host("southfront.org", 451)
        yield web  # type: ignore[misc]


@pytest.fixture
def config(tmp_path: Path) -> Config:
    path = tmp_path / "publishers.toml"
    path.write_text(CONFIG, encoding="utf-8")
    return load_config(path)


def run(archive: Archive, config: Config, web: LocalWeb, url: str) -> CrawlSummary:
    archive.sync_config(config)
    settings = Settings(database_url=url)
    return asyncio.run(crawl(settings, config, archive, archive.feed_refs(), proxy=web.proxy_url))


def test_one_article_per_story_under_the_live_domain(
    database_url: str, config: Config, web: LocalWeb
) -> None:
    archive = open_archive(database_url, auto_upgrade=True)
    summary = run(archive, config, web, database_url)
    assert summary.feeds_failed == 0, summary.failures
    assert archive.count() == len(SLUGS)
    for slug in SLUGS:
        article = archive.find([f"https://southfront.press/{slug}/"])
        assert article is not None, slug
        assert article.publisher == "southfront"
        assert article.url == f"https://southfront.press/{slug}/"
        assert article.text.split("\n\n") == body(slug), slug  # footer learned and removed
    drones = archive.find([f"https://southfront.press/{SLUGS[0]}/"])
    assert drones is not None
    assert f"http://southfront.com/{SLUGS[0]}/?utm_campaign=digest" in drones.urls
    convoys = archive.find([f"http://www.southfront.org/{SLUGS[1]}/?fbclid=abc"])
    assert convoys is not None and convoys.url.endswith(f"/{SLUGS[1]}/")
    amp = archive.find([f"http://southfront.press/{SLUGS[2]}/amp/"])
    assert amp is not None and amp.url == f"https://southfront.press/{SLUGS[2]}/"
    mirrored = archive.find([f"http://mirror-sf.example/{SLUGS[3]}/"])
    assert mirrored is not None and mirrored.url == f"https://southfront.press/{SLUGS[3]}/"


def test_blocked_feed_fails_over_and_is_remembered(
    database_url: str, config: Config, web: LocalWeb
) -> None:
    archive = open_archive(database_url, auto_upgrade=True)
    summary = run(archive, config, web, database_url)
    assert ("http://southfront.org/feed/", "http://southfront.press/feed/") in summary.failovers
    (feed,) = archive.feed_refs(["southfront"])
    assert feed.url == "http://southfront.org/feed/"  # identity kept
    assert feed.fetch_url == "http://southfront.press/feed/"
    web.clear_log()
    again = run(archive, config, web, database_url)
    assert again.failovers == []
    assert web.count(host="southfront.org") == 0  # asked where it answers now
    assert again.new == 0


def test_both_moves_are_suggested_with_evidence(
    database_url: str, config: Config, web: LocalWeb
) -> None:
    archive = open_archive(database_url, auto_upgrade=True)
    run(archive, config, web, database_url)
    moves = {(s.from_host, s.to_host): s for s in suggest(config, archive.evidence())}
    assert "redirect" in moves["southfront.com", "southfront.org"].kinds
    assert "failover" in moves["southfront.org", "southfront.press"].kinds
    assert moves["southfront.org", "southfront.press"].publisher_id == "southfront"
    assert "canonical" in moves["mirror-sf.example", "southfront.press"].kinds


def test_show_by_old_domain_url_and_adopt_a_move(tmp_path: Path, web: LocalWeb) -> None:
    config_path = tmp_path / "publishers.toml"
    config_path.write_text(CONFIG, encoding="utf-8")
    env = {"SCRAPER_DATABASE_URL": f"sqlite:///{tmp_path}/a.db", "SCRAPER_CONFIG": str(config_path),
           "HTTP_PROXY": web.proxy_url}  # fmt: skip
    runner = CliRunner()
    assert runner.invoke(cli, ["crawl"], env=env).exit_code == 0
    shown = runner.invoke(cli, ["show", f"http://southfront.com/{SLUGS[1]}/", "--format", "json"],
                          env=env)  # fmt: skip
    assert shown.exit_code == 0, shown.output
    assert json.loads(shown.output)["url"] == f"https://southfront.press/{SLUGS[1]}/"
    listed = runner.invoke(cli, ["domains", "suggest"], env=env)
    assert "southfront.com → southfront.org" in listed.output
    assert "southfront.org → southfront.press" in listed.output
    adopted = runner.invoke(cli, ["domains", "adopt", "southfront.press", "sf.example"], env=env)
    assert adopted.exit_code == 0, adopted.output
    resolved = runner.invoke(cli, ["domains", "resolve", f"http://southfront.org/{SLUGS[0]}/"],
                             env=env)  # fmt: skip
    assert f"https://sf.example/{SLUGS[0]}/" in resolved.output


def test_publisher_proxy_carries_only_that_publishers_requests(
    tmp_path: Path, config: Config, web: LocalWeb
) -> None:
    with LocalWeb(world()) as other:
        other.block_host("southfront.org", 451)
        data = config.model_dump()
        data["publishers"][0]["proxy"] = other.proxy_url
        proxied = Config.model_validate(data)
        url = f"sqlite:///{tmp_path}/a.db"
        summary = run(open_archive(url, auto_upgrade=True), proxied, web, url)
        assert summary.feeds_failed == 0
        assert other.count(host="southfront.press") > 0
        assert web.count(host="southfront.press") == 0
        assert other.count(host="digest.example") == 0 < web.count(host="digest.example")


def test_page_gone_from_every_domain_comes_from_the_web_archive(
    tmp_path: Path, config: Config, web: LocalWeb
) -> None:
    for host in ("southfront.press", "southfront.com", "mirror-sf.example"):
        web.fail_host(host)
    web.set("archive.example", f"/web/2/http://southfront.com/{SLUGS[0]}/?utm_campaign=digest",
            Resource(page(SLUGS[0])))  # fmt: skip
    url = f"sqlite:///{tmp_path}/a.db"
    archive = open_archive(url, auto_upgrade=True)
    archive.sync_config(config)
    settings = Settings(database_url=url, archive_fallback_url="http://archive.example/web/2/")
    asyncio.run(crawl(settings, config, archive, archive.feed_refs(), proxy=web.proxy_url))
    article = archive.find([f"https://southfront.press/{SLUGS[0]}/"])
    assert article is not None and article.text.startswith(body(SLUGS[0])[0])
    with archive.engine.connect() as conn:
        source = conn.exec_driver_sql(
            "SELECT text_source FROM articles WHERE id = ?", (article.id,)
        ).scalar()
    assert source == "archive"


def test_publisher_with_auto_adopt_moves_home_on_enough_evidence(
    tmp_path: Path, web: LocalWeb
) -> None:
    """Configured at the blocked southfront.org; its pages, reached through failover on
    .press, say "NOW hosted at southfront.press" and carry the same slugs: two kinds agree."""
    config_path = tmp_path / "publishers.toml"
    config_path.write_text(
        """
[[publisher]]
id = "southfront"
name = "SouthFront"
canonical_domain = "southfront.org"
auto_adopt = true
feeds = ["http://southfront.org/feed/"]
aliases = [{ domain = "southfront.press", status = "live" }]
""",
        encoding="utf-8",
    )
    config = load_config(config_path)
    url = f"sqlite:///{tmp_path}/a.db"
    archive = open_archive(url, auto_upgrade=True)
    summary = run(archive, config, web, url)
    assert [(m.from_host, m.to_host) for m in summary.adopted] == [
        ("southfront.org", "southfront.press")
    ]
    env = {"SCRAPER_DATABASE_URL": url, "SCRAPER_CONFIG": str(config_path)}
    resolved = CliRunner().invoke(cli, ["domains", "resolve", "http://southfront.org/x/"], env=env)
    assert "https://southfront.press/x/" in resolved.output
