"""Every demo test runs inside the loopback-only guard: a slip fails the test, not the network."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from scraper.demo.guard import loopback_only


@pytest.fixture(autouse=True)
def _loopback_only() -> Iterator[None]:
    with loopback_only() as guard:
        yield
    assert not guard.violations, f"off-machine traffic attempted: {guard.violations}"
