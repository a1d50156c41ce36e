"""Mirror the configured publishers, domains and feeds into the database.

The config file is the source of truth for *what* to follow; the database keeps *state*
(ETags, error streaks) that must survive a config edit, so rows are upserted, never recreated.

Every feed row records where it came from (``source``): the publishers file (``file``) or
``feeds add`` / ``import`` / the API (``added``). A ``file`` feed deleted from the file is
*retired*: disabled with the reason :data:`REMOVED_FROM_FILE`, its row, state and articles kept,
so putting it back in the file resumes it where it stopped. ``added`` feeds are left alone by
a sync, except when their publisher is deleted from the file: then every feed of that
publisher is retired (its rules are gone, so a poll could only crash), with the reason
:func:`publisher_gone`, and resumed when the publisher comes back. What to change is decided by
:func:`plan_feed_sync`, a pure function over the rows.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence, Set
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from scraper.config import Config, Publisher
from scraper.store.tables import DomainRow, FeedRow, FeedUrlRow, PublisherRow
from scraper.store.upsert import insert_ignore

FROM_FILE = "file"
ADDED = "added"
REMOVED_FROM_FILE = "removed from the publishers file"
"""Reason of a ``file`` feed that the file no longer lists; the sync re-enables it only when
it comes back (any other reason, e.g. the operator's, is never undone by a sync)."""
_PUBLISHER_GONE = re.compile(r"publisher '[^']*' removed from the publishers file")


@dataclass(frozen=True, slots=True)
class FeedFacts:
    """What the sync needs to know about one feed row."""

    id: int
    url: str
    publisher_id: str
    source: str
    disabled_reason: str | None = None
    disabled: bool = False


@dataclass(frozen=True, slots=True)
class FeedChange:
    """What a sync changes on one row; ``None`` fields stay as they are."""

    id: int
    url: str
    source: str | None = None
    publisher_id: str | None = None
    disable: str | None = None
    """Disable with this reason."""
    enable: bool = False
    """Poll again at once, with the error streak forgotten (it was not polled meanwhile)."""


@dataclass(frozen=True, slots=True)
class SyncReport:
    """Feeds a sync stopped (url, reason) and resumed (url), for the daemon's log."""

    retired: list[tuple[str, str]] = field(default_factory=list)
    restored: list[str] = field(default_factory=list)


def publisher_gone(publisher_id: str) -> str:
    """Reason of a feed whose publisher the file no longer has."""
    return f"publisher {publisher_id!r} removed from the publishers file"


def is_sync_reason(reason: str | None) -> bool:
    """Whether a feed was disabled by a sync (and a sync may therefore enable it again)."""
    return reason is not None and (
        reason == REMOVED_FROM_FILE or _PUBLISHER_GONE.fullmatch(reason) is not None
    )


def retire_reason(feed: FeedFacts, listed: Mapping[str, str], publishers: Set[str]) -> str | None:
    """Why a sync should keep this feed from being polled, or None."""
    if feed.url in listed:
        return None
    if feed.publisher_id not in publishers:
        return publisher_gone(feed.publisher_id)
    if feed.source == FROM_FILE:
        return REMOVED_FROM_FILE
    return None


def plan_feed_sync(
    feeds: Sequence[FeedFacts], listed: Mapping[str, str], publishers: Set[str]
) -> list[FeedChange]:
    """The changes that make the rows agree with the file. ``listed`` maps every feed URL in
    the file to its publisher, ``publishers`` are the file's publisher ids. A listed feed
    becomes (or stays) a ``file`` feed of the publisher that lists it; a feed disabled for any
    reason but a sync's keeps that reason."""
    changes = []
    for feed in feeds:
        owner = listed.get(feed.url)
        source = FROM_FILE if owner is not None and feed.source != FROM_FILE else None
        publisher = owner if owner is not None and owner != feed.publisher_id else None
        want = retire_reason(feed, listed, publishers)
        by_sync = feed.disabled and is_sync_reason(feed.disabled_reason)
        disable, enable = None, False
        if not feed.disabled or by_sync:
            current = feed.disabled_reason if by_sync else None
            if want is not None and want != current:
                disable = want
            elif want is None and current is not None:
                enable = True
        if source or publisher or disable or enable:
            changes.append(FeedChange(feed.id, feed.url, source, publisher, disable, enable))
    return changes


def sync_config(session: Session, config: Config) -> SyncReport:
    known_as = _followed_as(session, [url for p in config.publishers for url in p.feeds])
    for publisher in config.publishers:
        _sync_publisher(session, publisher, known_as)
    return _sync_feeds(session, config, known_as)


def _followed_as(session: Session, urls: Sequence[str]) -> dict[str, str]:
    """Listed URL → the stored URL of the feed it already is, for a URL that is not a feed's
    own but the one a feed is fetched at after a redirect, or one in its history. The file
    edited to the URL a feed moved to must keep that feed (its validators, schedule and
    history), not retire it and start a second row from scratch."""
    found: dict[str, str] = {}
    unique = list(dict.fromkeys(urls))
    for start in range(0, len(unique), 500):
        chunk = unique[start : start + 500]
        own = set(session.scalars(select(FeedRow.url).where(FeedRow.url.in_(chunk))))
        others = [url for url in chunk if url not in own]
        if not others:
            continue
        moved = select(FeedRow.fetch_url, FeedRow.url).where(FeedRow.fetch_url.in_(others))
        history = (
            select(FeedUrlRow.url, FeedRow.url)
            .join(FeedRow, FeedRow.id == FeedUrlRow.feed_id)
            .where(FeedUrlRow.url.in_(others))
        )
        for query in (moved, history):
            for spelling, stored in session.execute(query):
                if spelling is not None:
                    found.setdefault(spelling, stored)
    return found


def _sync_publisher(session: Session, publisher: Publisher, known_as: Mapping[str, str]) -> None:
    row = session.get(PublisherRow, publisher.id)
    if row is None:
        session.add(
            PublisherRow(
                id=publisher.id, name=publisher.name, canonical_domain=publisher.canonical_domain
            )
        )
        session.flush()
    else:
        row.name = publisher.name
        row.canonical_domain = publisher.canonical_domain
    _sync_domains(session, publisher)
    now = datetime.now(UTC)
    new = {"publisher_id": publisher.id, "consecutive_errors": 0, "created_at": now}
    insert_ignore(
        session,
        FeedRow.__table__,  # type: ignore[arg-type]
        [
            {"url": url, "source": FROM_FILE, **new}
            for url in publisher.feeds
            if url not in known_as
        ],
    )


def _sync_feeds(session: Session, config: Config, known_as: Mapping[str, str]) -> SyncReport:
    listed = {known_as.get(url, url): p.id for p in config.publishers for url in p.feeds}
    rows = session.execute(
        select(FeedRow.id, FeedRow.url, FeedRow.publisher_id, FeedRow.source,
               FeedRow.disabled_reason, FeedRow.disabled_at)
    ).all()  # fmt: skip
    facts = [FeedFacts(r[0], r[1], r[2], r[3], r[4], r[5] is not None) for r in rows]
    report = SyncReport()
    now = datetime.now(UTC)
    publishers = {p.id for p in config.publishers}
    for change in plan_feed_sync(facts, listed, publishers):
        values: dict[str, object] = {}
        if change.source is not None:
            values["source"] = change.source
        if change.publisher_id is not None:
            values["publisher_id"] = change.publisher_id
        if change.disable is not None:
            values |= {"disabled_at": now, "disabled_reason": change.disable}
            report.retired.append((change.url, change.disable))
        if change.enable:
            values |= {"disabled_at": None, "disabled_reason": None, "error_since": None,
                       "consecutive_errors": 0, "next_poll_at": now}  # fmt: skip
            report.restored.append(change.url)
        session.execute(
            update(FeedRow)
            .where(FeedRow.id == change.id)
            .values(values)
            .execution_options(synchronize_session=False)
        )
    return report


def _sync_domains(session: Session, publisher: Publisher) -> None:
    wanted: dict[str, tuple[str, str, int | None, int | None]] = {
        publisher.canonical_domain: ("canonical", "live", None, None)
    }
    for alias in publisher.aliases:
        wanted[alias.domain] = (alias.role, alias.status, alias.since, alias.until)
    existing = {
        row.host: row
        for row in session.scalars(select(DomainRow).where(DomainRow.host.in_(list(wanted))))
    }
    for host, (role, status, since, until) in wanted.items():
        row = existing.get(host)
        if row is None:
            row = DomainRow(host=host)
            session.add(row)
        row.publisher_id = publisher.id
        row.role, row.status, row.active_from, row.active_until = role, status, since, until
