"""Text fingerprints: the same words, however they were typeset, hash the same.

Words are what dedup counts and shingles (:func:`tokens`). Chinese and Japanese are written
without spaces between words, and so are Thai, Lao, Khmer and Myanmar: split on whitespace or
taken as ``\\w+`` runs, a 340-character Chinese article was 3 "words", under every length
floor, and a one-character edit changed its only "word". Each character of these scripts is
therefore a token of its own, the usual convention for counting CJK text (a character is
about a morpheme; a Chinese word is 1–2 of them). No dictionary segmentation: it would need
a dependency and would tie stored fingerprints to its version. Every other text tokenises
exactly as before (``\\w+`` runs), so stored band keys of such texts stay valid.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

_QUOTES = str.maketrans({"“": '"', "”": '"', "„": '"', "«": '"', "»": '"', "‘": "'", "’": "'"})
_SPACE = re.compile(r"\s+")
# Scripts written without spaces between words (scriptio continua), one token a character.
_UNSPACED = (
    "\u0e00-\u0eff"  # Thai, Lao
    "\u1000-\u109f"  # Myanmar
    "\u1780-\u17ff"  # Khmer
    "\u2e80-\u2fdf"  # CJK and Kangxi radicals
    "\u3005\u3006\u3007"  # 々 〆 〇
    "\u3040-\u30fa\u30fc-\u30ff"  # Hiragana, Katakana (not the middle dot ・)
    "\u31f0-\u31ff"  # Katakana phonetic extensions
    "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"  # CJK ideographs, extension A, compatibility
    "\U00020000-\U0003ffff"  # CJK ideographs, extensions B and later
)
_TOKEN = re.compile(f"[{_UNSPACED}]|[^\\W{_UNSPACED}]+")
_UNSPACED_CHAR = re.compile(f"[{_UNSPACED}]")


def normalise_text(text: str) -> str:
    """NFKC, quotes folded to ASCII, whitespace runs folded to one space, case folded."""
    folded = unicodedata.normalize("NFKC", text).translate(_QUOTES)
    return _SPACE.sub(" ", folded).strip().casefold()


def text_hash(text: str) -> str:
    return hashlib.sha256(normalise_text(text).encode("utf-8")).hexdigest()


def tokens(text: str) -> list[str]:
    """The text's words: ``\\w+`` runs, except that each character of a script written without
    spaces (Chinese, Japanese kana, Thai, Lao, Khmer, Myanmar) is a word of its own."""
    return _TOKEN.findall(text)


def word_count(text: str) -> int:
    """Whitespace-separated words, each run of an unspaced script counted by its characters
    (see :func:`tokens`); spaced texts count exactly as before (``len(text.split())``)."""
    return sum(len(tokens(chunk)) if _UNSPACED_CHAR.search(chunk) else 1 for chunk in text.split())
