"""Filters shared by listing, search, export and re-extraction."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, TypeVarTuple

from sqlalchemy import Boolean, ColumnElement, Select, bindparam
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import InstrumentedAttribute
from sqlalchemy.sql.compiler import SQLCompiler

from scraper.query.websearch import excluded_only
from scraper.store.tables import ArticleRow

_Ts = TypeVarTuple("_Ts")


@dataclass(frozen=True, slots=True)
class ArticleFilter:
    """Which articles a reader considers. ``since`` and ``until`` are both inclusive:
    "published on or after / on or before", so an article published at exactly the given
    instant is in (``parse_when`` stretches a bare ``until`` date to its last microsecond).
    The SQL of the ranking statements (``search_sql.filter_sql``) says the same.

    ``excluding``: leave out the articles matching this query (``websearch.excluded_only``),
    for the newest-first listing that a query of excluded words only (``-drones``) asks
    for. A ranked search carries its exclusions in its match expression instead."""

    publishers: tuple[str, ...] = ()
    since: datetime | None = None
    until: datetime | None = None
    language: str | None = None
    excluding: str | None = None

    def __post_init__(self) -> None:
        if self.language is not None:
            object.__setattr__(self, "language", language_code(self.language))

    def for_listing(self, query: str) -> ArticleFilter:
        """These filters for the listing shown for ``query`` when it has no word to rank
        by: with the words it excludes, if that is all it has."""
        return replace(self, excluding=excluded_only(query))

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
        if self.excluding:
            clauses.append(NotMatching(row.id, row.search_config, self.excluding))
        return clauses


# What the API and the CLI accept as a language filter before :func:`language_code`.
LANGUAGE_PATTERN = re.compile(r"[A-Za-z]{2}[A-Za-z-]{0,14}")


def language_code(value: str) -> str | None:
    """The stored spelling of a language filter: extraction stores ISO 639-1 codes in lower
    case (``language_from_tag``), so ``EN`` or ``en-GB`` given to the API matched nothing
    while passing its validation. Lower case, without a region; None when nothing is left."""
    return value.strip().lower().replace("_", "-").split("-")[0] or None


class NotMatching(ColumnElement[bool]):
    """The row does not match ``query`` (FTS5 / websearch syntax), on the dialect's index.

    A custom construct because the test is dialect-specific and must name the row's own
    table (``ArticleRow`` or an alias of it, as in the collapsed listing):

    * SQLite: the id is not among the FTS5 matches. The matches are collected once per
      statement, so the cost is that of the excluded words' doclists, never per row.
    * PostgreSQL: the row's stored ``tsv`` does not match the query parsed as ``simple``,
      ``english`` (the configurations every search ORs) and the row's own configuration.
      Tested on the rows a newest-first listing reads, which the planner walks by date.
    """

    type = Boolean()
    inherit_cache = False  # the query text is a bound value, but the construct has no cache key

    def __init__(
        self,
        row_id: InstrumentedAttribute[int],
        row_config: InstrumentedAttribute[str],
        query: str,
    ) -> None:
        self.row_id = row_id
        self.row_config = row_config
        self.query = query


@compiles(NotMatching, "sqlite")
def _not_matching_sqlite(element: NotMatching, compiler: SQLCompiler, **kw: Any) -> str:
    row_id = compiler.process(element.row_id.expression, **kw)
    query = compiler.process(bindparam("excluding", element.query, unique=True), **kw)
    # parenthesised: SQLite has no boolean type, and SQLAlchemy appends "= 1" to the test
    return f"({row_id} NOT IN (SELECT rowid FROM articles_fts WHERE articles_fts MATCH {query}))"


@compiles(NotMatching, "postgresql")
def _not_matching_pg(element: NotMatching, compiler: SQLCompiler, **kw: Any) -> str:
    config = compiler.process(element.row_config.expression, **kw)
    vector = config.rsplit(".", 1)[0] + ".tsv"  # the row's table, as the compiler names it
    query = compiler.process(bindparam("excluding", element.query, unique=True), **kw)
    parsed = " || ".join(
        f"websearch_to_tsquery({c}, {query})" for c in ("'simple'", "'english'", config)
    )
    return f"NOT ({vector} @@ ({parsed}))"
