"""Publisher-aware article text: extraction with the publisher's rules, then its boilerplate.

The crawl and ``scraper reextract`` must produce the same text from the same page, so both go
through :func:`page_text` and :func:`feed_text`.
"""

from __future__ import annotations

from scraper.config import Publisher
from scraper.dedup.boilerplate import strip_boilerplate, strip_learned
from scraper.extract import Extraction, ExtractRules, extract, html_to_text


def rules_for(publisher: Publisher) -> ExtractRules:
    return ExtractRules(
        article_selector=publisher.article_selector, drop_selectors=publisher.drop_selectors
    )


def clean_text(text: str, publisher: Publisher, learned: frozenset[str] = frozenset()) -> str:
    """Configured boilerplate first (it may cut a footer), then learned paragraphs."""
    return strip_learned(strip_boilerplate(text, publisher.boilerplate), learned)


def page_text(
    body: bytes | str,
    url: str,
    publisher: Publisher,
    learned: frozenset[str] = frozenset(),
    charset: str | None = None,
) -> tuple[Extraction, str]:
    """Extract a page and remove the publisher's boilerplate from its text.

    ``charset`` is the HTTP ``Content-Type`` charset the page was served with (the crawl passes
    the live response's, ``reextract`` the stored one's), so both decode the bytes alike.
    """
    extraction = extract(body, url, rules=rules_for(publisher), charset=charset)
    return extraction, clean_text(extraction.text, publisher, learned)


def feed_text(html: str, publisher: Publisher, learned: frozenset[str] = frozenset()) -> str:
    """A feed item's HTML body as clean text, with the publisher's boilerplate removed."""
    return clean_text(html_to_text(html), publisher, learned)
