"""Parsing and tag vocabulary shared by content selection and text rendering."""

from __future__ import annotations

import re

from selectolax.lexbor import LexborHTMLParser, LexborNode

from scraper.extract.model import DEFAULT_MAX_BYTES

# Never article text: executable, invisible, interactive or embedded content.
# Walkers skip these subtrees instead of deleting them (deleting costs a pass per tag).
# AMP's ad, embed and analytics elements are the AMP spelling of an ad iframe or a
# tracking script; their children are placeholders ("Loading ad", "Ad failed to load").
# fmt: off
NOISE_TAGS = frozenset({
    "script", "style", "noscript", "template", "svg", "math", "iframe", "object", "embed",
    "applet", "canvas", "button", "select", "textarea", "input", "option", "optgroup",
    "datalist", "video", "audio", "map", "link", "meta", "head", "title", "frameset", "frame",
    "picture", "source", "track",
    "amp-ad", "amp-embed", "amp-sticky-ad", "amp-analytics", "amp-auto-ads", "amp-pixel",
})

# Elements that start a new paragraph/line; everything else is inline.
BLOCK_TAGS = frozenset({
    "address", "article", "aside", "blockquote", "body", "center", "dd", "details", "dialog",
    "dir", "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2",
    "h3", "h4", "h5", "h6", "header", "hgroup", "hr", "html", "li", "main", "menu", "nav", "ol",
    "p", "pre", "section", "summary", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul",
    "caption", "legend",
})
# fmt: on
HEADING_TAGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
# Boilerplate by nature, whatever their class says.
BOILERPLATE_TAGS = frozenset({"nav", "aside", "footer", "figcaption", "caption", "menu", "dialog"})
TEXT_TAG = "-text"
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden")

# Parsing is linear, but a pathological document can still nest deeply; below
# this depth a subtree is treated as one flat block of text.
MAX_DEPTH = 120


def truncate(html: str | bytes, max_bytes: int) -> str | bytes:
    """Cut input at ``max_bytes`` (characters for ``str``) so work stays bounded."""
    if max_bytes <= 0:
        max_bytes = DEFAULT_MAX_BYTES
    return html[:max_bytes]


def parse(html: str) -> LexborHTMLParser:
    """Parse text as a full document.

    Lexbor wants UTF-8; encoding with ``replace`` also neutralises lone
    surrogates, which arbitrary ``str`` input may contain. Parsing as a
    scripting browser keeps ``<noscript>`` as one text node, so a tracking
    pixel in it cannot end ``<head>`` early and scatter metadata into the body.
    """
    return LexborHTMLParser(html.encode("utf-8", "replace"), scripting=True)


def class_id_hidden(node: LexborNode) -> tuple[str, bool]:
    """``class`` and ``id`` joined (what class/id hints match on), and whether the element is
    hidden (``hidden`` attribute, inline ``display: none`` or ``visibility: hidden``)."""
    attrs = node.attributes
    if not attrs:
        return "", False
    cls = attrs.get("class")
    ident = attrs.get("id")
    style = attrs.get("style")
    hidden = "hidden" in attrs or (
        style is not None and _HIDDEN_STYLE.search(style.lower()) is not None
    )
    if cls and ident:
        return f"{cls} {ident}", hidden
    return cls or ident or "", hidden


def safe_css(node: LexborNode | LexborHTMLParser, selector: str) -> list[LexborNode]:
    """``css()`` that treats an invalid selector as matching nothing."""
    try:
        return node.css(selector)
    except Exception:  # selectolax raises several types for bad selectors
        return []
