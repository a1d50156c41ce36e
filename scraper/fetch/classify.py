"""Map transport exceptions and HTTP statuses to one fixed ``reason`` label each.

Classification happens once, here; every caller sees a :class:`FetchError` with a reason from
a small fixed set, so summaries, feed status and metrics can group failures reliably.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from email.utils import parsedate_to_datetime

import httpx

from scraper.errors import FetchError
from scraper.fetch.decompress import DecodeError
from scraper.fetch.guard import BlockedAddressError

# A Retry-After beyond this is treated as this: a server must not park a feed for a year.
MAX_RETRY_AFTER = 7 * 24 * 3600.0

# Statuses after which asking again later may well succeed.
_TRANSIENT_STATUS = frozenset({408, 425, 429, 500, 502, 503, 504, 520, 521, 522, 523, 524})


def reason_for_status(status: int) -> str:
    if status == 451:
        return "blocked"
    return f"http_{status}" if status in {401, 403, 404, 410, 429} else f"http_{status // 100}xx"


def status_error(url: str, status: int, headers: Mapping[str, str] | None = None) -> FetchError:
    """The error for an HTTP error status; ``retry_after`` is kept so the scheduler can wait."""
    retry_after = retry_after_seconds((headers or {}).get("retry-after"))
    message = f"HTTP {status}"
    if retry_after is not None:
        message += f" (retry after {retry_after:g} s)"
    return FetchError(
        url,
        reason_for_status(status),
        message,
        transient=status in _TRANSIENT_STATUS,
        status=status,
        retry_after=retry_after,
    )


def retry_after_seconds(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After value (delta-seconds or HTTP-date), None if unusable."""
    if not value or not (value := value.strip()):
        return None
    if value.isdigit():
        return min(float(value), MAX_RETRY_AFTER)
    try:
        when = parsedate_to_datetime(value).timestamp()
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    wait = when - (time.time() if now is None else now)
    return min(max(wait, 0.0), MAX_RETRY_AFTER)


def transport_error(url: str, exc: Exception) -> FetchError:
    """Name what went wrong on the wire in words an operator recognises."""
    text = str(exc) or type(exc).__name__
    lowered = text.lower()
    reason, transient = "network", True
    if isinstance(exc, BlockedAddressError):
        reason, transient = "blocked_address", False
    elif isinstance(exc, httpx.TimeoutException | TimeoutError):
        reason = "timeout"
        text = text if str(exc) else "timed out"
    elif isinstance(exc, httpx.ProxyError):
        reason = "proxy"
    elif isinstance(exc, httpx.ConnectError):
        if any(s in lowered for s in ("name or service", "nodename", "getaddrinfo", "resolve")):
            reason = "dns"
        elif "ssl" in lowered or "certificate" in lowered or "tls" in lowered:
            reason = "tls"
        else:
            reason = "connect"
    elif isinstance(exc, httpx.UnsupportedProtocol | httpx.InvalidURL | ValueError):
        reason, transient = "bad_url", False
    elif isinstance(exc, httpx.RemoteProtocolError):
        reason = "protocol"
    elif isinstance(exc, httpx.DecodingError | DecodeError):
        reason = "decoding"
    return FetchError(url, reason, text, transient=transient)
