"""Publication/modification dates: parse liberally, return aware UTC datetimes."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from dateutil import parser as dateparser

_MIN_YEAR = 1990
_MAX_YEAR = 2100
_MAX_CHARS = 80
# /2019/05/12/, /2019-05-12-, /20190512/ in a URL path
_URL_DATE = re.compile(
    r"/((?:19|20)\d{2})[/_-](0?[1-9]|1[0-2])[/_-](0?[1-9]|[12]\d|3[01])(?:[/_.-]|$)"
    r"|/((?:19|20)\d{2})(0[1-9]|1[0-2])([012]\d|3[01])(?:/|$)"
)
_ISO_LIKE = re.compile(r"^\d{4}-\d{2}-\d{2}")


def to_utc(value: datetime) -> datetime:
    """Naive datetimes are taken to be UTC; aware ones are converted."""
    if value.tzinfo is None or value.utcoffset() is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def _plausible(value: datetime) -> datetime | None:
    return value if _MIN_YEAR <= value.year <= _MAX_YEAR else None


def parse_date(text: str | None) -> datetime | None:
    """Parse ISO 8601 or common human formats; None when it is not a date."""
    if not text:
        return None
    text = text.strip()
    if not text or len(text) > _MAX_CHARS:
        return None
    try:
        if _ISO_LIKE.match(text):
            try:
                return _plausible(to_utc(dateparser.isoparse(text)))
            except ValueError:
                pass
        if text.isdigit():
            return _from_digits(text)
        parsed = dateparser.parse(text, default=datetime(2000, 1, 1))
    except (ValueError, OverflowError, TypeError, LookupError):
        return None
    return _plausible(to_utc(parsed))


def _from_digits(text: str) -> datetime | None:
    if len(text) in (10, 13):  # Unix epoch seconds / milliseconds
        seconds = int(text) / (1000 if len(text) == 13 else 1)
        return _plausible(datetime.fromtimestamp(seconds, UTC))
    if len(text) == 8:
        return _plausible(datetime.strptime(text, "%Y%m%d").replace(tzinfo=UTC))
    return None


def date_from_url(url: str | None) -> datetime | None:
    """A date embedded in a URL path such as ``/2019/05/12/slug``."""
    if not url:
        return None
    match = _URL_DATE.search(url)
    if match is None:
        return None
    groups = [g for g in match.groups() if g is not None]
    try:
        year, month, day = (int(g) for g in groups)
        return _plausible(datetime(year, month, day, tzinfo=UTC))
    except ValueError:
        return None
