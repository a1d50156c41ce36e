"""Geometry of the publisher page's volume chart: stacked bars of articles per host over time.

Only numbers and labels are computed here; ``templates/_chart.html`` draws them as inline SVG
(autoescaped like every other template), so the page needs no JavaScript and no library. A
domain move shows as one colour giving way to another. Long histories are binned so the chart
keeps at most ``MAX_BARS`` bars; the caption says how many days one bar covers.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from scraper.store.reads import DailyCount

WIDTH, HEIGHT = 720, 220
LEFT, RIGHT, TOP, BOTTOM = 40, 8, 10, 24
MAX_BARS = 120
X_LABELS = 6
# Okabe–Ito: distinguishable with the common colour-vision deficiencies.
PALETTE = ("#0072b2", "#e69f00", "#009e73", "#cc79a7", "#56b4e9", "#d55e00", "#f0e442", "#000")


@dataclass(frozen=True, slots=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    color: str
    label: str


@dataclass(frozen=True, slots=True)
class Legend:
    host: str
    color: str
    total: int


@dataclass(frozen=True, slots=True)
class Chart:
    width: int
    height: int
    bars: list[Bar]
    legend: list[Legend]
    x_labels: list[tuple[float, str]]
    y_max: int
    days_per_bar: int
    plot: tuple[int, int, int, int]  # left, top, right, bottom edges of the plotting area


def volume_chart(counts: Sequence[DailyCount]) -> Chart | None:
    """Stacked bars per host; ``None`` when there is nothing dated to draw."""
    if not counts:
        return None
    first = min(c.day for c in counts)
    span = (max(c.day for c in counts) - first).days + 1
    per_bar = math.ceil(span / MAX_BARS)
    bins: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for c in counts:
        bins[(c.day - first).days // per_bar][c.host] += c.count
    hosts = _hosts_in_order(counts)
    colors = {host: PALETTE[i % len(PALETTE)] for i, host in enumerate(hosts)}
    y_max = max(sum(b.values()) for b in bins.values())
    n_bars = math.ceil(span / per_bar)
    bars = _bars(bins, hosts, colors, n_bars, y_max, first, per_bar)
    totals = {h: sum(c.count for c in counts if c.host == h) for h in hosts}
    return Chart(
        width=WIDTH,
        height=HEIGHT,
        bars=bars,
        legend=[Legend(h, colors[h], totals[h]) for h in hosts],
        x_labels=_x_labels(first, n_bars, per_bar),
        y_max=y_max,
        days_per_bar=per_bar,
        plot=(LEFT, TOP, WIDTH - RIGHT, HEIGHT - BOTTOM),
    )


def _hosts_in_order(counts: Sequence[DailyCount]) -> list[str]:
    """Hosts by first appearance, so the legend reads as the publisher's history."""
    return list(dict.fromkeys(c.host for c in sorted(counts, key=lambda c: (c.day, c.host))))


def _bars(
    bins: dict[int, dict[str, int]],
    hosts: list[str],
    colors: dict[str, str],
    n_bars: int,
    y_max: int,
    first: date,
    per_bar: int,
) -> list[Bar]:
    slot = (WIDTH - LEFT - RIGHT) / n_bars
    scale = (HEIGHT - TOP - BOTTOM) / y_max
    bars: list[Bar] = []
    for index, per_host in sorted(bins.items()):
        base = float(HEIGHT - BOTTOM)
        when = _period(first + timedelta(days=index * per_bar), per_bar)
        for host in hosts:
            count = per_host.get(host, 0)
            if not count:
                continue
            height = count * scale
            base -= height
            x = LEFT + index * slot
            label = f"{host}: {count} article{'s' * (count != 1)}, {when}"
            bars.append(
                Bar(_r(x), _r(base), _r(max(slot * 0.9, 0.5)), _r(height), colors[host], label)
            )
    return bars


def _period(start: date, days: int) -> str:
    if days == 1:
        return start.isoformat()
    return f"{start.isoformat()} – {(start + timedelta(days=days - 1)).isoformat()}"


def _x_labels(first: date, n_bars: int, per_bar: int) -> list[tuple[float, str]]:
    slot = (WIDTH - LEFT - RIGHT) / n_bars
    step = max(1, math.ceil(n_bars / X_LABELS))
    return [
        (_r(LEFT + i * slot), (first + timedelta(days=i * per_bar)).isoformat())
        for i in range(0, n_bars, step)
    ]


def _r(value: float) -> float:
    return round(value, 1)
