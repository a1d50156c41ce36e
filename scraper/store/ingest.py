"""Where an article is stored: a batch of drafts in one transaction, with set-based lookups.

A feed poll hands the store its new items together (a bulk import hands it hundreds). Storing
them one transaction and one lookup at a time cost 14–17 statements an article and made the
store the whole critical path of a crawl (docs/performance.md). Here a batch costs:

1. one statement taking the batch's locks (see :mod:`scraper.store.dedup`);
2. five lookups for the whole batch: known URLs, feed GUIDs, text hashes, LSH band keys, and
   the stored texts of the candidates those found;
3. one ``INSERT … RETURNING id`` per new article (ids are needed by what follows);
4. one multi-row statement each for band keys, URLs, GUID claims, sightings, raw pages and
   paragraph counts, rows sorted by key so concurrent writers lock in one order.

Drafts are identified in order against what the database held *plus* what the batch has
stored so far, so two copies of one story in one batch are found exactly as if they had
come in two transactions. Identity, first match wins: a known URL (canonical or any other),
the feed's GUID, the same publisher's identical text (hash of the normalised text), the same
publisher's near-identical text within the time window (see :mod:`scraper.dedup.policy`). A
new article joins the story cluster of its near-duplicates from other publishers.
"""

from __future__ import annotations

import functools
import gzip
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

from sqlalchemy import func, select, tuple_
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from scraper.dedup.boilerplate import paragraphs_of
from scraper.dedup.content import Content, compare
from scraper.dedup.excerpt import is_excerpt
from scraper.dedup.fingerprint import normalise_text, text_hash, word_count
from scraper.dedup.minhash import Fingerprint, shingle_hashes, similarity
from scraper.dedup.policy import DEFAULT_POLICY, DedupPolicy
from scraper.models import ArticleDraft, StoreOutcome
from scraper.store import dedup
from scraper.store.articles import known_urls, search_config
from scraper.store.boundary import storable
from scraper.store.tables import (
    ArticleGuidRow,
    ArticleRow,
    ArticleUrlRow,
    BandRow,
    BoilerplateRow,
    RawPageRow,
)
from scraper.store.upsert import insert_ignore, upsert_add

Status = Literal["new", "updated", "known"]
GUID_MIN_OVERLAP = 0.2
# A paragraph in this many of a publisher's articles is not evidence that two of its texts are
# one article (the lowest boilerplate_min_articles, and what ix_boilerplate_repeated holds).
REPEATED_ARTICLES = 2
_CHUNK = 900  # bound parameters per IN (…): under every SQLite build's limit


@dataclass(slots=True)
class _Item:
    """A draft with what dedup computes from it once."""

    draft: ArticleDraft
    digest: str
    words: int
    fp: Fingerprint | None

    @property
    def urls(self) -> list[str]:
        return [self.draft.canonical_url, *(url for url, _ in self.draft.urls)]


@dataclass(slots=True)
class _Stored:
    """What identification needs of an article already in the archive (or the batch)."""

    publisher_id: str
    title: str | None
    body: str
    when: datetime  # published_at, else first_seen_at
    _shingles: frozenset[int] | None = None

    @property
    def shingles(self) -> frozenset[int]:
        if self._shingles is None:
            self._shingles = shingle_hashes(self.body)
        return self._shingles


@dataclass
class _Known:
    """The archive's answers for the batch, kept up to date as the batch is stored."""

    urls: dict[str, int] = field(default_factory=dict)
    guids: dict[tuple[int, str], int] = field(default_factory=dict)
    hashes: dict[tuple[str, str], int] = field(default_factory=dict)
    bands: dict[int, list[int]] = field(default_factory=dict)
    stored: dict[int, _Stored] = field(default_factory=dict)
    # (publisher, paragraph hash) → articles the database had it in, read when first needed
    paragraph_counts: dict[tuple[str, str], int] = field(default_factory=dict)

    def candidates(self, keys: Iterable[int]) -> list[int]:
        """Articles sharing a band key, most shared bands first (as :func:`dedup.candidates`)."""
        hits: Counter[int] = Counter()
        for key in keys:
            hits.update(self.bands.get(key, ()))
        ranked = sorted(hits.items(), key=lambda kv: (-kv[1], kv[0]))
        return [article_id for article_id, _ in ranked[: dedup.MAX_CANDIDATES]]

    def remember(
        self, article_id: int, item: _Item, when: datetime, new: bool, current: bool = True
    ) -> None:
        """``current``: the draft's text is now the article's (not so for a partial copy,
        whose URL is attached while the article keeps its text)."""
        draft = item.draft
        for url in item.urls:
            self.urls.setdefault(url, article_id)
        if draft.feed_id is not None and draft.guid:
            self.guids.setdefault((draft.feed_id, draft.guid), article_id)
        if not current:
            return
        self.hashes.setdefault((draft.publisher_id, item.digest), article_id)
        if item.fp is not None:
            for key in item.fp.keys:
                ids = self.bands.setdefault(key, [])
                if article_id not in ids:
                    ids.append(article_id)
        before = self.stored.get(article_id)
        if new or before is not None:
            self.stored[article_id] = _Stored(
                draft.publisher_id if before is None else before.publisher_id,
                draft.title if before is None else (draft.title or before.title),
                draft.text,
                when if before is None else before.when,
                item.fp.shingles if item.fp is not None else None,
            )


@dataclass
class _Writes:
    """Rows the batch writes at its end, one statement per table."""

    urls: dict[str, dict[str, Any]] = field(default_factory=dict)
    guids: dict[tuple[int, str], dict[str, Any]] = field(default_factory=dict)
    bands: set[tuple[int, int]] = field(default_factory=set)
    sightings: list[dict[str, Any]] = field(default_factory=list)
    raw: dict[int, dict[str, Any]] = field(default_factory=dict)
    paragraphs: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)


def save_batch(
    session: Session,
    drafts: Sequence[ArticleDraft],
    policy: DedupPolicy = DEFAULT_POLICY,
    *,
    bulk: bool = False,
) -> list[StoreOutcome]:
    """Store the drafts (in order) in the caller's transaction; one outcome per draft.

    ``bulk``: take the archive-wide write lock instead of per-story locks (imports and
    benchmarks: other writers wait for the whole batch).
    """
    if not drafts:
        return []
    now = datetime.now(UTC)
    items = [_item(storable(d), policy) for d in drafts]
    dedup.serialise(session, _lock_keys(items), bulk=bulk)
    known = _lookup(session, items)
    writes = _Writes()
    outcomes = [_store(session, item, known, writes, policy, now) for item in items]
    _flush(session, writes)
    return outcomes


def _item(draft: ArticleDraft, policy: DedupPolicy) -> _Item:
    words = word_count(draft.text)
    fp = Fingerprint.of(draft.text) if words >= policy.min_words else None
    return _Item(draft, text_hash(draft.text), words, fp)


def _lock_keys(items: Sequence[_Item]) -> list[int]:
    keys: set[int] = set()
    for item in items:
        d = item.draft
        keys.update(dedup.lock_keys(d.publisher_id, item.digest, d.feed_id, d.guid, item.fp))
    return sorted(keys)


def _chunks(values: Iterable[Any]) -> Iterable[list[Any]]:
    unique = list(dict.fromkeys(values))
    for start in range(0, len(unique), _CHUNK):
        yield unique[start : start + _CHUNK]


def _lookup(session: Session, items: Sequence[_Item]) -> _Known:
    """Everything the archive knows that could identify one of the drafts: five queries."""
    known = _Known()
    known.urls.update(known_urls(session, [u for item in items for u in item.urls]))
    # Pairs are looked up as pairs: with "a IN (…) AND b IN (…)" the planner, without fresh
    # statistics (autovacuum behind, or off), estimated most of the table and scanned it all
    # (0.85 s a batch of 500 at 200,000 articles, growing with the archive; docs/dedup.md).
    guids = {(i.draft.feed_id, i.draft.guid) for i in items if i.draft.feed_id and i.draft.guid}
    for chunk in _chunks(guids):
        by_guid = select(ArticleGuidRow.feed_id, ArticleGuidRow.guid, ArticleGuidRow.article_id)
        pair = tuple_(ArticleGuidRow.feed_id, ArticleGuidRow.guid)
        for feed_id, guid, article_id in session.execute(by_guid.where(pair.in_(chunk))):
            known.guids[(feed_id, guid)] = article_id
    hashes = {(i.draft.publisher_id, i.digest) for i in items if i.fp is not None}
    for chunk in _chunks(hashes):
        pair = tuple_(ArticleRow.publisher_id, ArticleRow.text_hash)
        by_hash = (
            select(ArticleRow.publisher_id, ArticleRow.text_hash, func.min(ArticleRow.id))
            .where(pair.in_(chunk))  # the index is (publisher_id, text_hash)
            .group_by(ArticleRow.publisher_id, ArticleRow.text_hash)
        )
        for publisher_id, digest, article_id in session.execute(by_hash):
            known.hashes[(publisher_id, digest)] = article_id
    for chunk in _chunks(k for i in items if i.fp is not None for k in i.fp.keys):
        by_key = select(BandRow.key, BandRow.article_id).where(BandRow.key.in_(chunk))
        for key, article_id in session.execute(by_key):
            known.bands.setdefault(key, []).append(article_id)
    wanted_ids = set(known.guids.values())
    for item in items:
        if item.fp is not None:
            wanted_ids.update(known.candidates(item.fp.keys))
    _load_stored(session, known, wanted_ids)
    return known


def _load_stored(session: Session, known: _Known, ids: Iterable[int]) -> None:
    for chunk in _chunks(ids):
        query = select(
            ArticleRow.id,
            ArticleRow.publisher_id,
            ArticleRow.title,
            ArticleRow.text,
            func.coalesce(ArticleRow.published_at, ArticleRow.first_seen_at),
        ).where(ArticleRow.id.in_(chunk))
        for article_id, publisher_id, title, body, when in session.execute(query):
            known.stored[article_id] = _Stored(publisher_id, title, body, when)


def _store(
    session: Session,
    item: _Item,
    known: _Known,
    writes: _Writes,
    policy: DedupPolicy,
    now: datetime,
) -> StoreOutcome:
    draft = item.draft
    article_id = next((known.urls[u] for u in item.urls if u in known.urls), None)
    related: list[dedup.Match] = []
    by_text = False
    if article_id is None:
        repeated = functools.partial(_repeated, session, known, writes)
        article_id, related, by_text = _identify(item, known, policy, now, repeated)
    copy = by_text and article_id is not None and _partial_copy(known, article_id, draft.text)
    if article_id is None:
        status, article_id = _insert(session, item, writes, now)
        if status == "new":
            _count_paragraphs(writes, draft.publisher_id, paragraphs_of(draft.text), now)
            if related:
                dedup.join_cluster(session, article_id, related)
    elif copy:  # a teaser, newsletter or AMP copy: its URL is attached, the text stays
        status = "known"
    else:
        status = _refresh(session, article_id, item, writes, now)
    if status != "known" and item.fp is not None:
        # Copies of the (new) text find the article too; an edit's old keys stay.
        writes.bands.update((key, article_id) for key in item.fp.keys)
    known.remember(article_id, item, draft.published_at or now, status == "new", not copy)
    _queue_rows(item, article_id, writes, now, raw=not copy)
    return StoreOutcome(article_id=article_id, status=status)


def _partial_copy(known: _Known, article_id: int, text: str) -> bool:
    """A shorter copy of the article (its leading part: a teaser, a newsletter excerpt, an
    AMP page) rather than an edit of it; see :mod:`scraper.dedup.excerpt`."""
    stored = known.stored.get(article_id)
    return stored is not None and is_excerpt(text, stored.body)


def _identify(
    item: _Item,
    known: _Known,
    policy: DedupPolicy,
    now: datetime,
    repeated: Callable[[str, Iterable[str]], frozenset[str]],
) -> tuple[int | None, list[dedup.Match], bool]:
    """The stored article this draft is (GUID, text hash, near-identical text), or None and
    the near-duplicates it should be clustered with; True when found by a near-identical text
    (the one way a partial copy under another URL finds its article). ``repeated``: which of
    a publisher's paragraph hashes it has in two articles or more (:func:`_repeated`)."""
    draft, fp = item.draft, item.fp
    if draft.feed_id is not None and draft.guid:
        found = known.guids.get((draft.feed_id, draft.guid))
        if found is not None and _guid_trusted(known.stored.get(found), draft, fp):
            return found, [], False
    if fp is None:  # too short to be matched by its text
        return None, [], False
    found = known.hashes.get((draft.publisher_id, item.digest))
    if found is not None:
        return found, [], False
    related = []
    when = draft.published_at or now
    for match in _near_matches(known, fp, policy.cluster):
        same = match.publisher_id == draft.publisher_id
        containment, under_one_footer = match.containment, False
        if same:  # the publisher's footer must not make two of its texts alike
            content = _own_content(draft, known.stored[match.article_id].body, repeated)
            containment, under_one_footer = content.containment, content.under_one_footer
        verdict = policy.verdict(containment, same, when, match.when, under_one_footer)
        if verdict == "same":
            return match.article_id, [], True
        if verdict == "cluster":
            related.append(match)
    return None, related, False


def _own_content(
    draft: ArticleDraft, body: str, repeated: Callable[[str, Iterable[str]], frozenset[str]]
) -> Content:
    """The draft against a stored text of its publisher, the publisher's repeated paragraphs
    set aside (:mod:`scraper.dedup.content`)."""
    hashes = {*paragraphs_of(draft.text), *paragraphs_of(body)}
    return compare(draft.text, body, repeated(draft.publisher_id, hashes))


def _repeated(
    session: Session, known: _Known, writes: _Writes, publisher_id: str, hashes: Iterable[str]
) -> frozenset[str]:
    """Of these paragraph hashes, those the publisher has in at least two articles: counted
    in the database (read once per batch, only for texts that need it: a same-publisher near
    match) plus those this batch has stored so far, so a batch decides as one-by-one saves."""
    hashes = list(hashes)
    missing = [h for h in hashes if (publisher_id, h) not in known.paragraph_counts]
    for chunk in _chunks(missing):
        query = select(BoilerplateRow.hash, BoilerplateRow.articles).where(
            BoilerplateRow.publisher_id == publisher_id, BoilerplateRow.hash.in_(chunk)
        )
        found: dict[str, int] = dict(session.execute(query).all())
        for digest in chunk:
            known.paragraph_counts[(publisher_id, digest)] = found.get(digest, 0)
    return frozenset(
        h
        for h in hashes
        if known.paragraph_counts[(publisher_id, h)]
        + writes.paragraphs.get((publisher_id, h), {}).get("articles", 0)
        >= REPEATED_ARTICLES
    )


def _count_paragraphs(
    writes: _Writes, publisher_id: str, paragraphs: dict[str, str], now: datetime
) -> None:
    """One more article of the publisher has these paragraphs (hash → text)."""
    for digest, example in paragraphs.items():
        row = writes.paragraphs.setdefault(
            (publisher_id, digest),
            {"publisher_id": publisher_id, "hash": digest, "articles": 0,
             "example": example[:500], "first_seen_at": now},
        )  # fmt: skip
        row["articles"] += 1


def _near_matches(known: _Known, fp: Fingerprint, floor: float) -> list[dedup.Match]:
    stored = (
        (i, s.publisher_id, s.shingles, s.when)
        for i in known.candidates(fp.keys)
        if (s := known.stored.get(i)) is not None  # None: its article is gone
    )
    return dedup.verify(fp, stored, floor)


def _guid_trusted(stored: _Stored | None, draft: ArticleDraft, fp: Fingerprint | None) -> bool:
    """A GUID names one article, unless the feed reuses GUIDs: a stored article with another
    headline AND a text sharing under ``GUID_MIN_OVERLAP`` of the shorter one's shingles is
    not taken for this one (a rewrite keeps more than that; two stories share ≈ nothing)."""
    if (
        stored is None
        or fp is None
        or normalise_text(stored.title or "") == normalise_text(draft.title or "")
    ):
        return True
    return similarity(fp.shingles, stored.shingles).containment >= GUID_MIN_OVERLAP


def _insert(session: Session, item: _Item, writes: _Writes, now: datetime) -> tuple[Status, int]:
    draft = item.draft
    values = {
        "publisher_id": draft.publisher_id,
        "canonical_url": draft.canonical_url,
        "guid": draft.guid,
        "feed_id": draft.feed_id,
        "title": draft.title,
        "authors": list(draft.authors),
        "published_at": draft.published_at,
        "first_seen_at": now,
        "updated_at": now,
        "language": draft.language,
        "description": draft.description,
        "text": draft.text,
        "text_hash": item.digest,
        "text_source": draft.text_source,
        "word_count": item.words,
        "search_config": search_config(draft.language),
    }
    article_id = session.scalar(_insert_returning(session.get_bind().dialect.name), values)
    if article_id is None:  # the canonical URL is taken (a racing writer, or an old row)
        before = session.scalar(
            select(ArticleRow.id).where(ArticleRow.canonical_url == draft.canonical_url)
        )
        assert before is not None  # the row exists: the conflict was on it
        return _refresh(session, before, item, writes, now), before
    return "new", article_id


@functools.cache
def _insert_returning(dialect: str) -> Any:
    module: Any = postgresql if dialect == "postgresql" else sqlite
    return module.insert(ArticleRow.__table__).on_conflict_do_nothing().returning(ArticleRow.id)


def _refresh(
    session: Session, article_id: int, item: _Item, writes: _Writes, now: datetime
) -> Status:
    """A known article met again: a changed text, else a changed headline, is a revision.

    The paragraphs a changed text brings that the article did not have are counted for
    learned boilerplate (once per article, as a new article's are): a footer that arrives
    with edits and merged copies is learned too, and re-crawls count nothing."""
    draft = item.draft
    row = session.get(ArticleRow, article_id)
    if row is None:
        return "known"
    old_text = row.text
    if not dedup.replace_text(session, row, draft.text, item.digest, now):
        return "updated" if dedup.replace_title(session, row, draft.title, now) else "known"
    before = paragraphs_of(old_text)
    added = {h: p for h, p in paragraphs_of(draft.text).items() if h not in before}
    _count_paragraphs(writes, draft.publisher_id, added, now)
    row.title = draft.title or row.title
    row.authors = list(draft.authors) or row.authors
    row.published_at = row.published_at or draft.published_at
    row.text_source = draft.text_source
    return "updated"


def _queue_rows(
    item: _Item, article_id: int, writes: _Writes, now: datetime, *, raw: bool = True
) -> None:
    """Every way the article was met, its GUID, this sighting and (``raw``) its raw page: not
    for a partial copy, whose page would replace the one the article's text came from."""
    draft = item.draft
    sources = [(draft.canonical_url, "canonical"), *draft.urls]
    for url, source in sources:
        writes.urls.setdefault(
            url, {"url": url, "source": source, "article_id": article_id, "first_seen_at": now}
        )
    if draft.feed_id is not None and draft.guid:
        writes.guids.setdefault(
            (draft.feed_id, draft.guid),
            {"feed_id": draft.feed_id, "guid": draft.guid, "article_id": article_id,
             "first_seen_at": now},
        )  # fmt: skip
    met = next((url for url, source in draft.urls if source != "redirect"), draft.canonical_url)
    chain = [url for url, source in draft.urls if source == "redirect"]
    writes.sightings.append(dedup.sighting_row(article_id, met, now, draft.feed_id, chain))
    if raw and draft.raw is not None:
        page = draft.raw
        writes.raw[article_id] = {
            "article_id": article_id,
            "url": page.url,
            "status": page.status,
            "headers": dict(page.headers),
            "body_gz": gzip.compress(page.body, compresslevel=6),
            "body_size": len(page.body),
            "fetched_at": page.fetched_at,
        }


def _flush(session: Session, writes: _Writes) -> None:
    """The batch's rows, one statement per table, in key order (concurrent writers then take
    row locks in one order and cannot deadlock on shared rows such as a footer paragraph)."""
    session.flush()  # revisions and refreshed rows first
    dialect = session.get_bind().dialect.name
    if writes.bands:
        rows = [{"key": k, "article_id": a} for k, a in sorted(writes.bands)]
        insert_ignore(session, BandRow.__table__, rows)  # type: ignore[arg-type]
    # URLs in the order met (an article lists its canonical URL first); they belong to one
    # story each, which the batch's locks already serialise.
    insert_ignore(session, ArticleUrlRow.__table__, list(writes.urls.values()))  # type: ignore[arg-type]
    insert_ignore(
        session,
        ArticleGuidRow.__table__,  # type: ignore[arg-type]
        [writes.guids[k] for k in sorted(writes.guids)],
    )
    dedup.record_sightings(session, writes.sightings)
    if writes.raw:
        session.execute(_raw_upsert(dialect), [writes.raw[k] for k in sorted(writes.raw)])
    upsert_add(
        session,
        BoilerplateRow.__table__,  # type: ignore[arg-type]
        [writes.paragraphs[k] for k in sorted(writes.paragraphs)],
        ["publisher_id", "hash"],
        "articles",
    )


@functools.cache
def _raw_upsert(dialect: str) -> Any:
    """The latest page of an article replaces the one before (one row per article)."""
    module: Any = postgresql if dialect == "postgresql" else sqlite
    table = RawPageRow.__table__
    statement = module.insert(table)
    columns = ("url", "status", "headers", "body_gz", "body_size", "fetched_at")
    return statement.on_conflict_do_update(
        index_elements=["article_id"], set_={c: statement.excluded[c] for c in columns}
    )
