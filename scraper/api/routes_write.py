"""Write endpoints. The app mounts this router only when an API token is configured, so a
default deployment has no way to change anything, and every route here requires the token."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter, BackgroundTasks, Depends, HTTPException, Response

from scraper.api import schemas
from scraper.api.deps import PublisherKey, Responses, Services, ServicesDep, require_token
from scraper.config import Publisher
from scraper.errors import ConfigError
from scraper.feeds.identity import FeedIdentity, FollowedFeeds
from scraper.store.schedule import ScheduleStore

router = APIRouter(dependencies=[Depends(require_token)], tags=["write"])

ERRORS: Responses = {
    401: {"model": schemas.ErrorOut, "description": "Missing or wrong bearer token."},
    404: {"model": schemas.ErrorOut, "description": "Unknown publisher."},
    409: {"model": schemas.ErrorOut, "description": "Conflicts with the archive's state."},
}


@router.post("/api/feeds", response_model=schemas.FeedCreated, status_code=201, responses=ERRORS)
def add_feed(
    services: ServicesDep, body: schemas.FeedIn, response: Response
) -> schemas.FeedCreated:
    """Follow one more feed of a configured publisher (kept in the database; add it to
    publishers.toml too so a new database gets it). 200 when it was already followed, under
    this URL or another spelling of it (http/https, tracking parameters, case, ``www.``, a
    trailing slash, a URL the feed moved to): the answer then names the feed as stored."""
    publisher = _configured(services, body.publisher)
    url = str(body.url)
    followed = FollowedFeeds(
        FeedIdentity(services.config.publishers), services.archive.feed_spellings()
    )
    same = followed.find(url)
    created = same is None
    if same is None:
        # As `scraper feeds add`: an added feed, which no reload of the publishers file retires
        # (a sync with a config of this one publisher would retire every other file feed).
        ScheduleStore(services.archive.engine).add(url, publisher.id, datetime.now(UTC))
    known = services.archive.feed_refs(urls=[url if same is None else same.url])
    if not known:
        raise HTTPException(409, f"{url} is already followed under another URL")
    feed = known[0]
    if feed.publisher_id != publisher.id:
        raise HTTPException(409, f"{url} is a feed of publisher {feed.publisher_id!r}")
    if not created:
        response.status_code = 200
    return schemas.FeedCreated(
        id=feed.id, url=feed.url, publisher=feed.publisher_id, created=created
    )


@router.post(
    "/api/publishers/{publisher_id}/crawl",
    response_model=schemas.CrawlStarted,
    status_code=202,
    responses=ERRORS,
)
def crawl_publisher(
    services: ServicesDep,
    background: BackgroundTasks,
    publisher_id: PublisherKey,
) -> schemas.CrawlStarted:
    """Poll every feed of one publisher once, in the background; 409 while one is running."""
    publisher = _configured(services, publisher_id)
    if publisher.id in services.crawling:
        raise HTTPException(409, f"a crawl of {publisher.id!r} is already running")
    feeds = services.archive.feed_refs([publisher.id])
    services.crawling.add(publisher.id)
    background.add_task(_run_crawl, services, publisher.id)
    return schemas.CrawlStarted(publisher=publisher.id, feeds=len(feeds))


async def _run_crawl(services: Services, publisher_id: str) -> None:
    try:
        await services.crawler(publisher_id)
    finally:
        services.crawling.discard(publisher_id)


def _configured(services: Services, publisher_id: str) -> Publisher:
    try:
        return services.config.publisher(publisher_id)
    except ConfigError as exc:
        raise HTTPException(404, str(exc)) from exc
