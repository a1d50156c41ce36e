"""The exception tree. Every failure is classified once, here, into a fixed ``reason`` label.

::

    ScraperError
    ├── ConfigError            bad publishers.toml or settings (never retried)
    ├── FetchError             a request failed; carries .url, .reason, .transient, .status
    │                          and .retry_after (seconds from a 429/503 Retry-After, or None)
    ├── ParseError             a feed body could not be understood; carries .url
    ├── ExtractError           a page could not be turned into text; carries .url
    └── StorageError           the database refused or is unreachable
        └── ArchiveUnwritableError  read-only, disk full, server down: every write fails
                                    until an operator acts (scraper/store/faults.py)

``reason`` is a short, fixed-cardinality label ("timeout", "dns", "http_404", "not_a_feed" …)
so that summaries, ``feeds status`` and metrics can group failures without parsing messages.
"Not modified" and "already known" are return values, never exceptions.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from scraper.models import Hop


class ScraperError(Exception):
    """Base of every error the scraper raises on purpose."""


class ConfigError(ScraperError):
    """The configuration (file or settings) is invalid; the message says where."""


class _UrlError(ScraperError):
    def __init__(self, url: str, reason: str, message: str = "") -> None:
        self.url = url
        self.reason = reason
        self.message = message or reason
        super().__init__(f"{url}: {self.message}")


class FetchError(_UrlError):
    """A request for ``url`` failed; ``transient`` says whether retrying later may help."""

    def __init__(
        self,
        url: str,
        reason: str,
        message: str = "",
        *,
        transient: bool = True,
        status: int | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(url, reason, message)
        self.transient = transient
        self.status = status
        self.retry_after = retry_after
        self.redirects: tuple[Hop, ...] = ()  # answered before the failure (set by the fetcher)


class ParseError(_UrlError):
    """The body at ``url`` is not a feed we can read."""


class ExtractError(_UrlError):
    """The page at ``url`` yielded no usable article text."""


class StorageError(ScraperError):
    """The database failed; the message says which operation."""
