"""Publisher-aware article text: extraction with the publisher's rules, then its boilerplate.

The crawl and ``scraper reextract`` must produce the same text from the same page, so both go
through :func:`page_text` and :func:`feed_text`.
"""

from __future__ import annotations

from scraper.config import Publisher
from scraper.dedup.boilerplate import strip_boilerplate
from scraper.extract import Extraction, ExtractRules, extract, html_to_text


def rules_for(publisher: Publisher) -> ExtractRules:
    return ExtractRules(
        article_selector=publisher.article_selector, drop_selectors=publisher.drop_selectors
    )


def page_text(body: bytes | str, url: str, publisher: Publisher) -> tuple[Extraction, str]:
    """Extract a page and remove the publisher's boilerplate from its text."""
    extraction = extract(body, url, rules=rules_for(publisher))
    return extraction, strip_boilerplate(extraction.text, publisher.boilerplate)


def feed_text(html: str, publisher: Publisher) -> str:
    """A feed item's HTML body as clean text, with the publisher's boilerplate removed."""
    return strip_boilerplate(html_to_text(html), publisher.boilerplate)
