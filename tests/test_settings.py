"""Settings that cannot work are refused at start-up, with a message naming the variable."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from scraper.cli import cli
from scraper.errors import ConfigError
from scraper.settings import Settings


def _error(monkeypatch: pytest.MonkeyPatch, **env: str) -> str:
    for name, value in env.items():
        monkeypatch.setenv(f"SCRAPER_{name.upper()}", value)
    result = CliRunner().invoke(cli, ["publishers", "list"])
    assert isinstance(result.exception, ConfigError), repr(result.exception)
    return str(result.exception)


def test_a_minimum_interval_above_the_maximum_names_both(monkeypatch: pytest.MonkeyPatch) -> None:
    message = _error(monkeypatch, poll_min_interval="3600", poll_max_interval="600")
    assert "SCRAPER_POLL_MIN_INTERVAL" in message and "SCRAPER_POLL_MAX_INTERVAL" in message
    assert "SCRAPER__" not in message and not message.endswith("SCRAPER_: ")


@pytest.mark.parametrize("value", ["inf", "-inf", "nan", "1e300"])
def test_an_interval_that_is_not_a_usable_number_is_refused(
    monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    assert "SCRAPER_POLL_MAX_INTERVAL" in _error(monkeypatch, poll_max_interval=value)


def test_no_setting_takes_infinity(monkeypatch: pytest.MonkeyPatch) -> None:
    assert "SCRAPER_SHUTDOWN_GRACE" in _error(monkeypatch, shutdown_grace="inf")


def test_an_unknown_log_level_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    message = _error(monkeypatch, log_level="verbose")
    assert "SCRAPER_LOG_LEVEL" in message and "'verbose'" in message


def test_log_levels_in_any_case_are_accepted() -> None:
    assert Settings(log_level="info").log_level == "INFO"
    assert Settings(poll_min_interval=60, poll_max_interval=60).poll_min_interval == 60
