"""When to poll a feed next: pure scheduling math, no I/O, table-tested.

A feed is polled about once per item it is expected to publish (the rate comes from the item
dates in the feed, or from how many new articles recent polls found). A poll that finds nothing
new stretches the interval by :data:`IDLE_GROWTH`, so a quiet feed drifts towards the maximum
and a busy one stays near the minimum. What the server says is a floor: RSS ``<ttl>``,
``sy:updatePeriod``/``sy:updateFrequency`` and ``Cache-Control: max-age`` are honoured inside
``[min, max]`` (the operator's bounds win, so ``min == max`` fixes the interval), while
``Retry-After`` is honoured even beyond the maximum, because asking earlier only earns another
429. Errors back off exponentially with jitter; 429/503 also double the feed's base interval.
A feed that has failed for longer than ``disable_after_s`` is disabled with the reason kept.

*When* the next poll happens (:func:`next_poll_time`): while a feed's interval holds, a healthy
poll's successor is planned from the time this poll was **due**, not from when it finished, so a
feed keeps one poll per interval (its own grid) however late it was claimed and however long it
took; planning from the finish
would add every poll's lag and duration to every interval (a 5 s interval became 5.5–7 s under
load, i.e. fewer polls than configured). A poll that started more than half an interval late
starts a new grid instead of catching up. Errors and ``Retry-After`` count from now.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

DAY_S = 86_400.0
IDLE_GROWTH = 1.5
"""Factor the interval grows by after a poll that found nothing new."""
JITTER = 0.1
"""Normal intervals vary by ±10 % so feeds added together do not stay in lockstep."""
MIN_SPAN_S = 3_600.0
"""Item dates closer together than this are not read as a faster publishing rate."""
EWMA_WEIGHT = 0.3
"""Weight of one poll's observation when the rate comes from counting new articles."""
SLOW_DOWN_STATUSES = frozenset({429, 503})
GRID_LAG_SHARE = 0.5
"""A poll that started later than this share of its delay after it was due gives up its grid:
the next one is due a full delay after it started. Catching up instead would ask the server
twice in quick succession and add load exactly when the daemons are behind."""


@dataclass(frozen=True, slots=True)
class Limits:
    min_s: float
    max_s: float
    disable_after_s: float = 0.0  # 0: never disable


@dataclass(frozen=True, slots=True)
class FeedState:
    """What the schedule knew about the feed before this poll."""

    interval_s: float | None = None
    items_per_day: float | None = None
    consecutive_errors: int = 0
    error_since: datetime | None = None
    last_polled_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class PollFacts:
    """What one poll observed, in the terms the schedule needs."""

    failed: bool = False
    http_status: int | None = None
    new: int = 0
    item_dates: Sequence[datetime] = ()
    ttl_s: float | None = None
    max_age_s: float | None = None
    retry_after_s: float | None = None
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class Plan:
    """The schedule after a poll: poll again in ``delay_s``; store the rest on the feed."""

    delay_s: float
    interval_s: float
    items_per_day: float | None
    consecutive_errors: int
    error_since: datetime | None
    disable_reason: str | None = None
    due_at: datetime | None = None
    """When this poll was due, for a healthy poll on a grid (None: count from the finish)."""
    started_at: datetime | None = None
    """When this poll was claimed, i.e. about when its request went out."""


def clamp(value: float, limits: Limits) -> float:
    return min(max(value, limits.min_s), limits.max_s)


def rate_from_dates(dates: Sequence[datetime], now: datetime) -> float | None:
    """Items per day implied by the dates in a feed, counting the quiet time since the newest.

    ``n / (now - oldest)`` rather than a count over a fixed window: a feed that lists its last
    ten items from the past hour is busy, one whose ten items span a month is not, and either
    slows down by itself as time passes without a new item. Future dates are ignored.
    """
    past = [d for d in dates if d <= now + timedelta(minutes=5)]
    if not past:
        return None
    span = max((now - min(past)).total_seconds(), MIN_SPAN_S)
    return len(past) * DAY_S / span


def estimate_rate(state: FeedState, facts: PollFacts, now: datetime) -> float | None:
    """Item dates when the poll parsed any; else a moving average of new articles per day."""
    from_dates = rate_from_dates(facts.item_dates, now)
    if from_dates is not None:
        return from_dates
    if facts.failed or state.last_polled_at is None:
        return state.items_per_day
    elapsed = max((now - state.last_polled_at).total_seconds(), 1.0)
    observed = facts.new * DAY_S / elapsed
    if state.items_per_day is None:
        return observed if facts.new else None
    return EWMA_WEIGHT * observed + (1 - EWMA_WEIGHT) * state.items_per_day


def base_interval(state: FeedState, facts: PollFacts, rate: float | None, limits: Limits) -> float:
    """The interval a healthy poll leads to, before jitter."""
    previous = state.interval_s or limits.min_s
    interval = DAY_S / rate if rate else (limits.max_s if rate == 0 else previous)
    if facts.new == 0 and state.interval_s is not None:
        interval = max(interval, previous * IDLE_GROWTH)
    hints = [h for h in (facts.ttl_s, facts.max_age_s) if h]
    return clamp(max([interval, *hints]), limits)


def error_delay(interval_s: float, errors: int, jitter: float, limits: Limits) -> float:
    """Exponential backoff from the interval, with "equal jitter" (half fixed, half random)."""
    backoff = clamp(interval_s * 2 ** min(errors - 1, 20), limits)
    return clamp(backoff * (0.5 + 0.5 * jitter), limits)


def with_jitter(interval_s: float, jitter: float, limits: Limits) -> float:
    return clamp(interval_s * (1 + JITTER * (2 * jitter - 1)), limits)


def plan_next(
    state: FeedState,
    facts: PollFacts,
    limits: Limits,
    now: datetime,
    jitter: float = 0.5,
    due_at: datetime | None = None,
    started_at: datetime | None = None,
) -> Plan:
    """The next poll of a feed. ``jitter`` is a random number in [0, 1), passed in for tests;
    ``due_at`` is when this poll was due (None for a feed's first poll), ``started_at`` when it
    was claimed."""
    rate = estimate_rate(state, facts, now)
    if not facts.failed:
        interval = base_interval(state, facts, rate, limits)
        delay = with_jitter(interval, jitter, limits)
        # A grid only while the interval holds (fixed by min = max, or settled at a bound); a
        # new interval starts from the end of this poll, as a first poll does.
        grid = due_at if state.interval_s in (None, interval) else None
        return Plan(delay, interval, rate, 0, None, due_at=grid, started_at=started_at)
    errors = state.consecutive_errors + 1
    interval = clamp(state.interval_s or limits.min_s, limits)
    if facts.http_status in SLOW_DOWN_STATUSES:
        interval = clamp(interval * 2, limits)
    delay = max(error_delay(interval, errors, jitter, limits), facts.retry_after_s or 0.0)
    since = state.error_since or now
    disable = None
    failing_for = (now - since).total_seconds()
    if limits.disable_after_s and failing_for >= limits.disable_after_s:
        disable = (
            f"{facts.reason or 'error'}: failing since {since.isoformat(timespec='seconds')} "
            f"({errors} polls in a row)"
        )
    return Plan(delay, interval, rate, errors, since, disable)


def next_poll_time(plan: Plan, now: datetime) -> datetime:
    """When to poll again, ``now`` being the end of this poll.

    Healthy: ``due_at + delay``, the feed's next slot on its own grid, so lag never accumulates
    and a slow poll (say, one waiting to store many articles) does not push the next one back;
    two polls of the feed then start at least half a delay apart. A poll that *started* more
    than :data:`GRID_LAG_SHARE` of the delay late (claimed after a lease takeover, or while
    every daemon was overloaded) starts a new grid: ``started_at + delay``, never sooner, so an
    overloaded daemon falls behind by its lag instead of polling faster to catch up. Failed
    polls and first polls: ``now + delay`` (backoff and ``Retry-After`` count from the answer).
    """
    delay = timedelta(seconds=plan.delay_s)
    if plan.due_at is None or plan.consecutive_errors or plan.delay_s <= 0:
        return now + delay
    started = plan.started_at or now
    if started - plan.due_at > delay * GRID_LAG_SHARE:
        return started + delay
    return plan.due_at + delay
