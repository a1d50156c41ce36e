from __future__ import annotations

import sqlite3

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scraper.query.websearch import excluded_only, excluded_terms, phrase_words, to_fts5


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("drones", '"drones"'),
        ("drones tartus", '"drones" AND "tartus"'),
        ('"air base" drones', '"air base" AND "drones"'),
        ("drones -ukraine", '("drones") NOT "ukraine"'),
        ("drones or missiles", '("drones" OR "missiles")'),
        ("al-Sharaa", '"al Sharaa"'),
        ('unbalanced "quote', '"unbalanced" AND "quote"'),
        ("-only negative", '("negative") NOT "only"'),
        ("*** :: ()", None),
        ("", None),
    ],
)
def test_translation(query: str, expected: str | None) -> None:
    assert to_fts5(query) == expected


@given(st.text())
def test_any_input_gives_a_valid_shape(query: str) -> None:
    result = to_fts5(query)
    assert result is None or result.count('"') % 2 == 0


def test_phrase_words_are_the_words_of_wanted_phrases() -> None:
    assert phrase_words('"Prime Minister" said -"foo bar" "minister, prime"') == [
        "prime",
        "minister",
    ]
    assert phrase_words("prime minister") == []
    assert phrase_words('"unclosed phrase') == ["unclosed", "phrase"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("-drones", '"drones"'),
        ('-drones -"ferry boat"', '"drones" OR "ferry boat"'),
        ("-al-Sharaa", '"al Sharaa"'),
        ("drones -ukraine", None),  # ranked: the exclusion is in to_fts5's expression
        ("-", None),
        ("", None),
    ],
)
def test_a_query_that_only_excludes(query: str, expected: str | None) -> None:
    assert excluded_only(query) == expected
    if expected is not None:
        assert to_fts5(query) is None  # nothing to rank by: the listing leaves these out


def test_excluded_terms_of_any_query() -> None:
    assert excluded_terms('harbour -drones -"ferry boat"') == '"drones" OR "ferry boat"'
    assert excluded_terms("harbour") is None


@given(st.text())
def test_any_exclusion_is_valid_fts5(query: str) -> None:
    expression = excluded_only(query)
    if expression is None:
        return
    db = sqlite3.connect(":memory:")
    db.execute("CREATE VIRTUAL TABLE t USING fts5(body, tokenize='porter unicode61')")
    db.execute("SELECT rowid FROM t WHERE t MATCH ?", (expression,)).fetchall()
