"""Filters shared by listing, search, export and re-extraction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TypeVarTuple

from sqlalchemy import ColumnElement, Select

from scraper.store.tables import ArticleRow

_Ts = TypeVarTuple("_Ts")


@dataclass(frozen=True, slots=True)
class ArticleFilter:
    """Which articles a reader considers. ``since`` and ``until`` are both inclusive:
    "published on or after / on or before", so an article published at exactly the given
    instant is in (``parse_when`` stretches a bare ``until`` date to its last microsecond).
    The SQL of the ranking statements (``search_sql.filter_sql``) says the same."""

    publishers: tuple[str, ...] = ()
    since: datetime | None = None
    until: datetime | None = None
    language: str | None = None

    def apply(self, query: Select[*_Ts]) -> Select[*_Ts]:
        return query.where(*self.clauses())

    def clauses(self, row: type[ArticleRow] = ArticleRow) -> list[ColumnElement[bool]]:
        """The filter as conditions on ``row`` (``ArticleRow`` or an alias of it)."""
        clauses: list[ColumnElement[bool]] = []
        if self.publishers:
            clauses.append(row.publisher_id.in_(self.publishers))
        if self.since is not None:
            clauses.append(row.published_at >= self.since)
        if self.until is not None:
            clauses.append(row.published_at <= self.until)
        if self.language:
            clauses.append(row.language == self.language)
        return clauses
