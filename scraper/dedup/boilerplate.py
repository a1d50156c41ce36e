"""Publisher boilerplate: configured text blocks removed before text is stored or hashed.

Two rules, both per publisher (``boilerplate = [regex, …]`` in publishers.toml):

1. A separator line (three or more ``_``, ``-``, ``*``, ``=`` or ``—``) followed by a line that a
   pattern matches *at its start* cuts the text there: publishers put their footers under such a
   rule ("____ / SouthFront: Analysis and Intelligence / NOW hosted at …"), and everything
   under it belongs to the footer.
2. Any paragraph that a pattern matches *in full* is dropped wherever it stands.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

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
