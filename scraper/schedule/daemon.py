"""``scraper run``: an APScheduler 3 loop that claims due feeds and polls them, for weeks.

Periodic jobs, all coroutines on the same loop as the polls. The frequent ones run on the
loop's monotonic clock (``ticker.py``), so a wall clock stepped back does not stall them; the
hourly one is an :class:`AsyncIOScheduler` job:

* **dispatch** (every ``dispatch_interval``): claim up to the free poll slots of due feeds under
  a lease and start one task per feed; the task runs ``refresh_feed`` and writes the next poll.
  When a claim filled every free slot, ending polls trigger the next claim at once (``_refill``);
* **heartbeat** (a third of the lease): renew the leases of running polls, count overdue feeds;
* **reload** (every few seconds): reload publishers when the config file's mtime changed
  (SIGHUP does the same at once);
* **prune** (hourly): drop stored pages older than ``raw_pages_keep_days``.

One HTTP client and one :class:`PoliteFetcher` live as long as the daemon. Stopping (SIGTERM,
SIGINT) stops dispatching, gives running polls ``shutdown_grace`` seconds, cancels the rest and
releases every lease this process holds, so another daemon can take the feeds at once.

An archive that cannot be written (read-only, disk full, server down: ``store/faults.py``) is
nobody's feed's fault: the daemon logs it once, fails ``/healthz``, sets
``scraper_archive_unwritable``, stops claiming and retries with one feed after a growing delay
(capped by ``archive_retry_max``). Feeds caught in it keep their error streak and stay due; the
first poll stored in full resumes everything.
"""

from __future__ import annotations

import asyncio
import logging
import math
import os
import random
import secrets
import socket
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import ParamSpec, TypeVar
from urllib.parse import urlsplit

from apscheduler.schedulers.asyncio import AsyncIOScheduler  # type: ignore[import-untyped]

from scraper.config import Config, load_config
from scraper.crawl import adopt_moves, effective_config, learn_boilerplate, learned_boilerplate
from scraper.domains import Resolver
from scraper.errors import ScraperError
from scraper.extract.language import load_model
from scraper.fetch import build_client
from scraper.pipeline import Deps, FeedOutcome, LearnedBoilerplate, StoreRunner
from scraper.schedule.metrics import DaemonMetrics
from scraper.schedule.polite import PoliteFetcher, identifying_user_agent
from scraper.schedule.poll import limits_from, plan_after, poll_claim
from scraper.schedule.ticker import run_every
from scraper.settings import Settings
from scraper.store.archive import Archive
from scraper.store.faults import (
    ArchiveUnwritableError,
    Outage,
    classify,
    describe_database,
    from_message,
)
from scraper.store.registry import SyncReport
from scraper.store.schedule import Claim, ScheduleStore

log = logging.getLogger(__name__)

RELOAD_CHECK_S = 5.0
STOP_STEP_MIN_S = 1.0
"""Shortest wait of each step of a stop (the job in progress, cancelled polls, the release)."""
P = ParamSpec("P")
R = TypeVar("R")


def worker_id() -> str:
    """Who holds a lease: host, pid and a random suffix (pids repeat across containers)."""
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{secrets.token_hex(3)}"


def now_utc() -> datetime:
    return datetime.now(UTC)


def timed(fn: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> tuple[R, float]:
    """Run ``fn`` and say how long it took *itself* (not the wait for the store's thread)."""
    started = time.perf_counter()
    result = fn(*args, **kwargs)
    return result, time.perf_counter() - started


class Daemon:
    def __init__(
        self,
        settings: Settings,
        config: Config,
        archive: Archive,
        *,
        proxy: str | None = None,
        owner: str | None = None,
    ) -> None:
        ua = identifying_user_agent(settings.user_agent, settings.contact_url)
        self.settings = settings.model_copy(update={"user_agent": ua})
        self.config = config
        self.archive = archive
        self.proxy = proxy
        self.owner = owner or worker_id()
        self.metrics = DaemonMetrics()
        self.metrics.overdue.set(math.nan)  # not counted yet
        self.schedule = ScheduleStore(archive.engine)
        self.store = StoreRunner(archive)
        # Claims and schedule writes must not queue behind article saves. PostgreSQL takes them
        # on a connection of their own; SQLite has one writer, so they share the pipeline's.
        self.sched_store = self.store if settings.is_sqlite else StoreRunner(archive)
        self.limits = limits_from(settings)
        self.running: dict[int, asyncio.Task[None]] = {}
        self.last_dispatch = time.monotonic()
        self.stopping = False
        self._deps: Deps | None = None
        self._robots_off: frozenset[str] = frozenset()
        self._config_mtime = self._mtime()
        self._rng = random.Random()
        # The last claim filled every free slot, so more feeds may be due: refill as polls end.
        self._backlog = False
        self._refilling: asyncio.Task[None] | None = None
        self._job = asyncio.Lock()  # held while a job runs, so shutdown can wait for it
        # A read-only or full archive pauses polling (see _dispatch); feeds whose lease could
        # not be given back then are released on the first write that works again.
        self.outage = Outage(max(1.0, settings.dispatch_interval), settings.archive_retry_max)
        self._stranded: set[int] = set()
        # Set when a stop gave up waiting for a database call that does not answer: its thread
        # cannot be interrupted, so the process must exit without joining it (service.py).
        self.abandoned = False

    # -- lifecycle ----------------------------------------------------------------------------

    async def run(self, stop: asyncio.Event) -> None:
        """Poll until ``stop`` is set, then shut down cleanly."""
        # A job still running at its next tick is skipped (coalesced) on purpose: not a warning.
        logging.getLogger("apscheduler").setLevel(max(logging.getLogger().level, logging.ERROR))
        try:
            self._log_sync(await self.store(self.archive.sync_config, self.config))
        except Exception as exc:  # a read-only archive: keep running, sync once it is writable
            if (fault := self._unwritable(exc)) is None:
                raise
            self._write_failed(fault)
            self._config_mtime = None
        self._apply_config(self.config)
        async with build_client(self.settings, proxy=self.proxy) as client:
            fetcher = PoliteFetcher(
                client, self.settings, self._obeys_robots, self.metrics.fetch_seconds.observe
            )
            learned = await self._start_learned()
            await asyncio.to_thread(load_model)  # off the event loop, before the first poll
            self._deps = Deps(
                self.settings,
                self.config,
                Resolver(self.config.publishers),
                fetcher,
                self.store,
                learned,
            )
            scheduler = self._scheduler()
            scheduler.start()
            tickers = self._tickers()
            log.info("Daemon started", extra={"owner": self.owner})
            try:
                await stop.wait()
            finally:
                self.stopping = True
                deadline = asyncio.get_running_loop().time() + self.settings.shutdown_grace
                await self._stop_jobs(tickers, scheduler, deadline)
                await self._drain(deadline)
        log.info("Daemon stopped", extra={"owner": self.owner})

    def _left(self, deadline: float) -> float:
        """Seconds a step of the stop may still wait: what is left of the grace, and at least
        :data:`STOP_STEP_MIN_S` so a grace of 0 still lets a healthy database answer."""
        return max(STOP_STEP_MIN_S, deadline - asyncio.get_running_loop().time())

    async def _stop_jobs(
        self, tickers: list[asyncio.Task[None]], scheduler: AsyncIOScheduler, deadline: float
    ) -> None:
        """Stop the periodic jobs. A dispatch or heartbeat in progress finishes first (a claim
        cancelled mid-write would leave its feeds leased to this stopped process; jobs waiting
        for the lock see ``stopping``), but only within the grace: a database that does not
        answer must not keep the process from stopping."""
        try:
            await asyncio.wait_for(self._job.acquire(), self._left(deadline))
        except TimeoutError:
            self.abandoned = True
            log.warning(
                "Stopping without waiting for a database call that does not answer",
                extra={"owner": self.owner, "grace_s": self.settings.shutdown_grace},
            )
            held = False
        else:
            held = True
        try:
            for ticker in tickers:
                ticker.cancel()
            scheduler.shutdown(wait=False)
        finally:
            if held:
                self._job.release()
        # Not gather(): a job inside a store call outlasts its cancellation until the call
        # returns (StoreRunner), which for a hung database is never.
        _, stuck = await asyncio.wait(tickers, timeout=self._left(deadline))
        self.abandoned = self.abandoned or bool(stuck)

    def _tickers(self) -> list[asyncio.Task[None]]:
        """Dispatch, heartbeat and the config check, on monotonic time (``ticker.py``: a wall
        clock stepped back must not stop polling and lease renewal)."""
        s = self.settings
        # Jitter: daemons sharing one PostgreSQL archive would otherwise look for due feeds in
        # a fixed order, and whichever ticks first after feeds come due would claim nearly all
        # of them (measured: 499 / 100 / 1 polls over three workers); random phases share the
        # work. SQLite has one daemon, which keeps the steadier fixed tick.
        jitter = 0.0 if s.is_sqlite else s.dispatch_interval / 2
        beat = max(0.5, s.poll_lease / 3)
        jobs = {
            "dispatch": run_every(
                "dispatch", s.dispatch_interval, self.dispatch, jitter=jitter, rng=self._rng
            ),
            "heartbeat": run_every("heartbeat", beat, self.heartbeat, first_in=beat),
            "check_config": run_every(
                "check_config", RELOAD_CHECK_S, self.check_config, first_in=RELOAD_CHECK_S
            ),
        }
        return [asyncio.create_task(job, name=name) for name, job in jobs.items()]

    def _scheduler(self) -> AsyncIOScheduler:
        """APScheduler for the hourly maintenance only: its wall-clock planning is harmless
        at that scale (a clock step shifts one run), unlike for the dispatch tick."""
        scheduler = AsyncIOScheduler(timezone=UTC)
        every = {"max_instances": 1, "coalesce": True, "misfire_grace_time": None}
        scheduler.add_job(self.maintain, "interval", hours=1, **every)
        return scheduler

    async def _drain(self, deadline: float) -> None:
        """Let running polls finish until ``deadline``, cancel the rest, give leases back.
        Each wait is bounded: a poll or a release stuck in a database that does not answer is
        abandoned (its lease expires by itself) rather than waited for."""
        loop = asyncio.get_running_loop()
        tasks = list(self.running.values())
        if tasks:
            _, pending = await asyncio.wait(tasks, timeout=max(0.0, deadline - loop.time()))
            for task in pending:
                task.cancel()
            if pending:
                _, stuck = await asyncio.wait(pending, timeout=self._left(deadline))
                if stuck:
                    self.abandoned = True
                    log.warning("Polls abandoned in a database call", extra={"count": len(stuck)})
        # Through the schedule's runner: after any of its writes still in flight.
        release = asyncio.ensure_future(self.sched_store(self.schedule.release, self.owner))
        done, _ = await asyncio.wait({release}, timeout=self._left(deadline))
        if not done:
            release.cancel()
            self.abandoned = True
            log.warning(
                "Unable to release leases (they expire by themselves): the database does not "
                "answer",
                extra={"owner": self.owner},
            )
            return
        try:
            released = release.result()
        except Exception as exc:
            if (fault := self._unwritable(exc)) is None:
                log.exception("Unable to release leases (they expire by themselves)")
            else:
                log.warning("Unable to release leases (they expire by themselves): %s", fault)
            return
        log.info("Leases released", extra={"owner": self.owner, "count": released})

    # -- jobs ---------------------------------------------------------------------------------

    async def dispatch(self) -> None:
        """Claim due feeds for the free slots and start polling them."""
        async with self._job:
            if not self.stopping:
                await self._dispatch()

    async def _dispatch(self) -> None:
        if self.outage.active and (self.running or not self.outage.ready()):
            self.last_dispatch = time.monotonic()  # waiting on purpose: not a stalled scheduler
            return
        free = self.settings.daemon_max_polls - len(self.running)
        if free <= 0:
            self._backlog = True  # nothing could be claimed: feeds may be waiting
            self.last_dispatch = time.monotonic()
            return
        probing = self.outage.active  # retry with one feed; all of them once it is stored
        try:
            if probing:  # pooled connections may keep a read-only session or file handle
                await asyncio.to_thread(self.archive.engine.dispose)
            if probing or self._stranded:  # a write even when nothing is stranded: the probe
                stranded = sorted(self._stranded)
                await self.sched_store(self.schedule.release, self.owner, stranded)
                self._stranded.difference_update(stranded)
            claims, spent = await self.sched_store(
                timed, self.schedule.claim, self.owner, now_utc(), self.settings.poll_lease,
                1 if probing else free,
            )  # fmt: skip
        except Exception as exc:
            if (fault := self._unwritable(exc)) is None:
                log.exception("Unable to claim due feeds")
            else:
                self._write_failed(fault)
                self.last_dispatch = time.monotonic()
            return
        if probing and not claims:
            self._write_worked()  # the probe's write went through and nothing is due
        self._backlog = not probing and len(claims) == free
        share = spent / max(len(claims), 1)
        for claim in claims:
            self.metrics.overhead.observe(share)
            if claim.taken_over:
                self.metrics.takeovers.inc()
                log.warning("Lease taken over", extra={"feed_id": claim.ref.id})
            task = asyncio.create_task(self._poll(claim), name=f"poll-{claim.ref.id}")
            self.running[claim.ref.id] = task
        self.metrics.in_flight.set(len(self.running))
        self.last_dispatch = time.monotonic()

    def _refill(self) -> None:
        """A poll ended. If the last claim filled every free slot (more feeds may be due),
        claim again once a quarter of the slots is free rather than at the next tick: with
        fast polls, ``daemon_max_polls`` per ``dispatch_interval`` (64 per 2 s) would otherwise
        cap a process far below what it can poll, and due feeds would wait for the tick."""
        cap = self.settings.daemon_max_polls
        if (
            self._backlog
            and self._refilling is None
            and not self.stopping
            and cap - len(self.running) >= max(1, cap // 4)
        ):
            self._refilling = asyncio.get_running_loop().create_task(self._refill_now())

    async def _refill_now(self) -> None:
        try:
            await self.dispatch()
        finally:
            self._refilling = None

    async def _poll(self, claim: Claim) -> None:
        started = now_utc()
        if claim.due_at is not None:
            self.metrics.lag.observe(max((started - claim.due_at).total_seconds(), 0.0))
        try:
            assert self._deps is not None
            outcome = await poll_claim(claim, self._deps, self.settings.unconditional_every)
            self._count(outcome, (now_utc() - started).total_seconds())
            plan = plan_after(claim, outcome, self.limits, self._rng.random())
            kept, spent = await self.sched_store(
                timed, self.schedule.finish, self.owner, claim.ref.id, plan, now_utc()
            )
            self.metrics.overhead.observe(spent)
            if not kept:
                log.warning("Lease lost during poll", extra={"feed_id": claim.ref.id})
            if plan.disable_reason:
                log.warning(
                    "Feed disabled",
                    extra={"feed_id": claim.ref.id, "feed_url": claim.ref.url,
                           "reason": plan.disable_reason},
                )  # fmt: skip
            if (fault := self._store_fault(outcome)) is not None:
                self._write_failed(fault)  # articles not stored: the kept validators retry them
            else:
                self._write_worked()
        except Exception as exc:
            if (fault := self._unwritable(exc)) is None:
                log.exception("Unable to finish poll", extra={"feed_id": claim.ref.id})
            else:  # not the feed's fault: no error streak; polled again once writes work
                self._stranded.add(claim.ref.id)
                self._write_failed(fault)
        finally:
            self.running.pop(claim.ref.id, None)
            self.metrics.in_flight.set(len(self.running))
            self._refill()

    def _count(self, outcome: FeedOutcome, seconds: float) -> None:
        self.metrics.polls.labels(outcome.status).inc()
        self.metrics.poll_seconds.observe(seconds)
        for status in ("new", "updated"):
            if count := getattr(outcome, status):
                self.metrics.articles.labels(status).inc(count)

    async def heartbeat(self) -> None:
        """Keep the leases of slow polls; measure how far behind the daemons are."""
        until = now_utc() + timedelta(seconds=self.settings.poll_lease)
        slack = max(10.0, 5 * self.settings.dispatch_interval)
        try:
            async with self._job:
                if self.stopping:
                    return
                renew = self.schedule.renew
                await self.sched_store(renew, self.owner, list(self.running), until)
                overdue = await self.sched_store(self.schedule.overdue, now_utc(), slack)
        except Exception as exc:
            # Unknown, not 0 and not the last count: an alert on `overdue > 0` must not read
            # "all is well" while nobody can tell (healthz and archive_unwritable say why).
            self.metrics.overdue.set(math.nan)
            if (fault := self._unwritable(exc)) is None:
                log.exception("Heartbeat failed")
            else:
                self._write_failed(fault)
            return
        self.metrics.overdue.set(overdue)

    async def _start_learned(self) -> LearnedBoilerplate:
        """Learned boilerplate, read at start; if the archive cannot answer now (down, or a
        statement timeout behind a lock such as a VACUUM FULL), the first poll that needs it
        reads it instead of the daemon dying at start (and restarting in a loop)."""
        try:
            return LearnedBoilerplate(await self.store(self._learned))
        except Exception as exc:
            if (fault := self._unwritable(exc)) is None:
                raise
            log.warning("Learned boilerplate not read at start", extra={"reason": fault.kind})
            return LearnedBoilerplate(load=self._learned)

    def _learned(self) -> dict[str, frozenset[str]]:
        return learned_boilerplate(
            self.archive, [p.id for p in self.config.publishers], self.settings
        )

    async def maintain(self) -> None:
        """What a crawl does after its feeds, done hourly: learn boilerplate, prune pages."""
        if self.outage.active:
            return
        try:
            if self._deps is not None:
                before = self._deps.learned
                await self.store(learn_boilerplate, self.archive, self.config, self.settings,
                                 dict(before))  # fmt: skip
                self._deps = replace(
                    self._deps, learned=LearnedBoilerplate(await self.store(self._learned))
                )
            await self.store(self.archive.prune_raw_pages, self.settings.raw_pages_keep_days)
            adopted = await self.store(adopt_moves, self.archive, self.config, self.settings)
        except Exception as exc:
            if (fault := self._unwritable(exc)) is None:
                log.exception("Maintenance failed")
            else:
                self._write_failed(fault)
            return
        if adopted:  # a publisher with auto_adopt moved home: resolve with its new domain
            await self.reload("domain move adopted")

    # -- configuration ------------------------------------------------------------------------

    def _mtime(self) -> float | None:
        try:
            return Path(self.settings.config).stat().st_mtime
        except OSError:
            return None

    async def check_config(self) -> None:
        if self.outage.active:  # the feeds table cannot take the new config now
            return
        if (mtime := self._mtime()) != self._config_mtime:
            self._config_mtime = mtime
            await self.reload("config file changed")

    async def reload(self, why: str) -> None:
        """Re-read publishers and feeds without a restart; a broken file keeps the old ones.

        Any failure keeps the old configuration and says so: this runs from SIGHUP and from
        the file watcher, where an exception would only end up as an asyncio or APScheduler
        traceback that never mentions the configuration. Unexpected errors (bugs) keep their
        traceback in the same log line."""
        try:
            loaded = await asyncio.to_thread(load_config, Path(self.settings.config))
            config = await self.store(effective_config, self.archive, loaded)
            synced = await self.store(self.archive.sync_config, config)
        except Exception as exc:
            if (fault := self._unwritable(exc)) is not None:
                self._config_mtime = None  # reloaded once the archive takes writes again
                self._write_failed(fault)
                return
            log.error(
                "Configuration not reloaded",
                extra={"reason": str(exc) or type(exc).__name__, "why": why},
                exc_info=not isinstance(exc, ScraperError),
            )
            return
        self._apply_config(config)
        if self._deps is not None:
            self._deps = replace(self._deps, config=config, resolver=Resolver(config.publishers))
        log.info("Configuration reloaded", extra={"why": why})
        self._log_sync(synced)

    @staticmethod
    def _log_sync(report: SyncReport) -> None:
        """Feeds the publishers file stopped or resumed: as visible as a feed the daemon
        disabled itself, since from now on they are not polled (or are again)."""
        for url, reason in report.retired:
            log.warning("Feed disabled", extra={"feed_url": url, "reason": reason})
        for url in report.restored:
            log.info("Feed enabled", extra={"feed_url": url, "reason": "back in the file"})

    def _apply_config(self, config: Config) -> None:
        self.config = config
        self._robots_off = frozenset(
            host for p in config.publishers if not p.obey_robots for host in p.domains
        )

    def _obeys_robots(self, url: str) -> bool:
        host = (urlsplit(url).hostname or "").removeprefix("www.")
        return host not in self._robots_off

    # -- health -------------------------------------------------------------------------------

    async def health(self) -> tuple[bool, str]:
        if (fault := self.outage.fault) is not None:
            return False, (
                f"archive not writable for {self.outage.duration():.0f} s, polling paused, "
                f"next try in {self.outage.retry_in():.0f} s: {fault}"
            )
        stalled_after = max(10.0, 5 * self.settings.dispatch_interval)
        idle = time.monotonic() - self.last_dispatch
        if idle > stalled_after:
            return False, f"scheduler stalled: no dispatch for {idle:.0f} s"
        try:
            await asyncio.wait_for(asyncio.to_thread(self.schedule.ping), 5.0)
        except Exception as exc:
            return False, f"database unreachable: {type(exc).__name__}"
        return True, f"ok: {len(self.running)} polls running"

    # -- an archive that cannot be written ------------------------------------------------------

    def _unwritable(self, exc: BaseException) -> ArchiveUnwritableError | None:
        return classify(exc, self.settings.database_url)

    def _store_fault(self, outcome: FeedOutcome) -> ArchiveUnwritableError | None:
        """A poll that ran but could not store its articles (a full disk takes small updates
        and refuses new rows): the same outage as a failed write of the poll itself."""
        url = self.settings.database_url
        found = (from_message(f.message, url) for f in outcome.failures if f.stage == "store")
        return next((fault for fault in found if fault is not None), None)

    def _write_failed(self, fault: ArchiveUnwritableError) -> None:
        """One error when the archive stops taking writes, one warning per failed retry."""
        self.metrics.unwritable.set(1)
        tries = self.outage.attempts
        if self.outage.failed(fault):
            log.error(
                "Archive cannot be written: %s. Polling is paused and retried with backoff; "
                "every feed is polled once the archive takes writes again",
                fault,
                extra={"reason": fault.kind, "database": fault.database,
                       "retry_in_s": round(self.outage.retry_in(), 1)},
            )  # fmt: skip
        elif self.outage.attempts > tries:
            log.warning(
                "Archive still cannot be written",
                extra={"reason": fault.kind, "database": fault.database,
                       "attempt": self.outage.attempts, "detail": fault.detail,
                       "down_s": round(self.outage.duration()),
                       "retry_in_s": round(self.outage.retry_in(), 1)},
            )  # fmt: skip

    def _write_worked(self) -> None:
        if (lasted := self.outage.recovered()) is not None:
            self.metrics.unwritable.set(0)
            log.warning(
                "Archive writable again; polling resumed",
                extra={"database": describe_database(self.settings.database_url),
                       "down_s": round(lasted, 1)},
            )  # fmt: skip
