"""Map transport exceptions and HTTP statuses to one fixed ``reason`` label each.

Classification happens once, here; every caller sees a :class:`FetchError` with a reason from
a small fixed set, so summaries, feed status and metrics can group failures reliably.
"""

from __future__ import annotations

import httpx

from scraper.errors import FetchError

# Statuses after which asking again later may well succeed.
_TRANSIENT_STATUS = frozenset({408, 425, 429, 500, 502, 503, 504, 520, 521, 522, 523, 524})


def reason_for_status(status: int) -> str:
    if status == 451:
        return "blocked"
    return f"http_{status}" if status in {401, 403, 404, 410, 429} else f"http_{status // 100}xx"


def status_error(url: str, status: int) -> FetchError:
    return FetchError(
        url,
        reason_for_status(status),
        f"HTTP {status}",
        transient=status in _TRANSIENT_STATUS,
        status=status,
    )


def transport_error(url: str, exc: Exception) -> FetchError:
    """Name what went wrong on the wire in words an operator recognises."""
    text = str(exc) or type(exc).__name__
    lowered = text.lower()
    reason, transient = "network", True
    if isinstance(exc, httpx.TimeoutException | TimeoutError):
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
    elif isinstance(exc, httpx.DecodingError):
        reason = "decoding"
    return FetchError(url, reason, text, transient=transient)
