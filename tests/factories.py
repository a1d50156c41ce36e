"""Test data builders shared by the store, dedup and API tests."""

from __future__ import annotations

from typing import Any

from scraper.models import ArticleDraft

# Local-news vocabulary for texts made up at random: each seed gives different prose.
NEWS_WORDS = [
    "harbour",
    "council",
    "budget",
    "river",
    "bridge",
    "school",
    "vote",
    "mayor",
    "storm",
    "rail",
    "fares",
    "museum",
    "library",
    "clinic",
    "farmers",
    "market",
    "festival",
    "housing",
    "plan",
    "court",
    "ruling",
    "strike",
    "port",
    "ferry",
    "tunnel",
]

_DEFAULTS: dict[str, Any] = {
    "title": None,
    "authors": (),
    "published_at": None,
    "language": "en",
    "text_source": "page",
}


def make_draft(publisher: str, url: str, text: str, /, **values: Any) -> ArticleDraft:
    """An article draft with plain defaults; ``values`` override any field (even
    ``canonical_url``, which ``url`` only sets by default)."""
    fields = _DEFAULTS | {
        "publisher_id": publisher,
        "canonical_url": url,
        "urls": ((url, "feed"),),
        "text": text,
    }
    return ArticleDraft(**(fields | values))
