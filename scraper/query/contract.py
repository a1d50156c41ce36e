"""The JSON article contract shared by ``search``, ``show``, ``export`` and the API."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from scraper.models import Article

FIELDS = (
    "id", "publisher", "url", "urls", "title", "authors", "published_at", "first_seen_at",
    "language", "text", "word_count", "revisions", "cluster",
)  # fmt: skip


def iso(value: datetime | None) -> str | None:
    """ISO 8601 in UTC with a ``Z``: one spelling for every timestamp we emit."""
    if value is None:
        return None
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def article_to_dict(article: Article, *, text: bool = True) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": article.id,
        "publisher": article.publisher,
        "url": article.url,
        "urls": list(article.urls),
        "title": article.title,
        "authors": list(article.authors),
        "published_at": iso(article.published_at),
        "first_seen_at": iso(article.first_seen_at),
        "language": article.language,
        "text": article.text,
        "word_count": article.word_count,
        "revisions": article.revisions,
        "cluster": article.cluster,
    }
    if not text:
        del data["text"]
    if article.snippet is not None:
        data["snippet"] = article.snippet
    if article.also_published_by:
        data["also_published_by"] = list(article.also_published_by)
    return data


def article_to_csv_row(article: Article) -> dict[str, Any]:
    """Lists become JSON arrays so a CSV export round-trips exactly."""
    row = article_to_dict(article)
    row["urls"] = json.dumps(row["urls"], ensure_ascii=False)
    row["authors"] = json.dumps(row["authors"], ensure_ascii=False)
    return row


def parse_when(value: str, *, end: bool = False) -> datetime:
    """``2025-03-28`` or a full ISO 8601 timestamp; naive means UTC. ``end`` makes a bare
    date inclusive (``--until 2025-03-28`` includes that whole day); a full timestamp is
    the instant itself, which the filters include too (``published_at <= until``).

    Raises ``ValueError`` (a 422, a 400 page or a usage error to the callers) also for a
    timestamp that exists only in its own offset: ``9999-12-31T23:59:59-05:00`` is past
    the last UTC instant ``datetime`` can hold, and converting it raised ``OverflowError``,
    which no caller expected (a 500 or a traceback)."""
    text = value.strip()
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as exc:
        raise ValueError(f"{value!r} is not a date (use YYYY-MM-DD or ISO 8601)") from exc
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    if end and len(text) == 10:
        parsed = parsed.replace(hour=23, minute=59, second=59, microsecond=999999)
    return to_utc(parsed, value)


def to_utc(when: datetime, given: object) -> datetime:
    """``when`` in UTC; ``ValueError`` naming ``given`` when UTC cannot hold it (a time in
    year 1 east of Greenwich, or in year 9999 west of it)."""
    try:
        return when.astimezone(UTC)
    except OverflowError as exc:
        raise ValueError(f"{given!r} is outside the dates this archive can hold") from exc
