"""Golden files for per-publisher rules: a stored page, the publisher's rules and the expected
result (tests/data/publishers/<id>/). The crawl and ``scraper reextract`` both go through
``scraper.clean.page_text``, so this is exactly what the archive stores for such a page."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest

from scraper.clean import page_text
from scraper.config import load_config
from scraper.extract import extract

CASES = sorted((Path(__file__).parent / "data" / "publishers").iterdir())


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_rules_give_the_expected_article(case: Path) -> None:
    (publisher,) = load_config(case / "publisher.toml").publishers
    expected = json.loads((case / "expected.json").read_text(encoding="utf-8"))
    page = (case / "page.html").read_bytes()
    extraction, text = page_text(page, expected["canonical_url"], publisher)
    assert text.split("\n\n") == expected["paragraphs"]
    assert extraction.title == expected["title"]
    assert list(extraction.authors) == expected["authors"]
    assert extraction.published_at == datetime.fromisoformat(expected["published_at"])
    assert extraction.language == expected["language"]
    assert extraction.canonical_url == expected["canonical_url"]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_without_rules_the_page_needs_them(case: Path) -> None:
    """The golden page is one the generic extractor alone gets wrong: the rules matter."""
    expected = json.loads((case / "expected.json").read_text(encoding="utf-8"))
    generic = extract((case / "page.html").read_bytes(), expected["canonical_url"])
    assert generic.text.split("\n\n") != expected["paragraphs"]
