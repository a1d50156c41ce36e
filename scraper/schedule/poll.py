"""One claimed feed: run the pipeline's ``refresh_feed`` exactly as a crawl does, then plan.

The only things the daemon adds around the pipeline: every Nth poll goes out without
validators (servers that answer 304 to everything are caught; the body hash still spares the
parse when nothing changed), a crash inside the pipeline becomes a failed poll (reason
``crash``, recorded and backed off like any failure) instead of a dead task, and the outcome
is turned into :class:`PollFacts` for the pure scheduling math.
"""

from __future__ import annotations

import dataclasses
import logging
from datetime import UTC, datetime

from scraper.errors import FetchError
from scraper.models import FeedRef
from scraper.pipeline import Deps, FeedOutcome, refresh_feed
from scraper.schedule.hints import max_age_seconds
from scraper.schedule.interval import Limits, Plan, PollFacts, plan_next
from scraper.settings import Settings
from scraper.store.faults import classify
from scraper.store.feeds import FeedPoll
from scraper.store.schedule import Claim

log = logging.getLogger(__name__)

CRASH = "crash"
"""Failure reason of a poll that raised an exception nobody expected (a bug)."""


def limits_from(settings: Settings) -> Limits:
    """The operator's bounds; :class:`Settings` refuses a minimum above the maximum."""
    return Limits(
        settings.poll_min_interval, settings.poll_max_interval, settings.feed_disable_after
    )


def is_unconditional(poll_count: int, every: int) -> bool:
    """Every ``every``-th poll (the 10th, 20th … with 10) drops ETag and Last-Modified."""
    return every > 0 and poll_count % every == every - 1


def facts_from(outcome: FeedOutcome) -> PollFacts:
    failed = outcome.status == "failed"
    return PollFacts(
        failed=failed,
        http_status=outcome.http_status,
        new=outcome.new,
        item_dates=outcome.item_dates,
        ttl_s=outcome.ttl_s,
        max_age_s=None if failed else max_age_seconds(outcome.headers),
        retry_after_s=outcome.retry_after,
        reason=outcome.failures[0].reason if failed and outcome.failures else None,
    )


async def poll_claim(claim: Claim, deps: Deps, unconditional_every: int) -> FeedOutcome:
    """``refresh_feed`` for a claimed feed; raises only on cancellation and when the archive
    cannot be written (:class:`~scraper.store.faults.ArchiveUnwritableError`, no traceback: that is
    the daemon's outage to handle, not a crash of this feed)."""
    ref = claim.ref
    if is_unconditional(claim.poll_count, unconditional_every):
        ref = dataclasses.replace(ref, etag=None, last_modified=None)
    try:
        return await refresh_feed(ref, deps)
    except Exception as exc:  # a bug or a dead database must not kill the daemon
        if (fault := classify(exc, deps.settings.database_url)) is not None:
            raise fault from exc
        log.exception("Poll crashed", extra={"feed_id": ref.id, "feed_url": ref.url})
        outcome = crash_outcome(ref, exc)
        await _record_crash(outcome, deps)
        return outcome


def crash_outcome(ref: FeedRef, exc: Exception) -> FeedOutcome:
    """A crashed poll as a failed one, reason ``crash``: the exception's type and message are
    what an operator (or a bug report) needs from ``feeds status``; the traceback is logged."""
    outcome = FeedOutcome(ref, status="failed")
    message = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    outcome.fail("poll", FetchError(ref.url, CRASH, message, transient=False), ref.url)
    return outcome


async def _record_crash(outcome: FeedOutcome, deps: Deps) -> None:
    """Write the crash like any failed poll (error streak, last error, fetch log): unrecorded,
    the feed looked healthy in ``feeds list`` and nothing showed that it never succeeds."""
    failure = outcome.failures[0]
    poll = FeedPoll(outcome.feed.id, status=None, error=failure.message, error_reason=CRASH)
    try:
        await deps.store.record_poll(poll, outcome.failures)
    except Exception as exc:
        if (fault := classify(exc, deps.settings.database_url)) is not None:
            raise fault from exc
        log.exception("Unable to record a crashed poll", extra={"feed_id": outcome.feed.id})


def plan_after(claim: Claim, outcome: FeedOutcome, limits: Limits, jitter: float) -> Plan:
    """The plan for a finished poll, on the grid of the time the claim was due."""
    facts = facts_from(outcome)
    now = datetime.now(UTC)
    return plan_next(claim.state, facts, limits, now, jitter, claim.due_at, claim.claimed_at)
