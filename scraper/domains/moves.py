"""From evidence to decisions: suggested moves, adoptions, and the configuration they imply.

Pure functions: the store hands in evidence counts and adoptions, these return values.
The publishers file stays the user's; an adopted move is applied on top of it at run time
(:func:`effective_config`), so nobody's comments or layout are rewritten by the program.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from scraper.config import Alias, Config, Publisher
from scraper.domains.evidence import Adoption, EvidenceCount
from scraper.domains.resolve import Resolver


@dataclass
class Suggestion:
    """One candidate move with every kind of evidence seen for it."""

    publisher_id: str | None
    from_host: str
    to_host: str
    kinds: dict[str, int] = field(default_factory=dict)
    example_url: str = ""
    last_seen_at: datetime | None = None
    configured: bool = False  # both hosts already belong to the publisher in the config

    @property
    def strength(self) -> int:
        """Independent kinds of evidence; a failover alone proves reachability, not a move."""
        return len(set(self.kinds) - {"failover"})


def suggest(config: Config, counts: Iterable[EvidenceCount]) -> list[Suggestion]:
    resolver = Resolver(config.publishers)
    found: dict[tuple[str, str], Suggestion] = {}
    for count in counts:
        key = (count.from_host, count.to_host)
        item = found.get(key)
        if item is None:
            publisher = (
                count.publisher_id
                or resolver.publisher_for_host(count.from_host)
                or resolver.publisher_for_host(count.to_host)
            )
            item = found[key] = Suggestion(publisher, count.from_host, count.to_host)
        item.kinds[count.kind] = item.kinds.get(count.kind, 0) + count.count
        if item.last_seen_at is None or count.last_seen_at >= item.last_seen_at:
            item.example_url, item.last_seen_at = count.example_url, count.last_seen_at
    for item in found.values():
        item.configured = _configured(config, item)
    return sorted(found.values(), key=lambda s: (-s.strength, -sum(s.kinds.values())))


def volume_evidence(
    activity: Iterable[tuple[str, str, datetime, datetime, int]],
    now: datetime,
    quiet_days: int = 14,
    min_articles: int = 3,
) -> list[EvidenceCount]:
    """A publisher's items stopped coming from one host while they keep coming from another
    that started later: its volume moved. One evidence per (publisher, old host, new host)."""
    by_publisher: dict[str, list[tuple[str, datetime, datetime, int]]] = {}
    for publisher, host, first, last, count in activity:
        by_publisher.setdefault(publisher, []).append((host, first, last, count))
    found = []
    quiet = now - timedelta(days=quiet_days)
    for publisher, hosts in by_publisher.items():
        for old, old_first, old_last, old_n in hosts:
            for new, new_first, new_last, new_n in hosts:
                if (old != new and old_last < quiet <= new_last and new_first > old_first
                        and min(old_n, new_n) >= min_articles):  # fmt: skip
                    found.append(EvidenceCount(publisher, old, new, "volume", 1,
                                               f"https://{new}/", new_first, new_last))  # fmt: skip
    return found


def _configured(config: Config, item: Suggestion) -> bool:
    for publisher in config.publishers:
        if item.from_host in publisher.domains and item.to_host in publisher.domains:
            return True
    return False


def auto_adoptions(
    config: Config, suggestions: Sequence[Suggestion], min_kinds: int
) -> list[Suggestion]:
    """Moves away from a publisher's current home that its ``auto_adopt`` lets us accept."""
    chosen = []
    for item in suggestions:
        if item.publisher_id is None or item.strength < min_kinds:
            continue
        publisher = next((p for p in config.publishers if p.id == item.publisher_id), None)
        if publisher is None or not publisher.auto_adopt:
            continue
        if item.from_host == publisher.canonical_domain and item.to_host not in {
            publisher.canonical_domain
        }:
            chosen.append(item)
    return chosen


def effective_config(config: Config, adopted: Iterable[Adoption]) -> Config:
    """The configuration with every adopted move applied, oldest first."""
    publishers = {p.id: p for p in config.publishers}
    for adoption in adopted:
        publisher = publishers.get(adoption.publisher_id)
        if publisher is not None and publisher.canonical_domain != adoption.to_host:
            publishers[publisher.id] = _move(publisher, adoption.to_host)
    return config.model_copy(update={"publishers": tuple(publishers.values())})


def _move(publisher: Publisher, new_home: str) -> Publisher:
    old = Alias(domain=publisher.canonical_domain, status="redirecting")
    aliases = [a for a in publisher.aliases if a.domain != new_home]
    return publisher.model_copy(update={"canonical_domain": new_home, "aliases": (old, *aliases)})
