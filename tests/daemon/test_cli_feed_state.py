"""How `scraper feeds list/status` describe a feed's state and its next poll."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from scraper.cli import cli
from scraper.cli.feeds import feed_state, next_poll_text
from scraper.store.schedule import FeedStatus
from tests.daemon.helpers import write_config

NOW = datetime(2026, 12, 10, 12, 0, tzinfo=UTC)
NEW = FeedStatus(
    id=1, url="http://a.example/f", publisher_id="a", title=None, last_polled_at=None,
    last_status=None, next_poll_at=None, interval_s=None, items_per_day=None,
    consecutive_errors=0, last_error_reason=None, last_error=None, error_since=None,
    disabled_at=None, disabled_reason=None, lease_owner=None,
)  # fmt: skip
POLLED = dataclasses.replace(NEW, last_polled_at=NOW - timedelta(minutes=1))


@pytest.mark.parametrize(
    ("status", "state", "next_poll"),
    [
        (NEW, "never polled", "due now"),
        (dataclasses.replace(POLLED, next_poll_at=NOW + timedelta(minutes=5)), "ok", "in 5 min"),
        (dataclasses.replace(POLLED, next_poll_at=NOW - timedelta(seconds=3)), "ok", "due now"),
        (dataclasses.replace(POLLED, consecutive_errors=2, next_poll_at=NOW), "failing", "due now"),
        (dataclasses.replace(NEW, disabled_at=NOW), "disabled", "—"),
    ],
)  # fmt: skip
def test_state_and_next_poll(status: FeedStatus, state: str, next_poll: str) -> None:
    assert (feed_state(status), next_poll_text(status, NOW)) == (state, next_poll)


def test_a_feed_never_polled_is_shown_due_now(tmp_path: Path) -> None:
    config = write_config(tmp_path / "p.toml", {"alpha.example": range(1)})
    env = {"SCRAPER_DATABASE_URL": f"sqlite:///{tmp_path}/a.db", "SCRAPER_CONFIG": str(config)}
    listed = CliRunner().invoke(cli, ["feeds", "list"], env=env, terminal_width=200)
    status = CliRunner().invoke(cli, ["feeds", "status"], env=env)
    assert "never polled" in listed.output and "due now" in listed.output, listed.output
    assert "last poll   never" in status.output and "next poll   due now" in status.output
