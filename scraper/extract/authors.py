"""Clean author names out of bylines and metadata values."""

from __future__ import annotations

import re
from collections.abc import Iterable

_PREFIX = re.compile(
    r"^\s*(?:(?:posted|written|reported|published|story|text|words|photos?)\s+)?"
    r"(?:by|from)\s*[:\-]?\s+",
    re.IGNORECASE,
)
# "by" in other languages. These are also surname particles ("Di Maio", "Von Trier"), so they
# are only taken for "by" before a longer name (see _strip_prefix).
_FOREIGN_PREFIX = re.compile(r"^\s*(von|par|por|di|door|av)(?:\s*[:\-]\s*|\s+)", re.IGNORECASE)
_EMAIL = re.compile(r"\S+@\S+\.\S+")
_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_SPLIT = re.compile(r"\s*(?:,|;|&|\band\b|\bund\b|\bet\b|\by\b|\||/)\s*", re.IGNORECASE)
_TRAILER = re.compile(
    r"\s*(?:[-–—|,]\s*)?(?:(?:staff|senior|contributing)\s+)?(?:writer|reporter|editor|"
    r"correspondent|columnist)\b.*$",
    re.IGNORECASE,
)
_MAX_NAME_CHARS = 60
_MAX_NAME_WORDS = 6
_MAX_AUTHORS = 10


def _strip_prefix(value: str) -> str:
    """``value`` without a leading "By" (or "Von", "Par", "Por", "Di", "Door", "Av").

    A foreign "by" goes when a colon or dash follows it, when it is lower case ("di Mario
    Rossi"), or when it is followed by at least two words, the first capitalised ("Von Anna
    Schmidt"); "Di Wu", "Di Maio" and "Von der Leyen" keep their particle.
    """
    value = " ".join(value.split())
    stripped = _PREFIX.sub("", value)
    foreign = _FOREIGN_PREFIX.match(stripped) if stripped == value else None
    if foreign is None:
        return stripped
    rest = value[foreign.end() :]
    words = rest.split()
    punctuated = foreign.group(0).rstrip()[-1:] in {":", "-"}
    named = bool(words) and words[0][:1].isupper()
    if punctuated or (named and (foreign.group(1).islower() or len(words) >= 2)):
        return rest
    return value


def _clean_one(name: str) -> str | None:
    name = _URL.sub(" ", _EMAIL.sub(" ", name))
    name = _strip_prefix(name)
    name = _TRAILER.sub("", name).strip(" \t-–—:|,.@()[]")
    if not name or len(name) > _MAX_NAME_CHARS or len(name.split()) > _MAX_NAME_WORDS:
        return None
    if not any(c.isalpha() for c in name) or name.lower() in {"admin", "staff", "unknown"}:
        return None
    return name


def clean_authors(values: Iterable[str]) -> tuple[str, ...]:
    """Names without "By", emails, URLs or job titles; "A and B" split; deduplicated."""
    seen: dict[str, str] = {}
    for value in values:
        if _URL.fullmatch(value.strip()):
            continue  # article:author is often a profile URL, not a name
        stripped = _strip_prefix(value)
        for part in _SPLIT.split(stripped):
            name = _clean_one(part)
            if name and name.casefold() not in seen:
                seen[name.casefold()] = name
        if len(seen) >= _MAX_AUTHORS:
            break
    return tuple(seen.values())[:_MAX_AUTHORS]
