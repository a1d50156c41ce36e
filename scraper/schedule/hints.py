"""What a server says about how often to ask: RSS ``<ttl>``, ``sy:update*``, ``Cache-Control``.

Pure functions over bytes and headers. The feed hints live in the channel header, before the
first item, so only that part of the body is scanned (a regex, not a second XML parse): cheap
enough to run on every changed feed body.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

HEADER_SCAN_BYTES = 65_536
_FIRST_ITEM = re.compile(rb"<(?:\w+:)?(?:item|entry)[\s>]", re.IGNORECASE)
_TTL = re.compile(rb"<ttl>\s*(\d{1,7})\s*</ttl>", re.IGNORECASE)
_PERIOD = re.compile(rb"<sy:updatePeriod>\s*(\w+)\s*</sy:updatePeriod>", re.IGNORECASE)
_FREQUENCY = re.compile(rb"<sy:updateFrequency>\s*(\d{1,6})\s*</sy:updateFrequency>", re.I)
_MAX_AGE = re.compile(r"(?:^|,)\s*(s-maxage|max-age)\s*=\s*\"?(\d{1,10})\"?", re.IGNORECASE)
_PERIOD_S = {
    b"hourly": 3_600.0,
    b"daily": 86_400.0,
    b"weekly": 7 * 86_400.0,
    b"monthly": 30 * 86_400.0,
    b"yearly": 365 * 86_400.0,
}


def _channel_header(body: bytes) -> bytes:
    head = body[:HEADER_SCAN_BYTES]
    match = _FIRST_ITEM.search(head)
    return head[: match.start()] if match else head


def feed_ttl_seconds(body: bytes) -> float | None:
    """The longer of ``<ttl>`` (minutes) and ``sy:updatePeriod / sy:updateFrequency``."""
    header = _channel_header(body)
    found: list[float] = []
    if ttl := _TTL.search(header):
        found.append(int(ttl.group(1)) * 60.0)
    if period := _PERIOD.search(header):
        seconds = _PERIOD_S.get(period.group(1).lower())
        frequency = _FREQUENCY.search(header)
        times = int(frequency.group(1)) if frequency else 1
        if seconds is not None and times > 0:
            found.append(seconds / times)
    positive = [f for f in found if f > 0]
    return max(positive) if positive else None


def max_age_seconds(headers: Mapping[str, str]) -> float | None:
    """``Cache-Control`` freshness lifetime; ``no-cache``/``no-store`` mean none."""
    value = headers.get("cache-control", "")
    lowered = value.lower()
    if not value or "no-cache" in lowered or "no-store" in lowered:
        return None
    ages = {name.lower(): int(age) for name, age in _MAX_AGE.findall(value)}
    age = ages.get("max-age", ages.get("s-maxage"))
    return float(age) if age else None
