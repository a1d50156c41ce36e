"""Scheduler overhead, memory and lag of one `scraper run` polling 10,000 feeds.

Setup: a local web serves N tiny feeds on a few fake hosts (answers are 304s after the first
poll, as most real polls are); the feeds' first polls are spread over one interval, as a
daemon that has run for a while has them; min = max interval so every poll is due at a known
time. A real `scraper run` subprocess polls them through the proxy for ``--duration`` seconds
while we sample its RSS and CPU from /proc; afterwards its /metrics give the scheduler's own
database time per poll and its lag histogram, and the request log gives the lag seen from
outside (gap between two requests for one feed, minus the interval).

    python -m bench.daemon [--feeds 10000] [--interval 120] [--duration 150] [--database-url URL]
"""

from __future__ import annotations

import argparse
import os
import random
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import text

from bench.daemon.site import TimedWeb, serve_feeds, write_config
from scraper.config import load_config
from scraper.demo.guard import loopback_only
from scraper.store.archive import open_archive

LAUNCH = (
    "from scraper.cli import cli, main\nfrom scraper.cli.run import run_command\n"
    "from scraper.demo.guard import loopback_only\ncli.add_command(run_command)\n"
    "with loopback_only():\n    main()\n"
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.daemon")
    parser.add_argument("--feeds", type=int, default=10_000)
    parser.add_argument("--hosts", type=int, default=20)
    parser.add_argument("--interval", type=float, default=300.0)
    parser.add_argument("--duration", type=float, default=120.0)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args(argv)
    with loopback_only(), tempfile.TemporaryDirectory() as tmp:
        print(format_table(run(args, Path(tmp))))
    return 0


def run(args: argparse.Namespace, tmp: Path) -> list[tuple[str, str, str]]:
    hosts = [f"site{i}.example" for i in range(args.hosts)]
    per_host = args.feeds // len(hosts)
    url = args.database_url or f"sqlite:///{tmp}/bench.db"
    config = write_config(tmp / "publishers.toml", hosts, per_host)
    due = prepare(url, config, args.interval)
    port = free_port()
    with TimedWeb() as web:
        serve_feeds(web, hosts, per_host)
        env = daemon_env(url, config, web.proxy_url, args.interval, port)
        proc = subprocess.Popen([sys.executable, "-c", LAUNCH, "run"], env=env)
        try:
            samples = watch(proc.pid, args.duration)
            metrics = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics").read().decode()
        finally:
            proc.send_signal(signal.SIGTERM)
            proc.wait(60)
        offset = time.time() - time.monotonic()
        end = time.time() - 5.0  # feeds due in the last seconds may legitimately still wait
        lags = _lags(web, due, offset, end)
    return report(args, samples, metrics, lags)


def _lags(web: TimedWeb, due: dict[str, float], offset: float, end: float) -> list[float]:
    """First request for each feed minus the time it was due (wall clock); unpolled: late."""
    lags = []
    for url, at in due.items():
        if at >= end:
            continue
        times = web.seen.get(url.removeprefix("http://"))
        lags.append((times[0] + offset if times else end) - at)
    return lags


def prepare(url: str, config: Path, interval: float) -> dict[str, float]:
    """Schema, feeds, and first polls spread over one interval (a daemon's steady state);
    returns each feed's due time (epoch seconds)."""
    archive = open_archive(url, auto_upgrade=True)
    archive.sync_config(load_config(config))
    now = datetime.now(UTC)
    start = now + timedelta(seconds=5)  # the daemon's start-up
    with archive.engine.begin() as conn:
        rows = list(conn.execute(text("SELECT id, url FROM feeds")))
        plan = {u: start + timedelta(seconds=random.uniform(0, interval)) for _, u in rows}
        conn.execute(
            text("UPDATE feeds SET next_poll_at = :at WHERE id = :id"),
            [{"id": i, "at": plan[u]} for i, u in rows],
        )
    archive.close()
    return {u: at.timestamp() for u, at in plan.items()}


def daemon_env(url: str, config: Path, proxy: str, interval: float, port: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SCRAPER_")}
    env |= {
        "SCRAPER_DATABASE_URL": url, "SCRAPER_CONFIG": str(config), "HTTP_PROXY": proxy,
        "SCRAPER_POLL_MIN_INTERVAL": str(interval), "SCRAPER_POLL_MAX_INTERVAL": str(interval),
        "SCRAPER_HOST_MIN_DELAY": "0", "SCRAPER_DISPATCH_INTERVAL": "1",
        "SCRAPER_METRICS_PORT": str(port), "SCRAPER_LOG_LEVEL": "WARNING",
        "SCRAPER_UNCONDITIONAL_EVERY": "0",
    }  # fmt: skip
    return env


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def watch(pid: int, duration: float) -> list[tuple[float, float, float]]:
    """(seconds since start, RSS MiB, CPU seconds) once a second."""
    samples = []
    started = time.monotonic()
    tick = os.sysconf("SC_CLK_TCK")
    while (elapsed := time.monotonic() - started) < duration:
        status = Path(f"/proc/{pid}/status").read_text()
        rss = int(re.search(r"VmRSS:\s+(\d+)", status).group(1)) / 1024  # type: ignore[union-attr]
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        samples.append((elapsed, rss, (int(fields[11]) + int(fields[12])) / tick))
        time.sleep(1.0)
    return samples


def metric(text_: str, name: str) -> float:
    found = re.search(rf"^{re.escape(name)} ([0-9.e+-]+)$", text_, re.MULTILINE)
    return float(found.group(1)) if found else 0.0


def histogram_quantile(text_: str, name: str, q: float) -> float:
    pattern = rf'^{name}_bucket{{le="([^"]+)"}} (\S+)$'
    found = re.findall(pattern, text_, re.MULTILINE)
    buckets = [(float("inf") if le == "+Inf" else float(le), float(v)) for le, v in found]
    total = buckets[-1][1] if buckets else 0
    return next((le for le, count in buckets if count >= q * total), float("nan"))


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(int(q * len(ordered)), len(ordered) - 1)] if ordered else float("nan")


def report(
    args: argparse.Namespace, samples: list[tuple[float, float, float]], metrics: str,
    lags: list[float],
) -> list[tuple[str, str, str]]:  # fmt: skip
    polls = sum(float(v) for v in re.findall(r"^scraper_polls_total\{[^}]*\} (\S+)$", metrics,
                                               re.MULTILINE))  # fmt: skip
    overhead_ms = (
        1000
        * metric(metrics, "scraper_schedule_overhead_seconds_sum")
        / max(metric(metrics, "scraper_schedule_overhead_seconds_count") / 2, 1)
    )  # claim + finish
    warm = [s for s in samples if s[0] >= min(30.0, args.duration / 3)]
    cpu_ms = 1000 * (warm[-1][2] - warm[0][2]) / max(polls * (warm[-1][0] - warm[0][0])
                                                    / samples[-1][0], 1)  # fmt: skip
    rss = max(s[1] for s in samples)
    lag_p99 = histogram_quantile(metrics, "scraper_schedule_lag_seconds", 0.99)
    due = f"{args.feeds / args.interval:.0f} polls/s due"
    return [
        ("feeds / interval", f"{args.feeds} / {args.interval:g} s", due),
        ("polls done", f"{polls:.0f} in {args.duration:g} s", f"{polls / args.duration:.0f}/s"),
        ("scheduler DB time per poll", f"{overhead_ms:.2f} ms", "claim share + next-poll write"),
        ("daemon CPU per poll (all of it)", f"{cpu_ms:.2f} ms", "fetch, 304, record, schedule"),
        ("daemon RSS (max)", f"{rss:.0f} MiB", "target <= 300 MiB"),
        (
            "lag p50 / p99 (request log)",
            f"{percentile(lags, 0.5):.2f} / {percentile(lags, 0.99):.2f} s",
            f"first request - due, {len(lags)} polls; target p99 <= 5 s",
        ),
        ("lag p99 (daemon histogram)", f"<= {lag_p99:g} s", "claim time - due time"),
        (
            "feeds overdue at the end",
            f"{metric(metrics, 'scraper_feeds_overdue'):.0f}",
            "unclaimed",
        ),
    ]


def format_table(rows: list[tuple[str, str, str]]) -> str:
    widths = [max(len(r[i]) for r in rows) for i in range(3)]
    line = "+" + "+".join("-" * (w + 2) for w in widths) + "+"
    out = [line]
    for row in rows:
        out.append("| " + " | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) + " |")
    out.append(line)
    return "\n".join(out)
