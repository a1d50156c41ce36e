"""Run extractors over pages, timing only the extraction calls.

Extractors run interleaved page by page in one process, so that whatever
else the machine is doing slows them alike and the speed ratio stays fair.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from bench.extraction.dataset import Page
from bench.extraction.metric import PageScore, Summary, score_page, summarize

Extractor = Callable[[str], str]


@dataclass(slots=True)
class Result:
    """Per-page outputs, scores and the total time spent in one extractor."""

    name: str
    seconds: float = 0.0
    outputs: dict[str, str] = field(default_factory=dict)
    scores: dict[str, PageScore] = field(default_factory=dict)

    def summary(self, ids: Sequence[str] | None = None) -> Summary:
        """Quality over ``ids`` (default: all pages run)."""
        keys = self.scores.keys() if ids is None else ids
        return summarize(self.scores[k] for k in keys)

    def pages_per_second(self, ids: Sequence[str] | None = None) -> float:
        """Throughput over all pages run (time is not kept per page subset)."""
        del ids
        return len(self.scores) / self.seconds if self.seconds else 0.0


def ours() -> Extractor:
    """Our extractor, returning just the text."""
    from scraper.extract import extract

    def run(html: str) -> str:
        return extract(html).text

    return run


def _trafilatura(include_comments: bool) -> Extractor:
    """trafilatura's ``extract(html)`` (imported lazily so ``--only ours`` needs no trafilatura)."""
    try:
        import trafilatura
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise SystemExit(
            "trafilatura is not installed: pip install -e '.[bench]' (needs trafilatura==2.3.1)"
        ) from exc

    def run(html: str) -> str:
        return trafilatura.extract(html, include_comments=include_comments) or ""

    return run


def trafilatura_default() -> Extractor:
    """trafilatura 2.3.1 with default settings, which include reader comments.

    Dragnet's ground truth drops comments, so this row is the literal "default"
    but not the figure the data set README quotes as default (P .901/R .910/F1 .905);
    that figure is reproduced by ``include_comments=False`` (next row).
    """
    return _trafilatura(include_comments=True)


def trafilatura_no_comments() -> Extractor:
    """trafilatura without comments: what the data set README's "default" row measured."""
    return _trafilatura(include_comments=False)


EXTRACTORS: dict[str, Callable[[], Extractor]] = {
    "ours": ours,
    "trafilatura": trafilatura_default,
    "trafilatura-no-comments": trafilatura_no_comments,
}
# Table labels where the CLI name (``--only``) is not the label.
LABELS = {"trafilatura-no-comments": "trafilatura (no comments)"}


def run_all(pages: Sequence[Page], names: Sequence[str]) -> list[Result]:
    """Run the named extractors over ``pages``, interleaved; the first page warms up."""
    extractors = [(name, EXTRACTORS[name]()) for name in names]
    results = [Result(LABELS.get(name, name)) for name in names]
    if pages:
        for _, run in extractors:
            run(pages[0].html)  # lazy imports and model loading are not timed
    for page in pages:
        for (_, run), result in zip(extractors, results, strict=True):
            start = time.perf_counter()
            output = run(page.html)
            result.seconds += time.perf_counter() - start
            result.outputs[page.page_id] = output
            result.scores[page.page_id] = score_page(output, page.truth)
    return results
