"""Page extraction in worker processes, so a crawl uses every core.

Extraction (selectolax parse, main-text scoring, metadata, language identification, boilerplate
removal) is pure CPU and the biggest piece of a cold crawl's own work; on the event loop it
competes with HTTP and, through the GIL, with the store thread. :class:`ExtractPool` runs
:func:`scraper.clean.page_text` — the very function the crawl and ``scraper reextract`` use, so
the text is identical — in a small ``spawn`` process pool (no fork of a process with threads and
open database connections). Workers import the extractor once and keep its models warm.

``workers=0`` (the default) runs extraction inline, as before; ``None`` picks one worker per spare
CPU. Opt-in because on the shared 2-CPU bench machine a worker bought no throughput and cost
~70 MB of RSS (docs/performance.md). The pool starts on the first page, so a re-poll that
fetches no page never spawns it. Measured by
``python -m bench.throughput`` (docs/performance.md).
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from scraper.clean import page_text
from scraper.config import Publisher
from scraper.extract import Extraction


def default_workers() -> int:
    """One worker per CPU beyond the one the event loop and the store thread share; at least
    one on a 2-CPU machine (the loop is mostly waiting on I/O there)."""
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return 0 if (cpus or 1) < 2 else max(1, (cpus or 1) - 1)


def _warm() -> None:
    """Import and load everything extraction needs (language model included) in a worker."""
    page_text(b"<html><body><p>warm up the extractor and its language model</p></body></html>",
              "http://warm.invalid/", Publisher(id="warm", name="warm",
                                                canonical_domain="warm.invalid"))  # fmt: skip


class ExtractPool:
    def __init__(self, workers: int | None = 0) -> None:
        self.workers = default_workers() if workers is None else workers
        self._executor: ProcessPoolExecutor | None = None
        self._started = False  # workers start on the first page: a re-poll of 304s needs none

    async def page_text(
        self,
        body: bytes | str,
        url: str,
        publisher: Publisher,
        learned: frozenset[str],
        charset: str | None = None,
    ) -> tuple[Extraction, str]:
        """:func:`scraper.clean.page_text`, in a worker process when there is a pool."""
        if not self._started and self.workers > 0:
            self._started = True
            self._executor = ProcessPoolExecutor(
                self.workers, mp_context=multiprocessing.get_context("spawn"), initializer=_warm
            )
        if self._executor is None:
            return page_text(body, url, publisher, learned, charset)
        loop = asyncio.get_running_loop()
        try:
            return await loop.run_in_executor(
                self._executor, page_text, body, url, publisher, learned, charset
            )
        except BrokenProcessPool:  # a worker died (OOM killer…): finish the crawl inline
            self._executor = None
            return page_text(body, url, publisher, learned, charset)

    def close(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
            self._executor = None
