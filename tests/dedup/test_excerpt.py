"""A shorter text of an article: a partial copy (teaser, newsletter, AMP) or an edit."""

from __future__ import annotations

import random

from scraper.dedup.excerpt import is_excerpt
from tests.factories import NEWS_WORDS

_WORDS = NEWS_WORDS[:12]


def _article(seed: int, paragraphs: int = 8) -> list[str]:
    rng = random.Random(seed)
    return [" ".join(rng.choices(_WORDS, k=40)) for _ in range(paragraphs)]


def _text(paragraphs: list[str]) -> str:
    return "\n\n".join(paragraphs)


def test_the_leading_part_is_an_excerpt_with_or_without_a_line_of_its_own() -> None:
    full = _article(1)
    assert is_excerpt(_text(full[:2]), _text(full))
    assert is_excerpt(_text([*full[:3], "Read the full story on our website."]), _text(full))
    assert is_excerpt(_text(full[:3]) + " " + full[3][:80] + "…", _text(full))  # cut mid-way


def test_a_leading_part_missing_one_small_inline_block_is_an_excerpt() -> None:
    full = _article(2)
    full[2:2] = ["Read also: council votes budget."]
    amp = [p for p in full[:5] if not p.startswith("Read also")]
    assert is_excerpt(_text(amp), _text(full))


def test_a_copy_that_runs_to_the_end_is_no_excerpt() -> None:
    """A word deleted under a new slug is an edit; so is an AMP page that drops an inline block
    only (near-identical: taking it as an edit loses nothing)."""
    full = _article(6)
    assert not is_excerpt(_text(full).replace("harbour ", "", 1), _text(full))
    full[2:2] = ["Read also: council votes budget."]
    assert not is_excerpt(_text([p for p in full if not p.startswith("Read")]), _text(full))


def test_an_edit_that_removes_a_paragraph_from_the_middle_or_the_top_is_no_excerpt() -> None:
    full = _article(3)
    assert not is_excerpt(_text(full[:3] + full[4:]), _text(full))
    assert not is_excerpt(_text(full[1:]), _text(full))


def test_a_rewritten_or_equal_or_longer_text_is_no_excerpt() -> None:
    full = _article(4)
    rewritten = [*full[:2], *_article(5, 2)]
    assert not is_excerpt(_text(rewritten), _text(full))
    assert not is_excerpt(_text(full), _text(full))
    assert not is_excerpt(_text([*full, "Update: the vote was postponed."]), _text(full))
    assert not is_excerpt("", _text(full))
