"""Runtime settings, read once from ``SCRAPER_*`` environment variables and passed down.

Nothing below the CLI reads the environment itself: the CLI builds one :class:`Settings`
and hands it to the stages that need it, so tests can build their own without monkeypatching.
Proxy variables (``HTTP_PROXY``, ``HTTPS_PROXY``, ``NO_PROXY``, ``ALL_PROXY``) are the standard
ones and are honoured by the fetcher directly; they are not duplicated here.
"""

from __future__ import annotations

from pathlib import Path
from typing import Self

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATABASE_URL = "sqlite:///scraper.db"
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
MAX_POLL_INTERVAL_S = 366 * 86400.0
"""A year: longer poll intervals are a typo, and next-poll times must stay within datetime's
range (an interval of 1e300 s would overflow when the next poll is written)."""


def normalise_database_url(url: str) -> str:
    """Let users write the URL they know (``postgresql://…``) and pick psycopg 3 for them."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


class Settings(BaseSettings):
    """Every option, its default and what it is for. Environment: ``SCRAPER_<NAME>``."""

    # No inf or nan anywhere: they pass gt=0 and ge=0, then break the arithmetic they feed
    # (an infinite interval overflows the next poll time; nan compares false with everything).
    model_config = SettingsConfigDict(
        env_prefix="SCRAPER_", extra="ignore", frozen=True, allow_inf_nan=False
    )

    database_url: str = Field(
        DEFAULT_DATABASE_URL,
        description="SQLAlchemy URL of the archive. Plain postgresql://user:pass@host/db works; "
        "the default is an SQLite file in the working directory.",
    )
    config: Path = Field(Path("config/publishers.toml"), description="Path of the publishers file.")
    fetch_timeout: float = Field(
        20.0, gt=0, description="Seconds a whole request may take, connect to last byte."
    )
    connect_timeout: float = Field(10.0, gt=0, description="Seconds to establish a connection.")
    concurrency: int = Field(
        32, ge=1, le=1024, description="Requests in flight at once across all hosts."
    )
    per_host_concurrency: int = Field(
        4, ge=1, le=64, description="Requests in flight at once to one host."
    )
    crawl_processes: int = Field(
        1,
        ge=1,
        le=256,
        description="Processes a one-off `scraper crawl` splits its feeds over (by publisher). "
        "One process uses about one core; more pay off on a cold crawl of many publishers "
        "on a machine with cores to spare (docs/performance.md).",
    )
    user_agent: str = Field(
        "scraper/0.1 (news archive; +https://example.invalid/scraper)",
        description="User-Agent sent with every request; put a contact URL in it.",
    )
    max_feed_bytes: int = Field(
        20 * 1024 * 1024, ge=1024, description="Largest feed body accepted (bytes)."
    )
    max_page_bytes: int = Field(
        10 * 1024 * 1024, ge=1024, description="Largest article page accepted (bytes)."
    )
    max_redirects: int = Field(10, ge=0, le=50, description="Redirects followed per request.")
    allow_private_networks: bool = Field(
        False,
        description="Let the crawler fetch URLs whose host is (or resolves to) a loopback, "
        "private, link-local, CGNAT, multicast, reserved or cloud-metadata address. Off by "
        "default: URLs come from feeds and redirects, i.e. from strangers (SSRF guard).",
    )
    feed_items_limit: int = Field(
        500, ge=1, description="Items read from one feed body at most (newest first as served)."
    )
    full_text_min_words: int = Field(
        120,
        ge=0,
        description="A feed item's content with fewer words than this is treated as a teaser "
        "and the article page is fetched instead (in Chinese and Japanese, two characters "
        "count as a word).",
    )
    store_raw_pages: bool = Field(
        True,
        description="Keep every article page (gzip-compressed) so `scraper reextract` can "
        "re-run extraction later and `scraper export --format warc` can write it out.",
    )
    raw_pages_keep_days: int = Field(
        0, ge=0, description="Delete stored pages older than this many days (0: keep forever)."
    )
    # -- the daemon (`scraper run`) ------------------------------------------------------------
    poll_min_interval: float = Field(
        300.0,
        gt=0,
        le=MAX_POLL_INTERVAL_S,
        description="Seconds between two polls of a feed at least (`scraper run`). The adaptive "
        "interval, RSS <ttl>, Cache-Control and error backoff stay within the min and max; set "
        "both equal to poll every feed at a fixed interval. Only Retry-After may exceed the max.",
    )
    poll_max_interval: float = Field(
        21600.0,
        gt=0,
        le=MAX_POLL_INTERVAL_S,
        description="Seconds between two polls of a feed at most (`scraper run`); not below "
        "SCRAPER_POLL_MIN_INTERVAL.",
    )
    poll_lease: float = Field(
        300.0,
        gt=0,
        description="Seconds a daemon holds a claimed feed; renewed while the poll runs. After a "
        "daemon dies, its feeds are taken over by another one once this has passed.",
    )
    dispatch_interval: float = Field(
        2.0, gt=0, description="Seconds between two looks for due feeds by the daemon."
    )
    daemon_max_polls: int = Field(
        64, ge=1, le=4096, description="Feeds one daemon process polls at once at most."
    )
    archive_retry_max: float = Field(
        300.0,
        gt=0,
        description="Longest wait, in seconds, between two tries of the daemon while the archive "
        "cannot be written (read-only, disk full, database server down). The first retry comes "
        "after max(1 s, the dispatch interval); each failed one doubles the wait.",
    )
    db_connect_timeout: float = Field(
        10.0,
        gt=0,
        le=3600,
        description="Seconds to wait for a PostgreSQL connection to be established (libpq "
        "connect_timeout, at least 2).",
    )
    db_statement_timeout: float = Field(
        0.0,
        ge=0,
        description="Seconds one PostgreSQL statement may run before the server cancels it "
        "(statement_timeout), so a statement stuck behind a lock fails (and the daemon backs "
        "off as from an outage) instead of hanging. It applies to every statement of the "
        "process except schema upgrades, including the daemon's hourly maintenance and a big "
        "crawl's batches, so set it above the longest of those. 0 (the default): no limit.",
    )
    db_tcp_timeout: float = Field(
        60.0,
        ge=0,
        description="Seconds after which a PostgreSQL connection that stays silent or leaves "
        "data unacknowledged is declared dead (TCP keepalives from half of it, "
        "tcp_user_timeout), so a server gone without closing the connection (a failover, a "
        "partition) is noticed. 0: the operating system's defaults (about two hours).",
    )
    shutdown_grace: float = Field(
        30.0,
        ge=0,
        description="Seconds in-flight polls may take to finish after SIGTERM/SIGINT; the rest "
        "are cancelled and their feeds released for another daemon.",
    )
    feed_disable_after: float = Field(
        7 * 86400.0,
        ge=0,
        description="Seconds a feed may keep failing before the daemon disables it (the reason "
        "is kept; `scraper feeds enable URL` brings it back). 0: never.",
    )
    unconditional_every: int = Field(
        10,
        ge=0,
        description="Every Nth poll of a feed is sent without ETag/Last-Modified, to catch "
        "servers that answer 304 although the feed changed. 0: never.",
    )
    host_min_delay: float = Field(
        1.0, ge=0, description="Seconds between the starts of two daemon requests to one host."
    )
    contact_url: str | None = Field(
        None,
        description="Contact URL put into the User-Agent (`+URL`) so site owners can reach the "
        "operator; replaces the URL in SCRAPER_USER_AGENT.",
    )
    metrics_port: int | None = Field(
        None,
        ge=0,
        le=65535,
        description="Serve Prometheus /metrics and /healthz on this port (`scraper run`); "
        "unset: off.",
    )
    metrics_host: str = Field(
        "127.0.0.1", description="Address the metrics server listens on (with metrics_port)."
    )
    boilerplate_min_articles: int = Field(
        3,
        ge=2,
        description="A paragraph repeated in at least this many of a publisher's articles "
        "(and in boilerplate_min_share of them) is learned as boilerplate and removed.",
    )
    boilerplate_min_share: float = Field(
        0.3,
        gt=0,
        le=1,
        description="Share of a publisher's articles since a paragraph first appeared that "
        "must contain it before it is learned as boilerplate.",
    )
    dedup_window_days: float = Field(
        14.0,
        ge=0,
        description="A publisher's near-identical text (see dedup_same_article) published "
        "within this many days of a stored article is that article under an edited slug or "
        "headline: its URL is attached (and a changed text kept as a revision).",
    )
    dedup_same_article: float = Field(
        0.7,
        gt=0,
        le=1,
        description="Containment (shared word 5-shingles over those of the shorter text) from "
        "which the same publisher's text is the same article (within dedup_window_days).",
    )
    dedup_cluster: float = Field(
        0.6,
        gt=0,
        le=1,
        description="Containment from which a text is a near-duplicate: another publisher's "
        "copy joins the story cluster (a separate article). Measured by `python -m bench.dedup` "
        "(docs/dedup.md).",
    )
    dedup_min_words: int = Field(
        40,
        ge=1,
        description="Texts shorter than this are matched by URL and feed GUID only, never by "
        "their text (two 'watch the video' teasers are not one article).",
    )
    auto_adopt_min_kinds: int = Field(
        2,
        ge=1,
        description="Independent kinds of evidence (redirect, canonical, notice, slug, feed "
        "link, volume) needed before a publisher with auto_adopt = true moves home by itself.",
    )
    archive_fallback_url: str | None = Field(
        None,
        pattern=r"^https?://",
        description="Memento/Wayback-style prefix (e.g. https://web.archive.org/web/2/) to fetch "
        "a page from when no domain of its publisher serves it; the copy is marked as archived. "
        "Off when unset.",
    )
    api_token: SecretStr | None = Field(
        None,
        description="Bearer token that enables the API's write endpoints (add a feed, trigger a "
        "crawl); unset, the API is read-only.",
    )
    server_name: str = Field(
        "localhost",
        description="Authority of the archive's Atom entry ids (tag:NAME,2025:article/ID); "
        "choose it once and never change it, or readers see every entry as new.",
    )
    log_level: str = Field(
        "WARNING", description="DEBUG, INFO, WARNING, ERROR or CRITICAL (any case)."
    )
    log_format: str = Field("text", pattern="^(text|json)$", description="text or json.")

    @field_validator("database_url")
    @classmethod
    def _normalise_url(cls, value: str) -> str:
        return normalise_database_url(value)

    @field_validator("log_level")
    @classmethod
    def _known_level(cls, value: str) -> str:
        """Checked here, not when logging is set up: there an unknown level is a ValueError
        with a traceback instead of a message naming the variable."""
        level = value.strip().upper()
        if level not in LOG_LEVELS:
            raise ValueError(f"{value!r} is not one of {', '.join(LOG_LEVELS)}")
        return level

    @model_validator(mode="after")
    def _min_not_above_max(self) -> Self:
        """A minimum above the maximum used to be clamped silently to the maximum, so feeds
        were polled far more often than the operator asked for."""
        if self.poll_min_interval > self.poll_max_interval:
            raise ValueError(
                f"SCRAPER_POLL_MIN_INTERVAL ({self.poll_min_interval:g} s) is above "
                f"SCRAPER_POLL_MAX_INTERVAL ({self.poll_max_interval:g} s); set both equal for "
                "a fixed interval"
            )
        return self

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")
