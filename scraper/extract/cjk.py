"""Length and word measures that do not shortchange Chinese and Japanese.

Thresholds in extraction ("a prose paragraph has 80 characters", "a full
article has 120 words") are calibrated on spaced, alphabetic text. Chinese
and Japanese write words without spaces, one ideograph or kana standing for
about what two or three Latin letters carry, and punctuate with full-width
marks (。，、！？). Measured naively a CJK paragraph is "short and
unpunctuated" and a CJK article is a handful of "words".

Hangul is left out: Korean separates words with spaces and mostly uses
Latin punctuation, so the ordinary measures already fit it.
"""

from __future__ import annotations

import re

# Kana, CJK unified ideographs (and extension A), compatibility ideographs.
_WIDE = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
# Full-width sentence and clause marks: 、 。 ！ ， ： ； ？
_WIDE_PUNCT = re.compile(r"[\u3001\u3002\uff01\uff0c\uff1a\uff1b\uff1f]")
# A CJK character counts as this many Latin characters towards length thresholds
# (conservative: a Chinese word is ~1.7 characters, an English one ~6 with its space).
WIDE_WEIGHT = 2
# Characters per word in CJK text, for word-count thresholds.
_CHARS_PER_WORD = 2
# Any CJK character or full-width mark (a search for it is cheaper than counting).
_ANY_WIDE = re.compile(r"[\u3000-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]")


def has_wide(text: str) -> bool:
    """Cheap pre-check: whether ``text`` holds CJK characters or marks at all."""
    return not text.isascii() and _ANY_WIDE.search(text) is not None


def wide_chars(text: str) -> int:
    """Number of kana and ideographs in ``text``."""
    return len(_WIDE.findall(text))


def wide_punctuation(text: str) -> int:
    """Number of full-width sentence and clause marks in ``text``."""
    return len(_WIDE_PUNCT.findall(text))


def word_count(text: str) -> int:
    """Whitespace-separated words, with runs of CJK characters counted as
    ``_CHARS_PER_WORD`` characters per word instead of one word per run."""
    if not has_wide(text):
        return len(text.split())
    wide = wide_chars(text)
    spaced = _WIDE.sub(" ", text)
    words = sum(1 for token in spaced.split() if not _is_punctuation(token))
    return words + wide // _CHARS_PER_WORD


def _is_punctuation(token: str) -> bool:
    return all(not ch.isalnum() for ch in token)
