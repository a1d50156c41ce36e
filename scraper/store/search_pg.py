"""PostgreSQL ranking: the newest ``window`` matches, by one of two plans chosen per search.

Both plans find the same rows (the newest ``window`` matches, newest first) and rank them
with ``ts_rank_cd``:

* **walk** — read the articles that pass the filters newest first (an index gives that
  order) and test each row's stored ``tsv``, stopping at ``window`` matches or after
  ``WALK_BUDGET`` rows. Cheap when matches are dense among the filtered rows: a common word,
  a collocation such as "prime minister", or a filter that leaves few rows (one publisher
  for 90 days). If the budget runs out first, the walk says so and the other plan runs.
* **planned** — one statement and the planner's own choice: for rare words a GIN bitmap of
  the matches, sorted by date.

The planner alone picks badly for two common shapes (measured on 1 M rows,
docs/performance.md "Search latency, session 5"):

* it estimates a phrase as independent words ("human" × "rights"), 6× too few for a
  collocation, and then builds a GIN bitmap of 30 k rows and reads each one (230–355 ms
  where a walk of the newest 35 k rows takes 50 ms);
* it does not count the CPU of decoding a common word's posting list (400 k postings,
  70 ms) and intersects it with a one-publisher, 90-day filter of 4 k rows, where testing
  those 4 k rows takes 8 ms.

So a search with filters or a phrase asks the planner for its row estimates (one
``EXPLAIN``, no data read; ≈ 1–2 ms) and walks when the expected walk is short:
``min(filtered rows, window / density)`` rows within the budget, with the density of a
phrase bounded by its least common word rather than by the planner's product of words.
A wrong guess costs at most the budget's rows before the planned statement runs. Words
over the whole archive go straight to the planned statement: there the planner's choice
was measured right (a walk for a common word, a bitmap for a rare one).
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from scraper.query.websearch import excluded_terms, phrase_words, to_fts5
from scraper.store.articles import search_config, search_configs
from scraper.store.filters import ArticleFilter
from scraper.store.search_sql import Match, SearchHit, filter_sql

# Rows a walk may read before it gives up: ≈ 50 ms on the 1 M bench (≈ 1 µs a row when
# its page is in shared buffers). A match density of window / budget (2 % for 1,000) or
# more fills the window within it.
WALK_BUDGET = 50_000

_ORDER = "a.published_at DESC NULLS LAST, a.id DESC"


def pg_match(session: Session, query: str, filters: ArticleFilter) -> Match | None:
    """The query's tsquery in every configuration searched; its excluded terms are left out
    in every configuration too (:func:`scraper.query.websearch.excluded_terms` says why)."""
    if to_fts5(query) is None:  # nothing searchable: same answer as on SQLite
        return None
    configs = query_configs(filters.language, configs_present(session))
    expression, params = _tsquery(configs, ":q"), {"q": query}
    excluded = excluded_terms(query)
    if excluded is not None:
        expression = f"({expression} && !!{_tsquery(configs, ':x')})"
        params["x"] = excluded
    return Match(expression, params, configs)


def query_configs(language: str | None, present: Iterable[str]) -> tuple[str, ...]:
    """The configurations a search parses its query in: ``simple`` (unstemmed words, and the
    rows of languages PostgreSQL has no stemmer for), ``english``, and the configuration of
    every language whose rows could match: the one asked for, or all present.

    A row's ``tsv`` holds its own language's stems (``Häuser`` is ``haus`` in a German
    row), so a query parsed only as ``simple`` and ``english`` found a German, French or
    Russian article by none of its inflected words unless ``language=`` was given; SQLite's
    FTS5 has one tokenizer for every language and found them. An English-only archive gets
    the same two configurations as before, so its searches cost what they did.
    """
    wanted = [search_config(language)] if language else sorted(present)
    return ("simple", "english", *(c for c in wanted if c not in ("simple", "english")))


def _tsquery(configs: Sequence[str], param: str) -> str:
    # The tsquery is written out where it is used, not computed once in a CTE: inside a CTE
    # the planner cannot see the words, assumes every word is rare and sorts all matches
    # (measured: common word p95 4.4 s → 0.28 s on 779 k rows, docs/performance.md).
    return "(" + " || ".join(f"websearch_to_tsquery('{c}', {param})" for c in configs) + ")"


# How long a process trusts its list of the configurations present. Probing costs one
# statement (≈ 1–2 ms with its planning); an article of a language new to the archive is
# found by its own word forms at most this long after it is stored (at once with language=).
CONFIGS_TTL_S = 10.0
_PROBE = text(
    "SELECT c::text FROM unnest(CAST(:configs AS regconfig[])) AS c "
    "WHERE EXISTS (SELECT 1 FROM articles a WHERE a.search_config = c)"
)
_present: dict[str, tuple[float, frozenset[str]]] = {}


def configs_present(session: Session) -> frozenset[str]:
    """The text-search configurations of the archive's rows, from one probe of the
    ``search_config`` index per known configuration, cached per database for
    ``CONFIGS_TTL_S``: a ``DISTINCT`` over the column would read every row."""
    key = session.connection().engine.url.render_as_string(hide_password=True)
    now = time.monotonic()
    cached = _present.get(key)
    if cached is not None and now - cached[0] < CONFIGS_TTL_S:
        return cached[1]
    found = frozenset(session.scalars(_PROBE, {"configs": list(search_configs())}))
    _present[key] = (now, found)
    return found


@dataclass(frozen=True, slots=True)
class Estimates:
    """The planner's row estimates: all articles, those passing the filters, those that also
    match, the matches without the filters (the GIN postings a bitmap decodes), and for a
    phrase the articles holding each of its words."""

    total: float
    filtered: float
    matching: float
    postings: float
    words: tuple[float, ...] = ()


# What each plan costs, in µs, measured on the 1 M bench (docs/performance.md "Search
# latency, session 5"): a walked row (its heap tuple and the ``tsv`` test; ≈ 1 µs from
# shared buffers, ≈ 3 from the OS page cache), a GIN posting decoded into the bitmap
# (400 k postings in 70 ms), and a bitmap candidate read, rechecked and sorted by date
# (30 k in ≈ 150–250 ms).
WALK_ROW_US = 1.5
POSTING_US = 0.17
CANDIDATE_US = 5.0


def walk_first(estimates: Estimates, window: int, budget: int = WALK_BUDGET) -> bool:
    """Whether a newest-first walk is expected to fill the window (or run out of filtered
    rows) within ``budget`` rows, and to cost less than the bitmap the planner would build."""
    if estimates.total <= 0 or estimates.filtered <= 0:
        return True  # nothing analysed yet, or nothing passes: either way the walk is short
    density = estimates.matching / estimates.filtered
    postings, candidates = estimates.postings, estimates.matching
    if estimates.words:
        # A phrase holds at most as often as its least common word does; the bitmap decodes
        # every word's postings and reads each article that holds them all.
        least = min(estimates.words)
        density = max(density, least / estimates.total)
        postings = sum(estimates.words)
        candidates = max(candidates, least * estimates.filtered / estimates.total)
    walked = estimates.filtered if density <= 0 else min(estimates.filtered, window / density)
    bitmap = postings * POSTING_US + candidates * CANDIDATE_US
    return walked <= budget and walked * WALK_ROW_US < bitmap


def rank(
    session: Session,
    query: str,
    match: Match,
    filters: ArticleFilter,
    window: int,
    limit: int,
    collapse: bool,
) -> list[SearchHit]:
    """The best ``limit`` of the newest ``window`` matches, best first (ties newest first,
    then larger id first); collapsed, one hit per story."""
    params: dict[str, Any] = {**match.params, "limit": limit, "window": window}
    where = filter_sql(filters, params)
    estimates = _walk_estimates(session, query, match, filters, where, params)
    if estimates is not None:
        hits = _walk(session, match, where, params, collapse, estimates.filtered)
        if hits is not None:
            return hits
    return _planned(session, match, where, params, collapse)


def _walk_estimates(
    session: Session,
    query: str,
    match: Match,
    filters: ArticleFilter,
    where: str,
    params: dict[str, Any],
) -> Estimates | None:
    """The planner's estimates when a walk is the plan to try first; None for the planned
    statement alone."""
    words = phrase_words(query)
    if not where and not words:
        # Words over the whole archive: the planner's estimate is its own and so is the
        # choice it makes (a walk for a common word, a bitmap for a rare one); no EXPLAIN.
        return None
    estimates = _estimates(session, words, match, filters, where, params)
    return estimates if walk_first(estimates, params["window"]) else None


def _estimates(
    session: Session,
    words: list[str],
    match: Match,
    filters: ArticleFilter,
    where: str,
    params: dict[str, Any],
) -> Estimates:
    """All estimates from one ``EXPLAIN`` of a ``UNION ALL``: the plan is an Append whose
    children are, in order, the counted sets."""
    parts = [
        "SELECT 1 FROM articles a",
        f"SELECT 1 FROM articles a WHERE true{where}",
        f"SELECT 1 FROM articles a WHERE a.tsv @@ {match.expression}{where}",
        f"SELECT 1 FROM articles a WHERE a.tsv @@ {match.expression}",
    ]
    bound = dict(params)
    for i, word in enumerate(words):
        bound[f"w{i}"] = word
        parts.append(f"SELECT 1 FROM articles a WHERE a.tsv @@ {_tsquery(match.configs, f':w{i}')}")
    plan = session.execute(text("EXPLAIN (FORMAT JSON) " + " UNION ALL ".join(parts)), bound)
    rows = [float(child["Plan Rows"]) for child in plan.scalar_one()[0]["Plan"]["Plans"]]
    return Estimates(rows[0], rows[1], rows[2], rows[3], tuple(rows[4:]))


def _best(collapse: bool) -> str:
    """Collapsed: the best-ranked copy of each story (DISTINCT ON its story key) among the
    ranked window; the window itself stays bounded, so the cost does too."""
    if not collapse:
        return "SELECT id, rank, published_at FROM r"
    return (
        "SELECT DISTINCT ON (story) id, rank, published_at FROM r "
        "ORDER BY story, rank DESC, published_at DESC NULLS LAST, id"
    )


_FINAL = "ORDER BY b.rank DESC, b.published_at DESC NULLS LAST, b.id DESC LIMIT :limit"


def _walk(
    session: Session,
    match: Match,
    where: str,
    params: dict[str, Any],
    collapse: bool,
    filtered: float,
) -> list[SearchHit] | None:
    """The walk; None when the budget ran out before the window filled.

    The match is tested outside the ordered subquery, so the planner cannot turn it into a
    GIN bitmap. A walk that found fewer than ``window`` matches is complete only if the
    filtered rows were fewer than the budget: a bounded count says so (it is skipped when
    the planner expects many times the budget). A row number in the walk would say it in
    the same statement, but on PostgreSQL 15 the window function keeps every walked row,
    ``tsv`` included, and made a common word's walk 1.5× slower.
    """
    q = match.expression
    sql = text(
        "WITH s AS (SELECT a.id, a.tsv, a.published_at, coalesce(a.cluster_id, a.id) AS story "
        f"FROM articles a WHERE true{where} ORDER BY {_ORDER} LIMIT :budget), "
        f"m AS (SELECT s.id, s.tsv, s.published_at, s.story FROM s WHERE s.tsv @@ {q} "
        "LIMIT :window), "
        f"r AS (SELECT m.id, m.story, m.published_at, ts_rank_cd(m.tsv, {q}) AS rank FROM m), "
        f"b AS ({_best(collapse)}), f AS (SELECT count(*) AS hits FROM r) "
        "SELECT f.hits, x.id, x.rank FROM f LEFT JOIN LATERAL "
        f"(SELECT b.id, b.rank FROM b {_FINAL}) x ON true"
    )
    budget = WALK_BUDGET
    rows = session.execute(sql, {**params, "budget": budget}).all()
    if rows[0][0] < params["window"] and not _fewer_than(session, where, params, budget, filtered):
        return None
    return [SearchHit(int(i), float(r)) for _, i, r in rows if i is not None]


def _fewer_than(
    session: Session, where: str, params: dict[str, Any], budget: int, filtered: float
) -> bool:
    """Whether fewer than ``budget`` articles pass the filters (so a walk read them all)."""
    if filtered > 4 * budget:
        return False
    count = text(f"SELECT count(*) FROM (SELECT 1 FROM articles a WHERE true{where} LIMIT :b) x")
    return int(session.execute(count, {**params, "b": budget}).scalar_one()) < budget


def _planned(
    session: Session, match: Match, where: str, params: dict[str, Any], collapse: bool
) -> list[SearchHit]:
    """The planner's choice: a newest-first index walk for common words, a GIN bitmap
    sorted by date for rare ones."""
    q = match.expression
    sql = text(
        "WITH m AS (SELECT a.id, a.tsv, a.published_at, coalesce(a.cluster_id, a.id) AS story "
        f"FROM articles a WHERE a.tsv @@ {q}{where} ORDER BY {_ORDER} LIMIT :window), "
        "r AS (SELECT m.id, m.story, m.published_at, "
        f"ts_rank_cd(m.tsv, {q}) AS rank FROM m), b AS ({_best(collapse)}) "
        f"SELECT b.id, b.rank FROM b {_FINAL}"
    )
    return [SearchHit(int(i), float(r)) for i, r in session.execute(sql, params)]
