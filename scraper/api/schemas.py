"""Response and request bodies. Articles mirror the CLI's JSON contract field for field.

The models are built from :func:`scraper.query.contract.article_to_dict`, so the API and
``scraper search/show --format json`` can never disagree on a name or a date format.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import AnyHttpUrl, BaseModel, ConfigDict, Field

from scraper.models import Article
from scraper.query.contract import article_to_dict


class _ArticleFields(BaseModel):
    """The article contract's fields that every article answer has."""

    id: int
    publisher: str
    url: str
    urls: list[str]
    title: str | None
    authors: list[str]
    published_at: str | None = Field(description="ISO 8601, UTC, with a Z.")
    first_seen_at: str
    language: str | None
    word_count: int
    revisions: int = Field(0, description="Earlier texts of the article that are kept.")
    cluster: int | None = Field(
        None,
        description="Story cluster: the smallest article id among near-duplicates from "
        "other publishers; null when there is none.",
    )
    snippet: str | None = Field(None, description="Search results: matches between `**`.")


class ArticleSummary(_ArticleFields):
    """A search result: the article contract without ``text``."""

    also_published_by: list[str] = Field(
        default_factory=list,
        description="Search results, stories collapsed: the other publishers whose copies of "
        "this story were folded into this hit (`all=true` lists them as hits of their own).",
    )

    @classmethod
    def of(cls, article: Article) -> ArticleSummary:
        return cls.model_validate(article_to_dict(article, text=False))


class ArticleOut(_ArticleFields):
    """The full article contract, as ``scraper show --format json`` prints it."""

    text: str

    @classmethod
    def of(cls, article: Article) -> ArticleOut:
        return cls.model_validate(article_to_dict(article))


class ArticlePage(BaseModel):
    items: list[ArticleSummary]
    next_cursor: str | None = Field(
        description="Pass as `cursor` to get the next page; null on the last page."
    )
    ranked: bool = Field(description="True when ordered by relevance, false when newest first.")


class ResolutionOut(BaseModel):
    url: str
    publisher: str | None
    domain: str | None = Field(description="The configured domain the URL matched, if any.")
    canonical_url: str
    identity_key: str
    rules: list[str] = Field(description="Every canonicalisation rule that changed the URL.")


class ResolveOut(BaseModel):
    resolution: ResolutionOut
    article: ArticleOut | None


class DomainOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    host: str
    role: str
    status: str
    active_from: int | None
    active_until: int | None


class FeedOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    url: str
    title: str | None
    last_polled_at: datetime | None
    last_success_at: datetime | None
    last_status: int | None
    consecutive_errors: int = Field(description="Failed polls in a row; 0 when healthy.")
    last_error: str | None
    last_error_reason: str | None


class PublisherOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    name: str
    canonical_domain: str
    article_count: int
    domains: list[DomainOut]
    feeds: list[FeedOut]


class HealthOut(BaseModel):
    status: str
    database: str


class ErrorOut(BaseModel):
    detail: str


class FeedIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    publisher: str = Field(min_length=1, max_length=64)
    url: AnyHttpUrl = Field(description="An http(s) feed URL.")


class FeedCreated(BaseModel):
    id: int
    url: str
    publisher: str
    created: bool


class CrawlStarted(BaseModel):
    publisher: str
    feeds: int
