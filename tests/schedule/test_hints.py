"""Server hints: RSS <ttl>, sy:updatePeriod/Frequency, Cache-Control max-age."""

from __future__ import annotations

import pytest

from scraper.schedule.hints import feed_ttl_seconds, max_age_seconds

SY = 'xmlns:sy="http://purl.org/rss/1.0/modules/syndication/"'


@pytest.mark.parametrize(
    ("channel", "seconds"),
    [
        ("<ttl>60</ttl>", 3600.0),
        ("<sy:updatePeriod>hourly</sy:updatePeriod><sy:updateFrequency>2</sy:updateFrequency>",
         1800.0),
        ("<sy:updatePeriod>daily</sy:updatePeriod>", 86400.0),
        ("<ttl>30</ttl><sy:updatePeriod>hourly</sy:updatePeriod>", 3600.0),  # the longer one
        ("<sy:updatePeriod>fortnightly</sy:updatePeriod>", None),
        ("<ttl>0</ttl>", None),
        ("", None),
    ],
)  # fmt: skip
def test_feed_ttl(channel: str, seconds: float | None) -> None:
    body = f"<rss {SY}><channel><title>x</title>{channel}<item><title>a</title></item></channel>"
    assert feed_ttl_seconds(body.encode()) == seconds


def test_ttl_inside_an_item_is_not_the_channels() -> None:
    body = b"<rss><channel><item><ttl>600</ttl></item></channel></rss>"
    assert feed_ttl_seconds(body) is None


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        ("max-age=300", 300.0),
        ("public, max-age=600, s-maxage=60", 600.0),
        ("s-maxage=120", 120.0),
        ("no-cache, max-age=600", None),
        ("no-store", None),
        ("max-age=0", None),
        ("", None),
    ],
)
def test_max_age(value: str, seconds: float | None) -> None:
    assert max_age_seconds({"cache-control": value} if value else {}) == seconds
