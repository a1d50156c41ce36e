"""What every draft is made into before it is stored, whoever produced it.

Feeds, pages, imports and tests all hand the store drafts; checks that hold only in some
producer (the feed parser, the extractor) leave the others unprotected. The store therefore
makes each draft storable itself, identically on every database:

* C0 control characters are removed from every text field. PostgreSQL refuses NUL in a text
  column outright ("PostgreSQL text fields cannot contain NUL"), and feedparser decodes
  ``&#0;`` to U+0000, so one such title failed the whole item on every poll; SQLite stored
  it. The other C0 controls are invisible noise in a title or a text (and invalid in the XML
  of the Atom feeds made from them, which drop them too). Tab, newline and carriage return
  are layout and stay.
* ``published_at`` is stored in UTC. SQLite keeps a datetime's wall-clock time and drops its
  offset, so 23:00-05:00 came back as 23:00Z, five hours off (PostgreSQL converted it). A
  naive time is taken as UTC, as the dedup window already takes it
  (:func:`scraper.dedup.policy.DedupPolicy.close`).
"""

from __future__ import annotations

import dataclasses
import re
from datetime import UTC, datetime

from scraper.models import ArticleDraft, RawPage

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def storable_text(value: str) -> str:
    """``value`` without C0 control characters (tab, newline and carriage return kept)."""
    return _CONTROL.sub("", value)


def _optional(value: str | None) -> str | None:
    return None if value is None else storable_text(value)


def utc(value: datetime | None) -> datetime | None:
    """The same instant in UTC (a naive value is taken to be UTC already)."""
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def storable(draft: ArticleDraft) -> ArticleDraft:
    """The draft with every text field storable and its time in UTC (see the module
    docstring). Always a copy: a datetime compares equal across zones, so "unchanged" cannot
    be told by ``==``."""
    raw: RawPage | None = draft.raw
    if raw is not None and storable_text(raw.url) != raw.url:
        raw = dataclasses.replace(raw, url=storable_text(raw.url))
    return dataclasses.replace(
        draft,
        publisher_id=storable_text(draft.publisher_id),
        canonical_url=storable_text(draft.canonical_url),
        urls=tuple((storable_text(url), source) for url, source in draft.urls),
        title=_optional(draft.title),
        authors=tuple(storable_text(a) for a in draft.authors),
        published_at=utc(draft.published_at),
        language=_optional(draft.language),
        text=storable_text(draft.text),
        guid=_optional(draft.guid),
        description=_optional(draft.description),
        raw=raw,
    )
