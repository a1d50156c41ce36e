"""The FastAPI application: JSON API, web pages, Atom feeds and metrics in one ASGI app.

Read-only unless an API token is configured: the write router is not even mounted without
one, so the OpenAPI schema of a default deployment shows no way to change anything.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request, Response
from fastapi.exception_handlers import http_exception_handler
from fastapi.responses import HTMLResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from scraper import __version__
from scraper.api import metrics, routes_api, routes_feeds, routes_web, routes_write
from scraper.api.deps import Crawler, Services
from scraper.api.templating import build_templates
from scraper.config import Config
from scraper.dedup.policy import policy_from
from scraper.settings import Settings
from scraper.store.archive import Archive, open_archive
from scraper.store.db import timeouts_from

_JSON_PREFIXES = ("/api/", "/healthz", "/metrics", "/openapi.json", "/docs")


def create_app(
    settings: Settings,
    config: Config,
    archive: Archive | None = None,
    *,
    api_token: str | None = None,
    server_name: str = "localhost",
    crawler: Crawler | None = None,
) -> FastAPI:
    """Build the app. Without ``archive`` it opens (and on shutdown closes) its own.

    ``server_name`` is the authority of the Atom tag URIs: keep it fixed for the life of the
    archive. ``crawler`` replaces the real crawl behind ``POST …/crawl`` (tests).
    """
    owned = archive is None
    archive = archive or open_archive(
        settings.database_url,
        auto_upgrade=settings.is_sqlite,
        policy=policy_from(settings),
        timeouts=timeouts_from(settings),
    )
    services = Services(
        settings=settings,
        config=config,
        archive=archive,
        crawler=crawler or _real_crawler(settings, config, archive),
        api_token=api_token or None,
        server_name=server_name,
    )

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        if owned:
            services.archive.close()

    app = FastAPI(title="scraper archive", version=__version__, lifespan=lifespan, docs_url="/docs")
    app.state.services = services
    app.state.templates = build_templates()
    app.state.metrics = metrics.build_registry(services.reads)
    app.include_router(routes_api.router)
    if services.api_token:
        app.include_router(routes_write.router)
    app.include_router(routes_feeds.router)
    app.include_router(routes_web.router)
    app.add_api_route(
        "/metrics",
        _metrics,
        include_in_schema=True,
        tags=["operations"],
        response_class=Response,
        responses={200: {"content": {"text/plain": {}}, "description": "Prometheus text format."}},
    )
    app.add_exception_handler(StarletteHTTPException, _http_error)
    return app


def _metrics(request: Request) -> Response:
    """Articles in total and per publisher, failing feeds per publisher (Prometheus text)."""
    body, media_type = metrics.render(request.app.state.metrics, request.headers.get("accept", ""))
    return Response(body, media_type=media_type)


async def _http_error(request: Request, exc: Exception) -> Response:
    """JSON errors for the API, a readable page for people."""
    assert isinstance(exc, StarletteHTTPException)
    if request.url.path.startswith(_JSON_PREFIXES) or request.url.path.endswith(".xml"):
        return await http_exception_handler(request, exc)
    templates = request.app.state.templates
    response: HTMLResponse = templates.TemplateResponse(
        request,
        "error.html",
        {"status": exc.status_code, "message": exc.detail},
        status_code=exc.status_code,
        headers=exc.headers,
    )
    return response


def _real_crawler(settings: Settings, config: Config, archive: Archive) -> Crawler:
    """Crawl every feed of one publisher, as ``scraper crawl --publisher ID`` does."""

    async def crawl_publisher(publisher_id: str) -> object:
        from scraper.crawl import crawl, select_feeds

        feeds = select_feeds(archive, config, [publisher_id], [])
        return await crawl(settings, config, archive, feeds)

    return crawl_publisher
