"""extract() never raises and stays bounded on hostile input."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scraper.extract import Extraction, ExtractRules, extract, html_to_text

TAGS = ["div", "p", "a", "span", "article", "script", "table", "td", "li", "ul", "h1", "br"]


@st.composite
def html_soup(draw: st.DrawFn) -> str:
    parts = draw(
        st.lists(
            st.one_of(
                st.sampled_from([f"<{t}>" for t in TAGS] + [f"</{t}>" for t in TAGS]),
                st.sampled_from(['<div class="comment">', '<p class="share">', "<!--", "<meta "]),
                st.text(max_size=40),
            ),
            max_size=60,
        )
    )
    return "".join(parts)


FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(st.text(max_size=500))
def test_arbitrary_text(text: str) -> None:
    assert isinstance(extract(text), Extraction)
    assert isinstance(html_to_text(text), str)


@FAST
@given(st.binary(max_size=500))
def test_arbitrary_bytes(data: bytes) -> None:
    assert isinstance(extract(data, "http://x.example/2020/01/02/a"), Extraction)


@FAST
@given(html_soup(), st.text(max_size=30))
def test_html_soup_with_rules(html: str, selector: str) -> None:
    rules = ExtractRules(
        article_selector=selector, drop_selectors=(selector,), drop_patterns=(selector,)
    )
    assert isinstance(extract(html, rules=rules).text, str)


def test_empty_inputs() -> None:
    assert extract("").text == ""
    assert extract(b"").text == ""
    assert extract(b"\x00\xff\xfe garbage \x89PNG").text is not None


def test_deep_nesting() -> None:
    html = "<div>" * 5000 + "<p>deep, deep text, long enough to matter here.</p>" + "</div>" * 5000
    assert "deep" in extract(html).text
    html = "<span>" * 5000 + "deep inline" + "</span>" * 5000
    assert isinstance(extract(html).text, str)


def test_huge_input_is_truncated_and_returns() -> None:
    paragraph = "<p>" + "word, " * 40 + "end.</p>\n"
    html = "<html><body><article>" + paragraph * (50_000_000 // len(paragraph)) + "</article>"
    assert len(html) >= 49_000_000
    result = extract(html)
    assert result.text.startswith("word, word")
    assert len(result.text) < 6_000_000


def test_max_bytes_is_configurable() -> None:
    html = "<article><p>" + "alpha beta, " * 1000 + "</p><p>The TAIL MARKER ends it.</p></article>"
    assert "TAIL MARKER" not in extract(html, max_bytes=2000).text
    assert "TAIL MARKER" in extract(html).text
