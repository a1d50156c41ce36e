"""Canonicalisation speed: ``python -m bench.canonicalise [--count N] [--seed S] [--check]``.

Generates a deterministic mix of ~200,000 news URLs (:mod:`bench.canonicalise.urls`) and prints
URLs/s for :func:`scraper.domains.canonicalise` and :meth:`scraper.domains.Resolver.resolve`
against the target of 100,000 URLs/s on one core (:mod:`bench.canonicalise.run`).
"""

from bench.canonicalise.run import TARGET, best_rate, main, table
from bench.canonicalise.urls import generate, publishers

__all__ = ["TARGET", "best_rate", "generate", "main", "publishers", "table"]
