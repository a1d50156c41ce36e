"""Shingle-based precision/recall/F1, as in the article-extraction-benchmark.

Tokens are ``\\w+`` runs; each text is a multiset of 4-token shingles (a text
with 1–3 tokens is one short shingle). Per page the counts are normalised so
every page weighs the same; P and R are averaged over pages, F1 is taken from
the averages.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

_TOKEN = re.compile(r"\w+")
SHINGLE = 4


def shingles(text: str, n: int = SHINGLE) -> Counter[tuple[str, ...]]:
    """Multiset of n-token shingles of ``text``."""
    tokens = _TOKEN.findall(text)
    if not tokens:
        return Counter()
    if len(tokens) < n:
        return Counter([tuple(tokens)])
    return Counter(tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1))


@dataclass(frozen=True, slots=True)
class PageScore:
    """Per-page counts; ``tp + fp`` is the prediction size, ``tp + fn`` the truth size."""

    tp: int
    fp: int
    fn: int


def score_page(predicted: str, truth: str) -> PageScore:
    """Count shared, extra and missed shingles for one page."""
    pred, gold = shingles(predicted), shingles(truth)
    tp = sum((pred & gold).values())
    return PageScore(tp=tp, fp=sum(pred.values()) - tp, fn=sum(gold.values()) - tp)


@dataclass(frozen=True, slots=True)
class Summary:
    """Averaged precision, recall and their harmonic mean."""

    precision: float
    recall: float
    f1: float
    pages: int


def summarize(scores: Iterable[PageScore]) -> Summary:
    """Average precision over non-empty predictions, recall over non-empty truths."""
    precisions: list[float] = []
    recalls: list[float] = []
    pages = 0
    for s in scores:
        pages += 1
        if s.tp + s.fp:
            precisions.append(s.tp / (s.tp + s.fp))
        if s.tp + s.fn:
            recalls.append(s.tp / (s.tp + s.fn))
    p = sum(precisions) / len(precisions) if precisions else 0.0
    r = sum(recalls) / len(recalls) if recalls else 0.0
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    return Summary(precision=p, recall=r, f1=f1, pages=pages)
