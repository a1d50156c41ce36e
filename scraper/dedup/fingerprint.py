"""Text fingerprints: the same words, however they were typeset, hash the same."""

from __future__ import annotations

import hashlib
import re
import unicodedata

_QUOTES = str.maketrans({"“": '"', "”": '"', "„": '"', "«": '"', "»": '"', "‘": "'", "’": "'"})
_SPACE = re.compile(r"\s+")


def normalise_text(text: str) -> str:
    """NFKC, quotes folded to ASCII, whitespace runs folded to one space, case folded."""
    folded = unicodedata.normalize("NFKC", text).translate(_QUOTES)
    return _SPACE.sub(" ", folded).strip().casefold()


def text_hash(text: str) -> str:
    return hashlib.sha256(normalise_text(text).encode("utf-8")).hexdigest()


def word_count(text: str) -> int:
    return len(text.split())
