"""The archive as the rest of the program sees it: named operations, models in and out.

Every method opens its own short transaction, so a failure rolls back that one operation
(one article, one feed's state) and never the rest of a crawl.
"""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime, timedelta
from typing import ParamSpec, TypeVar

from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from scraper.config import Config
from scraper.dedup.fingerprint import text_hash
from scraper.dedup.policy import DEFAULT_POLICY, DedupPolicy
from scraper.dedup.revisions import Version
from scraper.domains.evidence import Adoption, Evidence, EvidenceCount
from scraper.errors import StorageError
from scraper.models import Article, ArticleDraft, FeedRef, StoreOutcome
from scraper.store import (
    articles,
    boilerplate,
    dedup,
    feeds,
    ingest,
    moves,
    raw,
    registry,
    search,
)
from scraper.store.db import DEFAULT_TIMEOUTS, DbTimeouts, ensure_schema, make_engine
from scraper.store.feeds import Failure, FeedPoll, PollRecord
from scraper.store.filters import ArticleFilter
from scraper.store.raw import StoredPage

log = logging.getLogger(__name__)

_RECONNECT_ATTEMPTS = 6
# Drafts per save_batch transaction: PostgreSQL's shared lock table holds
# max_locks_per_transaction × max_connections (6,400 by default) advisory locks for everyone.
BATCH_MAX = 50
_T = TypeVar("_T")
_P = ParamSpec("_P")


_DISCONNECT_WORDS = (
    "server closed the connection",
    "terminating connection",
    "connection is closed",
    "consuming input failed",
    "connection already closed",
)


def _lost_connection(exc: BaseException) -> bool:
    """Did the server go away (as opposed to refusing what we sent)?"""
    cause: BaseException | None = exc
    while cause is not None:
        if isinstance(cause, DBAPIError) and (
            cause.connection_invalidated
            or any(w in str(cause.orig).lower() for w in _DISCONNECT_WORDS)
        ):
            return True
        cause = cause.__cause__
    return False


def _reconnecting(method: Callable[_P, _T]) -> Callable[_P, _T]:
    """Retry an archive operation on a fresh connection when the server dropped ours
    (restart, failover, ``pg_terminate_backend``). Every operation is one transaction and
    idempotent under the unique keys, so a retry never stores anything twice, and what was
    fetched is not lost to a blip."""

    @functools.wraps(method)
    def wrapper(*args: _P.args, **kwargs: _P.kwargs) -> _T:
        for attempt in range(_RECONNECT_ATTEMPTS - 1):
            try:
                return method(*args, **kwargs)
            except (SQLAlchemyError, StorageError) as exc:
                if not _lost_connection(exc):
                    raise
                log.warning("Database connection lost; retrying", extra={"attempt": attempt + 1})
                time.sleep(0.2 * 2**attempt)
        return method(*args, **kwargs)

    return wrapper


class Archive:
    def __init__(self, engine: Engine, policy: DedupPolicy = DEFAULT_POLICY) -> None:
        self.engine = engine
        self.policy = policy
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    @classmethod
    def open(
        cls,
        url: str,
        *,
        auto_upgrade: bool = False,
        policy: DedupPolicy = DEFAULT_POLICY,
        timeouts: DbTimeouts = DEFAULT_TIMEOUTS,
    ) -> Archive:
        engine = make_engine(url, timeouts)
        ensure_schema(engine, auto_upgrade=auto_upgrade)
        return cls(engine, policy)

    def close(self) -> None:
        self.engine.dispose()

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def _session(self) -> Session:
        return self._sessions()

    def sync_config(self, config: Config) -> registry.SyncReport:
        """Make the feeds table follow the *whole* publishers file: feeds of the file that it
        no longer lists are retired, so never pass a part of it (add single feeds with
        :meth:`~scraper.store.schedule.ScheduleStore.add`)."""
        with self._session() as session, session.begin():
            return registry.sync_config(session, config)

    def feed_refs(
        self, publisher_ids: Sequence[str] = (), urls: Sequence[str] = ()
    ) -> list[FeedRef]:
        with self._session() as session:
            return feeds.feed_refs(session, publisher_ids, urls)

    def record_poll(
        self,
        poll: FeedPoll,
        failures: Sequence[Failure] = (),
        evidence: Sequence[tuple[str | None, Evidence]] = (),
    ) -> None:
        """A feed's new state, its failures and the migration evidence it yielded, at once."""
        with self._session() as session, session.begin():
            feeds.record_poll(session, poll)
            feeds.record_failures(session, failures)
            moves.record_evidence(session, evidence)

    def record_polls(self, polls: Sequence[PollRecord]) -> None:
        """Several feeds' :meth:`record_poll` in one transaction (a crawl's feeds finish
        faster than one transaction each can be committed)."""
        with self._session() as session, session.begin():
            feeds.record_polls(session, [p.poll for p in polls])
            feeds.record_failures(session, [f for p in polls for f in p.failures])
            moves.record_evidence(session, [e for p in polls for e in p.evidence])

    def move_feed(self, feed_id: int, new_url: str, source: str) -> None:
        with self._session() as session, session.begin():
            moves.move_feed(session, feed_id, new_url, source)

    def remember_feed_url(self, feed_id: int, url: str, source: str = "self") -> None:
        with self._session() as session, session.begin():
            moves.remember_feed_url(session, feed_id, url, source)

    def feed_spellings(self) -> list[tuple[str, str, str]]:
        """Every URL each feed is known under: (URL, feed's URL, publisher)."""
        with self._session() as session:
            return moves.feed_spellings(session)

    def host_activity(self, since: datetime) -> list[tuple[str, str, datetime, datetime, int]]:
        with self._session() as session:
            return moves.host_activity(session, since)

    def evidence(self, publisher_id: str | None = None) -> list[EvidenceCount]:
        with self._session() as session:
            return moves.evidence(session, publisher_id)

    def adopt(self, publisher_id: str, from_host: str, to_host: str, source: str) -> None:
        with self._session() as session, session.begin():
            moves.adopt(session, publisher_id, from_host, to_host, source)

    def adoptions(self) -> list[Adoption]:
        with self._session() as session:
            return moves.adoptions(session)

    def record_failures(self, failures: Sequence[Failure]) -> None:
        if failures:
            with self._session() as session, session.begin():
                feeds.record_failures(session, failures)

    def known_urls(self, urls: Sequence[str]) -> dict[str, int]:
        with self._session() as session:
            return articles.known_urls(session, urls)

    def attach_urls(self, sightings: Sequence[tuple[int, str]], source: str) -> None:
        """Remember more URLs an already archived article was met under."""
        with self._session() as session, session.begin():
            articles.attach_urls(session, sightings, source)

    def save(self, draft: ArticleDraft) -> StoreOutcome:
        """Store one article in its own transaction; raise StorageError naming its URL."""
        try:
            with self._session() as session, session.begin():
                return ingest.save_batch(session, [draft], self.policy)[0]
        except SQLAlchemyError as exc:  # a lost connection is retried by _reconnecting
            raise StorageError(f"{draft.canonical_url}: cannot store article: {exc}") from exc

    def save_batch(self, drafts: Sequence[ArticleDraft]) -> list[StoreOutcome | StorageError]:
        """Store a feed's new articles in one transaction, one outcome (or error) per draft.

        When the batch fails for a reason other than a lost connection, each draft is stored
        again in a transaction of its own, so one bad article costs only itself."""
        if len(drafts) > BATCH_MAX:  # bounded transactions (and advisory locks, ≈ 18 a draft)
            return [
                r
                for k in range(0, len(drafts), BATCH_MAX)
                for r in self.save_batch(drafts[k : k + BATCH_MAX])
            ]
        if not drafts:
            return []
        try:
            with self._session() as session, session.begin():
                return list(ingest.save_batch(session, drafts, self.policy))
        except SQLAlchemyError as exc:
            if _lost_connection(exc):  # retried whole by _reconnecting
                raise StorageError(f"cannot store {len(drafts)} articles: {exc}") from exc
            log.warning(
                "Batch store failed; storing its articles one by one",
                extra={"articles": len(drafts), "error": str(exc).splitlines()[0]},
            )
        results: list[StoreOutcome | StorageError] = []
        for draft in drafts:
            try:
                results.append(self.save(draft))
            except StorageError as exc:
                results.append(exc)
        return results

    def save_many(self, drafts: Sequence[ArticleDraft]) -> list[StoreOutcome]:
        """Bulk load: one transaction holding the archive-wide write lock (other writers
        wait). All or nothing; for imports and benchmarks."""
        try:
            with self._session() as session, session.begin():
                return ingest.save_batch(session, drafts, self.policy, bulk=True)
        except SQLAlchemyError as exc:
            raise StorageError(f"cannot store {len(drafts)} articles: {exc}") from exc

    def record_sightings(
        self, sightings: Sequence[tuple[int, str]], feed_id: int | None = None
    ) -> None:
        """Remember that archived articles were met again: (article id, URL) pairs, e.g. the
        known items of a feed poll (at most one row per article, URL and day)."""
        if not sightings:
            return
        now = articles.now_utc()
        rows = (dedup.sighting_row(article_id, url, now, feed_id) for article_id, url in sightings)
        with self._session() as session, session.begin():
            dedup.record_sightings(session, rows)

    def versions(self, article_id: int) -> list[Version]:
        """Every text the article had, oldest first, the current one last."""
        with self._session() as session:
            return dedup.versions(session, article_id)

    def search(
        self, query: str, filters: ArticleFilter, limit: int = 20, *, collapse: bool = True
    ) -> list[Article]:
        """Best matches first; ``collapse``: one hit per story cluster (its best-ranked copy,
        with the cluster's other publishers in ``also_published_by``)."""
        with self._session() as session:
            return search.search(session, query, filters, limit, collapse=collapse)

    def get(self, article_id: int) -> Article | None:
        with self._session() as session:
            found = articles.get_articles(session, [article_id])
            return found[0] if found else None

    def find(self, urls: Sequence[str]) -> Article | None:
        with self._session() as session:
            article_id = articles.find_article_id(session, urls)
            if article_id is None:
                return None
            found = articles.get_articles(session, [article_id])
            return found[0] if found else None

    def export(self, filters: ArticleFilter) -> Iterator[Article]:
        with self._session() as session:
            yield from articles.iter_articles(session, filters)

    def pages(self, filters: ArticleFilter) -> Iterator[StoredPage]:
        with self._session() as session:
            yield from raw.iter_pages(session, filters)

    def replace_text(self, article_id: int, text: str) -> str:
        with self._session() as session, session.begin():
            return articles.replace_text(session, article_id, text, self.policy)

    def revision_count(self, article_id: int) -> int:
        with self._session() as session:
            return articles.revision_count(session, article_id)

    def prune_raw_pages(self, keep_days: int) -> int:
        """Delete stored pages older than ``keep_days`` (0 keeps everything)."""
        if keep_days <= 0:
            return 0
        with self._session() as session, session.begin():
            return raw.prune_raw(session, articles.now_utc() - timedelta(days=keep_days))

    def learned_boilerplate(
        self, publisher_ids: Sequence[str], min_articles: int, min_share: float
    ) -> dict[str, frozenset[str]]:
        """Learned boilerplate paragraph hashes per publisher (one query for all of them)."""
        with self._session() as session:
            return boilerplate.learned(session, publisher_ids, min_articles, min_share)

    def reclean(self, publisher_id: str, clean: Callable[[str], str]) -> int:
        """Re-apply boilerplate removal to a publisher's stored texts (no revisions)."""
        with self._session() as session, session.begin():
            return boilerplate.reclean(session, publisher_id, clean, text_hash)

    def count(self) -> int:
        with self._session() as session:
            return articles.count_articles(session)


def open_archive(
    url: str,
    *,
    auto_upgrade: bool = False,
    policy: DedupPolicy = DEFAULT_POLICY,
    timeouts: DbTimeouts = DEFAULT_TIMEOUTS,
) -> Archive:
    """Open the archive; SQLite callers pass auto_upgrade so zero-setup needs no extra step."""
    return Archive.open(url, auto_upgrade=auto_upgrade, policy=policy, timeouts=timeouts)


__all__ = ["Archive", "ArticleFilter", "Failure", "FeedPoll", "make_engine", "open_archive"]


for _name in (
    "sync_config", "feed_refs", "record_poll", "record_polls", "move_feed", "remember_feed_url",
    "host_activity", "evidence", "adopt", "adoptions", "record_failures", "known_urls",
    "attach_urls", "save", "save_batch", "save_many", "record_sightings", "versions", "search",
    "get", "find", "replace_text", "revision_count", "prune_raw_pages", "learned_boilerplate",
    "reclean", "count",
):  # fmt: skip
    setattr(Archive, _name, _reconnecting(getattr(Archive, _name)))
