from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scraper.query.websearch import phrase_words, to_fts5


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
