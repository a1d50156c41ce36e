"""Mirror the configured publishers, domains and feeds into the database.

The config file is the source of truth for *what* to follow; the database keeps *state*
(ETags, error streaks) that must survive a config edit, so rows are upserted, never recreated.
Feeds removed from the file are kept (their articles still point at them).
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from scraper.config import Config, Publisher
from scraper.store.tables import DomainRow, FeedRow, PublisherRow
from scraper.store.upsert import insert_ignore


def sync_config(session: Session, config: Config) -> None:
    for publisher in config.publishers:
        _sync_publisher(session, publisher)


def _sync_publisher(session: Session, publisher: Publisher) -> None:
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
    insert_ignore(
        session,
        FeedRow.__table__,  # type: ignore[arg-type]
        [
            {"url": url, "publisher_id": publisher.id, "consecutive_errors": 0, "created_at": now}
            for url in publisher.feeds
        ],
    )


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
