"""Re-run extraction on stored pages after the extractor or a publisher's rules improve.

Text and search index are updated in place; the previous text is kept as a revision only when
the normalised text truly changed (same words → no revision, no write).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from scraper.clean import page_text
from scraper.config import Config
from scraper.errors import ConfigError
from scraper.feeds.encoding import header_charset
from scraper.settings import Settings
from scraper.store.archive import Archive, ArticleFilter


@dataclass
class ReextractSummary:
    pages: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: dict[str, int] = field(default_factory=dict)

    def skip(self, reason: str) -> None:
        self.skipped[reason] = self.skipped.get(reason, 0) + 1


def reextract(
    archive: Archive,
    config: Config,
    filters: ArticleFilter,
    on_page: Callable[[ReextractSummary], None] | None = None,
    settings: Settings | None = None,
) -> ReextractSummary:
    settings = settings or Settings()
    summary = ReextractSummary()
    learned: dict[str, frozenset[str]] = {}
    for stored in archive.pages(filters):
        summary.pages += 1
        try:
            publisher = config.publisher(stored.publisher_id)
        except ConfigError:
            summary.skip("publisher_not_configured")
            continue
        if publisher.id not in learned:
            learned |= archive.learned_boilerplate(
                [publisher.id], settings.boilerplate_min_articles, settings.boilerplate_min_share
            )
        # The stored headers are the ones the page was served with: decode it as the crawl did.
        charset = header_charset(stored.page.headers)
        _, text = page_text(
            stored.page.body, stored.page.url, publisher, learned[publisher.id], charset
        )
        if not text.strip():
            summary.skip("empty_text")  # never replace an article's text with nothing
        elif archive.replace_text(stored.article_id, text) == "updated":
            summary.updated += 1
        else:
            summary.unchanged += 1
        if on_page is not None:
            on_page(summary)
    return summary
