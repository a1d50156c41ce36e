"""Evidence → suggestions → adoptions → the configuration in force (pure functions)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from scraper.config import parse_config
from scraper.domains.evidence import (
    Adoption,
    EvidenceCount,
    from_feed_link,
    from_notice,
    from_redirects,
    from_urls_of_one_article,
    host_of,
)
from scraper.domains.moves import auto_adoptions, effective_config, suggest, volume_evidence
from scraper.models import Hop

NOW = datetime(2026, 11, 25, tzinfo=UTC)
CONFIG = parse_config(
    {
        "publisher": [
            {"id": "sf", "name": "SF", "canonical_domain": "sf.org", "auto_adopt": True,
             "aliases": [{"domain": "sf.com", "status": "redirecting"}]},
            {"id": "nw", "name": "NW", "canonical_domain": "nw.example"},
        ]
    },
    Path("t.toml"),
)  # fmt: skip


def count(src: str, dst: str, kind: str, n: int = 1) -> EvidenceCount:
    return EvidenceCount("sf", src, dst, kind, n, f"https://{src}/x", NOW, NOW)


def test_only_permanent_cross_host_redirects_count() -> None:
    hops = [
        Hop("http://sf.com/a", 301, "https://sf.com/a"),  # scheme only: same host
        Hop("https://sf.com/a", 308, "https://www.sf.org/a"),  # a move (www. is a variant)
        Hop("https://sf.org/a", 302, "https://cdn.example/a"),  # temporary: proves nothing
    ]
    assert [(e.from_host, e.to_host) for e in from_redirects(hops)] == [("sf.com", "sf.org")]


def test_notices_name_the_new_home() -> None:
    text = "Old text.\n\nNOW hosted at sf.press\n\nWe have moved to https://sf.net/ today."
    found = from_notice(text, "https://sf.org/a", "sf.org")
    assert [(e.from_host, e.to_host, e.kind) for e in found] == [
        ("sf.org", "sf.press", "notice"),
        ("sf.org", "sf.net", "notice"),
    ]
    assert from_notice("NOW hosted at sf.org", "https://sf.org/a", "sf.org") == []


def test_feed_links_and_slugs() -> None:
    assert from_feed_link("https://sf.org/feed", "https://m.sf.org/") == []
    assert from_feed_link("https://sf.org/feed", "https://sf.press/")[0].kind == "feed_link"
    found = from_urls_of_one_article(["http://sf.com/2019/x/", "https://sf.org/2019/x"])
    assert [(e.from_host, e.to_host, e.kind) for e in found] == [("sf.com", "sf.org", "slug")]
    assert host_of("not a url") == ""


def test_suggestions_group_kinds_and_know_the_config() -> None:
    items = suggest(
        CONFIG,
        [count("sf.org", "sf.press", "redirect", 3), count("sf.org", "sf.press", "notice"),
         count("sf.com", "sf.org", "slug")],
    )  # fmt: skip
    top = items[0]
    assert (top.from_host, top.to_host, top.strength, top.configured) == (
        "sf.org", "sf.press", 2, False
    )  # fmt: skip
    assert items[1].configured  # sf.com → sf.org is already in the config


def test_auto_adoption_needs_enough_independent_kinds() -> None:
    weak = suggest(CONFIG, [count("sf.org", "sf.press", "redirect", 50)])
    assert auto_adoptions(CONFIG, weak, 2) == []
    failover_only = suggest(CONFIG, [count("sf.org", "sf.press", "failover", 9),
                                     count("sf.org", "sf.press", "redirect")])  # fmt: skip
    assert auto_adoptions(CONFIG, failover_only, 2) == []
    strong = suggest(CONFIG, [count("sf.org", "sf.press", "redirect"),
                              count("sf.org", "sf.press", "canonical")])  # fmt: skip
    assert [(s.from_host, s.to_host) for s in auto_adoptions(CONFIG, strong, 2)] == [
        ("sf.org", "sf.press")
    ]


def test_adoption_moves_home_and_keeps_the_old_domain() -> None:
    moved = effective_config(CONFIG, [Adoption("sf", "sf.org", "sf.press", "manual", NOW)])
    sf = moved.publisher("sf")
    assert sf.canonical_domain == "sf.press"
    assert [(a.domain, a.status) for a in sf.aliases][:1] == [("sf.org", "redirecting")]
    assert moved.publisher("nw") == CONFIG.publisher("nw")


def test_volume_that_moved_hosts_is_evidence() -> None:
    day = timedelta(days=1)
    activity = [
        ("sf", "sf.org", NOW - 200 * day, NOW - 40 * day, 120),
        ("sf", "sf.press", NOW - 39 * day, NOW - 1 * day, 60),
        ("sf", "cdn.sf.press", NOW - 300 * day, NOW - 2 * day, 5),  # older and still active
    ]
    found = volume_evidence(activity, NOW)
    assert [(e.from_host, e.to_host, e.kind) for e in found] == [("sf.org", "sf.press", "volume")]
