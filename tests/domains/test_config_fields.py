"""The URL fields of the publishers file: defaults keep old files valid, mistakes say where."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from scraper.config import Alias, load_config, parse_config
from scraper.domains import Resolver
from scraper.errors import ConfigError

ROOT = Path(__file__).resolve().parents[2]

SNIPPET = """
[[publisher]]
id = "moved"
name = "Moved"
canonical_domain = "new.example.org"
trailing_slash = "add"
fold_amp = false
tracking_params = ["CMP", "at_*"]
aliases = [
  { domain = "old.example.org", status = "live", rewrite = [
      { pattern = "^/news/(\\\\d{4})/", replace = "/\\\\1/" },
  ] },
  { domain = "older.example.org", rewrite = [["\\\\.php$", ""]] },
]
"""


def _parse(text: str) -> object:
    return parse_config(tomllib.loads(text), Path("publishers.toml"))


def test_snippet_parses_and_resolves() -> None:
    config = parse_config(tomllib.loads(SNIPPET), Path("publishers.toml"))
    publisher = config.publishers[0]
    assert publisher.trailing_slash == "add"
    assert publisher.fold_amp is False
    assert publisher.aliases[0].rewrite == ((r"^/news/(\d{4})/", r"/\1/"),)
    assert publisher.aliases[1].rewrite == ((r"\.php$", ""),)
    resolver = Resolver(config.publishers)
    resolution = resolver.resolve("http://old.example.org/news/2020/x?CMP=tw&at_medium=rss")
    assert resolution.canonical_url == "https://new.example.org/2020/x/"
    assert resolver.resolve("http://older.example.org/a/x.php").canonical_url == (
        "https://new.example.org/a/x/"
    )


def test_defaults_keep_existing_config_working() -> None:
    config = load_config(ROOT / "config" / "publishers.toml")
    for publisher in config.publishers:
        assert publisher.trailing_slash == "keep"
        assert publisher.fold_amp and publisher.fold_variants
        assert all(alias.rewrite == () for alias in publisher.aliases)
    assert Resolver(config.publishers).resolve("https://southfront.org/x").publisher_id == (
        "southfront"
    )


@pytest.mark.parametrize(
    ("fragment", "message"),
    [
        ('rewrite = [{ pattern = "(", replace = "" }]', "unterminated subpattern"),
        ('rewrite = [{ pattern = "a", replace = "\\\\3" }]', "invalid group reference"),
        ('rewrite = [{ pattern = "a" }]', "exactly 'pattern' and 'replace'"),
        ('rewrite = [{ pattern = "a", replace = "b", flags = "i" }]', "exactly"),
        ('rewrite = [["a"]]', "rewrite"),
    ],
)
def test_bad_rewrite_names_publisher_and_field(fragment: str, message: str) -> None:
    text = f"""
[[publisher]]
id = "p"
name = "P"
canonical_domain = "p.example"
aliases = [{{ domain = "q.example", {fragment} }}]
"""
    with pytest.raises(ConfigError) as info:
        _parse(text)
    assert "publisher 'p'" in str(info.value)
    assert message in str(info.value)


def test_bad_trailing_slash_is_rejected() -> None:
    text = '[[publisher]]\nid = "p"\nname = "P"\ncanonical_domain = "p.ex"\ntrailing_slash = "x"'
    with pytest.raises(ConfigError, match="trailing_slash"):
        _parse(text)


def test_alias_is_still_frozen_and_hashable() -> None:
    alias = Alias.model_validate(
        {"domain": "a.example", "rewrite": [{"pattern": "^/a", "replace": "/b"}]}
    )
    assert hash(alias) == hash(Alias(domain="a.example", rewrite=(("^/a", "/b"),)))
