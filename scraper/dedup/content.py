"""What two texts of one publisher share once the publisher's boilerplate is set aside.

Containment over the shorter text is the right measure between a text and its copies, but a
publisher's short articles carry its long footer ("About us… become a member… copyright"):
three unrelated 30-word briefs over one 100-word footer contain each other at 0.77, above the
same-article threshold, and were merged into one article. Worse, the merge starved the
footer's own detection: learned boilerplate counts a paragraph once per article, and merged
briefs are one article. Between two texts of one publisher dedup therefore asks two more
things (:func:`compare`):

1. **Containment without repeated paragraphs.** Paragraphs the publisher already has in at
   least two of its articles (``boilerplate_paragraphs.articles >= 2``, the evidence learned
   boilerplate grows from) are removed from both texts first. A footer seen twice no longer
   makes two texts alike, long before it is learned and stripped.
2. **A shared footer over unrelated texts.** Until the footer has been seen in two articles,
   counting cannot tell it from content. Its place can: a footer ends every article, so when
   the only paragraphs two texts share verbatim are one block at the end of both and the
   rest of each shares less than ``OWN_OVERLAP`` of its shingles with the other's rest, the
   texts are two articles under one footer, not one article edited. The price: an edit under
   a new URL that rewrites its opening paragraphs beyond recognition, leaving the rest
   verbatim, is stored as a new article in the same story cluster, still linked
   (docs/dedup.md), where two different articles merged into one would lose a text. A
   block shared at the *start* is not taken for a header: that is the shape of a teaser
   ending in its own "read more" line (:mod:`scraper.dedup.excerpt`), and extraction
   leaves page headers out of the text.

Texts whose paragraphs were re-split (no paragraph in common verbatim) are compared whole.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from scraper.dedup.boilerplate import paragraphs_of
from scraper.dedup.minhash import SHINGLE, shingle_hashes, similarity, words_of

# The rests of an edited text and its original share more than this (a rewritten sentence
# keeps the rest of its paragraph); two unrelated stories share about nothing. The same bound
# tells a reused feed GUID from an edit (scraper.store.ingest.GUID_MIN_OVERLAP).
OWN_OVERLAP = 0.2


@dataclass(frozen=True, slots=True)
class Content:
    containment: float  # over the shorter text, the publisher's repeated paragraphs removed
    under_one_footer: bool  # only a block at the end of both in common, the rest unrelated


def compare(new: str, old: str, repeated: frozenset[str]) -> Content:
    """``new`` against ``old``, two texts of one publisher; ``repeated``: hashes
    (:func:`scraper.dedup.boilerplate.paragraph_hash`) of paragraphs the publisher repeats
    in other articles."""
    a = {h: p for h, p in paragraphs_of(new).items() if h not in repeated}
    b = {h: p for h, p in paragraphs_of(old).items() if h not in repeated}
    containment = similarity(_shingles(a.values()), _shingles(b.values())).containment
    return Content(containment, _under_one_footer(a, b))


def _under_one_footer(a: dict[str, str], b: dict[str, str]) -> bool:
    shared = a.keys() & b.keys()
    own_a = [p for h, p in a.items() if h not in shared]
    own_b = [p for h, p in b.items() if h not in shared]
    if not shared or min(_words(own_a), _words(own_b)) < SHINGLE:
        return False  # nothing of its own, or too little to be judged unrelated (a cut word)
    if not (_at_end(list(a), shared) and _at_end(list(b), shared)):
        return False
    return similarity(_shingles(own_a), _shingles(own_b)).containment < OWN_OVERLAP


def _at_end(order: Sequence[str], shared: set[str]) -> bool:
    """The ``shared`` hashes are exactly the last ``len(shared)`` of ``order``."""
    return set(order[len(order) - len(shared) :]) == shared


def _shingles(paragraphs: Iterable[str]) -> frozenset[int]:
    return shingle_hashes("\n\n".join(paragraphs))


def _words(paragraphs: Sequence[str]) -> int:
    return sum(len(words_of(p)) for p in paragraphs)
