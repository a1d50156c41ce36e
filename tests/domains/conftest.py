"""Publishers shaped like the real configuration, plus traps for the host matcher."""

from __future__ import annotations

from typing import Any

import pytest

from scraper.config import Publisher
from scraper.domains import Resolver


def publisher(**fields: Any) -> Publisher:
    fields.setdefault("name", fields["id"].title())
    return Publisher.model_validate(fields)


PUBLISHERS = (
    publisher(
        id="southfront",
        name="SouthFront: Analysis and Intelligence",
        canonical_domain="southfront.press",
        aliases=[
            {"domain": "southfront.org", "status": "blocked"},
            {"domain": "southfront.com", "since": 2013, "until": 2015},
            {"domain": "sf-mirror.net", "status": "live", "role": "mirror"},
            {"domain": "southfront.info", "status": "dead"},
            {"domain": "southfront.net", "status": "redirecting"},
        ],
    ),
    # A different publisher whose name ends like SouthFront's: must never be confused.
    publisher(id="notsouthfront", canonical_domain="notsouthfront.press"),
    publisher(
        id="bbc",
        canonical_domain="www.bbc.co.uk",
        aliases=[{"domain": "www.bbc.com", "status": "live", "role": "mirror"}],
        tracking_params=["at_*", "ocid"],
    ),
    # Nested zones: blog.example.com belongs to someone else than example.com.
    publisher(id="example", canonical_domain="example.com", trailing_slash="add"),
    publisher(id="exblog", canonical_domain="blog.example.com", trailing_slash="strip"),
    publisher(
        id="moved",
        canonical_domain="new.example.org",
        aliases=[
            {
                "domain": "old-news.net",
                "status": "redirecting",
                "rewrite": [{"pattern": r"^/news/(\d{4})/", "replace": r"/\1/"}],
            },
            {"domain": "older-news.net", "rewrite": [[r"\.php$", "/"]]},
            {"domain": "wp-news.net", "rewrite": [[r"^/story/(\d+)/?$", r"/?p=\1"]]},
        ],
    ),
    publisher(id="noamp", canonical_domain="noamp.example.net", fold_amp=False),
)


@pytest.fixture(scope="session")
def resolver() -> Resolver:
    return Resolver(PUBLISHERS)
