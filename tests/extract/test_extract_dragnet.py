"""Quality smoke test on a slice of the Dragnet test split (skipped without the data set)."""

from __future__ import annotations

import pytest

from bench.extraction.dataset import dataset_dir, load_pages, split_ids
from bench.extraction.metric import score_page, shingles, summarize
from scraper.extract import extract

ROOT = dataset_dir()
pytestmark = pytest.mark.skipif(
    not (ROOT / "ground-truth.json").is_file(), reason=f"Dragnet data set not at {ROOT}"
)


def test_metric_definition() -> None:
    assert sum(shingles("one two").values()) == 1
    assert sum(shingles("a b c d e").values()) == 2
    perfect = score_page("a b c d e", "a b c d e")
    assert (perfect.tp, perfect.fp, perfect.fn) == (2, 0, 0)
    summary = summarize([score_page("", "a b c d"), perfect])
    assert summary.precision == 1.0 and summary.recall == 0.5


def test_quality_on_test_slice() -> None:
    pages = load_pages(ROOT, split_ids(ROOT, "test")[:120])
    summary = summarize(score_page(extract(p.html).text, p.truth) for p in pages)
    assert summary.f1 > 0.85, summary
