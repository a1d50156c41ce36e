"""Atom feeds out: one per publisher and one per search, newest 50, full text."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter, HTTPException, Request, Response

from scraper.api import atom
from scraper.api.deps import (
    FilterDep,
    PublisherKey,
    Responses,
    SearchText,
    Services,
    ServicesDep,
)
from scraper.api.paging import newest_matches
from scraper.models import Article
from scraper.store.archive import ArticleFilter

router = APIRouter(tags=["feeds"])

FEED_SIZE = 50
ATOM_200: Responses = {
    200: {"content": {"application/atom+xml": {}}, "description": "An Atom feed."}
}


class AtomResponse(Response):
    media_type = atom.MEDIA_TYPE


@router.get(
    "/publishers/{publisher_id}/atom.xml",
    response_class=AtomResponse,
    responses={**ATOM_200, 404: {"description": "Unknown publisher."}},
)
def publisher_feed(
    request: Request, services: ServicesDep, publisher_id: PublisherKey
) -> AtomResponse:
    """The publisher's newest articles; entry ids survive its domain moves."""
    publisher = services.reads.publisher(publisher_id)
    if publisher is None:
        raise HTTPException(404, f"no publisher {publisher_id!r}")
    articles = services.reads.newest(
        ArticleFilter(publishers=(publisher.id,)), None, FEED_SIZE, collapse=False
    )
    meta = atom.FeedMeta(
        id=atom.tag_uri(services.server_name, f"publisher/{publisher.id}"),
        title=f"{publisher.name} — archive",
        self_url=str(request.url),
        html_url=str(request.url_for("publisher_page", publisher_id=publisher.id)),
    )
    return _atom(services, meta, articles)


@router.get("/search/atom.xml", response_class=AtomResponse, responses=ATOM_200)
def search_feed(
    request: Request, services: ServicesDep, filters: FilterDep, q: SearchText = ""
) -> AtomResponse:
    """The newest matches of a search (same syntax and filters as ``/api/articles``)."""
    articles = newest_matches(services, q, filters, FEED_SIZE)
    meta = atom.FeedMeta(
        id=atom.tag_uri(services.server_name, "search/" + quote(str(request.url.query), safe="=&")),
        title=f"Archive search: {q}" if q else "Archive: newest articles",
        self_url=str(request.url),
        html_url=str(request.url_for("index").include_query_params(q=q)),
    )
    return _atom(services, meta, articles)


def _atom(services: Services, meta: atom.FeedMeta, articles: list[Article]) -> AtomResponse:
    """Entry links follow the publisher's current canonical domain, even for articles stored
    under an older one."""

    def link(url: str) -> str:
        return services.resolver.resolve(url).canonical_url

    return AtomResponse(atom.render_feed(meta, articles, services.server_name, link))
