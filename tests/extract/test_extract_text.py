"""html_to_text on feed fragments and the shared paragraph format."""

from __future__ import annotations

from pathlib import Path

from scraper.extract import html_to_text

DATA = Path(__file__).resolve().parents[1] / "data" / "extract"


def test_feed_fragment() -> None:
    fragment = (DATA / "feed_item.html").read_text(encoding="utf-8")
    assert html_to_text(fragment) == (
        "The council has published the full restoration plan for the lighthouse.\n\n"
        "Key dates:\nConsultation: April\nWorks begin: June\n\n"
        "Phase one: lantern room\n\n"
        "Phase two: visitor centre\n\n"
        "The post Lighthouse plan published appeared first on The Coastal Gazette."
    )


def test_whitespace_and_inline_markup() -> None:
    assert html_to_text("<p>  a <b>bold</b>\n\n  word  </p><p></p><div>next</div>") == (
        "a bold word\n\nnext"
    )


def test_double_br_ends_a_paragraph() -> None:
    fragment = (
        "<div>First paragraph, typed the old way.<br><br>\n"
        "Second one, with a line<br>break inside it.<br /> <br />"
        "<b>Third</b> one.<br><br><br>Fourth after extra breaks.<br></div>"
    )
    assert html_to_text(fragment) == (
        "First paragraph, typed the old way.\n\n"
        "Second one, with a line\nbreak inside it.\n\n"
        "Third one.\n\n"
        "Fourth after extra breaks."
    )


def test_pre_keeps_line_breaks() -> None:
    assert html_to_text("<pre>x = 1\n    y = 2</pre>") == "x = 1\n    y = 2"


def test_empty_and_plain_text() -> None:
    assert html_to_text("") == ""
    assert html_to_text("just text") == "just text"
