"""Near-duplicate fingerprints: word shingles, a one-permutation MinHash, LSH band keys.

A text becomes the set of its word 5-shingles (a character of an unspaced script such as
Chinese or Thai is a word) (after :func:`normalise_text`), each hashed to
32 bits. The signature is a *one-permutation* MinHash with densification (Shrivastava & Li,
2014): the hash space is cut into ``BINS`` bins by the hash's top bits, each bin keeps its
smallest hash, and an empty bin borrows from the next non-empty one (with the distance mixed
in). One pass over the shingles instead of ``BINS`` passes: ≈ 1 ms a 400-word text in pure
Python. Two texts agree on a bin with probability ≈ their Jaccard similarity.

Band keys are what the database indexes: ``BANDS`` bands of ``ROWS`` consecutive bins, each
band packed into one positive 63-bit integer (band number, then the bins' 27 low bits). Two
texts whose signatures share a band key are *candidates*; a candidate is only ever accepted
after :func:`similarity` compared the two shingle sets exactly. With ``ROWS = 2`` and
``BANDS = 16`` a pair of Jaccard similarity s becomes a candidate with probability
``1 - (1 - s²)¹⁶``: 0.997 at s = 0.55 (a 60 % truncation with a new footer), 0.94 at 0.4,
and ≈ 16 s² for unrelated texts (s ≈ 0.001 → 2·10⁻⁵), so a lookup meets only the story's
copies, however large the archive. See docs/dedup.md for the measurement.

Changing ``SHINGLE``, ``BINS``, ``ROWS`` or the hash invalidates stored band keys: bump
``SCHEME`` and re-index (nothing else reads the keys).
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass

from scraper.dedup.fingerprint import normalise_text, tokens

SCHEME = 1
SHINGLE = 5
BINS = 32
ROWS = 2
BANDS = BINS // ROWS
_BIN_SHIFT = 32 - (BINS.bit_length() - 1)  # top bits of the 32-bit hash choose the bin
_LOW = (1 << _BIN_SHIFT) - 1
_MULT = 0x9E3779B1  # golden-ratio multiplier: spreads CRC-32's bits over the whole word
_EMPTY = 1 << 32


def words_of(text: str) -> list[str]:
    """The normalised text's words (:func:`scraper.dedup.fingerprint.tokens`: a character of
    Chinese, Japanese or Thai is a word, so such texts get shingles that an edit moves)."""
    return tokens(normalise_text(text))


def shingle_hashes(text: str, size: int = SHINGLE) -> frozenset[int]:
    """32-bit hashes of the text's word ``size``-shingles (a text shorter than ``size`` words
    is one shingle)."""
    words = words_of(text)
    if not words:
        return frozenset()
    if len(words) < size:
        size = len(words)
    crc = zlib.crc32
    grams = map(" ".join, zip(*(words[i:] for i in range(size)), strict=False))
    return frozenset((crc(g.encode()) * _MULT) & 0xFFFFFFFF for g in grams)


def signature(hashes: frozenset[int]) -> tuple[int, ...]:
    """One-permutation MinHash of a shingle set: ``BINS`` values of ``_BIN_SHIFT`` bits."""
    if not hashes:
        return ()
    mins = [_EMPTY] * BINS
    for h in hashes:
        b = h >> _BIN_SHIFT
        if h < mins[b]:
            mins[b] = h
    out = [0] * BINS
    for i in range(BINS):
        distance = 0
        value = mins[i]
        while value == _EMPTY:  # densify: borrow from the next non-empty bin, circularly
            distance += 1
            value = mins[(i + distance) % BINS]
        out[i] = ((value & _LOW) + distance * 0x2545F49) & _LOW
    return tuple(out)


def band_keys(sig: tuple[int, ...]) -> list[int]:
    """The signature's LSH keys: one positive 63-bit integer per band."""
    if not sig:
        return []
    keys = []
    for band in range(BANDS):
        key = band
        for value in sig[band * ROWS : (band + 1) * ROWS]:
            key = (key << _BIN_SHIFT) | value
        keys.append(key)
    return keys


@dataclass(frozen=True, slots=True)
class Similarity:
    jaccard: float
    containment: float  # shared shingles / shingles of the shorter text


def similarity(a: frozenset[int], b: frozenset[int]) -> Similarity:
    if not a or not b:
        return Similarity(0.0, 0.0)
    shared = len(a & b)
    return Similarity(shared / (len(a) + len(b) - shared), shared / min(len(a), len(b)))


@dataclass(frozen=True, slots=True)
class Fingerprint:
    """Everything dedup needs to know about one text, computed once."""

    shingles: frozenset[int]
    keys: tuple[int, ...]

    @classmethod
    def of(cls, text: str) -> Fingerprint:
        shingles = shingle_hashes(text)
        return cls(shingles, tuple(band_keys(signature(shingles))))
