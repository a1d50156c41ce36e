"""The read-only JSON API under ``/api``, plus ``/healthz``.

Routes are plain ``def`` functions: the archive is synchronous, and FastAPI runs them in its
thread pool so a slow query never blocks the event loop. The search route is the exception:
it is the hot path (docs/performance.md, "Search latency"), so it is ``async`` and hands only
the store call to the thread pool. A plain ``def`` route costs a second thread hop to validate
its return value; this one builds its JSON once, from models it has just validated.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Response
from fastapi.exceptions import RequestValidationError
from sqlalchemy.exc import SQLAlchemyError
from starlette.concurrency import run_in_threadpool

from scraper.api import schemas
from scraper.api.cursor import CursorError
from scraper.api.deps import (
    ArticleId,
    FilterDep,
    PublisherKey,
    Responses,
    SearchText,
    ServicesDep,
)
from scraper.api.paging import fetch_page

router = APIRouter()

NOT_FOUND: Responses = {404: {"model": schemas.ErrorOut, "description": "Not in the archive."}}


@router.get("/api/articles", response_model=schemas.ArticlePage, tags=["articles"])
async def search_articles(
    services: ServicesDep,
    filters: FilterDep,
    q: SearchText = "",
    limit: Annotated[int, Query(ge=1, le=100, description="Results per page.")] = 20,
    cursor: Annotated[
        str | None,
        Query(
            max_length=200,
            description="`next_cursor` of the previous page. Searches page by offset (up to "
            "1000 results); listings (no words) by (published_at, id) keyset.",
        ),
    ] = None,
    every_copy: Annotated[
        bool,
        Query(
            alias="all",
            description="Every copy of a story as its own hit. By default a story (near-"
            "duplicates across publishers) is one hit, its best-ranked copy, with the other "
            "publishers in `also_published_by`; a listing (no words) shows a story's newest copy.",
        ),
    ] = False,
) -> Response:
    """Ranked full-text search; with no searchable word, the newest articles first."""
    try:
        page = await run_in_threadpool(
            fetch_page, services, q, filters, limit, cursor, collapse=not every_copy
        )
    except CursorError as exc:
        raise RequestValidationError(
            [{"loc": ("query", "cursor"), "msg": str(exc), "type": "value_error"}]
        ) from exc
    body = schemas.ArticlePage(
        items=[schemas.ArticleSummary.of(a) for a in page.articles],
        next_cursor=page.next_cursor,
        ranked=page.ranked,
    )
    return Response(body.model_dump_json(), media_type="application/json")


@router.get(
    "/api/articles/{article_id}",
    response_model=schemas.ArticleOut,
    responses=NOT_FOUND,
    tags=["articles"],
)
def get_article(services: ServicesDep, article_id: ArticleId) -> schemas.ArticleOut:
    """One article with its full text and every URL it was seen under."""
    article = services.archive.get(article_id)
    if article is None:
        raise HTTPException(404, f"no article {article_id} in the archive")
    return schemas.ArticleOut.of(article)


@router.get(
    "/api/resolve",
    response_model=schemas.ResolveOut,
    responses={404: {"model": schemas.ResolveOut, "description": "Resolved, not archived."}},
    tags=["articles"],
)
def resolve_url(
    services: ServicesDep,
    response: Response,
    url: Annotated[str, Query(min_length=1, max_length=4096, pattern=r"^[^\x00]*$")],
) -> schemas.ResolveOut:
    """Any URL an article was ever seen under (old domain, tracking junk, AMP …) → the article,
    with the publisher, canonical URL and rules that applied. 404 still carries the resolution."""
    res = services.resolver.resolve(url)
    article = services.archive.find(services.resolver.lookup_urls(url))
    if article is None:
        response.status_code = 404
    return schemas.ResolveOut(
        resolution=schemas.ResolutionOut(
            url=url,
            publisher=res.publisher_id,
            domain=res.domain,
            canonical_url=res.canonical_url,
            identity_key=res.identity_key,
            rules=list(res.rules),
        ),
        article=schemas.ArticleOut.of(article) if article else None,
    )


@router.get("/api/publishers", response_model=list[schemas.PublisherOut], tags=["publishers"])
def list_publishers(services: ServicesDep) -> list[schemas.PublisherOut]:
    """Every publisher in the archive with its domains, feeds and feed health."""
    return [schemas.PublisherOut.model_validate(p) for p in services.reads.publishers()]


@router.get(
    "/api/publishers/{publisher_id}",
    response_model=schemas.PublisherOut,
    responses=NOT_FOUND,
    tags=["publishers"],
)
def get_publisher(services: ServicesDep, publisher_id: PublisherKey) -> schemas.PublisherOut:
    """One publisher: domains with role, status and years; feeds with last poll and errors."""
    publisher = services.reads.publisher(publisher_id)
    if publisher is None:
        raise HTTPException(404, f"no publisher {publisher_id!r}")
    return schemas.PublisherOut.model_validate(publisher)


@router.get(
    "/healthz",
    response_model=schemas.HealthOut,
    responses={503: {"model": schemas.HealthOut, "description": "Database unreachable."}},
    tags=["operations"],
)
def healthz(services: ServicesDep, response: Response) -> schemas.HealthOut:
    """200 when the database answers a query, 503 otherwise (for load balancers)."""
    try:
        services.reads.ping()
    except SQLAlchemyError:
        response.status_code = 503
        return schemas.HealthOut(status="unavailable", database=services.archive.dialect)
    return schemas.HealthOut(status="ok", database=services.archive.dialect)
