"""Resolver: publishers across domain moves, subdomains, look-alikes and failover."""

from __future__ import annotations

import pytest

from scraper.domains import Resolution, Resolver

SOUTHFRONT_SPELLINGS = [
    "http://www.southfront.org/some-article/?utm_source=tw#c",
    "https://southfront.com/some-article/amp/",
    "https://southfront.press/some-article/",
    "https://SouthFront.press:443/some-article/?amp=1",
    "https://amp.southfront.org/some-article/",
    "https://m.southfront.com/some-article/?fbclid=x",
    "http://sf-mirror.net/amp/some-article/",
    "//www.southfront.press/./some-article//",
]


@pytest.mark.parametrize("url", SOUTHFRONT_SPELLINGS)
def test_every_southfront_spelling_is_one_article(resolver: Resolver, url: str) -> None:
    resolution = resolver.resolve(url)
    assert resolution.publisher_id == "southfront"
    assert resolution.canonical_url == "https://southfront.press/some-article/"
    assert resolution.identity_key == "southfront:/some-article/"


def test_rules_explain_the_move(resolver: Resolver) -> None:
    resolution = resolver.resolve("http://www.southfront.org/some-article/?utm_source=tw#c")
    assert resolution.rules == (
        "fragment",
        "www-fold",
        "tracking-params",
        "alias-host:southfront.org→southfront.press",
        "https",
    )
    assert resolution.domain == "southfront.org"


@pytest.mark.parametrize(
    ("url", "publisher"),
    [
        ("https://news.google.com/articles/abc?hl=en", None),
        ("https://notsouthfront.press/some-article/", "notsouthfront"),
        ("https://www.notsouthfront.press/x", "notsouthfront"),
        ("https://southfront.press.evil.example/x", None),
        ("https://xsouthfront.press/x", None),
        ("https://blog.example.com/post/", "exblog"),
        ("https://feeds.blog.example.com/x", "exblog"),
        ("https://example.com/x", "example"),
        ("https://news.example.com/x", "example"),
        ("ftp://southfront.press/x", None),
        ("mailto:editor@southfront.press", None),
    ],
)
def test_publisher_by_longest_zone(resolver: Resolver, url: str, publisher: str | None) -> None:
    assert resolver.resolve(url).publisher_id == publisher


def test_foreign_host_keys_on_its_canonical_url(resolver: Resolver) -> None:
    resolution = resolver.resolve("HTTPS://News.Google.com/a?utm_source=x&b=1#f")
    assert resolution == Resolution(
        None,
        "https://news.google.com/a?b=1",
        ("fragment", "lowercase-scheme", "lowercase-host", "tracking-params"),
        "https://news.google.com/a?b=1",
        "HTTPS://News.Google.com/a?utm_source=x&b=1#f",
    )


def test_other_subdomains_keep_their_host(resolver: Resolver) -> None:
    resolution = resolver.resolve("http://feeds.southfront.org/feed/?utm_medium=rss")
    assert resolution.publisher_id == "southfront"
    assert resolution.canonical_url == "http://feeds.southfront.org/feed/"
    assert resolution.identity_key == "southfront:feeds.southfront.org/feed/"


def test_www_canonical_domain_folds_the_bare_one(resolver: Resolver) -> None:
    resolution = resolver.resolve("http://bbc.co.uk/news/world-1.amp?at_medium=RSS&ocid=x")
    assert resolution.canonical_url == "https://www.bbc.co.uk/news/world-1"
    assert resolution.identity_key == "bbc:/news/world-1"
    mirror = resolver.resolve("https://www.bbc.com/news/world-1")
    assert mirror.identity_key == resolution.identity_key


@pytest.mark.parametrize(
    ("url", "canonical"),
    [
        ("https://old-news.net/news/2019/05/x", "https://new.example.org/2019/05/x"),
        ("https://www.old-news.net/news/2019/x", "https://new.example.org/2019/x"),
        ("https://old-news.net/news/latest/", "https://new.example.org/news/latest/"),
        ("http://older-news.net/story.php?id=4", "https://new.example.org/story/?id=4"),
        ("https://new.example.org/news/2019/05/x", "https://new.example.org/news/2019/05/x"),
        ("http://wp-news.net/story/12?utm_source=x&c=1", "https://new.example.org/?c=1&p=12"),
        ("http://wp-news.net/story/12/?p=3", "https://new.example.org/?p=12&p=3"),
    ],
)
def test_alias_path_rewrites(resolver: Resolver, url: str, canonical: str) -> None:
    resolution = resolver.resolve(url)
    assert resolution.canonical_url == canonical
    assert resolver.resolve(canonical).canonical_url == canonical


def test_rewrite_rule_is_named(resolver: Resolver) -> None:
    rules = resolver.resolve("https://old-news.net/news/2019/05/x").rules
    assert r"path-rewrite:^/news/(\d{4})/" in rules


@pytest.mark.parametrize(
    ("url", "canonical"),
    [
        ("https://www.example.com/a/b", "https://example.com/a/b/"),
        ("https://example.com/a/story.html", "https://example.com/a/story.html"),
        ("https://blog.example.com/a/b/", "https://blog.example.com/a/b"),
        ("https://blog.example.com/a/b/amp/", "https://blog.example.com/a/b"),
        ("https://noamp.example.net/a/amp/?amp=1", "https://noamp.example.net/a/amp/?amp=1"),
        ("https://amp.noamp.example.net/a", "https://amp.noamp.example.net/a"),
    ],
)
def test_publisher_conventions(resolver: Resolver, url: str, canonical: str) -> None:
    assert resolver.resolve(url).canonical_url == canonical


@pytest.mark.parametrize(
    ("host", "publisher"),
    [
        ("southfront.org", "southfront"),
        ("WWW.SouthFront.org.", "southfront"),
        ("southfront.org:8080", "southfront"),
        ("cdn.southfront.press", "southfront"),
        ("notsouthfront.press", "notsouthfront"),
        ("evil-southfront.press", None),
        ("https://WWW.southfront.org/some-article/", "southfront"),
        ("/relative/path", None),
        ("", None),
    ],
)
def test_publisher_for_host(resolver: Resolver, host: str, publisher: str | None) -> None:
    assert resolver.publisher_for_host(host) == publisher


def test_failover_skips_blocked_dead_and_redirecting_domains(resolver: Resolver) -> None:
    urls = resolver.failover_urls("http://www.southfront.org/some-article/?utm_source=tw")
    assert urls == [
        "https://southfront.press/some-article/",
        "https://southfront.com/some-article/",  # status unknown: may answer
        "https://sf-mirror.net/some-article/",  # live mirror
    ]


def test_failover_skips_aliases_with_another_url_layout(resolver: Resolver) -> None:
    """Aliases with rewrite rules lay their URLs out differently: the path would not exist."""
    assert resolver.failover_urls("https://old-news.net/news/2019/x?b=1&a=2") == [
        "https://new.example.org/2019/x?a=2&b=1"
    ]


@pytest.mark.parametrize(
    "url", ["https://news.google.com/x", "http://feeds.southfront.org/feed/", "not a url"]
)
def test_failover_without_alternatives(resolver: Resolver, url: str) -> None:
    assert resolver.failover_urls(url) == [resolver.resolve(url).canonical_url]


def test_describe_prints_every_field(resolver: Resolver) -> None:
    lines = resolver.resolve("https://southfront.com/some-article/amp/").describe()
    assert lines == [
        "url        https://southfront.com/some-article/amp/",
        "publisher  southfront",
        "domain     southfront.com",
        "canonical  https://southfront.press/some-article/",
        "identity   southfront:/some-article/",
        "rules      amp, alias-host:southfront.com→southfront.press",
    ]


def test_first_claim_wins_on_a_shared_variant() -> None:
    """``www.a.test`` is configured by one publisher and a variant of another's ``a.test``."""
    from .conftest import publisher

    resolver = Resolver(
        [
            publisher(id="bare", canonical_domain="a.test"),
            publisher(id="www", canonical_domain="www.a.test"),
        ]
    )
    assert resolver.resolve("https://www.a.test/x").publisher_id == "www"
    assert resolver.resolve("https://a.test/x").publisher_id == "bare"
    assert resolver.resolve("https://m.a.test/x").canonical_url == "https://a.test/x"


@pytest.mark.parametrize("configured", ["straße.de", "xn--strae-oqa.de", "STRASSE.de"])
def test_idn_domain_is_the_one_browsers_dial(configured: str) -> None:
    """``straße.de`` is ``xn--strae-oqa.de`` (IDNA 2008), not ``strasse.de``, another owner's
    domain: the publisher's real host is its own and failover never leads to the other."""
    from .conftest import publisher

    resolver = Resolver([publisher(id="p", canonical_domain=configured)])
    mine = "xn--strae-oqa.de" if configured != "STRASSE.de" else "strasse.de"
    other = "strasse.de" if configured != "STRASSE.de" else "xn--strae-oqa.de"
    assert resolver.resolve(f"https://{mine}/artikel/1/").publisher_id == "p"
    assert resolver.resolve(f"https://{other}/artikel/1/").publisher_id is None
    if configured == "straße.de":
        seen = resolver.resolve("http://www.straße.de/artikel/1/")
        assert seen.canonical_url == "https://xn--strae-oqa.de/artikel/1/"


def test_lookup_urls_cover_every_home_of_the_publisher(resolver: Resolver) -> None:
    """An article archived before a move keeps its old canonical URL: a lookup must try the
    same path on every domain of the publisher, except those with another URL layout."""
    found = resolver.lookup_urls("http://www.southfront.org/some-article/?utm_source=x")
    assert found[0] == "http://www.southfront.org/some-article/?utm_source=x"
    assert found[1] == "https://southfront.press/some-article/"
    assert "https://southfront.org/some-article/" in found
    assert "https://southfront.com/some-article/" in found
    assert len(found) == len(set(found))
    assert resolver.lookup_urls("https://foreign.example/x?utm_source=y") == [
        "https://foreign.example/x?utm_source=y",
        "https://foreign.example/x",
    ]
