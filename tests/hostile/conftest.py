"""The hostile web and its loopback bait, shared by the crawl and the daemon runs of the corpus."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.hostile.bait import Bait
from tests.hostile.scenario import build_web
from tests.hostile.streaming import StreamingWeb


@pytest.fixture
def bait() -> Iterator[Bait]:
    with Bait() as trap:
        yield trap


@pytest.fixture
def web(bait: Bait) -> Iterator[StreamingWeb]:
    web = build_web(bait)
    try:
        yield web
    finally:
        web.stop()
