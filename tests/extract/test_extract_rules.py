"""Per-site rules: article selector, dropped nodes and paragraphs, bad input."""

from __future__ import annotations

from scraper.extract import ExtractRules, extract

LONG = (
    "This paragraph is long enough to look like real prose, with commas, clauses, "
    "and a full stop at the end of a sentence that goes on for a while."
)
PAGE = f"""<html><body>
<div class="main-story"><p>Main story. {LONG}</p><p>Second paragraph. {LONG}</p>
<div class="promo-box"><p>Buy our magazine today. {LONG}</p></div>
<p>Advertisement</p><p>Read more: other stories</p></div>
<div class="teaser"><p>Teaser only, chosen by the selector.</p></div>
</body></html>"""


def test_article_selector_picks_the_root() -> None:
    result = extract(PAGE, rules=ExtractRules(article_selector="div.teaser"))
    assert result.text == "Teaser only, chosen by the selector."


def test_article_selector_without_match_falls_back() -> None:
    result = extract(PAGE, rules=ExtractRules(article_selector="div.nothing"))
    assert result.text.startswith("Main story.")


def test_drop_selectors() -> None:
    rules = ExtractRules(drop_selectors=("div.promo-box", "p.none"))
    assert "magazine" not in extract(PAGE, rules=rules).text
    assert "Second paragraph." in extract(PAGE, rules=rules).text


def test_drop_patterns_drop_fully_matching_paragraphs() -> None:
    rules = ExtractRules(drop_patterns=("Advertisement", r"Read more:.*"))
    text = extract(PAGE, rules=rules).text
    assert "Advertisement" not in text
    assert "Read more" not in text
    assert "Main story." in text


def test_drop_pattern_must_match_whole_paragraph() -> None:
    rules = ExtractRules(drop_patterns=("Main",))
    assert "Main story." in extract(PAGE, rules=rules).text


def test_invalid_selectors_and_patterns_do_not_crash() -> None:
    rules = ExtractRules(
        article_selector="div[[[", drop_selectors=("p:::bad", ""), drop_patterns=("([",)
    )
    result = extract(PAGE, rules=rules)
    assert result.text.startswith("Main story.")
