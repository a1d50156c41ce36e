"""Ingest a generated corpus through the store and measure near-duplicate detection.

Three parts, printed as tables:

1. *Thresholds* (offline, the first ``--sweep`` items): every pair that shares an LSH band
   key, plus every true pair, with its exact containment; precision and recall of "same story"
   at each threshold. The defaults of SCRAPER_DEDUP_CLUSTER / _SAME_ARTICLE come from here.
2. *Ingest*: the corpus stored with :meth:`Archive.save_many` (the store's own batch path,
   :func:`scraper.store.ingest.save_batch`, in batches of ``--batch``), articles per second
   per window of 10,000, and at each checkpoint the cost of a near-duplicate lookup
   (candidates + verification) for unseen texts.
3. *Detection*: pair precision and recall of what the database ended up with (same article or
   same story cluster) against the generator's ground truth.
"""

from __future__ import annotations

import multiprocessing as mp
import statistics
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from bench.dedup.corpus import PUBLISHERS, Corpus, Item
from scraper.config import parse_config
from scraper.dedup.minhash import Fingerprint, similarity
from scraper.dedup.policy import DedupPolicy
from scraper.models import ArticleDraft
from scraper.settings import Settings, normalise_database_url
from scraper.store import dedup
from scraper.store.archive import Archive, open_archive
from scraper.store.tables import ArticleRow

WINDOW = 10_000


@dataclass
class Options:
    articles: int
    db: str
    url: str | None
    batch: int
    seed: int
    sweep: int
    probes: int
    keep: bool


@dataclass
class Report:
    sweep: list[tuple[float, float, float, int]] = field(default_factory=list)
    sweep_pairs: tuple[int, int] = (0, 0)
    windows: list[tuple[int, float]] = field(default_factory=list)  # (articles so far, s/article)
    probes: list[tuple[int, float, float, float]] = field(default_factory=list)
    detection: dict[str, float] = field(default_factory=dict)
    outcomes: Counter[str] = field(default_factory=Counter)
    elapsed: float = 0.0
    store_time: float = 0.0
    analyses: int = 0  # ANALYZEs run for a server with autovacuum off (see _analyse_due)
    analyse_time: float = 0.0


# -- part 1: thresholds ----------------------------------------------------------------------


def sweep(corpus: Corpus, count: int) -> tuple[list[tuple[float, float, float, int]], int, int]:
    items = list(corpus.items(count))
    fps = [Fingerprint.of(i.text) for i in items]
    truth = [
        i.source if i.source is not None and i.kind in ("variant", "same-publisher") else i.index
        for i in items
    ]
    index: dict[int, list[int]] = defaultdict(list)
    pairs: set[tuple[int, int]] = set()
    for n, fp in enumerate(fps):
        for key in fp.keys:
            pairs.update((m, n) for m in index[key])
            index[key].append(n)
    true_pairs = {
        (min(a, b), max(a, b))
        for group in _groups(truth).values()
        for a in group
        for b in group
        if a < b
    }
    scored = {
        p: similarity(fps[p[0]].shingles, fps[p[1]].shingles).containment
        for p in pairs | true_pairs
    }
    rows = []
    for step in range(30, 91, 5):
        threshold = step / 100
        predicted = {p for p in pairs if scored[p] >= threshold}
        tp = len(predicted & true_pairs)
        precision = tp / len(predicted) if predicted else 1.0
        rows.append((threshold, precision, tp / len(true_pairs), len(predicted) - tp))
    return rows, len(pairs), len(true_pairs)


def _groups(truth: list[int]) -> dict[int, list[int]]:
    groups: dict[int, list[int]] = defaultdict(list)
    for n, group in enumerate(truth):
        groups[group].append(n)
    return groups


# -- part 2: ingest --------------------------------------------------------------------------


def _produce(seed: int, count: int, batch: int, queue: Any) -> None:
    """Generate items in a second process (the corpus is sequential) while the store works."""
    chunk: list[Item] = []
    for item in Corpus(seed).items(count):
        chunk.append(item)
        if len(chunk) == batch:
            queue.put(chunk)
            chunk = []
    queue.put(chunk)
    queue.put(None)


def _batches(seed: int, count: int, batch: int) -> Iterator[list[Item]]:
    queue: Any = mp.get_context("fork").Queue(maxsize=8)
    producer = mp.get_context("fork").Process(
        target=_produce, args=(seed, count, batch, queue), daemon=True
    )
    producer.start()
    while (chunk := queue.get()) is not None:
        if chunk:
            yield chunk
    producer.join()


def draft_of(item: Item) -> ArticleDraft:
    return ArticleDraft(
        publisher_id=item.publisher,
        canonical_url=item.url,
        urls=((item.url + "?utm_source=feed", "feed"),),
        title=item.title,
        authors=(),
        published_at=item.published_at,
        language="en",
        text=item.text,
        text_source="feed",
    )


def _database(options: Options) -> tuple[str, str | None]:
    """The URL to benchmark on, and the PostgreSQL database to drop afterwards."""
    if options.url:
        return normalise_database_url(options.url), None
    if options.db == "sqlite":
        path = Path("bench-output") / f"dedup-{options.articles}.db"
        path.parent.mkdir(exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return f"sqlite:///{path}", None
    admin = normalise_database_url("postgresql://postgres@127.0.0.1:5432/postgres")
    name = f"bench_dedup_{uuid.uuid4().hex[:8]}"
    engine = create_engine(admin, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return make_url(admin).set(database=name).render_as_string(hide_password=False), name


def _drop(name: str) -> None:
    admin = normalise_database_url("postgresql://postgres@127.0.0.1:5432/postgres")
    engine = create_engine(admin, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    engine.dispose()


def _config() -> Any:
    publishers = [
        {"id": f"p{n:02d}", "name": f"Publisher {n}", "canonical_domain": f"p{n:02d}.example"}
        for n in range(PUBLISHERS)
    ]
    return parse_config({"publisher": publishers}, Path("bench.toml"))


def _probe(archive: Archive, fps: list[Fingerprint]) -> tuple[float, float, float]:
    """Lookup cost for texts the archive has never seen: (ms p50, ms mean, candidates mean)."""
    times, found = [], []
    with Session(archive.engine) as session:
        for fp in fps:
            start = time.perf_counter()
            found.append(len(dedup.candidates(session, fp.keys)))
            dedup.near_matches(session, fp)
            times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), statistics.fmean(times), statistics.fmean(found)


def ingest(options: Options, report: Report, truth: dict[int, int]) -> dict[int, int]:
    """Store the corpus; fills ``truth`` (item → its true story) and returns item → the story
    the database put it in."""
    url, dropme = _database(options)
    policy = _policy()
    archive = open_archive(url, auto_upgrade=True, policy=policy)
    archive.sync_config(_config())
    probes = [Fingerprint.of(i.text) for i in Corpus(options.seed + 7919).items(options.probes)]
    checkpoints = sorted(
        {c for c in (WINDOW, 30_000, 100_000, 300_000, 1_000_000) if c <= options.articles}
        | {options.articles}
    )
    article_of: dict[int, int] = {}
    done, window_start, window_time = 0, 0, 0.0
    stand_in = _autovacuum_off(archive)
    analysed = 0
    started = time.perf_counter()
    try:
        for chunk in _batches(options.seed, options.articles, options.batch):
            t0 = time.perf_counter()
            outcomes = archive.save_many([draft_of(i) for i in chunk])
            spent = time.perf_counter() - t0
            report.store_time += spent
            window_time += spent
            for item, outcome in zip(chunk, outcomes, strict=True):
                article_of[item.index] = outcome.article_id
                source = item.source if item.kind in ("variant", "same-publisher") else None
                truth[item.index] = item.index if source is None else source
                report.outcomes[f"{item.kind}:{outcome.status}"] += 1
            done += len(chunk)
            if stand_in and done >= analysed * 1.1 + 50:
                t0 = time.perf_counter()
                _analyse(archive)
                report.analyses += 1
                report.analyse_time += time.perf_counter() - t0
                analysed = done
            if done - window_start >= WINDOW or done == options.articles:
                report.windows.append((done, window_time / (done - window_start)))
                window_start, window_time = done, 0.0
            if checkpoints and done >= checkpoints[0]:
                checkpoints.pop(0)
                p50, mean, candidates = _probe(archive, probes)
                report.probes.append((done, p50, mean, candidates))
                rate = 1 / report.windows[-1][1]
                elapsed = time.perf_counter() - started
                print(
                    f"  {done:>9,} articles  {rate:7.0f}/s in the last window  "
                    f"lookup {p50:.2f} ms  ({elapsed:.0f} s)",
                    flush=True,
                )
        report.elapsed = time.perf_counter() - started
        with Session(archive.engine) as session:
            rows = session.execute(select(ArticleRow.id, ArticleRow.cluster_id)).all()
        story = {article_id: cluster or article_id for article_id, cluster in rows}
        return {item: story[article] for item, article in article_of.items()}
    finally:
        archive.close()
        if dropme and not options.keep:
            _drop(dropme)


def _autovacuum_off(archive: Archive) -> bool:
    """A server with autovacuum off (this machine's CI configuration) never gathers
    statistics while the corpus grows; a real one analyses a table once ≈ 10 % of it changed."""
    if archive.dialect != "postgresql":
        return False
    with archive.engine.connect() as conn:
        return conn.execute(text("SHOW autovacuum")).scalar() == "off"


def _analyse(archive: Archive) -> None:
    """What autovacuum would have done by now (its default trigger: 50 rows + 10 % of the
    table): ANALYZE, outside the timed store calls, as autovacuum runs beside the writers."""
    with archive.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("ANALYZE"))


def _policy() -> DedupPolicy:
    settings = Settings()
    return DedupPolicy(
        window=timedelta(days=settings.dedup_window_days),
        same_article=settings.dedup_same_article,
        cluster=settings.dedup_cluster,
        min_words=settings.dedup_min_words,
    )


# -- part 3: detection -----------------------------------------------------------------------


def evaluate(truth: dict[int, int], stories: dict[int, int], report: Report) -> None:
    cells: Counter[tuple[int, int]] = Counter((stories[i], truth[i]) for i in stories)
    predicted = Counter(stories.values())
    true = Counter(truth.values())
    tp = sum(n * (n - 1) // 2 for n in cells.values())
    pred_pairs = sum(n * (n - 1) // 2 for n in predicted.values())
    true_pairs = sum(n * (n - 1) // 2 for n in true.values())
    report.detection = {
        "true pairs": true_pairs,
        "found pairs": pred_pairs,
        "correct pairs": tp,
        "precision": tp / pred_pairs if pred_pairs else 1.0,
        "recall": tp / true_pairs if true_pairs else 1.0,
    }
