"""A deterministic synthetic English news corpus, and the queries run against it.

Tokens come from one mixture distribution:

* a 6,000-word core vocabulary under a Zipf law (s = 1.0): English function words first
  (most are stop words of the ``english`` text-search configuration), then ≈ 330 real news
  words, then pronounceable made-up words — so common words match a quarter of the archive
  and the tail a fraction of a percent;
* two-word news collocations ("prime minister"), ≈ 1 in 150 tokens, whose words are also core
  words (a phrase search must check positions on many rows that hold both words);
* proper names (≈ 2.5 an article) from a 200,000-name Zipf tail: the rare words.

Generation is vectorised per chunk of ``CHUNK`` articles with a generator seeded by
(seed, chunk), so any sharding of chunks over processes yields the same rows. Dates run
chronologically over three years (ingest order ≈ publication order, as in a real archive)
with ± 6 h of jitter. Twenty publishers with skewed volumes.
"""

from __future__ import annotations

import hashlib
import math
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import pairwise

import numpy as np

CHUNK = 1000
START = datetime(2023, 1, 1, tzinfo=UTC)
SPAN = timedelta(days=3 * 365)
CORE_WORDS = 6000
NAMES = 200_000
NAMES_PER_ARTICLE = 2.5
COLLOCATION_RATE = 1 / 150
SENTENCE_END = 1 / 16  # ≈ 16-word sentences
MIN_WORDS, MAX_WORDS = 150, 600

_FUNCTION = [
    "the",
    "of",
    "and",
    "to",
    "a",
    "in",
    "that",
    "is",
    "was",
    "he",
    "for",
    "it",
    "with",
    "as",
    "his",
    "on",
    "be",
    "at",
    "by",
    "this",
    "had",
    "not",
    "are",
    "but",
    "from",
    "or",
    "have",
    "an",
    "they",
    "which",
    "one",
    "you",
    "were",
    "her",
    "all",
    "she",
    "there",
    "would",
    "their",
    "we",
    "him",
    "been",
    "has",
    "when",
    "who",
    "will",
    "more",
    "no",
    "if",
    "out",
    "so",
    "what",
    "up",
    "its",
    "about",
    "into",
    "than",
    "them",
    "can",
    "only",
    "other",
    "some",
    "could",
    "these",
    "may",
    "then",
    "do",
    "any",
    "my",
    "now",
    "such",
    "our",
    "over",
    "after",
    "did",
    "many",
    "before",
    "must",
    "through",
    "where",
    "much",
    "your",
    "way",
    "should",
    "because",
    "each",
    "just",
    "those",
    "how",
    "too",
    "very",
    "between",
    "both",
    "being",
    "under",
    "same",
    "while",
    "said",
    "new",
    "also",
    "first",
    "two",
    "years",
    "last",
]

# Real news words (none is an english stop word); the collocations below are built from them.
_NEWS = [
    "government",
    "minister",
    "president",
    "police",
    "people",
    "country",
    "week",
    "year",
    "city",
    "report",
    "state",
    "percent",
    "official",
    "officials",
    "million",
    "billion",
    "company",
    "market",
    "court",
    "election",
    "party",
    "military",
    "health",
    "public",
    "law",
    "security",
    "economy",
    "economic",
    "women",
    "children",
    "school",
    "family",
    "water",
    "energy",
    "climate",
    "change",
    "prices",
    "price",
    "bank",
    "interest",
    "rates",
    "rate",
    "trade",
    "deal",
    "talks",
    "war",
    "peace",
    "leader",
    "leaders",
    "national",
    "international",
    "border",
    "policy",
    "support",
    "plan",
    "budget",
    "tax",
    "taxes",
    "workers",
    "union",
    "strike",
    "industry",
    "oil",
    "gas",
    "power",
    "growth",
    "inflation",
    "jobs",
    "job",
    "home",
    "house",
    "housing",
    "region",
    "local",
    "council",
    "vote",
    "voters",
    "campaign",
    "candidate",
    "senate",
    "congress",
    "parliament",
    "opposition",
    "coalition",
    "protest",
    "protesters",
    "crisis",
    "attack",
    "attacks",
    "forces",
    "troops",
    "army",
    "ceasefire",
    "agreement",
    "sanctions",
    "investment",
    "investors",
    "shares",
    "stock",
    "stocks",
    "profit",
    "revenue",
    "sales",
    "technology",
    "data",
    "online",
    "digital",
    "internet",
    "social",
    "media",
    "network",
    "phone",
    "service",
    "services",
    "hospital",
    "hospitals",
    "doctors",
    "patients",
    "virus",
    "vaccine",
    "disease",
    "care",
    "insurance",
    "pension",
    "retirement",
    "university",
    "students",
    "teachers",
    "education",
    "research",
    "scientists",
    "study",
    "space",
    "mission",
    "launch",
    "weather",
    "storm",
    "flood",
    "floods",
    "fire",
    "fires",
    "drought",
    "heat",
    "temperatures",
    "emissions",
    "carbon",
    "coal",
    "nuclear",
    "wind",
    "solar",
    "electricity",
    "transport",
    "train",
    "rail",
    "airport",
    "flights",
    "airline",
    "road",
    "traffic",
    "car",
    "cars",
    "electric",
    "vehicles",
    "crash",
    "accident",
    "victims",
    "suspect",
    "arrested",
    "charged",
    "trial",
    "judge",
    "jury",
    "prison",
    "sentence",
    "justice",
    "rights",
    "freedom",
    "press",
    "media",
    "journalist",
    "newspaper",
    "television",
    "film",
    "music",
    "festival",
    "football",
    "match",
    "team",
    "season",
    "players",
    "coach",
    "championship",
    "league",
    "cup",
    "final",
    "record",
    "game",
    "games",
    "win",
    "won",
    "lost",
    "victory",
    "defeat",
    "club",
    "fans",
    "stadium",
    "tournament",
    "olympic",
    "gold",
    "medal",
    "world",
    "europe",
    "european",
    "african",
    "asian",
    "american",
    "british",
    "chinese",
    "russian",
    "german",
    "french",
    "capital",
    "central",
    "federal",
    "prime",
    "supreme",
    "foreign",
    "interior",
    "finance",
    "defence",
    "defense",
    "ministry",
    "secretary",
    "spokesman",
    "spokeswoman",
    "statement",
    "announced",
    "agreed",
    "warned",
    "expected",
    "according",
    "told",
    "added",
    "reported",
    "confirmed",
    "denied",
    "ordered",
    "food",
    "farmers",
    "crops",
    "harvest",
    "land",
    "forest",
    "wildlife",
    "species",
    "ocean",
    "sea",
    "river",
    "coast",
    "island",
    "migrants",
    "refugees",
    "asylum",
    "immigration",
    "population",
    "census",
    "poverty",
    "wages",
    "income",
    "spending",
    "debt",
    "deficit",
    "loans",
    "mortgage",
    "property",
    "construction",
    "building",
    "bridge",
    "project",
    "funding",
    "aid",
    "relief",
    "emergency",
    "rescue",
    "disaster",
    "earthquake",
    "hurricane",
    "victims",
    "deaths",
    "killed",
    "injured",
    "white",
    "house",
    "stock",
    "exchange",
    "central",
    "bank",
    "interest",
    "minister",
    "chief",
    "executive",
    "officer",
    "board",
    "director",
    "chairman",
    "shareholders",
    "merger",
    "acquisition",
    "bid",
    "offer",
    "contract",
    "workers",
    "pay",
]

COLLOCATIONS = (
    "prime minister", "interest rates", "climate change", "supreme court", "central bank",
    "white house", "stock exchange", "chief executive", "health care", "foreign minister",
    "finance minister", "police said", "prime minister said", "trade deal", "peace talks",
    "oil prices", "energy prices", "housing market", "stock market", "public health",
    "electric vehicles", "carbon emissions", "nuclear power", "solar power", "wind power",
    "human rights", "social media", "federal government", "local council", "election campaign",
    "opposition party", "military forces", "security forces", "border security",
    "tax cuts", "budget deficit", "interest rate", "inflation rate", "economic growth",
    "world cup", "gold medal", "football club", "league season", "championship final",
    "university students", "research study", "space mission", "storm warning", "flood victims",
    "heat record", "drought crisis", "forest fires", "rescue workers", "emergency services",
    "airport flights", "rail strike", "union workers", "pension plan", "mortgage rates",
    "property prices", "construction project", "bridge project", "refugees crisis",
    "asylum policy", "immigration policy", "poverty report", "wages growth", "debt crisis",
    "investment bank", "shares fell", "shares rose", "revenue growth", "sales growth",
    "data breach", "online services", "phone network", "internet service", "vaccine trial",
    "virus cases", "hospital patients", "court ruling", "jury trial", "prison sentence",
)  # fmt: skip

_ONSETS = [
    "b",
    "c",
    "d",
    "f",
    "g",
    "h",
    "j",
    "k",
    "l",
    "m",
    "n",
    "p",
    "r",
    "s",
    "t",
    "v",
    "w",
    "z",
    "br",
    "cr",
    "dr",
    "fr",
    "gr",
    "pr",
    "tr",
    "st",
    "sp",
    "sk",
    "pl",
    "cl",
    "bl",
    "sh",
    "ch",
    "th",
]
_VOWELS = ("a", "e", "i", "o", "u", "ai", "ea", "ou", "io", "ie")
_CODAS = ("", "", "n", "r", "s", "t", "l", "m", "nd", "st", "rk", "ng")

PUBLISHERS = (
    "daily-herald", "morning-post", "city-tribune", "the-courier", "evening-standard",
    "national-observer", "metro-news", "coastal-times", "valley-gazette", "harbour-echo",
    "northern-star", "capital-journal", "river-review", "summit-daily", "plains-reporter",
    "island-voice", "lakeside-ledger", "frontier-press", "union-chronicle", "bay-dispatch",
)  # fmt: skip
PUBLISHER_WEIGHTS = tuple(1 / (i + 1) ** 0.8 for i in range(len(PUBLISHERS)))


def _made_up(rng: random.Random, seen: set[str], syllables: tuple[int, ...]) -> str:
    while True:
        word = "".join(
            rng.choice(_ONSETS) + rng.choice(_VOWELS) for _ in range(rng.choice(syllables))
        ) + rng.choice(_CODAS)
        if word not in seen and len(word) > 3:
            seen.add(word)
            return word


@dataclass(frozen=True, slots=True)
class Row:
    id: int
    publisher_id: str
    canonical_url: str
    title: str
    text: str
    text_hash: str
    word_count: int
    published_at: datetime


class Corpus:
    """``Corpus(size, seed).chunk(c)`` yields the same rows every time, in any process."""

    def __init__(self, size: int, seed: int = 7) -> None:
        self.size = size
        self.seed = seed
        rng = random.Random(seed)
        core = list(dict.fromkeys(_FUNCTION + _NEWS))
        seen = set(core)
        while len(core) < CORE_WORDS:
            core.append(_made_up(rng, seen, (1, 2, 2, 3)))
        self.core = core
        names = []
        for _ in range(NAMES):
            names.append(_made_up(rng, seen, (2, 2, 3)).capitalize())
        self.names = names
        # Probabilities per token of: core words (Zipf), collocations (uniform), names (Zipf).
        zipf_core = 1.0 / np.arange(1, CORE_WORDS + 1) ** 1.0
        zipf_names = 1.0 / np.arange(1, NAMES + 1) ** 1.05
        mean_len = (MIN_WORDS + MAX_WORDS) / 2
        name_rate = NAMES_PER_ARTICLE / mean_len
        core_rate = 1.0 - name_rate - COLLOCATION_RATE
        p = np.concatenate(
            [
                zipf_core / zipf_core.sum() * core_rate,
                np.full(len(COLLOCATIONS), COLLOCATION_RATE / len(COLLOCATIONS)),
                zipf_names / zipf_names.sum() * name_rate,
            ]
        )
        self.p = p
        # Sampling in two steps (which band, then which token) keeps the lookups cache-sized.
        self.bands = np.cumsum([core_rate, COLLOCATION_RATE, name_rate])
        self.core_cum = np.cumsum(zipf_core) / zipf_core.sum()
        self.name_cum = np.cumsum(zipf_names) / zipf_names.sum()
        tokens = core + list(COLLOCATIONS) + names
        self.token_words = np.array([len(t.split()) for t in tokens], dtype=np.int64)
        # Four spellings per token: plain, sentence start, sentence end, both.
        variants = (
            tokens
            + [t[0].upper() + t[1:] for t in tokens]
            + [t + "." for t in tokens]
            + [t[0].upper() + t[1:] + "." for t in tokens]
        )
        self.variants = np.array(variants, dtype=object)
        self.n_tokens = len(tokens)
        self.publisher_cum = np.cumsum(PUBLISHER_WEIGHTS) / sum(PUBLISHER_WEIGHTS)

    def _sample(self, u: np.ndarray) -> np.ndarray:
        core_rate, colloc_end = float(self.bands[0]), float(self.bands[1])
        ids = np.empty(len(u), dtype=np.int64)
        core = u < core_rate
        ids[core] = np.searchsorted(self.core_cum, u[core] / core_rate, side="right")
        colloc = ~core & (u < colloc_end)
        share = (u[colloc] - core_rate) / COLLOCATION_RATE
        ids[colloc] = CORE_WORDS + np.minimum(
            (share * len(COLLOCATIONS)).astype(np.int64), len(COLLOCATIONS) - 1
        )
        names = ~core & ~colloc
        share = (u[names] - colloc_end) / (1.0 - colloc_end)
        ids[names] = (
            CORE_WORDS + len(COLLOCATIONS) + np.searchsorted(self.name_cum, share, side="right")
        )
        return np.minimum(ids, self.n_tokens - 1)

    # -- rows -------------------------------------------------------------------------------

    def chunks(self) -> int:
        return math.ceil(self.size / CHUNK)

    def chunk(self, index: int) -> Iterator[Row]:
        first = index * CHUNK
        count = min(CHUNK, self.size - first)
        if count <= 0:
            return
        rng = np.random.default_rng([self.seed, index])
        lengths = rng.integers(MIN_WORDS, MAX_WORDS + 1, count)
        title_lengths = rng.integers(6, 13, count)
        per = lengths + title_lengths
        total = int(per.sum())
        ids = self._sample(rng.random(total))
        ends = rng.random(total) < SENTENCE_END
        starts = np.empty(total, dtype=bool)
        starts[0] = True
        starts[1:] = ends[:-1]
        bounds = np.concatenate([[0], np.cumsum(per)])
        # Titles: start capitalised, no full stop; texts: start a sentence, end with one.
        title_starts = bounds[:-1]
        text_starts = title_starts + title_lengths
        starts[title_starts] = True
        starts[text_starts] = True
        ends[text_starts - 1] = False
        for a, b in zip(title_starts.tolist(), text_starts.tolist(), strict=True):
            ends[a:b] = False
            starts[a + 1 : b] = False
        ends[bounds[1:] - 1] = True
        words = self.variants[ids + self.n_tokens * (starts + 2 * ends)].tolist()
        counts = self.token_words[ids]
        publishers = np.searchsorted(self.publisher_cum, rng.random(count), side="right")
        jitter = rng.uniform(-6 * 3600, 6 * 3600, count)
        span = SPAN.total_seconds()
        for k in range(count):
            n = first + k
            a, b, c = int(bounds[k]), int(text_starts[k]), int(bounds[k + 1])
            title = " ".join(words[a:b])
            body = " ".join(words[b:c])
            seconds = min(max(span * n / self.size + float(jitter[k]), 0.0), span - 1)
            publisher = PUBLISHERS[min(int(publishers[k]), len(PUBLISHERS) - 1)]
            slug = hashlib.blake2s(f"{self.seed}:{n}".encode(), digest_size=5).hexdigest()
            yield Row(
                id=n + 1,
                publisher_id=publisher,
                canonical_url=f"https://{publisher}.example/news/{n}-{slug}/",
                title=title,
                text=body,
                # = scraper.dedup.fingerprint.text_hash for this ASCII, single-spaced text
                text_hash=hashlib.sha256(body.casefold().encode()).hexdigest(),
                word_count=int(counts[b:c].sum()),
                published_at=START + timedelta(seconds=seconds),
            )

    # -- expected document frequencies and queries ------------------------------------------

    def document_fraction(self, token: int) -> float:
        """Expected share of articles containing ``token`` (mean over article lengths)."""
        p = float(self.p[token])
        lengths = np.arange(MIN_WORDS, MAX_WORDS + 1)
        return float(np.mean(1.0 - (1.0 - p) ** lengths))

    def queries(
        self, per_shape: int, seed: int = 11, dates: tuple[datetime, datetime] | None = None
    ) -> dict[str, list[dict[str, str]]]:
        """``per_shape`` query-parameter dicts per shape; 90-day ranges fall inside ``dates``
        (the loaded rows' first and last publication time; default: the whole corpus)."""
        rng = random.Random(seed)
        stop = set(_FUNCTION)
        # Common: real news words found in 5–40 % of articles.
        common = [
            w
            for i, w in enumerate(self.core)
            if w not in stop and 0.05 <= self.document_fraction(i) <= 0.40
        ]
        # Rare: names expected in 3–100 articles of this archive.
        lo, hi = 3 / self.size, 100 / self.size
        base = CORE_WORDS + len(COLLOCATIONS)
        rare = [self.names[i] for i in range(NAMES) if lo <= self.document_fraction(base + i) <= hi]
        rare = [w.lower() for w in rare]

        def draw(pool: list[str], k: int) -> list[str]:
            if len(pool) >= k:
                return rng.sample(pool, k)
            return [rng.choice(pool) for _ in range(k)]

        first, last = dates or (START, START + SPAN)
        days = max((last - first).days, 91)
        out: dict[str, list[dict[str, str]]] = {}
        k = per_shape
        out["common word"] = [{"q": w} for w in draw(common, k)]
        out["rare word"] = [{"q": w} for w in draw(rare, k)]
        out["phrase"] = [{"q": f'"{p}"'} for p in draw(list(COLLOCATIONS), k)]
        filtered = []
        for w in draw(common, k):
            since = first + timedelta(days=rng.randrange(0, days - 90))
            filtered.append(
                {
                    "q": w,
                    "publisher": rng.choice(PUBLISHERS),
                    "since": since.date().isoformat(),
                    "until": (since + timedelta(days=90)).date().isoformat(),
                }
            )
        out["word+publisher+90d"] = filtered
        self.pools = {"common": len(common), "rare": len(rare), "phrase": len(COLLOCATIONS)}
        return out


def _check() -> None:  # pragma: no cover - a quick look at the generator
    corpus = Corpus(2000)
    rows = list(corpus.chunk(0))
    print(rows[0].title, "|", rows[0].text[:300], rows[0].word_count)
    print(len({r.text_hash for r in rows}), "unique of", len(rows))
    for a, b in pairwise(rows[:3]):
        print(a.published_at, b.published_at)


if __name__ == "__main__":  # pragma: no cover
    _check()
