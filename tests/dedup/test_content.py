"""Two texts of one publisher: what they share once its header or footer is set aside."""

from __future__ import annotations

import random
from datetime import UTC, datetime

from scraper.dedup.boilerplate import paragraph_hash
from scraper.dedup.content import compare
from scraper.dedup.policy import DedupPolicy

_WORDS = [f"w{n}" for n in range(3000)]


def _paragraph(seed: int, words: int = 30) -> str:
    return " ".join(random.Random(seed).choices(_WORDS, k=words)) + "."


FOOTER = _paragraph(0, 100)
NOW = datetime(2025, 3, 10, tzinfo=UTC)


def test_short_texts_under_one_footer_are_two_articles() -> None:
    """Two briefs over one long footer contain each other above the same-article threshold;
    the shape (shared block at the end, unrelated rests) says they are two articles."""
    one, two = f"{_paragraph(1)}\n\n{FOOTER}", f"{_paragraph(2)}\n\n{FOOTER}"
    content = compare(two, one, frozenset())
    assert content.containment > 0.7 and content.under_one_footer
    assert DedupPolicy().verdict(content.containment, True, NOW, NOW, True) == "cluster"


def test_a_footer_the_publisher_repeats_is_set_aside() -> None:
    one, two = f"{_paragraph(1)}\n\n{FOOTER}", f"{_paragraph(2)}\n\n{FOOTER}"
    content = compare(two, one, frozenset({paragraph_hash(FOOTER)}))
    assert content.containment < 0.1
    assert DedupPolicy().verdict(content.containment, True, NOW, NOW) == "none"


def test_edits_are_not_taken_for_a_shared_footer() -> None:
    paragraphs = [_paragraph(10 + n) for n in range(5)]
    text = "\n\n".join(paragraphs)
    middle = list(paragraphs)
    middle[2] = _paragraph(99)  # a paragraph rewritten: shared paragraphs on both sides
    assert not compare("\n\n".join(middle), text, frozenset()).under_one_footer
    last = list(paragraphs)
    last[-1] = last[-1].replace("w", "v", 3)  # a sentence of the last paragraph edited
    assert not compare("\n\n".join(last), text, frozenset()).under_one_footer
    footer_added = f"{text}\n\n{FOOTER}"  # one side adds only
    assert not compare(footer_added, text, frozenset()).under_one_footer
    cut = text[: text.rindex(" ", 0, len(text) - 20)]  # truncated a few words into a paragraph
    assert not compare(cut, text, frozenset()).under_one_footer
    teaser = f"{paragraphs[0]}\n\n{paragraphs[1]}\n\nRead the full story on our website."
    assert not compare(teaser, text, frozenset()).under_one_footer  # shared block at the start
    reflowed = text.replace("\n\n", " ")  # no paragraph in common: compared whole
    assert compare(reflowed, text, frozenset()).containment > 0.9
