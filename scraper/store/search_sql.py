"""What both dialects' ranking statements share: a hit, the dialect's match expression, and
the filters written as SQL conditions on ``articles a``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from scraper.store.filters import ArticleFilter


@dataclass(frozen=True, slots=True)
class SearchHit:
    article_id: int
    rank: float


@dataclass(frozen=True, slots=True)
class Match:
    """What the statements need to select and mark the matches: the dialect's MATCH /
    tsquery and its bound parameters; on PostgreSQL also the text-search configurations the
    tsquery parses the query in (the planner's estimates for a phrase's words use the same)."""

    expression: str
    params: dict[str, Any]
    configs: tuple[str, ...] = ()


def filter_sql(filters: ArticleFilter, params: dict[str, Any]) -> str:
    """The filters as `` AND …`` conditions on ``articles a``; binds their values in
    ``params``. A ranked search has its exclusions in its match, never in ``excluding``."""
    if filters.excluding:
        raise ValueError("a ranked search carries its exclusions in its match expression")
    clauses = []
    if filters.publishers:
        names = []
        for i, publisher in enumerate(filters.publishers):
            params[f"pub{i}"] = publisher
            names.append(f":pub{i}")
        clauses.append(f"a.publisher_id IN ({', '.join(names)})")
    if filters.since is not None:
        params["since"] = filters.since
        clauses.append("a.published_at >= :since")
    if filters.until is not None:
        params["until"] = filters.until
        clauses.append("a.published_at <= :until")  # on or before, as ArticleFilter
    if filters.language:
        params["language"] = filters.language
        clauses.append("a.language = :language")
    return "".join(f" AND {c}" for c in clauses)
