"""An article's text history as a readable, paragraph-level diff (``scraper show --revisions``)."""

from __future__ import annotations

import difflib
import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class Version:
    """One text an article had: ``seen_at`` is when it was first stored, ``replaced_at`` when
    a newer text took its place (None for the current text)."""

    title: str | None
    text: str
    seen_at: datetime
    replaced_at: datetime | None = None


def paragraphs(text: str) -> list[str]:
    return [" ".join(p.split()) for p in text.split("\n\n") if p.strip()]


def paragraph_diff(old: str, new: str, context: int = 1) -> list[str]:
    """Changed paragraphs: ``- `` removed, ``+ `` added, ``  `` context, ``…`` skipped."""
    a, b = paragraphs(old), paragraphs(new)
    lines: list[str] = []
    for group in difflib.SequenceMatcher(None, a, b, autojunk=False).get_grouped_opcodes(context):
        if lines:
            lines.append("…")
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                lines += [f"  {p}" for p in a[i1:i2]]
                continue
            lines += [f"- {p}" for p in a[i1:i2]]
            lines += [f"+ {p}" for p in b[j1:j2]]
    return lines


def history(versions: Sequence[Version], stamp: str = "%Y-%m-%d %H:%M") -> list[str]:
    """Each change from one version to the next, oldest first; versions oldest first."""
    out: list[str] = []
    for number, (old, new) in enumerate(itertools.pairwise(versions), start=1):
        out.append(
            f"── revision {number} → {number + 1}: "
            f"{old.seen_at.strftime(stamp)} → {new.seen_at.strftime(stamp)}"
        )
        if (old.title or "") != (new.title or ""):
            out += [
                f"- title: {old.title or '(untitled)'}",
                f"+ title: {new.title or '(untitled)'}",
            ]
        out += paragraph_diff(old.text, new.text) or [_unchanged(old.text, new.text)]
        out.append("")
    return out


def _unchanged(old: str, new: str) -> str:
    """What to say of a text no paragraph of which changed (a headline-only edit keeps it)."""
    return "  (text unchanged)" if old == new else "  (same paragraphs; spacing or case only)"
