"""Collapsed search (one hit per story cluster) on SQLite and PostgreSQL: which copy of a story
is shown and where, when copies tie on rank and date.

On SQLite the ranking statement returns the window in the final order and the stories are
collapsed while its rows are read (``search._collapse``); these tests pin the semantics that
replaced a ``row_number()`` window: the best copy is the best-ranked, then the newest, then the
smallest id; hits are ordered by rank, newest first, then larger id first.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from scraper.config import parse_config
from scraper.store import search
from scraper.store.archive import Archive, ArticleFilter, open_archive
from tests.factories import make_draft

CONFIG = parse_config(
    {
        "publisher": [
            {"id": "sf", "name": "SF", "canonical_domain": "sf.test"},
            {"id": "nw", "name": "NW", "canonical_domain": "nw.test"},
            {"id": "lc", "name": "LC", "canonical_domain": "lc.test"},
        ]
    },
    Path("test.toml"),
)
WHEN = datetime(2025, 6, 1, 12, tzinfo=UTC)
VOCABULARY = [a + b + c for a in "bdfgklmnprst" for b in "aeiou" for c in ("n", "r", "sk", "lt")]
# Long enough (≥ 40 words) for the store to cluster copies from other publishers.
STORY = (
    "Harbour drones were intercepted over the naval base at dawn, officials said on Tuesday. "
    "The air defence crews reported no damage to the piers or to the ships moored there, "
    "and the port reopened to ferries before noon. Fishermen described a loud buzzing, then "
    "two flashes above the breakwater, and the coast guard searched the bay for debris until "
    "late in the evening without finding any wreckage of the aircraft."
)


@pytest.fixture
def archive(database_url: str) -> Iterator[Archive]:
    archive = open_archive(database_url, auto_upgrade=True)
    archive.sync_config(CONFIG)
    yield archive
    archive.close()


def save(archive: Archive, pub: str, slug: str, text: str, when: datetime) -> int:
    draft = make_draft(pub, f"https://{pub}.test/{slug}/", text, title="Drones", published_at=when)
    return archive.save(draft).article_id


def test_tied_copies_of_a_story_show_as_the_smallest_id(archive: Archive) -> None:
    """The same text from three publishers at the same time: equal ranks and dates, one
    cluster. Collapsed, the story shows once, as its first-stored copy."""
    ids = [save(archive, pub, "drones", STORY, WHEN) for pub in ("nw", "sf", "lc")]
    alone = save(archive, "sf", "other", "Drones seen over the hills. " * 3, WHEN)
    every = archive.search("drones", ArticleFilter(), collapse=False)
    assert {h.id for h in every} == {*ids, alone}
    copies = [h for h in every if h.id in ids]
    assert len({h.cluster for h in copies}) == 1 and copies[0].cluster is not None
    collapsed = archive.search("drones", ArticleFilter())
    assert sorted(h.id for h in collapsed) == sorted([min(ids), alone])
    shown = next(h for h in collapsed if h.id == min(ids))
    assert sorted(shown.also_published_by) == ["lc", "sf"]
    # One hit per page: the same hits in the same order, then no more.
    with Session(archive.engine) as session:
        pages = [search.search_page(session, "drones", ArticleFilter(), n, 1) for n in (0, 1)]
    assert [hits[0].id for hits, _ in pages] == [h.id for h in collapsed]
    assert [more for _, more in pages] == [True, False]


def story_text(seed: int) -> str:
    rng = random.Random(seed)
    words = [rng.choice(VOCABULARY) for _ in range(60)]
    words[rng.randrange(60)] = "drones"
    return " ".join(words) + "."


def test_pages_of_many_clustered_stories(archive: Archive) -> None:
    """Five stories, each from three publishers, and single articles between them: every page
    size gives the same collapsed hits in the same order (pages are read in batches)."""
    firsts = []
    for n in range(5):
        text = story_text(n)
        ids = [
            save(archive, p, f"s{n}", text, WHEN - timedelta(days=n)) for p in ("sf", "nw", "lc")
        ]
        firsts.append(min(ids))
        save(archive, "sf", f"single{n}", story_text(100 + n), WHEN - timedelta(days=n, hours=1))
    whole = archive.search("drones", ArticleFilter(), limit=50)
    assert len(whole) == 10 and set(firsts) <= {h.id for h in whole}
    assert len(archive.search("drones", ArticleFilter(), limit=50, collapse=False)) == 20
    with Session(archive.engine) as session:
        for size in (1, 2, 3, 7):
            paged = []
            for offset in range(0, 12, size):
                paged += search.search_page(session, "drones", ArticleFilter(), offset, size)[0]
            assert [h.id for h in paged] == [h.id for h in whole], size


def test_a_newer_copy_of_a_story_wins_an_equal_rank(archive: Archive) -> None:
    older = save(archive, "sf", "drones", STORY, WHEN - timedelta(days=1))
    newer = save(archive, "nw", "drones", STORY, WHEN)
    assert [h.id for h in archive.search("drones", ArticleFilter())] == [newer]
    assert older < newer


# -- the collapsing step itself (rows as the SQLite ranking statement returns them) ----------


def rows(*spec: tuple[int, float, str | None, int]) -> Iterator[tuple[int, float, str | None, int]]:
    yield from spec


def test_collapse_keeps_the_first_copy_of_each_story_in_rank_order() -> None:
    ranked = rows(
        (9, -3.0, "2025-06-02", 9),
        (8, -2.0, "2025-06-02", 4),
        (7, -2.0, "2025-06-01", 9),  # story 9 again, worse: dropped
        (4, -1.0, "2025-06-03", 4),  # story 4 again, worse: dropped
        (3, -1.0, None, 3),
    )
    assert [r[0] for r in search._collapse(ranked, 10)] == [9, 8, 3]


def test_collapse_among_tied_copies_takes_the_smallest_id_in_place() -> None:
    """Rows tied on rank and date arrive larger id first; of one story's tied copies the
    smallest id is kept, and the kept rows stay larger id first."""
    ranked = rows(
        (12, -2.0, "2025-06-01", 5),
        (11, -2.0, "2025-06-01", 7),
        (7, -2.0, "2025-06-01", 7),
        (6, -2.0, "2025-06-01", 5),
        (5, -2.0, "2025-06-01", 5),
        (2, -1.0, "2025-06-01", 2),
    )
    assert [r[0] for r in search._collapse(ranked, 10)] == [7, 5, 2]


def test_collapse_reads_no_further_than_the_page_needs() -> None:
    """Three stories wanted: it stops at the first row after the third (which shows that the
    third one's tie group is complete)."""
    read = []

    def window() -> Iterator[tuple[int, float, str | None, int]]:
        for n in range(1000, 0, -1):
            read.append(n)
            yield (n, -float(n), "2025-06-01", n)

    assert [r[0] for r in search._collapse(window(), 3)] == [1000, 999, 998]
    assert read == [1000, 999, 998, 997]
