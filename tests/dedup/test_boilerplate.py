from __future__ import annotations

from pathlib import Path

import pytest

from scraper.dedup.boilerplate import strip_boilerplate

FIXTURE = Path(__file__).resolve().parents[3] / "shared/fixtures/southfront-2025-03-28-drones.txt"


def test_footer_under_a_rule_is_cut() -> None:
    text = "First paragraph.\n\nSecond.\n\n_____\nSouthFront: Analysis and Intelligence\nNOW hosted"
    assert strip_boilerplate(text, ["SouthFront: Analysis and Intelligence"]) == (
        "First paragraph.\n\nSecond."
    )


def test_matching_paragraph_is_dropped_anywhere() -> None:
    text = "Body one.\n\nSubscribe to our newsletter!\n\nBody two."
    assert strip_boilerplate(text, [r"Subscribe to our newsletter!?"]) == "Body one.\n\nBody two."


def test_text_without_patterns_is_untouched() -> None:
    assert strip_boilerplate("a\n\n____\nb", []) == "a\n\n____\nb"
    assert strip_boilerplate("a\n\n____\nsomething else", ["Footer"]) == "a\n\n____\nsomething else"


def test_real_southfront_footer() -> None:
    if not FIXTURE.exists():
        pytest.skip("../shared/fixtures is not beside this checkout")
    raw = FIXTURE.read_text(encoding="utf-8")
    clean = strip_boilerplate(raw, ["SouthFront: Analysis and Intelligence"])
    assert raw.split("\n____")[0].strip() == clean
    assert "southfront.com" not in clean and "NOW hosted" not in clean
