"""Where rich output goes: a terminal gets tables fitted to its width, a pipe gets whole lines.

Rich draws tables for an 80-column screen when stdout is not a terminal, so a URL piped into
``grep``, a file or another command came out cut with ``…`` or broken over lines, and could not
be pasted back into ``scraper feeds status``. Commands print through :func:`stdout_console`,
and tab-separated rows (:func:`tsv_row`) where a table is a list of records.
"""

from __future__ import annotations

from rich.console import Console

# Wide enough for any URL or title: a table is laid out at its natural width, never cut.
PIPE_WIDTH = 100_000


def stdout_console() -> Console:
    """A console on stdout: the terminal's width there, otherwise one that never wraps."""
    console = Console()
    if console.is_terminal:
        return console
    return Console(width=PIPE_WIDTH)


def stdout_is_terminal() -> bool:
    """Whether stdout is an interactive terminal (as rich decides it, FORCE_TERMINAL included)."""
    return Console().is_terminal


def tsv_row(*cells: str) -> str:
    """One line of tab-separated cells; tabs and line breaks inside a cell become spaces."""
    return "\t".join(
        " ".join(cell.split("\t")).replace("\r", " ").replace("\n", " ") for cell in cells
    )
