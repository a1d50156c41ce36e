"""The Jinja2 environment of the web pages: autoescape on for every template, two filters.

Scraped titles and texts are hostile input. Everything is escaped by Jinja2; the only markup
we add ourselves (``<mark>`` around search matches) is inserted *after* escaping the snippet.
"""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

import jinja2
from fastapi.templating import Jinja2Templates
from markupsafe import Markup, escape

TEMPLATES = Path(__file__).parent / "templates"
_BLANK_LINES = re.compile(r"\n\s*\n")


def highlight(snippet: str | None) -> Markup:
    """The store marks matches as ``**word**``; show them as ``<mark>`` on escaped text."""
    parts = str(escape(snippet or "")).split("**")
    if len(parts) % 2 == 0:  # an unpaired marker: the snippet was cut inside a match
        parts[-2:] = ["**".join(parts[-2:])]
    return Markup("").join(
        Markup("<mark>{}</mark>").format(Markup(p)) if i % 2 else Markup(p)
        for i, p in enumerate(parts)
    )


def paragraphs(text: str) -> list[str]:
    """Clean text keeps one paragraph per blank-line-separated block (or per line)."""
    blocks = _BLANK_LINES.split(text) if _BLANK_LINES.search(text) else text.splitlines()
    return [b.strip() for b in blocks if b.strip()]


def day(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d") if value else "undated"


def build_templates() -> Jinja2Templates:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(highlight=highlight, paragraphs=paragraphs, day=day)
    return Jinja2Templates(env=env)
