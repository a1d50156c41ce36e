"""Whether a shorter text of an article is a partial copy of it (a teaser, a newsletter
excerpt, an AMP page without some inline blocks) rather than an edit that shortened it.

The store meets an article's partial copies under other URLs of the same publisher, and the
near-duplicate rule rightly finds the article for them. Taking such a copy as the article's
new text would replace the full text with the teaser: what the copy leaves out would vanish
from the text and the search index, kept only as a revision. An edit that shortens an article
removes something *from the middle or the top* (a corrected claim, a withdrawn paragraph) or
rewrites it; a partial copy is the article's *leading part*, word for word, with at most a
small gap (a caption or a "read also" line it leaves out) and a line of its own ("Read the
full story…"), stopping well before the article's end. That is the test here, word by word
after normalisation. A copy that stops at the end (an AMP page without an inline block)
is near-identical and is taken as an edit, as before: little is lost, and a one-word
deletion under a new slug must stay an edit.

What it cannot tell apart: an edit that only cuts the article's *end* and is met under a new
URL (docs/dedup.md, "Limits"). Met again at one of the article's own URLs, the same shorter
text is an edit: the store applies this test only to copies found by their text.
"""

from __future__ import annotations

import difflib

from scraper.dedup.minhash import words_of

# Words of the copy that may be its own (a lead-in, a "read more" line, an ellipsis cut):
# a share of it, or one line's worth, whichever is more (a short teaser's one line is a
# large share of it).
OWN_WORDS = 0.1
OWN_LINE = 15
# Words of the article the copy may skip *before* its end (an inline block left out).
SKIPPED_WORDS = 0.05
# Words of the article the copy must leave out *after* its end: a teaser stops well before the
# end, a one-word deletion under a new slug is an edit.
CUT_WORDS = 0.1
MIN_RUN = 3


def is_excerpt(new: str, old: str) -> bool:
    """True when ``new`` is shorter than ``old`` and is (nearly) its leading part: all but
    10 % (or one line) of ``new``'s words are ``old``'s, in order, and at most 5 % of
    ``old``'s words are missing from ``new`` before the point where it stops, and at least
    10 % of them after it."""
    a, b = words_of(new), words_of(old)
    if not a or len(a) >= len(b):
        return False
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    # Runs of a few words only: a lone "the" of a "read more" line matching somewhere deep in
    # the article would otherwise stretch the copy's end there.
    blocks = [m for m in matcher.get_matching_blocks() if m.size >= MIN_RUN]
    matched = sum(m.size for m in blocks)
    if not blocks or len(a) - matched > max(OWN_WORDS * len(a), OWN_LINE):
        return False
    end = max(m.b + m.size for m in blocks)
    return end - matched <= SKIPPED_WORDS * len(b) and len(b) - end >= CUT_WORDS * len(b)
