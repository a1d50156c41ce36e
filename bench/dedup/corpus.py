"""A deterministic synthetic news corpus with known near-duplicates and hard negatives.

Words: English function words at the top of a Zipf (s = 1.07) distribution over a 40,000-word
vocabulary of pronounceable made-up words, so two articles share common words the way real
ones do but almost never a five-word run. Each article has a topic (60 keywords drawn 6 × more
often), 150–600 words in paragraphs of 2–5 sentences of 6–28 words.

Of every 100 articles, 5 are *variants* of an earlier article (the near-duplicates to find),
each with one or two of: another publisher's footer, 1–3 edited sentences, truncation to
60–95 %, reordered paragraphs. One variant in five comes from the source's own publisher under
a new URL (an edited slug: the same article). Another 5 are *follow-ups*: a new article on the
same topic as an earlier one that quotes one of its paragraphs (15–35 % of the shorter text),
which must NOT be found.
"""

from __future__ import annotations

import random
from bisect import bisect
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import accumulate

_FUNCTION_TEXT = """
the of and to a in that is was he for it with as his on be at by i this had not are but from or
have an they which one you were her all she there would their we him been has when who will more
no if out so said what up its about into than them can only other new some could time these two
may then do first any my now such like our over man me even most made after also did many before
must through back years where much your way well down should because each just those people mr
how too little state good very make world still own see men work long get here between both life
being under never day same another know while last
"""
_ONSET_TEXT = "b c d f g h j k l m n p r s t v w z br cr dr fr gr pr tr st sp sk pl cl bl sh ch th"
FUNCTION_WORDS = tuple(_FUNCTION_TEXT.split())
_ONSETS = tuple(_ONSET_TEXT.split())
_VOWELS = ("a", "e", "i", "o", "u", "ai", "ea", "ou", "io", "ie")
_CODAS = ["", "", "n", "r", "s", "t", "l", "m", "nd", "st", "rk", "ng"]
VOCABULARY = 40_000
PUBLISHERS = 50
TOPICS = 400


@dataclass(frozen=True, slots=True)
class Item:
    """One article to store; ``source`` is the index of the article it is a variant of."""

    index: int
    publisher: str
    url: str
    title: str
    text: str
    published_at: datetime
    kind: str  # original | variant | same-publisher | follow-up
    source: int | None = None  # variants: the original; follow-ups: the article quoted
    edits: str = ""


def _vocabulary(rng: random.Random) -> list[str]:
    words = list(FUNCTION_WORDS)
    seen = set(words)
    while len(words) < VOCABULARY:
        word = "".join(
            rng.choice(_ONSETS) + rng.choice(_VOWELS) for _ in range(rng.choice((1, 2, 2, 3)))
        ) + rng.choice(_CODAS)
        if word not in seen:
            seen.add(word)
            words.append(word)
    return words


class Corpus:
    """``Corpus(seed).items(n)`` yields the same n items every time."""

    def __init__(self, seed: int = 1) -> None:
        self.seed = seed
        rng = random.Random(seed)
        self.words = _vocabulary(rng)
        self.cum = list(accumulate(1.0 / (rank + 1) ** 1.07 for rank in range(len(self.words))))
        self.topics = [rng.sample(self.words[300:], 60) for _ in range(TOPICS)]
        self.footers = [self._paragraph(rng, rng.randrange(TOPICS), 2) for _ in range(PUBLISHERS)]
        self.start = datetime(2025, 1, 1, tzinfo=UTC)

    def _word(self, rng: random.Random, topic: int) -> str:
        if rng.random() < 0.12:
            return rng.choice(self.topics[topic])
        return self.words[bisect(self.cum, rng.random() * self.cum[-1])]

    def _sentence(self, rng: random.Random, topic: int) -> str:
        words = [self._word(rng, topic) for _ in range(rng.randint(6, 28))]
        return " ".join(words).capitalize() + "."

    def _paragraph(self, rng: random.Random, topic: int, sentences: int = 0) -> str:
        count = sentences or rng.randint(2, 5)
        return " ".join(self._sentence(rng, topic) for _ in range(count))

    def _article(self, rng: random.Random, topic: int) -> list[str]:
        target = rng.randint(150, 600)
        paragraphs: list[str] = []
        words = 0
        while words < target:
            paragraph = self._paragraph(rng, topic)
            paragraphs.append(paragraph)
            words += len(paragraph.split())
        return paragraphs

    def items(self, count: int) -> Iterator[Item]:
        """Items in arrival order; variants and follow-ups refer to earlier ones (kept in a
        bounded window of recent originals, so memory stays flat at any size)."""
        recent: list[tuple[int, str, list[str], int, datetime]] = []
        for index in range(count):
            rng = random.Random(self.seed * 1_000_003 + index)
            when = self.start + timedelta(minutes=index * 3)
            roll = rng.random()
            if roll < 0.05 and recent:
                yield self._variant(rng, index, when, rng.choice(recent))
                continue
            topic = rng.randrange(TOPICS)
            paragraphs = self._article(rng, topic)
            kind, source = "original", None
            if roll < 0.10 and recent:
                quoted = rng.choice(recent)
                topic = quoted[3]
                paragraphs = self._article(rng, topic)
                paragraphs.insert(rng.randrange(len(paragraphs) + 1), rng.choice(quoted[2]))
                kind, source = "follow-up", quoted[0]
            publisher = f"p{rng.randrange(PUBLISHERS):02d}"
            item = Item(
                index,
                publisher,
                f"https://{publisher}.example/{when:%Y/%m/%d}/story-{index}/",
                self._sentence(rng, topic),
                "\n\n".join(paragraphs),
                when,
                kind,
                source,
            )
            if kind == "original":
                recent.append((index, publisher, paragraphs, topic, when))
                if len(recent) > 2000:
                    recent.pop(rng.randrange(1000))
            yield item

    def _variant(
        self,
        rng: random.Random,
        index: int,
        when: datetime,
        source: tuple[int, str, list[str], int, datetime],
    ) -> Item:
        source_index, source_publisher, paragraphs, topic, source_when = source
        paragraphs = list(paragraphs)
        same = rng.random() < 0.2
        publisher = source_publisher if same else f"p{rng.randrange(PUBLISHERS):02d}"
        edits = rng.sample(["footer", "edit", "truncate", "reorder"], rng.choice((1, 1, 2)))
        if same:  # an edited slug: the publisher fixes a sentence or two, no new footer
            edits = ["edit"]
            when = source_when + timedelta(hours=rng.randint(1, 72))
        for edit in edits:
            paragraphs = getattr(self, f"_{edit}")(rng, paragraphs, topic, publisher)
        slug = "updated" if same else "copy"
        return Item(
            index,
            publisher,
            f"https://{publisher}.example/{when:%Y/%m/%d}/{slug}-{source_index}-{index}/",
            self._sentence(rng, topic),
            "\n\n".join(paragraphs),
            when,
            "same-publisher" if same else "variant",
            source_index,
            "+".join(edits),
        )

    def _footer(
        self, rng: random.Random, paragraphs: list[str], topic: int, publisher: str
    ) -> list[str]:
        return [*paragraphs, "___", self.footers[int(publisher[1:])]]

    def _edit(
        self, rng: random.Random, paragraphs: list[str], topic: int, publisher: str
    ) -> list[str]:
        out = list(paragraphs)
        for _ in range(rng.randint(1, 3)):
            at = rng.randrange(len(out))
            sentences = out[at].split(". ")
            sentences[rng.randrange(len(sentences))] = self._sentence(rng, topic).rstrip(".")
            out[at] = ". ".join(sentences)
        return out

    def _truncate(
        self, rng: random.Random, paragraphs: list[str], topic: int, publisher: str
    ) -> list[str]:
        words = "\n\n".join(paragraphs).split(" ")
        keep = words[: max(1, round(len(words) * rng.uniform(0.6, 0.95)))]
        return " ".join(keep).split("\n\n")

    def _reorder(
        self, rng: random.Random, paragraphs: list[str], topic: int, publisher: str
    ) -> list[str]:
        out = list(paragraphs)
        if len(out) > 1:
            while out == paragraphs:
                rng.shuffle(out)
        return out
