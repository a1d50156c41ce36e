"""One table per rule of :mod:`scraper.domains.canonical`: input, expected output, rule name."""

from __future__ import annotations

import pytest

from scraper.domains import UrlPolicy, canonicalise, canonicalise_with_rules

GENERIC = [
    # 1 whitespace
    (" https://a.example/x \n", "https://a.example/x", "whitespace"),
    ("https://a.exa\tmple/x\r\n", "https://a.example/x", "whitespace"),
    ("\x00\x1fhttps://a.example/x\u3000", "https://a.example/x", "whitespace"),
    # 2 fragment
    ("https://a.example/x#comments", "https://a.example/x", "fragment"),
    ("https://a.example/x#", "https://a.example/x", "fragment"),
    # 3 scheme
    ("HTTPS://a.example/x", "https://a.example/x", "lowercase-scheme"),
    ("Http://a.example/x", "http://a.example/x", "lowercase-scheme"),
    # 4 host
    ("https://News.Example.COM/X", "https://news.example.com/X", "lowercase-host"),
    ("https://example.com./x", "https://example.com/x", "host-trailing-dot"),
    ("https://[2001:DB8::1]:8443/x", "https://[2001:db8::1]:8443/x", "lowercase-host"),
    # 5 idna
    ("https://bücher.de/x", "https://xn--bcher-kva.de/x", "idna"),
    ("https://ПРИМЕР.рф/", "https://xn--e1afmkfd.xn--p1ai/", "idna"),
    # IDNA 2008, as browsers and httpx dial: ß and final ς are letters of their own
    ("https://straße.de/x", "https://xn--strae-oqa.de/x", "idna"),
    ("https://ειδήσεις.gr/x", "https://xn--jxalccrd7df.gr/x", "idna"),
    # 6 ports
    ("http://example.com:80/x", "http://example.com/x", "default-port"),
    ("https://example.com:443/x", "https://example.com/x", "default-port"),
    ("https://example.com:/x", "https://example.com/x", "default-port"),
    ("https://example.com:0443/x", "https://example.com/x", "default-port"),
    ("http://example.com:08080/x", "http://example.com:8080/x", "port-zeros"),
    # 7 empty path
    ("https://example.com", "https://example.com/", "empty-path"),
    ("https://example.com?a=1", "https://example.com/?a=1", "empty-path"),
    # 8 percent-encoding
    ("https://e.com/%7euser/%41b", "https://e.com/~user/Ab", "percent-encoding"),
    ("https://e.com/a%2fb%3d", "https://e.com/a%2Fb%3D", "percent-encoding"),
    ('https://e.com/a b/"q"', "https://e.com/a%20b/%22q%22", "percent-encoding"),
    (
        "https://e.com/статья",
        "https://e.com/%D1%81%D1%82%D0%B0%D1%82%D1%8C%D1%8F",
        "percent-encoding",
    ),
    ("https://e.com/100%/x", "https://e.com/100%25/x", "percent-encoding"),
    ("https://e.com/?q=a%2bb&r=%7e", "https://e.com/?q=a%2Bb&r=~", "percent-encoding"),
    ("https://e.com/?q=ü", "https://e.com/?q=%C3%BC", "percent-encoding"),
    # 9, 10 path segments
    ("https://e.com//a///b/", "https://e.com/a/b/", "duplicate-slashes"),
    ("https://e.com/a/./b/../c", "https://e.com/a/c", "dot-segments"),
    ("https://e.com/a/b/..", "https://e.com/a/", "dot-segments"),
    ("https://e.com/../../x", "https://e.com/x", "dot-segments"),
    ("https://e.com/a/%2E%2E/b", "https://e.com/b", "dot-segments"),
    # 11 tracking parameters and empty ones
    ("https://e.com/x?utm_source=tw&utm_medium=social", "https://e.com/x", "tracking-params"),
    ("https://e.com/x?id=3&fbclid=abc", "https://e.com/x?id=3", "tracking-params"),
    (
        "https://e.com/x?GCLID=1&mc_cid=2&mc_eid=3&_ga=4&yclid=5",
        "https://e.com/x",
        "tracking-params",
    ),
    (
        "https://e.com/x?igshid=1&ref_src=twsrc&msclkid=2&dclid=3",
        "https://e.com/x",
        "tracking-params",
    ),
    ("https://e.com/x?PHPSESSID=9f2c&id=3", "https://e.com/x?id=3", "tracking-params"),
    ("https://e.com/x?jsessionid=A1&CFID=2&CFTOKEN=3", "https://e.com/x", "tracking-params"),
    (
        "https://e.com/news/story;jsessionid=A1B2C3?id=3",
        "https://e.com/news/story?id=3",
        "session-id",
    ),
    ("https://e.com/a;JSESSIONID=x/b.html", "https://e.com/a/b.html", "session-id"),
    ("https://e.com/x?", "https://e.com/x", "empty-params"),
    ("https://e.com/x?a=1&&b=2&", "https://e.com/x?a=1&b=2", "empty-params"),
    # 12 query order (stable for repeated names)
    ("https://e.com/x?b=2&a=1", "https://e.com/x?a=1&b=2", "query-order"),
    ("https://e.com/x?t=b&a=1&t=a", "https://e.com/x?a=1&t=b&t=a", "query-order"),
]


@pytest.mark.parametrize(("url", "expected", "rule"), GENERIC)
def test_generic_rule(url: str, expected: str, rule: str) -> None:
    canonical, rules = canonicalise_with_rules(url)
    assert canonical == expected
    assert rule in rules


UNCHANGED = [
    "https://example.com/2019/05/some-article/",
    "https://example.com/a%2Fb?q=a+b&r=%26",
    "https://example.com/x?a=1&a=0",  # repeated names keep their order
    "https://example.com:8443/x",
    "https://example.com/a;v=2/b;sessionless=1",  # other path parameters may select content
    "http://user:pw@example.com/x",
    "//example.com/scheme-relative",
    "mailto:someone@example.com",
    "relative/path?utm_source=x",  # not a hierarchical URL: left alone
    "",
]


@pytest.mark.parametrize("url", UNCHANGED)
def test_already_canonical_urls_are_unchanged(url: str) -> None:
    assert canonicalise_with_rules(url) == (url, ())


def test_publisher_folds_are_off_by_default() -> None:
    url = "https://www.example.com/story/amp/?amp=1"
    assert canonicalise(url) == url


FOLDS = UrlPolicy(
    fold_amp=True,
    host_folds={"www.e.com": "e.com", "m.e.com": "e.com", "amp.e.com": "e.com"},
)

POLICY_RULES = [
    # 13 www-fold
    ("https://www.e.com/x", "https://e.com/x", "www-fold"),
    ("https://M.E.com/x", "https://e.com/x", "www-fold"),
    ("https://www.other.com/x", "https://www.other.com/x", None),
    # 14 amp
    ("https://amp.e.com/x", "https://e.com/x", "amp"),
    ("https://e.com/story/amp/", "https://e.com/story/", "amp"),
    ("https://e.com/story/amp", "https://e.com/story/", "amp"),
    ("https://e.com/amp/story/", "https://e.com/story/", "amp"),
    ("https://e.com/story.amp.html", "https://e.com/story.html", "amp"),
    ("https://e.com/news/story-123.amp", "https://e.com/news/story-123", "amp"),
    ("https://e.com/story/?amp=1", "https://e.com/story/", "amp"),
    ("https://e.com/story/?amp", "https://e.com/story/", "amp"),
    ("https://e.com/story/?outputType=amp&p=2", "https://e.com/story/?p=2", "amp"),
    ("https://e.com/story/amp/amp/", "https://e.com/story/", "amp"),
    ("https://e.com/story/?amp=0", "https://e.com/story/?amp=0", None),
    ("https://e.com/amplifier/", "https://e.com/amplifier/", None),
]


@pytest.mark.parametrize(("url", "expected", "rule"), POLICY_RULES)
def test_policy_fold(url: str, expected: str, rule: str | None) -> None:
    canonical, rules = canonicalise_with_rules(url, policy=FOLDS)
    assert canonical == expected
    if rule:
        assert rule in rules
    else:
        assert "amp" not in rules and "www-fold" not in rules


SLASHES = [
    ("add", "https://e.com/a/b", "https://e.com/a/b/"),
    ("add", "https://e.com/a/story.html", "https://e.com/a/story.html"),
    ("add", "https://e.com/", "https://e.com/"),
    ("strip", "https://e.com/a/b/", "https://e.com/a/b"),
    ("strip", "https://e.com/", "https://e.com/"),
    ("strip", "https://e.com/a/b/amp/", "https://e.com/a/b"),
    ("keep", "https://e.com/a/b", "https://e.com/a/b"),
    ("keep", "https://e.com/a/b/", "https://e.com/a/b/"),
]


@pytest.mark.parametrize(("convention", "url", "expected"), SLASHES)
def test_trailing_slash_convention(convention: str, url: str, expected: str) -> None:
    policy = UrlPolicy(fold_amp=True, trailing_slash=convention)  # type: ignore[arg-type]
    assert canonicalise(url, policy=policy) == expected


def test_tracking_params_are_configurable() -> None:
    policy = UrlPolicy(tracking_params=frozenset({"Ref"}), tracking_prefixes=("x_",))
    url = "https://e.com/x?ref=a&x_y=1&utm_source=kept&id=2"
    assert canonicalise(url, policy=policy) == "https://e.com/x?id=2&utm_source=kept"


@pytest.mark.parametrize(
    "garbage",
    ["http://[::1", "http://a:b:c/x", "http://%zz/", "http:///x", "ht tp://x", "::::", "\udcff"],
)
def test_garbage_is_cleaned_not_raised(garbage: str) -> None:
    once = canonicalise(garbage)
    assert canonicalise(once) == once
