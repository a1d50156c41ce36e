"""Filters shared by listing, search, export and re-extraction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TypeVarTuple

from sqlalchemy import Select

from scraper.store.tables import ArticleRow

_Ts = TypeVarTuple("_Ts")


@dataclass(frozen=True, slots=True)
class ArticleFilter:
    publishers: tuple[str, ...] = ()
    since: datetime | None = None
    until: datetime | None = None
    language: str | None = None

    def apply(self, query: Select[*_Ts]) -> Select[*_Ts]:
        if self.publishers:
            query = query.where(ArticleRow.publisher_id.in_(self.publishers))
        if self.since is not None:
            query = query.where(ArticleRow.published_at >= self.since)
        if self.until is not None:
            query = query.where(ArticleRow.published_at < self.until)
        if self.language:
            query = query.where(ArticleRow.language == self.language)
        return query
