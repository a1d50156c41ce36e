"""PostgreSQL picks one of two ranking plans per search (``store/search_pg.py``): a newest-first
walk that tests each row, or the planner's statement (a GIN bitmap for rare words). The choice
may only change the cost, never the answer: these tests run the same searches through each
plan, and through a walk whose row budget runs out, and expect identical hits.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from scraper.models import Article
from scraper.store import search, search_pg
from scraper.store.archive import Archive, ArticleFilter, open_archive
from scraper.store.search_pg import Estimates, walk_first
from tests.factories import make_draft
from tests.query.test_search_window import CONFIG, NEWEST

FILLER = [f"{a}{b}" for a in ("kal", "mor", "tep", "vun", "sid", "bor") for b in ("ar", "et", "ix")]
SEARCHES = [
    ("harbour", ArticleFilter()),
    ("drones", ArticleFilter()),
    ('"harbour drones"', ArticleFilter()),
    ('"near the harbour"', ArticleFilter()),
    ("ferries -drones", ArticleFilter()),
    ("harbour", ArticleFilter(publishers=("nw",))),
    ("harbour", ArticleFilter(since=NEWEST - timedelta(days=20), until=NEWEST)),
    ("drones or ferries", ArticleFilter(publishers=("sf", "nw"), language="en")),
]


def text_of(n: int) -> str:
    """Every text says "harbour"; some say "harbour drones", some "drones" apart, the rest
    "ferries"; distinct filler keeps them from being near-duplicates."""
    kind = ("Harbour drones seen", "Drones near the harbour", "Harbour ferries late")[n % 3]
    filler = " ".join(FILLER[(n * 5 + k) % len(FILLER)] + str(n) for k in range(8))
    return f"{kind}. Report {filler}."


@pytest.fixture
def archive(postgres_url: str) -> Iterator[Archive]:
    archive = open_archive(postgres_url, auto_upgrade=True)
    archive.sync_config(CONFIG)
    for n in range(36):
        pub = "nw" if n % 4 == 0 else "sf"
        when = None if n % 11 == 5 else NEWEST - timedelta(days=n // 2, hours=n % 2)
        draft = make_draft(pub, f"https://{pub}.test/a/{n}/", text_of(n), published_at=when)
        archive.save(draft)
    # One story told by both publishers: the collapsed search shows it once.
    for pub in ("sf", "nw"):
        story = "Harbour drones story shared by both. " + " ".join(FILLER)
        archive.save(make_draft(pub, f"https://{pub}.test/story/", story, published_at=NEWEST))
    yield archive
    archive.close()


def run(archive: Archive, query: str, filters: ArticleFilter, collapse: bool) -> list[Article]:
    return archive.search(query, filters, limit=50, collapse=collapse)


def key(hits: list[Article]) -> list[tuple[int, str | None]]:
    return [(h.id, h.snippet) for h in hits]


@pytest.mark.parametrize("window", [4, 1000])
@pytest.mark.parametrize("collapse", [True, False])
def test_every_plan_gives_the_same_hits(
    archive: Archive, monkeypatch: pytest.MonkeyPatch, window: int, collapse: bool
) -> None:
    monkeypatch.setattr(search, "RANK_WINDOW", window)
    answers: dict[str, list[list[tuple[int, str | None]]]] = {}
    plans = {"walk": (True, 10_000), "planned": (False, 10_000), "walk gives up": (True, 3)}
    planned_runs: dict[str, int] = {}
    planned = search_pg._planned

    def count_planned(*args: Any) -> Any:
        planned_runs[name] = planned_runs.get(name, 0) + 1
        return planned(*args)

    monkeypatch.setattr(search_pg, "_planned", count_planned)
    for name, (walk, budget) in plans.items():
        forced = Estimates(0, 0, 0, 0) if walk else None
        monkeypatch.setattr(search_pg, "_walk_estimates", lambda *_a, forced=forced: forced)
        monkeypatch.setattr(search_pg, "WALK_BUDGET", budget)
        answers[name] = [key(run(archive, q, f, collapse)) for q, f in SEARCHES]
    assert answers["walk"] == answers["planned"] == answers["walk gives up"]
    assert planned_runs.get("walk", 0) == 0, "a budget of 10,000 rows is never exhausted here"
    assert planned_runs["planned"] == len(SEARCHES)
    assert 0 < planned_runs["walk gives up"] <= len(SEARCHES)
    assert all(answers["walk"]), "every search finds something"
    if window == 4:
        assert {len(hits) for hits in answers["walk"]} <= {1, 2, 3, 4}


def test_the_walk_reads_past_rows_without_the_word(
    archive: Archive, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A walk that exhausts the filtered rows before the window fills is complete: what it
    found is every match (nothing falls back, nothing is lost)."""
    monkeypatch.setattr(search_pg, "_walk_estimates", lambda *_a: Estimates(0, 0, 0, 0))
    fallbacks: list[bool] = []
    planned = search_pg._planned

    def count_planned(*args: Any) -> Any:
        fallbacks.append(True)
        return planned(*args)

    monkeypatch.setattr(search_pg, "_planned", count_planned)
    hits = run(archive, '"harbour drones"', ArticleFilter(publishers=("nw",)), collapse=False)
    assert hits and not fallbacks
    assert all("harbour drones" in h.text.lower() for h in hits)


def test_the_estimates_come_from_the_planner(archive: Archive) -> None:
    with Session(archive.engine) as session:
        session.execute(text("ANALYZE articles"))
        match = search_pg.pg_match(session, '"harbour drones"', ArticleFilter())
        assert match is not None
        params = dict(match.params)
        estimates = search_pg._estimates(
            session, ["harbour", "drones"], match, ArticleFilter(), "", params
        )
    assert estimates.total == pytest.approx(38, abs=1)
    assert estimates.filtered == estimates.total
    assert estimates.postings >= estimates.matching > 0
    assert len(estimates.words) == 2 and all(w > 0 for w in estimates.words)


M = 1_000_000


@pytest.mark.parametrize(
    ("estimates", "walk"),
    [
        (Estimates(M, M, 400_000, 400_000), True),  # common word: 2,500 rows
        (Estimates(M, M, 1_000, 1_000), False),  # rare word: the whole archive
        # One publisher, 90 days: a common word reads 2,500 of 4,000 rows, cheaper than
        # decoding its 400,000 postings.
        (Estimates(M, 4_000, 1_600, 400_000), True),
        (Estimates(M, 4_000, 4, 1_000), False),  # a rare word there: its bitmap is tiny
        # 18,000 rows of a busier publisher, a 5 % word: its bitmap (50,000 postings,
        # 900 candidates) beats reading the 18,000 rows.
        (Estimates(M, 18_000, 900, 50_000), False),
        (Estimates(M, 200_000, 200, 1_000), False),  # a rare word in a big filter
        # A collocation: the planner says 0.5 %, its least common word says 4 %.
        (Estimates(M, M, 4_900, 4_900, (40_000, 90_000)), True),
        # Two rare names: no walk, whatever the phrase.
        (Estimates(M, M, 1, 1, (30, 500)), False),
        (Estimates(0, 0, 0, 0), True),  # empty archive
    ],
)
def test_when_to_walk(estimates: Estimates, walk: bool) -> None:
    assert walk_first(estimates, window=1000, budget=50_000) is walk
