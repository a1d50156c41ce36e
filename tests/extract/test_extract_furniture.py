"""Headline, byline and dateline paragraphs are stripped from the ends of the text only."""

from __future__ import annotations

import pytest

from scraper.extract.furniture import is_byline, normalise, strip_furniture

BODY = "The council met on Tuesday and voted to repair the bridge before the summer season."


@pytest.mark.parametrize(
    "line",
    [
        "March 28, 2025March 28, 2025 by SouthFront 3 Comments",
        "By Tom Okafor Thursday 27 March 2025, 06.45 Updated Thursday 27 March 2025, 09.15",
        "By Maya Lindqvist and Tom Okafor",
        "Posted July 26th, 2011",
        "November 12, 2012 at 3:30 pm PT",
        "Mon 14 July",
        "Updated 14:05",
        "2025-03-28",
        "28/03/2025",
        "5 min read",
    ],
)
def test_bylines_and_datelines(line: str) -> None:
    assert is_byline(line, ("SouthFront", "Tom Okafor"))


@pytest.mark.parametrize(
    "line",
    [
        BODY,
        "By the end of the week",
        "Comments are closed on this page, sorry.",
        "On",
        # Bare numbers: a timeline subheading, a score, table cells.
        "1991",
        "3 - 1",
        "1.1m",
        "12",
        "May",
    ],
)
def test_prose_is_not_a_byline(line: str) -> None:
    assert not is_byline(line)


def test_title_standfirst_and_byline() -> None:
    paragraphs = ["Bridge Repairs Approved", "A dek that stays.", "By Ann Lee", BODY]
    assert strip_furniture(paragraphs, ["Bridge repairs approved."]) == [
        "A dek that stays.",
        BODY,
    ]


def test_only_at_the_ends() -> None:
    middle = [BODY, BODY, BODY, BODY, "By Ann Lee", BODY, BODY, BODY]
    assert strip_furniture(middle, ["x"]) == middle
    assert strip_furniture([BODY, "Posted July 26th, 2011"], []) == [BODY]


def test_numbers_at_the_ends_are_kept() -> None:
    timeline = ["1991", BODY, "2004", BODY, "2019", BODY]
    assert strip_furniture(timeline, ["x"]) == timeline
    table = ["Item", "2023", "2024", "Roads", "1.0m", "1.1m"]
    assert strip_furniture(table, ["x"]) == table


def test_a_date_split_across_elements_is_stripped() -> None:
    assert strip_furniture(["Oct", "1", "2012", BODY, BODY], ["x"]) == [BODY, BODY]
    assert strip_furniture([BODY, BODY, "26", "Sep"], ["x"]) == [BODY, BODY]


def test_never_empties_the_text() -> None:
    assert strip_furniture(["Title"], ["Title"]) == ["Title"]


def test_normalise_ignores_quotes_case_and_spacing() -> None:
    assert normalise("Syria’s  Coast.") == normalise("syria's coast")
