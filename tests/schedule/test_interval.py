"""The scheduling math, as tables: rate, idle growth, hints, backoff, Retry-After, disabling."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from scraper.schedule.interval import (
    FeedState,
    Limits,
    PollFacts,
    clamp,
    error_delay,
    next_poll_time,
    plan_next,
    rate_from_dates,
)

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
LIMITS = Limits(min_s=60, max_s=86_400, disable_after_s=7 * 86_400)
H = timedelta(hours=1)


def ago(hours: float) -> datetime:
    return NOW - timedelta(hours=hours)


@pytest.mark.parametrize(
    ("dates", "rate"),
    [
        ((), None),
        ((NOW + 10 * H,), None),  # future dates are ignored
        ((ago(1), ago(0.5)), 48.0),  # 2 items in the last hour
        (tuple(ago(i) for i in range(10)), 10 * 24 / 9),  # 10 items over 9 hours
        ((ago(24 * 30),), 1 / 30),  # one item a month ago: quiet
        ((ago(0.01), ago(0.02)), 48.0),  # bunched items count over at least an hour
    ],
)
def test_rate_from_dates(dates: tuple[datetime, ...], rate: float | None) -> None:
    assert rate_from_dates(dates, NOW) == (pytest.approx(rate) if rate is not None else None)


@pytest.mark.parametrize(
    ("state", "facts", "interval"),
    [
        # first poll of a busy feed: one poll per expected item
        (FeedState(), PollFacts(new=10, item_dates=[ago(i) for i in range(10)]), 3240.0),
        # the same feed polled again with nothing new: the interval grows by 1.5
        (FeedState(interval_s=3240, items_per_day=26.7), PollFacts(), 4860.0),
        # nothing known at all: the minimum
        (FeedState(), PollFacts(), 60.0),
        # a dead-quiet feed: the maximum
        (FeedState(), PollFacts(item_dates=[ago(24 * 365)] * 3), 86_400.0),
        # hints are floors: <ttl> of 2 h, Cache-Control of 3 h
        (FeedState(interval_s=600), PollFacts(new=1, ttl_s=7200), 7200.0),
        (FeedState(interval_s=600), PollFacts(new=1, max_age_s=10_800), 10_800.0),
        # ... but the operator's maximum wins
        (FeedState(), PollFacts(new=1, ttl_s=10 * 86_400), 86_400.0),
        # a new item brings a grown interval back to the rate
        (FeedState(interval_s=40_000, items_per_day=24), PollFacts(new=1), 60.0 * 60 / 1.0),
    ],
)
def test_healthy_poll_intervals(state: FeedState, facts: PollFacts, interval: float) -> None:
    plan = plan_next(state, facts, LIMITS, NOW, jitter=0.5)
    assert plan.interval_s == pytest.approx(interval, rel=0.01)
    assert plan.delay_s == pytest.approx(interval, rel=0.01)  # jitter 0.5 is the midpoint
    assert (plan.consecutive_errors, plan.error_since, plan.disable_reason) == (0, None, None)


def test_min_equal_max_fixes_the_interval_whatever_happens() -> None:
    fixed = Limits(2, 2)
    cases = [
        (FeedState(), PollFacts(new=50, item_dates=[ago(0.01)] * 50, ttl_s=9999)),
        (FeedState(interval_s=2), PollFacts()),
        (FeedState(consecutive_errors=9), PollFacts(failed=True, http_status=500)),
    ]
    for state, facts in cases:
        for jitter in (0.0, 0.99):
            assert plan_next(state, facts, fixed, NOW, jitter).delay_s == 2


def test_jitter_spreads_healthy_polls_by_ten_percent() -> None:
    low = plan_next(FeedState(interval_s=1000), PollFacts(new=1), LIMITS, NOW, 0.0)
    high = plan_next(FeedState(interval_s=1000), PollFacts(new=1), LIMITS, NOW, 0.999)
    assert low.delay_s < low.interval_s < high.delay_s
    assert high.delay_s <= low.interval_s * 1.1


@pytest.mark.parametrize(
    ("errors", "jitter", "delay"),
    [(1, 1.0, 600), (2, 1.0, 1200), (3, 1.0, 2400), (3, 0.0, 1200), (30, 1.0, 86_400)],
)
def test_error_backoff_is_exponential_with_jitter(errors: int, jitter: float, delay: float) -> None:
    assert error_delay(600, errors, jitter, LIMITS) == delay


def test_failure_backs_off_and_remembers_since_when() -> None:
    state = FeedState(interval_s=600, consecutive_errors=2, error_since=ago(5))
    plan = plan_next(state, PollFacts(failed=True, http_status=500, reason="http_5xx"), LIMITS,
                     NOW, 1.0)  # fmt: skip
    assert (plan.consecutive_errors, plan.error_since, plan.interval_s) == (3, ago(5), 600)
    assert plan.delay_s == 2400
    assert plan.disable_reason is None


@pytest.mark.parametrize("status", [429, 503])
def test_slow_down_statuses_double_the_interval(status: int) -> None:
    plan = plan_next(FeedState(interval_s=600), PollFacts(failed=True, http_status=status),
                     LIMITS, NOW, 1.0)  # fmt: skip
    assert plan.interval_s == 1200


def test_retry_after_is_honoured_even_beyond_the_maximum() -> None:
    facts = PollFacts(failed=True, http_status=429, retry_after_s=3 * 86_400)
    assert plan_next(FeedState(), facts, LIMITS, NOW).delay_s == 3 * 86_400
    short = PollFacts(failed=True, http_status=429, retry_after_s=5)
    assert plan_next(FeedState(), short, LIMITS, NOW).delay_s >= 60  # never below the backoff


def test_feed_failing_longer_than_the_period_is_disabled_with_its_reason() -> None:
    state = FeedState(interval_s=600, consecutive_errors=40, error_since=ago(24 * 7 + 1))
    plan = plan_next(state, PollFacts(failed=True, reason="dns"), LIMITS, NOW)
    assert plan.disable_reason is not None
    assert plan.disable_reason.startswith("dns: failing since 2026-11-18")
    never = Limits(60, 86_400, disable_after_s=0)
    assert plan_next(state, PollFacts(failed=True), never, NOW).disable_reason is None


def test_success_forgets_the_error_streak() -> None:
    state = FeedState(interval_s=600, consecutive_errors=4, error_since=ago(3))
    plan = plan_next(state, PollFacts(new=1), LIMITS, NOW)
    assert (plan.consecutive_errors, plan.error_since) == (0, None)


def test_rate_without_dates_is_a_moving_average_of_new_articles() -> None:
    state = FeedState(interval_s=3600, items_per_day=24, last_polled_at=ago(1))
    plan = plan_next(state, PollFacts(new=3), LIMITS, NOW)
    assert plan.items_per_day == pytest.approx(0.3 * 72 + 0.7 * 24)


def test_clamp() -> None:
    assert [clamp(v, Limits(10, 20)) for v in (5, 15, 25)] == [10, 15, 20]


S = timedelta(seconds=1)
FIXED = Limits(20, 20)


def healthy(due: datetime | None, started: datetime) -> datetime:
    """The next poll of a fixed-20 s feed due at ``due``, claimed at ``started``, ending now."""
    plan = plan_next(FeedState(interval_s=20), PollFacts(), FIXED, NOW, 0.5, due, started)
    return next_poll_time(plan, NOW)


@pytest.mark.parametrize(
    ("lag", "next_due"),
    [
        (0.3, 20),  # on time: the next slot of the feed's grid, whatever the poll's duration
        (9.0, 20),  # late, but the next slot is still half an interval away: keep it
        (10.5, 30.5),  # later still: a new grid from the start, no catching up within 10 s
        (47.0, 67.0),  # behind by two intervals (e.g. a lease takeover): the same
    ],
)
def test_a_healthy_poll_keeps_the_feeds_grid(lag: float, next_due: float) -> None:
    started = NOW - 5 * S  # the poll took 5 s (storing its articles, say)
    due = started - lag * S
    assert healthy(due, started) == due + next_due * S


def test_polls_do_not_drift_later_by_their_own_lag_and_duration() -> None:
    due, polls = NOW, []
    for lag in (0.4, 2.5, 0.1, 6.0, 1.0) * 20:  # claimed late, finishing 8 s after the claim
        plan = plan_next(FeedState(interval_s=20), PollFacts(), FIXED, due, 0.5, due, due + lag * S)
        polls.append(due)
        due = next_poll_time(plan, due + (lag + 8) * S)
    assert due == polls[0] + 100 * 20 * S  # 100 polls, exactly 100 intervals


def test_first_polls_new_intervals_and_failures_count_from_the_end_of_the_poll() -> None:
    assert healthy(None, NOW - 15 * S) == NOW + 20 * S  # no grid yet: from the end
    grown = plan_next(FeedState(interval_s=60), PollFacts(), LIMITS, NOW, 0.5, NOW - 15 * S,
                      NOW - 15 * S)  # fmt: skip
    assert next_poll_time(grown, NOW) == NOW + 90 * S  # an idle feed's longer interval: a new grid
    failed = plan_next(FeedState(interval_s=20), PollFacts(failed=True, retry_after_s=300), FIXED,
                       NOW, 0.5, NOW - 15 * S, NOW - 15 * S)  # fmt: skip
    assert next_poll_time(failed, NOW) == NOW + 300 * S  # Retry-After from the answer
