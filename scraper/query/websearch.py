"""Turn what people type into a search box into an FTS5 query that cannot be a syntax error.

PostgreSQL has ``websearch_to_tsquery`` for this; SQLite's FTS5 does not, and a stray quote,
hyphen or colon in raw input is an FTS5 syntax error. The accepted syntax is the same as
PostgreSQL's: words (all required), "quoted phrases", ``-word`` to exclude, ``or`` between terms.
"""

from __future__ import annotations

import re

_TOKEN = re.compile(r'(-?)"([^"]*)"?|(\S+)')
_WORD = re.compile(r"\w+", re.UNICODE)


def _quote(words: list[str]) -> str:
    return '"' + " ".join(words) + '"'


def to_fts5(query: str) -> str | None:
    """Return an FTS5 MATCH expression, or None when the query has no searchable word."""
    positive, negative = _terms(query)
    if not positive:
        return None
    expression = " AND ".join(positive)
    for term in negative:
        expression = f"({expression}) NOT {term}"
    return expression


def excluded_only(query: str) -> str | None:
    """For a query that only excludes (``-drones -"ferry boat"``): its excluded terms as one
    query matching any of them (``"drones" OR "ferry boat"``); None for any other query.

    Such a query has nothing to rank by, so it lists the newest articles, but without the
    ones it excludes (before, the exclusion was silently dropped). FTS5 cannot run a query
    that is only ``NOT``, so the listing leaves out what this matches. The same text is
    valid for FTS5 ``MATCH`` and for PostgreSQL's ``websearch_to_tsquery`` (quoted phrases
    joined by ``OR``).
    """
    positive, negative = _terms(query)
    if positive or not negative:
        return None
    return " OR ".join(negative)


def excluded_terms(query: str) -> str | None:
    """The query's excluded terms as one query matching any of them, as in
    :func:`excluded_only`, whatever else the query has; None when it excludes nothing.

    PostgreSQL ORs one tsquery per text-search configuration, and an exclusion inside one
    branch is no exclusion of the whole: ``harbour -drones`` parsed as ``simple`` is
    ``'harbour' & !'drones'``, true for an English row whose vector holds only the stem
    ``drone``. The search ANDs the negation of these terms, in every configuration, instead.
    """
    negative = _terms(query)[1]
    return " OR ".join(negative) if negative else None


def _terms(query: str) -> tuple[list[str], list[str]]:
    """The query's required terms (FTS5, ``OR`` groups already joined) and excluded ones."""
    positive: list[str] = []
    negative: list[str] = []
    pending_or = False
    for match in _TOKEN.finditer(query):
        negated, phrase, bare = match.group(1), match.group(2), match.group(3)
        if bare is not None and bare.lower() == "or" and positive:
            pending_or = True
            continue
        if bare is not None and bare.startswith("-") and len(bare) > 1:
            negated, bare = "-", bare[1:]
        words = _WORD.findall(phrase if phrase is not None else bare or "")
        if not words:
            continue
        term = _quote(words)
        if negated:
            negative.append(term)
        elif pending_or:
            positive[-1] = f"({positive[-1]} OR {term})"
        else:
            positive.append(term)
        pending_or = False
    return positive, negative


def phrase_words(query: str) -> list[str]:
    """The words of the query's quoted phrases (not the excluded ones), lower-cased, each once.

    A phrase matches at most as many articles as its least common word. The PostgreSQL search
    uses that bound where the planner's estimate, which takes a phrase's words as independent,
    is far too low for a collocation ("prime minister"). Bare words are left to the planner:
    ANDed words are as often independent as not.
    """
    words: list[str] = []
    for match in _TOKEN.finditer(query):
        negated, phrase = match.group(1), match.group(2)
        if phrase is None or negated:
            continue
        for word in _WORD.findall(phrase):
            if word.lower() not in words:
                words.append(word.lower())
    return words
