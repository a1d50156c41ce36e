"""Server-rendered pages: search, article, publishers. They work with JavaScript off.

The search form submits empty fields as empty strings (``since=``), so the page reads its
dates as text and shows a bad one as a message on the page instead of a JSON 422.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import HTMLResponse
from starlette.templating import Jinja2Templates

from scraper.api.cursor import CursorError
from scraper.api.deps import ArticleId, PublisherKey, Responses, Services, ServicesDep
from scraper.api.paging import Page, fetch_page, is_ranked
from scraper.api.svg import volume_chart
from scraper.query.contract import parse_when
from scraper.store.archive import ArticleFilter
from scraper.store.reads import PublisherInfo

router = APIRouter(default_response_class=HTMLResponse, tags=["web"])

HTML_404: Responses = {404: {"content": {"text/html": {}}, "description": "Not in the archive."}}
HTML_400: Responses = {
    400: {"content": {"text/html": {}}, "description": "A field could not be read."}
}
FormText = Annotated[str, Query(max_length=500, pattern=r"^[^\x00]*$")]


def _render(request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
    templates: Jinja2Templates = request.app.state.templates
    return templates.TemplateResponse(request, name, context, status_code=status)


@router.get("/", responses=HTML_400)
def index(
    request: Request,
    services: ServicesDep,
    q: FormText = "",
    publisher: FormText = "",
    since: FormText = "",
    until: FormText = "",
    cursor: FormText = "",
    every_copy: Annotated[str, Query(alias="all", max_length=10)] = "",
) -> HTMLResponse:
    """The search page; with no words, the newest articles. ``all`` (a checkbox, so any
    non-empty value) shows every copy of a story instead of one hit per story."""
    errors: list[str] = []
    filters = ArticleFilter(
        publishers=(publisher,) if publisher else (),
        since=_form_date(since, "since", errors),
        until=_form_date(until, "until", errors, end=True),
    )
    page = Page([], None, ranked=is_ranked(q))
    if not errors:
        try:
            page = fetch_page(services, q, filters, 20, cursor or None, collapse=not every_copy)
        except CursorError as exc:
            errors.append(str(exc))
    next_url = str(request.url.include_query_params(cursor=page.next_cursor))
    return _render(
        request,
        "index.html",
        400 if errors else 200,
        q=q,
        form={"publisher": publisher, "since": since, "until": until, "all": bool(every_copy)},
        errors=errors,
        page=page,
        next_url=next_url if page.next_cursor else None,
        publishers={p.id: p.name for p in services.reads.publishers()},
    )


def _form_date(value: str, field: str, errors: list[str], *, end: bool = False) -> datetime | None:
    if not value.strip():
        return None
    try:
        return parse_when(value, end=end)
    except ValueError as exc:
        errors.append(f"{field}: {exc}")
        return None


@router.get("/articles/{article_id}", responses=HTML_404)
def article_page(request: Request, services: ServicesDep, article_id: ArticleId) -> HTMLResponse:
    """One article: clean text in paragraphs and every URL it was seen under."""
    article = services.archive.get(article_id)
    if article is None:
        raise HTTPException(404, f"No article {article_id} in the archive.")
    publisher = services.reads.publisher(article.publisher)
    return _render(request, "article.html", article=article, publisher=publisher)


@router.get("/publishers")
def publishers_page(request: Request, services: ServicesDep) -> HTMLResponse:
    """Every publisher with its article count and feed health."""
    return _render(request, "publishers.html", publishers=services.reads.publishers())


@router.get("/publishers/{publisher_id}", responses=HTML_404)
def publisher_page(
    request: Request, services: ServicesDep, publisher_id: PublisherKey
) -> HTMLResponse:
    """Domain timeline, daily volume per host (a move shows at a glance), feed health."""
    publisher = _publisher(services, publisher_id)
    chart = volume_chart(services.reads.daily_counts(publisher.id))
    latest = services.reads.newest(
        ArticleFilter(publishers=(publisher.id,)), None, 10, collapse=False
    )
    return _render(request, "publisher.html", publisher=publisher, chart=chart, latest=latest)


def _publisher(services: Services, publisher_id: str) -> PublisherInfo:
    publisher = services.reads.publisher(publisher_id)
    if publisher is None:
        raise HTTPException(404, f"No publisher {publisher_id!r} in the archive.")
    return publisher
