"""Read schema.org JSON-LD blocks, tolerating the broken JSON found in the wild."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from selectolax.lexbor import LexborHTMLParser

JsonObject = dict[str, Any]

_ARTICLE_TYPES = frozenset(
    {
        "article", "newsarticle", "blogposting", "reportagenewsarticle", "analysisnewsarticle",
        "opinionnewsarticle", "reviewnewsarticle", "backgroundnewsarticle", "techarticle",
        "scholarlyarticle", "socialmediaposting", "liveblogposting", "report", "posting",
        "review", "webpage", "creativework",
    }
)  # fmt: skip
_MAX_SCRIPT_CHARS = 1_000_000
_MAX_BLOCKS = 20
_WRAPPERS = re.compile(r"^\s*(?:<!--|<!\[CDATA\[)|(?:-->|\]\]>)\s*$|;\s*$")


def _loads(text: str) -> Any:
    text = _WRAPPERS.sub("", text.strip())
    try:
        return json.loads(text, strict=False)
    except (ValueError, RecursionError):
        return None


def _flatten(value: Any, depth: int = 0) -> Iterator[JsonObject]:
    if depth > 4:
        return
    if isinstance(value, list):
        for item in value:
            yield from _flatten(item, depth + 1)
    elif isinstance(value, dict):
        yield value
        graph = value.get("@graph")
        if graph is not None:
            yield from _flatten(graph, depth + 1)


def objects(tree: LexborHTMLParser) -> list[JsonObject]:
    """All top-level JSON-LD objects (``@graph`` members included), in page order."""
    found: list[JsonObject] = []
    for script in tree.css('script[type*="ld+json" i]')[:_MAX_BLOCKS]:
        text = script.text()
        if text and len(text) <= _MAX_SCRIPT_CHARS:
            found.extend(_flatten(_loads(text)))
    return found


def types_of(obj: JsonObject) -> set[str]:
    """Lower-cased ``@type`` names of one object."""
    value = obj.get("@type")
    names = value if isinstance(value, list) else [value]
    return {n.lower() for n in names if isinstance(n, str)}


def article(objs: list[JsonObject]) -> JsonObject | None:
    """The object describing the page's article, preferring specific article types."""
    best: JsonObject | None = None
    for obj in objs:
        kinds = types_of(obj)
        if kinds & _ARTICLE_TYPES - {"webpage", "creativework"}:
            return obj
        if best is None and (kinds & _ARTICLE_TYPES or "headline" in obj):
            best = obj
    return best


def text_value(value: Any) -> str | None:
    """A plain string from a JSON-LD value that may be a string, object or list."""
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, dict):
        for key in ("name", "@value", "url", "@id"):
            found = text_value(value.get(key))
            if found:
                return found
    if isinstance(value, list) and value:
        return text_value(value[0])
    return None


def text_values(value: Any) -> list[str]:
    """All plain strings from a JSON-LD value (lists flattened)."""
    items = value if isinstance(value, list) else [value]
    return [s for s in (text_value(item) for item in items[:20]) if s]
