"""Strip page furniture that templates put inside the article container.

The archive keeps title, authors and dates as separate fields, so the text
must be the body alone. Headline, byline and dateline usually share a
container with the body (``<article>`` holds the ``<h1>`` and the meta line),
so content selection cannot leave them out; they are recognised here, as
paragraphs at the very start or end of the text:

- a paragraph equal to the page title (compared without case, spacing,
  quote style or trailing punctuation);
- a short paragraph made only of byline/dateline words: "By" and a name-like
  run, known author names, dates and times, "Updated", "N Comments" …; a
  bare number ("1991" as a timeline subheading, a table cell, a score) is
  not a date unless it is part of one split across elements ("Oct" / "1" /
  "2012").

A standfirst (dek) between headline and byline is prose and stays. Nothing is
removed when it would leave no text at all.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

# How far from either end furniture is looked for (headline, dek, byline, dateline).
_LEADING = 4
_TRAILING = 2
_MAX_BYLINE_CHARS = 200
_MAX_NAME_WORDS = 5

_QUOTES = str.maketrans(
    {"‘": "'", "’": "'", "‚": "'", "“": '"', "”": '"', "„": '"', "–": "-", "—": "-"}
)
_WORD = re.compile(r"[^\W\d_]+|\d+")
# "By" in German, French, Spanish/Portuguese, Dutch, Scandinavian and Italian bylines. These are
# surname particles too ("Di Maio"), hence the extra evidence asked for in _foreign_by.
_FOREIGN_BY = re.compile(r"^\s*(?:von|par|por|door|av|di)\b\s*:?\s*", re.IGNORECASE)
# "and" and name particles in those languages, joining the names of one byline.
_FOREIGN_JOINERS = frozenset({"und", "et", "y", "e", "en", "og", "och", "du", "del", "dos"})
_BY = re.compile(
    r"^\s*(?:(?:posted|written|reported|published|words|story|photos?)\s+)?by\b\s*:?\s*",
    re.IGNORECASE,
)
_NAME_JOINERS = frozenset({"and", "&", "de", "van", "von", "der", "la", "le", "di", "da", "bin"})
# Month and weekday names: with them a line of numbers is a date, not a figure.
# fmt: off
_DATE_WORDS = frozenset({
    "january", "february", "march", "april", "may", "june", "july", "august", "september",
    "october", "november", "december", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep",
    "sept", "oct", "nov", "dec", "monday", "tuesday", "wednesday", "thursday", "friday",
    "saturday", "sunday", "mon", "tue", "tues", "wed", "thu", "thur", "thurs", "fri", "sat", "sun",
})
# Words a byline/dateline is made of once names are removed (lower case).
_FURNITURE_WORDS = _DATE_WORDS | frozenset({
    "st", "nd", "rd", "th", "am", "pm", "a", "p", "m", "utc", "gmt", "bst", "cet", "cest", "est",
    "edt", "cst", "cdt", "pst", "pdt", "et", "pt", "by", "on", "at", "and", "posted", "published",
    "updated", "last", "modified", "first", "comment", "comments", "no", "min", "mins", "minute",
    "minutes", "read", "ago", "hour", "hours", "day", "days", "today", "yesterday",
})
# fmt: on
_SIGNAL_WORDS = frozenset({"by", "posted", "published", "updated", "comments", "comment", "ago"})
# A day or year alone in an element, and the kinds of date part (see _split_dates).
_DAY_OR_YEAR = re.compile(r"\s*\d{1,4}(?:st|nd|rd|th)?[,.]?\s*", re.IGNORECASE)
_NUMBER = 1
_NAME = 2
# Numbers shaped like a time or a full date ("14:05", "2025-03-28", "28/03/2025") or a
# reading time; a bare number ("1991", "3 - 1", "1.1m") is a subheading, score or cell.
_DATE_SHAPE = re.compile(
    r"\d{1,2}:\d\d|\d{4}-\d{1,2}-\d{1,2}|\b\d{1,2}[/.]\d{1,2}[/.](?:\d{4}|\d\d)\b|"
    r"\d\s*min(?:ute)?s?\s+read",
    re.IGNORECASE,
)


def normalise(text: str) -> str:
    """Case-, spacing- and quote-insensitive form of a short text, for equality tests."""
    folded = " ".join(text.translate(_QUOTES).casefold().split())
    return folded.strip(" .:;!?-|\"'")


def _without_name_run(words: list[str]) -> list[str]:
    """Drop the name-like run (capitalised words, joiners) that follows a leading "By"."""
    taken = 0
    for word in words:
        joiner = word.lower() in _NAME_JOINERS or word.lower() in _FOREIGN_JOINERS
        if taken >= _MAX_NAME_WORDS or not (word[:1].isupper() or joiner):
            break
        taken += 1
    return words[taken:]


def _foreign_by(text: str, known: bool) -> re.Match[str] | None:
    """A leading non-English "by" ("Von", "Par", "Por", "Door", "Av", "Di"), when it is one: a
    known author's name was removed from the line, or a name of two or more capitalised words
    follows ("Von Anna Schmidt", not the surname "Di Maio")."""
    match = _FOREIGN_BY.match(text)
    if match is None or known:
        return match
    words = _WORD.findall(text[match.end() :])
    named = bool(words) and words[0][:1].isupper()
    return match if named and len(words) - len(_without_name_run(words)) >= 2 else None


def is_byline(paragraph: str, authors: Sequence[str] = ()) -> bool:
    """Whether a short paragraph is only byline/dateline material (names, dates, counts)."""
    if len(paragraph) > _MAX_BYLINE_CHARS:
        return False
    text = paragraph
    for name in authors:
        if len(name) >= 3:
            text = re.sub(re.escape(name), " ", text, flags=re.IGNORECASE)
    by = _BY.match(text) or _foreign_by(text, known=text != paragraph)
    words = _WORD.findall(text[by.end() :] if by else text)
    if by:
        words = _without_name_run(words)
    lowered = [w.lower() for w in words]
    if any(not (w.isdigit() or w in _FURNITURE_WORDS) for w in lowered):
        return False
    # Some evidence it is a byline/dateline: "By", a known name, a date or time, or a label.
    named = by is not None or text != paragraph
    return (
        named
        or any(w in _SIGNAL_WORDS for w in lowered)
        or _dated(lowered)
        or _DATE_SHAPE.search(text) is not None
    )


def _dated(lowered: list[str]) -> bool:
    """A month or weekday name next to a number ("March 2023", "Mon 14"): a date."""
    return any(w in _DATE_WORDS for w in lowered) and any(w.isdigit() for w in lowered)


def _date_part(paragraph: str) -> int:
    """``_NUMBER`` for a bare day or year ("1", "2012,"), ``_NAME`` for a month or weekday
    name, 0 for anything else."""
    if _DAY_OR_YEAR.fullmatch(paragraph):
        return _NUMBER
    return _NAME if normalise(paragraph).rstrip(",") in _DATE_WORDS else 0


def _split_dates(paragraphs: Sequence[str], window: range) -> set[int]:
    """Indices in ``window`` of dates typeset one part per element ("Oct" / "1" / "2012").

    Alone, a number is a figure and a month name a word; a run of such
    paragraphs holding both is a date widget.
    """
    found: set[int] = set()
    run: list[int] = []
    kinds = 0
    for i in [*window, -1]:
        part = _date_part(paragraphs[i]) if i >= 0 else 0
        if part:
            run.append(i)
            kinds |= part
            continue
        if kinds == _NUMBER | _NAME:
            found.update(run)
        run, kinds = [], 0
    return found


def _is_furniture(paragraph: str, titles: set[str], authors: Sequence[str]) -> bool:
    return normalise(paragraph) in titles or is_byline(paragraph, authors)


def strip_furniture(
    paragraphs: Sequence[str], titles: Iterable[str | None], authors: Sequence[str] = ()
) -> list[str]:
    """``paragraphs`` without a leading headline and leading/trailing byline or dateline lines."""
    wanted = {normalise(t) for t in titles if t}
    wanted.discard("")
    head = len(paragraphs) - _TRAILING
    dates = _split_dates(paragraphs, range(min(_LEADING, len(paragraphs))))
    dates |= _split_dates(paragraphs, range(max(head, 0), len(paragraphs)))
    kept = [
        p
        for i, p in enumerate(paragraphs)
        if i not in dates
        and not (i < _LEADING and _is_furniture(p, wanted, authors))
        and not (i >= head and is_byline(p, authors))
    ]
    return kept or list(paragraphs)
