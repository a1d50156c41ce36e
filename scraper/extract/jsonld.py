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
_NESTING_KEYS = ("@graph", "mainEntity", "mainEntityOfPage")
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
    """Objects of a block: ``@graph`` members and, since a ``WebPage`` often wraps the article,
    the typed objects nested as its ``mainEntity`` / ``mainEntityOfPage``."""
    if depth > 4:
        return
    if isinstance(value, list):
        for item in value:
            yield from _flatten(item, depth + 1)
    elif isinstance(value, dict):
        yield value
        for key in _NESTING_KEYS:
            nested = value.get(key)
            if nested is not None and (key == "@graph" or _typed(nested)):
                yield from _flatten(nested, depth + 1)


def _typed(value: Any) -> bool:
    """Whether ``value`` (or any item of it) is an object of its own, not a bare reference."""
    items = value if isinstance(value, list) else [value]
    return any(isinstance(item, dict) and "@type" in item for item in items)


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
    """The object describing the page's article, preferring specific article types, with its
    ``{"@id": …}`` references resolved (see :func:`resolve_references`)."""
    best: JsonObject | None = None
    for obj in objs:
        kinds = types_of(obj)
        if kinds & _ARTICLE_TYPES - {"webpage", "creativework"}:
            return resolve_references(obj, objs)
        if best is None and (kinds & _ARTICLE_TYPES or "headline" in obj):
            best = obj
    return resolve_references(best, objs) if best is not None else None


def _is_reference(value: Any) -> bool:
    return isinstance(value, dict) and "@id" in value and set(value) <= {"@id", "@type"}


def resolve_references(obj: JsonObject, objs: list[JsonObject]) -> JsonObject:
    """``obj`` with each field that is only an ``{"@id": …}`` reference replaced by the object of
    that ``@id`` found on the page. Yoast and other generators put the author (and publisher)
    in ``@graph`` once and point at it from the article; without this the author is a URL.
    """
    by_id = {o["@id"]: o for o in objs if isinstance(o.get("@id"), str) and not _is_reference(o)}
    if not by_id:
        return obj

    def resolved(value: Any) -> Any:
        if isinstance(value, list):
            return [resolved(item) for item in value]
        if _is_reference(value) and isinstance(value["@id"], str):
            return by_id.get(value["@id"], value)
        return value

    return {key: resolved(value) for key, value in obj.items()}


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
