"""A realistic article page comes out with exactly its body and metadata."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from scraper.extract import Extraction, extract

DATA = Path(__file__).resolve().parents[1] / "data" / "extract"


@pytest.fixture(scope="module")
def golden() -> dict[str, object]:
    loaded: dict[str, object] = json.loads((DATA / "article.json").read_text(encoding="utf-8"))
    return loaded


@pytest.fixture(scope="module")
def result(golden: dict[str, object]) -> Extraction:
    url = golden["url"]
    assert isinstance(url, str)
    return extract((DATA / "article.html").read_bytes(), url)


def test_text_is_exactly_the_article_body(result: Extraction, golden: dict[str, object]) -> None:
    assert result.text == golden["text"]


@pytest.mark.parametrize(
    "boilerplate",
    [
        "cookies",  # cookie banner
        "Sport",  # navigation
        "Share on Facebook",  # share widget
        "decommissioned in 1962",  # figcaption
        "newsletter",  # newsletter box
        "Related stories",
        "Seaside pier",  # related links
        "grandfather",  # comments
        "Most read",
        "first month free",  # sidebar promo
        "All rights reserved",  # footer
        "trackArticleView",  # script
    ],
)
def test_no_boilerplate(result: Extraction, boilerplate: str) -> None:
    assert boilerplate not in result.text


def test_paragraph_format(result: Extraction) -> None:
    paragraphs = result.text.split("\n\n")
    assert "Funding from a heritage grant" in paragraphs  # heading is its own paragraph
    assert "new glazing for the lantern room," in paragraphs  # list item too
    assert all(p == p.strip() and p for p in paragraphs)


def test_metadata_matches_golden(result: Extraction, golden: dict[str, object]) -> None:
    assert result.title == golden["title"]
    assert list(result.authors) == golden["authors"]
    assert result.published_at == datetime.fromisoformat(str(golden["published_at"]))
    assert result.modified_at == datetime.fromisoformat(str(golden["modified_at"]))
    assert result.language == golden["language"]
    assert result.canonical_url == golden["canonical_url"]
    assert result.description == golden["description"]
    assert result.image_url == golden["image_url"]
    assert result.section == golden["section"]
    assert list(result.tags) == golden["tags"]


def test_dates_are_utc(result: Extraction) -> None:
    assert result.published_at == datetime(2021, 3, 14, 8, 30, tzinfo=UTC)
    assert result.published_at is not None and result.published_at.tzinfo == UTC


def test_text_and_bytes_input_agree() -> None:
    raw = (DATA / "article.html").read_bytes()
    assert extract(raw).text == extract(raw.decode("utf-8")).text
