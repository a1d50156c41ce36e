"""Publisher boilerplate: text blocks removed before text is stored or hashed.

Configured blocks: two rules, both per publisher (``boilerplate = [regex, …]`` in the file):

1. A separator line (three or more ``_``, ``-``, ``*``, ``=`` or ``—``) followed by a line that a
   pattern matches *at its start* cuts the text there: publishers put their footers under such a
   rule ("____ / SouthFront: Analysis and Intelligence / NOW hosted at …"), and everything
   under it belongs to the footer.
2. Any paragraph that a pattern matches *in full* is dropped wherever it stands.

Learned blocks: a paragraph met in enough of one publisher's articles (see
:mod:`scraper.store.boilerplate` for the threshold) is dropped the same way, so a "we moved"
footer disappears even when nobody configured it.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from functools import lru_cache

from scraper.dedup.fingerprint import normalise_text

_SEPARATOR = re.compile(r"^\s*[_\-*=—–]{3,}\s*$")


@lru_cache(maxsize=256)
def _compile(patterns: tuple[str, ...]) -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(p, re.IGNORECASE) for p in patterns)


def strip_boilerplate(text: str, patterns: Sequence[str]) -> str:
    if not patterns or not text:
        return text
    compiled = _compile(tuple(patterns))
    text = _cut_footer(text, compiled)
    paragraphs = [
        p for p in text.split("\n\n") if not any(c.fullmatch(p.strip()) for c in compiled)
    ]
    return "\n\n".join(paragraphs).strip()


def _cut_footer(text: str, compiled: Sequence[re.Pattern[str]]) -> str:
    lines = text.split("\n")
    for index, line in enumerate(lines):
        if not _SEPARATOR.match(line):
            continue
        following = next((x.strip() for x in lines[index + 1 :] if x.strip()), "")
        if following and any(c.match(following) for c in compiled):
            return "\n".join(lines[:index]).rstrip()
    return text


def paragraph_hash(paragraph: str) -> str:
    """Identity of a paragraph however it was typeset (NFKC, quotes, spaces, case folded)."""
    return hashlib.blake2b(normalise_text(paragraph).encode("utf-8"), digest_size=16).hexdigest()


def paragraphs_of(text: str) -> dict[str, str]:
    """Distinct paragraphs of a text by hash (empty ones and lone punctuation skipped)."""
    found: dict[str, str] = {}
    for paragraph in text.split("\n\n"):
        if len(paragraph.strip()) >= 2:
            found.setdefault(paragraph_hash(paragraph), paragraph.strip())
    return found


def strip_learned(text: str, learned: frozenset[str]) -> str:
    """Drop paragraphs learned as the publisher's boilerplate; a separator line followed by a
    learned paragraph cuts the text there, as a configured footer pattern would."""
    if not learned or not text:
        return text
    paragraphs = text.split("\n\n")
    kept: list[str] = []
    for index, paragraph in enumerate(paragraphs):
        if _SEPARATOR.match(paragraph):
            following = next((p for p in paragraphs[index + 1 :] if p.strip()), "")
            if following and paragraph_hash(following) in learned:
                break
        if paragraph_hash(paragraph) not in learned:
            kept.append(paragraph)
    return "\n\n".join(kept).strip()
