"""Per-site extraction rules: apply them without ever failing extraction."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from selectolax.lexbor import LexborHTMLParser, LexborNode

from scraper.extract.dom import safe_css


def drop_nodes(tree: LexborHTMLParser, selectors: Iterable[str]) -> None:
    """Remove every node matching any selector (invalid selectors are ignored).

    Matches are removed last-first so that a nested match is gone before its
    ancestor, never touched after being freed with it.
    """
    for selector in selectors:
        for node in reversed(safe_css(tree, selector)):
            node.decompose()


def article_root(tree: LexborHTMLParser, selector: str | None) -> LexborNode | None:
    """First node matching ``selector``, or None (no selector, no match, bad CSS)."""
    if not selector:
        return None
    matches = safe_css(tree, selector)
    return matches[0] if matches else None


def compile_patterns(patterns: Iterable[str]) -> list[re.Pattern[str]]:
    """Compile drop patterns, skipping invalid regexes."""
    compiled = []
    for pattern in patterns:
        try:
            compiled.append(re.compile(pattern))
        except (re.error, TypeError):
            continue
    return compiled


def drop_paragraphs(paragraphs: Sequence[str], patterns: Sequence[re.Pattern[str]]) -> list[str]:
    """Paragraphs except those that fully match one of ``patterns`` (after stripping)."""
    if not patterns:
        return list(paragraphs)
    return [p for p in paragraphs if not any(rx.fullmatch(p.strip()) for rx in patterns)]
