"""Domain moves the SouthFront world (test_domain_moves.py) does not show, on a publisher with
many homes: karavan.news now; karavan.kz, www.karavan.su and караван.рф dead; karavan-news.com
and news.karavan.org redirecting. Each test is one way an old link, a lazy migration or a
template mistake could split a story in two, merge two stories, or lose one.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from scraper.cli import cli
from scraper.config import load_config
from scraper.crawl import CrawlSummary, crawl
from scraper.demo.web import LocalWeb, Resource
from scraper.models import Article
from scraper.settings import Settings
from scraper.store.archive import open_archive
from scraper.store.filters import ArticleFilter

CONFIG = """
[[publisher]]
id = "karavan"
name = "Karavan News"
canonical_domain = "{home}"
feeds = ["http://{home}/feed/"]
aliases = [
  {{ domain = "karavan.kz", status = "dead" }},
  {{ domain = "www.karavan.su", status = "dead" }},
  {{ domain = "караван.рф", status = "dead" }},
  {{ domain = "karavan-news.com", status = "redirecting" }},
  {{ domain = "news.karavan.org", status = "redirecting" }},
]
"""


def paragraphs(slug: str) -> list[str]:
    """Distinct prose per story, long enough to be an article."""
    topic = slug.replace("-", " ")
    return [
        f"Correspondents covering the {topic} story filed their first dispatch late on Tuesday.",
        f"Officials declined to discuss the {topic} matter with reporters outside the ministry.",
        f"Witnesses described the {topic} events and the confusion in the streets nearby.",
        f"Observers expect the {topic} affair to stay on the agenda for several weeks at least.",
    ]


def page(slug: str, canonical: str | None = None) -> Resource:
    link = f'<link rel="canonical" href="{canonical}">' if canonical else ""
    text = "".join(f"<p>{p}</p>" for p in paragraphs(slug))
    return Resource(
        f"""<!doctype html><html lang="en"><head><title>{slug} | Karavan</title>{link}
<meta property="article:published_time" content="2025-04-01T10:00:00Z"></head><body>
<nav><a href="/">Home</a></nav><article><h1>{slug}</h1><div class="entry-content">{text}</div>
</article><footer>© Karavan</footer></body></html>""".encode()
    )


HOME = Resource(
    b"""<!doctype html><html lang="en"><head><title>Karavan News</title></head><body><main>
<p>Welcome to Karavan News, your independent source for news from the region and beyond it.</p>
<p>Read our latest stories on politics, economy, culture and society, updated every day.</p>
<p>Subscribe to our newsletter to get the most important headlines delivered to your inbox.</p>
</main></body></html>"""
)


def feed(*items: tuple[str, str]) -> Resource:
    entries = "".join(
        f'<item><title>{slug}</title><link>{link}</link><guid isPermaLink="false">{slug}</guid>'
        f"<description>Teaser for {slug} […]</description></item>"
        for slug, link in items
    )
    return Resource(
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>Karavan</title>'
        f"<link>https://karavan.news/</link>{entries}</channel></rss>".encode(),
        "application/rss+xml",
    )


def crawl_once(
    tmp_path: Path, sites: dict[str, dict[str, Resource]], **settings: object
) -> tuple[CrawlSummary, list[Article]]:
    path = tmp_path / "publishers.toml"
    path.write_text(CONFIG.format(home="karavan.news"), encoding="utf-8")
    config = load_config(path)
    url = f"sqlite:///{tmp_path}/a.db"
    archive = open_archive(url, auto_upgrade=True)
    archive.sync_config(config)
    with LocalWeb(sites) as web:
        settings_ = Settings(database_url=url, **settings)
        summary = asyncio.run(
            crawl(settings_, config, archive, archive.feed_refs(), proxy=web.proxy_url)
        )
    return summary, list(archive.export(ArticleFilter()))


def test_dead_aliases_under_www_or_an_idn_go_straight_to_the_live_domain(tmp_path: Path) -> None:
    """A dead host may swallow packets (a timeout, not a failover reason): links to it must not
    be tried at all, however the alias is spelled in the configuration or in the link."""
    silent = Resource(b"...", delay=3)
    sites = {
        "karavan.news": {
            "/a/": page("alpha"), "/b/": page("beta"), "/c/": page("gamma"),
            "/feed/": feed(("alpha", "http://www.karavan.su/a/"), ("beta", "http://караван.рф/b/"),
                           ("gamma", "http://WWW.karavan.kz/c/")),
        },
        "www.karavan.su": {"/a/": silent},
        "xn--80aaah1bwr.xn--p1ai": {"/b/": silent},
        "www.karavan.kz": {"/c/": silent},
    }  # fmt: skip
    summary, articles = crawl_once(tmp_path, sites, fetch_timeout=1.0)
    assert [(f.url, f.reason) for f in summary.failures] == []
    assert sorted(a.url for a in articles) == [
        "https://karavan.news/a/", "https://karavan.news/b/", "https://karavan.news/c/"
    ]  # fmt: skip


def test_old_domain_redirecting_every_path_home_keeps_each_story(tmp_path: Path) -> None:
    """A lazy migration 301s every old path to the new home page. The home page is not the
    story: the story's own path on the canonical domain is asked instead."""
    sites = {
        "karavan.news": {
            "/": HOME, "/2025/04/beta/": page("beta"), "/2025/04/gamma/": page("gamma"),
            "/feed/": feed(("beta", "http://karavan-news.com/2025/04/beta/"),
                           ("gamma", "http://karavan-news.com/2025/04/gamma/")),
        },
        "karavan-news.com": {
            "/2025/04/beta/": Resource.redirect("http://karavan.news/", 301),
            "/2025/04/gamma/": Resource.redirect("http://karavan.news/", 301),
        },
    }  # fmt: skip
    _, articles = crawl_once(tmp_path, sites)
    assert sorted((a.url, a.text.split(" story")[0]) for a in articles) == [
        ("https://karavan.news/2025/04/beta/", "Correspondents covering the beta"),
        ("https://karavan.news/2025/04/gamma/", "Correspondents covering the gamma"),
    ]
    assert all("https://karavan.news/" not in a.urls for a in articles)


def test_story_redirected_home_everywhere_is_not_the_home_page(tmp_path: Path) -> None:
    """Gone from every domain (each redirects home): the feed's teaser is kept, and the home
    page's text is never stored as the story."""
    gone = Resource.redirect("https://karavan.news/", 302)
    sites = {
        "karavan.news": {"/": HOME, "/2025/04/beta/": gone,
                         "/feed/": feed(("beta", "http://karavan.news/2025/04/beta/"))},
    }  # fmt: skip
    summary, articles = crawl_once(tmp_path, sites)
    assert [(a.url, a.text) for a in articles] == [
        ("https://karavan.news/2025/04/beta/", "Teaser for beta […]")
    ]
    assert [f.reason for f in summary.failures] == ["redirected_home"]


def test_template_canonical_at_the_site_root_is_ignored(tmp_path: Path) -> None:
    """A CMS template that declares the home page canonical on every page must not merge every
    story into one article at the site root."""
    sites = {
        "karavan.news": {
            "/a/": page("alpha", canonical="https://karavan.news/"),
            "/b/": page("beta", canonical="https://www.karavan.news"),
            "/feed/": feed(("alpha", "http://karavan.news/a/"), ("beta", "http://karavan.news/b/")),
        },
    }
    _, articles = crawl_once(tmp_path, sites)
    assert sorted((a.url, a.title, a.revisions) for a in articles) == [
        ("https://karavan.news/a/", "alpha", 0),
        ("https://karavan.news/b/", "beta", 0),
    ]


def test_old_domain_answering_404_falls_back_to_the_canonical_domain(tmp_path: Path) -> None:
    """The old domain now belongs to someone else (or a half-done migration): it answers 404
    where the canonical domain serves the story. The story is stored, not the feed's teaser."""
    sites = {
        "karavan.news": {"/2025/04/gamma/": page("gamma"),
                         "/feed/": feed(("gamma", "http://karavan-news.com/2025/04/gamma/"))},
        "karavan-news.com": {},  # 404 for every path
    }  # fmt: skip
    summary, articles = crawl_once(tmp_path, sites)
    assert [(a.url, a.text.split(" story")[0]) for a in articles] == [
        ("https://karavan.news/2025/04/gamma/", "Correspondents covering the gamma")
    ]
    assert summary.failures == []


def cli_env(folder: Path, web: LocalWeb) -> dict[str, str]:
    return {
        "SCRAPER_DATABASE_URL": f"sqlite:///{folder}/a.db",
        "SCRAPER_CONFIG": str(folder / "publishers.toml"),
        "HTTP_PROXY": web.proxy_url,
    }


SHORTLINKS = {
    "karavan.news": {
        "/2025/04/alpha/": page("alpha"),
        "/news/2019/delta/": page("delta"),
        "/?p=101": Resource.redirect("http://karavan.news/2025/04/alpha/", 301),
        "/feed/": feed(("alpha", "http://karavan.news/?p=101"),
                       ("delta", "http://news.karavan.org/2019/delta/")),
    },
    "news.karavan.org": {"/2019/delta/": Resource.redirect("http://karavan.news/news/2019/delta/")},
}  # fmt: skip


@pytest.fixture(scope="module")
def shortlinks_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """One crawl of a feed linking through a ?p= shortlink and an old subdomain whose redirect
    also changed the path."""
    tmp = tmp_path_factory.mktemp("shortlinks")
    (tmp / "publishers.toml").write_text(CONFIG.format(home="karavan.news"), encoding="utf-8")
    with LocalWeb(SHORTLINKS) as web:
        env = cli_env(tmp, web)
        assert CliRunner().invoke(cli, ["crawl"], env=env).exit_code == 0
    return env


@pytest.mark.parametrize(
    ("ref", "url"),
    [
        ("http://karavan.news/?p=101", "https://karavan.news/2025/04/alpha/"),
        ("https://karavan.news/?p=101", "https://karavan.news/2025/04/alpha/"),
        ("http://www.karavan.news/?p=101&utm_source=tw", "https://karavan.news/2025/04/alpha/"),
        ("http://karavan.kz/?p=101", "https://karavan.news/2025/04/alpha/"),
        ("https://news.karavan.org/2019/delta/?fbclid=x", "https://karavan.news/news/2019/delta/"),
    ],
)
def test_any_spelling_of_a_url_an_article_was_met_under_finds_it(
    shortlinks_env: dict[str, str], ref: str, url: str
) -> None:
    shown = CliRunner().invoke(cli, ["show", ref, "--format", "json"], env=shortlinks_env)
    assert shown.exit_code == 0, shown.output
    assert json.loads(shown.output)["url"] == url


def test_articles_archived_before_an_adopted_move_are_found_and_not_stored_again(
    tmp_path: Path,
) -> None:
    """Archived at karavan.kz; then the publisher moves to karavan.news (adopted). Old and new
    spellings of the story still find it, and the feed, now linking the new domain, does not
    archive it a second time (its teaser is too short for the text to tell)."""
    (tmp_path / "publishers.toml").write_text(CONFIG.format(home="karavan.kz").replace(
        '{ domain = "karavan.kz", status = "dead" },', ""), encoding="utf-8")  # fmt: skip
    teaser_feed = Resource(
        b'<?xml version="1.0"?><rss version="2.0"><channel><title>K</title><item><title>alpha'
        b"</title><link>http://karavan.kz/2024/05/alpha/</link><description>Short."
        b"</description></item></channel></rss>",
        "application/rss+xml",
    )
    sites = {"karavan.kz": {"/2024/05/alpha/": page("alpha"), "/feed/": teaser_feed}}
    runner = CliRunner()
    with LocalWeb(sites) as web:
        env = cli_env(tmp_path, web)
        assert runner.invoke(cli, ["crawl"], env=env).exit_code == 0
        adopted = runner.invoke(cli, ["domains", "adopt", "karavan.kz", "karavan.news"], env=env)
        assert adopted.exit_code == 0, adopted.output
        for ref in ("https://www.karavan.kz/2024/05/alpha/?utm_source=fb",
                    "https://karavan.news/2024/05/alpha/"):  # fmt: skip
            shown = runner.invoke(cli, ["show", ref, "--format", "json"], env=env)
            assert shown.exit_code == 0, f"{ref}: {shown.output}"
            assert json.loads(shown.output)["id"] == 1
        moved = teaser_feed.body.replace(b"karavan.kz/2024", b"karavan.news/2024")
        web.set("karavan.kz", "/feed/", Resource(moved, "application/rss+xml"))
        web.set("karavan.news", "/2024/05/alpha/", page("alpha"))
        recrawl = runner.invoke(cli, ["crawl", "--format", "json"], env=env)
        assert recrawl.exit_code == 0, recrawl.output
        assert json.loads(recrawl.output)["articles"] == {"new": 0, "updated": 0, "known": 1}
