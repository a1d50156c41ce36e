"""``scraper search`` and ``export`` at the command line: what is refused as a usage error, and
the filters they share with the API."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from scraper.cli import cli


@pytest.mark.parametrize(
    "args",
    [
        ["search", "drones", "--since", "9999-12-31T23:59:59-05:00"],
        ["search", "--until", "0001-01-01T00:00:00+05:00"],
        ["export", "--since", "0001-01-01T00:00:00+05:00"],
    ],
)
def test_a_date_utc_cannot_hold_is_a_usage_error(args: list[str], tmp_path: object) -> None:
    env = {"SCRAPER_DATABASE_URL": f"sqlite:///{tmp_path}/archive.db"}
    result = CliRunner().invoke(cli, args, env=env)
    assert result.exit_code == 2, result.output
    assert "outside the dates this archive can hold" in result.output
    assert not isinstance(result.exception, OverflowError)
