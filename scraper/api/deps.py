"""What the routes share, built once per app, and the request parameters they have in common.

Routes receive :class:`Services` through FastAPI's dependency injection instead of reading
globals, so a test builds an app around its own archive and no state leaks between apps.
"""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Path, Query, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BeforeValidator, StringConstraints, WithJsonSchema

from scraper.config import Config
from scraper.domains import Resolver
from scraper.query.contract import parse_when
from scraper.settings import Settings
from scraper.store.archive import Archive, ArticleFilter
from scraper.store.filters import LANGUAGE_PATTERN
from scraper.store.reads import Reads

# OpenAPI `responses=` tables of the routes.
Responses = dict[int | str, dict[str, Any]]
# Starts a crawl of one publisher; injectable so tests never touch the network.
Crawler = Callable[[str], Awaitable[object]]


@dataclass
class Services:
    settings: Settings
    config: Config
    archive: Archive
    crawler: Crawler
    api_token: str | None = None
    server_name: str = "localhost"
    reads: Reads = field(init=False)
    resolver: Resolver = field(init=False)
    crawling: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.reads = Reads(self.archive.engine)
        self.resolver = Resolver(self.config.publishers)


async def get_services(request: Request) -> Services:
    """``async`` although it awaits nothing: FastAPI runs a plain ``def`` dependency in its
    thread pool, a hop (and, on a busy machine, a wait for a CPU) per request for a lookup."""
    services: Services = request.app.state.services
    return services


ServicesDep = Annotated[Services, Depends(get_services)]

_bearer = HTTPBearer(auto_error=False, description="The server's SCRAPER_API_TOKEN.")


def require_token(
    services: ServicesDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> None:
    """Write endpoints: the configured token, compared in constant time, or 401."""
    expected = services.api_token or ""
    given = credentials.credentials if credentials else ""
    if not expected or not secrets.compare_digest(given.encode(), expected.encode()):
        raise HTTPException(
            401, "a valid bearer token is required", headers={"WWW-Authenticate": "Bearer"}
        )


def _when(end: bool) -> Callable[[object], datetime | None]:
    def convert(value: object) -> datetime | None:
        if value is None or isinstance(value, datetime):
            return value
        return parse_when(str(value), end=end)

    return convert


_DATE_SCHEMA = WithJsonSchema({"type": "string", "examples": ["2025-03-28"]})
Since = Annotated[datetime | None, BeforeValidator(_when(False)), _DATE_SCHEMA]
Until = Annotated[datetime | None, BeforeValidator(_when(True)), _DATE_SCHEMA]
PublisherId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$")]
# PostgreSQL text cannot hold NUL; refuse it at the door instead of failing in the driver.
_NO_NUL = r"^[^\x00]*$"


async def article_filter(
    publisher: Annotated[
        list[PublisherId], Query(description="Only this publisher id (repeatable).", max_length=20)
    ] = [],  # noqa: B006 - FastAPI copies defaults per request
    since: Annotated[Since, Query(description="Published on or after (YYYY-MM-DD or ISO).")] = None,
    until: Annotated[
        Until, Query(description="Published on or before (a bare date includes the whole day).")
    ] = None,
    language: Annotated[
        str | None,
        Query(
            description="ISO 639-1 code, e.g. en (any case; a region such as en-GB is ignored).",
            pattern=rf"^{LANGUAGE_PATTERN.pattern}$",
        ),
    ] = None,
) -> ArticleFilter:
    """The filters shared by the search API, the search feed and the web page (``async``
    for the reason :func:`get_services` is)."""
    return ArticleFilter(
        publishers=tuple(publisher), since=since, until=until, language=language or None
    )


FilterDep = Annotated[ArticleFilter, Depends(article_filter)]
ArticleId = Annotated[int, Path(ge=1, lt=2**63, description="The archive id.")]
PublisherKey = Annotated[
    str, Path(max_length=64, pattern=r"^[a-z0-9][a-z0-9_-]*$", description="The publisher id.")
]
SearchText = Annotated[
    str,
    Query(
        description='Words (all required), "a phrase", -excluded, a or b. Empty: newest first.',
        max_length=500,
        pattern=_NO_NUL,
    ),
]
