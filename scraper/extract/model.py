"""Public value types of the extraction stage."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

DEFAULT_MAX_BYTES = 5_000_000
"""Input beyond this many bytes (or characters) is cut before parsing.

Real article pages are far smaller; the cap keeps time and memory bounded on
hostile or broken responses.
"""


@dataclass(frozen=True, slots=True)
class ExtractRules:
    """Per-site overrides that a crawler operator can configure.

    - ``article_selector``: CSS; when it matches, the first match is the content
      root and main-content scoring is skipped.
    - ``drop_selectors``: CSS; matching nodes are removed before extraction.
    - ``drop_patterns``: regexes; a paragraph that *fully* matches any of them is
      dropped from the text (use ``.*`` to match a prefix or suffix).

    Invalid selectors or patterns are ignored rather than failing extraction.
    """

    article_selector: str | None = None
    drop_selectors: tuple[str, ...] = ()
    drop_patterns: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Extraction:
    """What one page yields: the article text plus the metadata around it."""

    text: str = ""
    title: str | None = None
    authors: tuple[str, ...] = ()
    published_at: datetime | None = None
    modified_at: datetime | None = None
    language: str | None = None
    canonical_url: str | None = None
    description: str | None = None
    image_url: str | None = None
    section: str | None = None
    tags: tuple[str, ...] = ()
