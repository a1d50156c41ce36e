"""Opaque page cursors.

Two kinds, both base64url-encoded JSON so clients treat them as tokens:

* listing (no search words): a keyset ``(published_at, id)`` of the last row shown, so a page
  is one index range scan however deep it is, and rows inserted meanwhile cause no gap or
  overlap;
* ranked search: an offset into the ranking. Relevance has no stable key to seek on, and the
  store ranks a bounded window anyway (``MAX_OFFSET``), so an offset is honest and cheap.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import UTC, datetime

from scraper.query.contract import iso, to_utc
from scraper.store.reads import Keyset

MAX_OFFSET = 1000


class CursorError(ValueError):
    """The cursor was not made by this server (or was edited)."""


@dataclass(frozen=True, slots=True)
class Cursor:
    keyset: Keyset | None = None
    offset: int = 0


def encode_keyset(key: Keyset) -> str:
    return _encode({"p": iso(key.published_at), "i": key.id})


def encode_offset(offset: int) -> str:
    return _encode({"o": offset})


def decode(token: str) -> Cursor:
    """Parse a cursor; raise :class:`CursorError` with a message fit for a 422."""
    try:
        data = json.loads(base64.urlsafe_b64decode(token.encode("ascii") + b"==="))
        if set(data) == {"o"} and _is_int(data["o"]) and 0 <= data["o"] <= MAX_OFFSET:
            return Cursor(offset=data["o"])
        if set(data) == {"p", "i"} and _is_int(data["i"]) and 0 < data["i"] < 2**63:
            return Cursor(keyset=Keyset(_keyset_time(data["p"]), data["i"]))
    except (ValueError, TypeError, UnicodeError, binascii.Error):
        pass
    raise CursorError("not a cursor from a previous page (use next_cursor as given)")


def _is_int(value: object) -> bool:
    """A JSON integer: ``true`` is an ``int`` to ``isinstance`` and reached the query as 1."""
    return type(value) is int


def _keyset_time(value: object) -> datetime | None:
    """The keyset's date in UTC, checked here: a hand-edited ``p`` that UTC cannot hold
    (``0001-01-01T00:00:00+05:00``) raised ``OverflowError`` only when the page was read."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise TypeError("p is not a string")
    when = datetime.fromisoformat(value)
    return to_utc(when if when.tzinfo else when.replace(tzinfo=UTC), value)


def _encode(data: dict[str, object]) -> str:
    raw = json.dumps(data, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")
