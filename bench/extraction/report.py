"""Print benchmark tables with rich when available, plain text otherwise."""

from __future__ import annotations

from collections.abc import Sequence

from bench.extraction.runner import Result

Row = tuple[str, str, str, str, str]
HEADER: Row = ("extractor", "P", "R", "F1", "pages/s")


def rows(results: Sequence[Result], ids: Sequence[str]) -> list[Row]:
    """One row per extractor, plus ratio rows of ours over each other extractor."""
    table: list[Row] = []
    for result in results:
        s = result.summary(ids)
        table.append(
            (result.name, f"{s.precision:.3f}", f"{s.recall:.3f}", f"{s.f1:.3f}",
             f"{result.pages_per_second():.0f}")
        )  # fmt: skip
    base = next((r for r in results if r.name == "ours"), None)
    for other in results:
        if base is None or other is base:
            continue
        a, b = base.summary(ids), other.summary(ids)
        speed = base.pages_per_second() / other.pages_per_second() if other.seconds else 0.0
        table.append(
            (f"ours / {other.name}", f"{a.precision - b.precision:+.3f}",
             f"{a.recall - b.recall:+.3f}", f"{a.f1 - b.f1:+.3f}", f"{speed:.1f}x")
        )  # fmt: skip
    return table


def print_table(title: str, table: list[Row]) -> None:
    """Render one table (ratio rows show differences for P/R/F1 and a speed factor)."""
    try:
        from rich.console import Console
        from rich.table import Table
    except ImportError:
        _print_plain(title, table)
        return
    out = Table(title=title)
    for i, name in enumerate(HEADER):
        out.add_column(name, justify="left" if i == 0 else "right")
    for row in table:
        out.add_row(*row)
    Console().print(out)


def _print_plain(title: str, table: list[Row]) -> None:
    print(title)
    widths = [max(len(r[i]) for r in [HEADER, *table]) for i in range(len(HEADER))]
    for row in [HEADER, *table]:
        print("  ".join(cell.ljust(w) if i == 0 else cell.rjust(w)
                        for i, (cell, w) in enumerate(zip(row, widths, strict=True))))  # fmt: skip
    print()
