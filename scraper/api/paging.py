"""One page of articles for the API, the web page and the feeds: ranked or newest first.

With searchable words the store ranks (:meth:`Reads.search_page`) and the cursor is an offset;
with none, :meth:`Reads.newest` lists by keyset. Either way one extra row is fetched to know
whether a next page exists, so the last page never carries a cursor to an empty one.
"""

from __future__ import annotations

from dataclasses import dataclass

from scraper.api import cursor
from scraper.api.deps import Services
from scraper.models import Article
from scraper.query.websearch import to_fts5
from scraper.store.archive import ArticleFilter
from scraper.store.reads import Keyset


@dataclass(frozen=True, slots=True)
class Page:
    articles: list[Article]
    next_cursor: str | None
    ranked: bool


def is_ranked(query: str) -> bool:
    """Whether ``query`` has a word to rank by (the store lists newest first otherwise)."""
    return to_fts5(query) is not None


def fetch_page(
    services: Services,
    query: str,
    filters: ArticleFilter,
    limit: int,
    token: str | None,
    *,
    collapse: bool = True,
) -> Page:
    """Raise :class:`cursor.CursorError` for a cursor that does not fit this kind of query.

    ``collapse``: one hit per story, as the CLI's ``search`` (a listing shows each story's
    newest copy); false lists every copy.
    """
    at = cursor.decode(token) if token else cursor.Cursor()
    if is_ranked(query):
        if at.keyset is not None:
            raise cursor.CursorError("this cursor belongs to a listing, not to a search")
        return _ranked(services, query, filters, limit, at.offset, collapse)
    if at.offset:
        raise cursor.CursorError("this cursor belongs to a search, not to a listing")
    return _newest(services, filters.for_listing(query), limit, at.keyset, collapse)


def _ranked(
    services: Services,
    query: str,
    filters: ArticleFilter,
    limit: int,
    offset: int,
    collapse: bool,
) -> Page:
    limit = max(0, min(limit, cursor.MAX_OFFSET - offset))
    hits, more = services.reads.search_page(query, filters, offset, limit, collapse=collapse)
    more = more and offset + limit < cursor.MAX_OFFSET
    token = cursor.encode_offset(offset + limit) if more else None
    return Page(hits, token, ranked=True)


def _newest(
    services: Services, filters: ArticleFilter, limit: int, after: Keyset | None, collapse: bool
) -> Page:
    rows = services.reads.newest(filters, after, limit + 1, collapse=collapse)
    token = None
    if len(rows) > limit:
        last = rows[limit - 1]
        token = cursor.encode_keyset(Keyset(last.published_at, last.id))
    return Page(rows[:limit], token, ranked=False)


def newest_matches(
    services: Services, query: str, filters: ArticleFilter, count: int
) -> list[Article]:
    """The newest ``count`` among the best-ranked matches, for feeds (readers sort by date).

    The store ranks but cannot order matches by date, so a wider ranked window (on
    PostgreSQL already limited to the newest matches) is re-sorted here.
    """
    if not is_ranked(query):
        return services.reads.newest(filters.for_listing(query), None, count)
    hits = services.archive.search(query, filters, count * 4)
    hits.sort(key=lambda a: (a.published_at or a.first_seen_at, a.id), reverse=True)
    return hits[:count]
