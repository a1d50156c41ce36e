"""When two texts are one article, one story, or unrelated: the rule, with its thresholds.

* same publisher, containment ≥ ``same_article`` and published within ``window`` of each
  other → the same article (an edited slug or headline; the new URL is attached and a
  changed text becomes a revision). Between two texts of one publisher, containment is
  measured without the paragraphs the publisher repeats in other articles, and two texts
  sharing only a footer block over unrelated rests are never the same article
  (:mod:`scraper.dedup.content`);
* containment ≥ ``cluster`` otherwise (another publisher, or the same one outside the
  window) → separate articles in one story cluster;
* below ``cluster`` → unrelated.

Containment (shared shingles over the shorter text's shingles) rather than Jaccard: a copy
cut to 60 % or carrying a long footer is still wholly inside the original. Texts under
``min_words`` words are never matched by text at all (only by URL or feed GUID): "Watch the
video" twice is not one article. Defaults come from ``python -m bench.dedup`` (docs/dedup.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal

from scraper.settings import Settings

Verdict = Literal["same", "cluster", "none"]


@dataclass(frozen=True, slots=True)
class DedupPolicy:
    window: timedelta = timedelta(days=14)
    same_article: float = 0.7
    cluster: float = 0.6
    min_words: int = 40

    def verdict(
        self,
        containment: float,
        same_publisher: bool,
        when: datetime | None,
        other_when: datetime | None,
        under_one_footer: bool = False,
    ) -> Verdict:
        """``under_one_footer``: the texts share only a footer block and are unrelated
        otherwise (:mod:`scraper.dedup.content`), so they are never one article."""
        if (
            containment >= self.same_article
            and same_publisher
            and not under_one_footer
            and self.close(when, other_when)
        ):
            return "same"
        if containment >= self.cluster:
            return "cluster"
        return "none"

    def close(self, when: datetime | None, other_when: datetime | None) -> bool:
        if when is None or other_when is None:
            return True  # undated: the crawl times stand in, and they are close by definition
        return abs(_aware(when) - _aware(other_when)) <= self.window


def _aware(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


DEFAULT_POLICY = DedupPolicy()


def policy_from(settings: Settings) -> DedupPolicy:
    return DedupPolicy(
        window=timedelta(days=settings.dedup_window_days),
        same_article=settings.dedup_same_article,
        cluster=settings.dedup_cluster,
        min_words=settings.dedup_min_words,
    )
