"""Main-content selection: find the element that holds the article.

One pass over the DOM builds a :class:`Box` per block element with the
characters, link characters and a *quality sum* of its subtree. Each run of
inline text (a "paragraph") adds a positive weight when it reads like prose
(long, punctuated, few links) and a negative weight when it reads like
boilerplate (link lists, short fragments). Boxes whose class/id or tag says
"comments", "sidebar", "share" … add nothing to their parent (they are left
out when rendering anyway) and candidates inside them are penalised. Child
sums decay a little per level, so a wrapper must add real prose to beat its
child, while a parent still wins when the prose is split across siblings.
The candidate score also scales with class/id hints and (1 - link density).

Towards prose length and weight a Chinese or Japanese character counts as
:data:`~scraper.extract.cjk.WIDE_WEIGHT` Latin ones and full-width marks
(。，) as punctuation, so CJK prose clears the same thresholds as English.

Hidden elements (``hidden``, inline ``display: none``) count as boilerplate.
For speed, subtrees with a strong negative hint and no wrapper-like name are
not walked at all; if nothing reads like prose after that, the page is walked
again without pruning, and what it finds is accepted only when at most one
level of boilerplate wraps it (not prose deep in sidebar widgets or comment
threads). A body split into sibling blocks of the same content class (around
an ad slot or a subscribe box) is taken whole (:func:`_continued`). The winner
is then reconciled with the headline (:mod:`anchor`).
"""

from __future__ import annotations

from selectolax.lexbor import LexborNode

from scraper.extract import anchor, hints
from scraper.extract.cjk import WIDE_WEIGHT, has_wide, wide_chars, wide_punctuation
from scraper.extract.dom import (
    BLOCK_TAGS,
    BOILERPLATE_TAGS,
    HEADING_TAGS,
    MAX_DEPTH,
    NOISE_TAGS,
    TEXT_TAG,
    class_id_hidden,
)

_STRONG_PENALTY = 0.4
_WEAK_PENALTY = 0.6
_POSITIVE_BONUS = 2.0
_PROSE_CHARS = 80
_SHORT_PROSE_CHARS = 30
_SHORT_WEIGHT = 0.5
# Boilerplate marked by name is skipped when rendering, so it need not count
# against its parent (a big comment section would otherwise sink the article).
_LABELED_JUNK = 0.0
# Per-level decay of child scores: lower favours the tight container over the
# wrapper that adds sidebars (0.8 tuned on Dragnet train: +0.003 F1 over 0.9).
_DECAY = 0.8
_PARAGRAPH_TAGS = frozenset({"p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "dd", "dt", "pre"})
# Blocks that are a list in themselves; a box of links in a <div> is a widget.
# A link-rich <p> with this much text besides its links is a sentence, wherever it is.
_LINKED_SENTENCE = 50
_LIST_TAGS = frozenset({"ul", "ol", "dl", "p"})
_PRUNED_TAGS = frozenset({"nav", "aside", "footer", "menu", "dialog"})
# How many prose-less wrappers above the winner are checked for a body split in siblings.
_CONTINUE_CLIMB = 3


class Box:
    """Statistics of one block element's subtree."""

    __slots__ = (
        "boilerplate", "chars", "children", "hint", "index", "links", "node", "parent", "penalty",
        "prose", "score", "tag",
    )  # fmt: skip

    def __init__(
        self, node: LexborNode, tag: str, hint: int, parent: Box | None, index: int
    ) -> None:
        self.node = node
        # Relatives are list indices, not references: no reference cycles, so a
        # page's boxes are freed at once instead of waiting for the cyclic GC.
        self.index = index
        self.parent = parent.index if parent is not None else -1
        self.tag = tag
        self.hint = hint
        self.penalty = _penalty(parent, tag, hint)
        # The whole subtree is non-article by name (class/id) or by tag.
        self.boilerplate = hint >= hints.WEAK_NEGATIVE or tag in BOILERPLATE_TAGS
        self.chars = 0
        self.links = 0
        # Characters (without links) of paragraphs that read as prose, outside boilerplate.
        self.prose = 0
        self.score = 0.0
        self.children: list[int] = []


def paragraph_weight(chars: int, links: int, punct: int, wide: int = 0) -> float:
    """Quality of one run of inline text: prose is positive, boilerplate negative.

    ``wide`` is what CJK characters outside links add to the length (see
    :mod:`~scraper.extract.cjk`); link density stays a ratio of raw characters,
    so a CJK headline in a link list still reads as a link.
    """
    if chars == 0:
        return 0.0
    if links * 2 > chars:
        return -float(chars)
    plain = chars - links + wide
    if plain >= _PROSE_CHARS or (plain >= _SHORT_PROSE_CHARS and punct):
        return float(plain - links)
    return -_SHORT_WEIGHT * chars


def _penalty(parent: Box | None, tag: str, hint: int) -> float:
    penalty = parent.penalty if parent is not None else 1.0
    if hint >= hints.STRONG_NEGATIVE or tag in BOILERPLATE_TAGS:
        return penalty * _STRONG_PENALTY
    if hint == hints.WEAK_NEGATIVE:
        return penalty * _WEAK_PENALTY
    return penalty


class _Walker:
    """Builds the Box tree in one recursive pass (depth-capped).

    This loop is the hot path of extraction, hence the inlined arithmetic.
    """

    __slots__ = ("boxes", "prune", "pruned")

    def __init__(self, prune: bool) -> None:
        self.boxes: list[Box] = []
        self.prune = prune
        self.pruned = False

    def block(self, node: LexborNode, tag: str, parent: Box | None, depth: int) -> Box:
        names, hidden = class_id_hidden(node)
        hint = hints.PRUNE if hidden else hints.classify(tag, names)
        box = Box(node, tag, hint, parent, len(self.boxes))
        self.boxes.append(box)
        if self.prune and parent is not None and (hint == hints.PRUNE or tag in _PRUNED_TAGS):
            self.pruned = True  # boilerplate by name: not worth walking
            return box
        acc = [0, 0, 0, 0]
        self.inline(node, box, acc, False, depth + 1)
        chars, links = acc[0], acc[1]
        weight = paragraph_weight(chars, links, acc[2], acc[3])
        if weight < 0 < chars and tag in HEADING_TAGS and links * 2 <= chars:
            weight = 0.0  # headings are short by nature, not boilerplate
        box.score += weight
        if weight > 0:
            box.prose += chars - links
        box.chars += chars
        box.links += links
        return box

    def inline(self, node: LexborNode, box: Box, acc: list[int], in_link: bool, depth: int) -> None:
        for child in node.iter(include_text=True):
            tag = child.tag
            if tag == TEXT_TAG:
                text = child.text_content
                if not text or text.isspace():
                    continue
            elif tag is None or tag[0] == "-" or tag in NOISE_TAGS:
                continue
            elif depth > MAX_DEPTH:
                text = child.text()
            elif tag in BLOCK_TAGS:
                sub = self.block(child, tag, box, depth)
                box.children.append(sub.index)
                box.chars += sub.chars
                box.links += sub.links
                if not sub.boilerplate:
                    box.prose += sub.prose
                box.score += _LABELED_JUNK * sub.chars if sub.boilerplate else _DECAY * sub.score
                continue
            else:
                self.inline(child, box, acc, in_link or tag == "a", depth + 1)
                continue
            size = len(text.strip())
            acc[0] += size
            if in_link:
                acc[1] += size
            acc[2] += text.count(". ") + text.count(", ") + text.endswith(".")
            # CJK: denser characters, full-width punctuation (isascii first: no call for most)
            if not text.isascii() and has_wide(text):
                acc[2] += wide_punctuation(text)
                if not in_link:
                    acc[3] += (WIDE_WEIGHT - 1) * wide_chars(text)


def analyse(root: LexborNode, prune: bool = True) -> tuple[list[Box], bool]:
    """Box tree of ``root`` in document order, and whether any subtree was pruned."""
    walker = _Walker(prune)
    walker.block(root, root.tag or "div", None, 0)
    return walker.boxes, walker.pruned


def candidate_score(box: Box) -> float:
    """Subtree quality adjusted by class/id hints and boilerplate ancestry."""
    if box.score <= 0:
        return box.score
    bonus = _POSITIVE_BONUS if box.hint == hints.POSITIVE else 1.0
    link_free = 1.0 - box.links / box.chars if box.chars else 1.0
    return box.score * box.penalty * bonus * link_free


def _best(boxes: list[Box]) -> Box | None:
    """Highest-scoring container; a lone paragraph stands for its parent.

    An article is never a single ``<p>``: when one paragraph outscores every
    container (short article next to link-heavy widgets), its parent is the
    article and the widgets are left out when rendering.
    """
    best = max(boxes, key=candidate_score, default=None)
    if best is None or best.score <= 0:
        return None
    if best.tag in _PARAGRAPH_TAGS and best.parent >= 0:
        return boxes[best.parent]
    return best


def find_article(
    root: LexborNode, title: LexborNode | None = None
) -> tuple[list[Box], Box | None, list[int]]:
    """All boxes under ``root``, the best article candidate (None if nothing reads as prose)
    and the ``mem_id`` of blocks in it that are not part of the article (see :mod:`anchor`).
    """
    boxes, pruned = analyse(root)
    best = _best(boxes)
    if best is None and pruned:
        boxes, _ = analyse(root, prune=False)
        best = _best(boxes)
        if best is not None and best.penalty < _STRONG_PENALTY:
            best = None  # prose deep in sidebars or comment threads is not the article
    if best is None:
        return boxes, None, []
    best, outside = _continued(boxes, best)
    article, left_out = anchor.anchor(boxes, best, title, candidate_score)
    return boxes, article, outside + left_out


def _continued(boxes: list[Box], best: Box) -> tuple[Box, list[int]]:
    """``best``, or the parent of the blocks it continues in, and the ``mem_id`` to leave out.

    Templates split a body around an ad slot or a subscribe box into blocks of
    the same tag and class ("article-body", ad, "article-body"). Each half then
    competes with the other, and the half with more prose wins, a class bonus
    and all, over their parent. Such blocks are looked for beside ``best`` and
    beside the wrappers around it that add no prose of their own.
    """
    if best.boilerplate:
        return best, []
    box = best
    for _ in range(_CONTINUE_CLIMB):
        if box.parent < 0:
            break
        merged = _with_siblings(boxes, box)
        if merged is not None:
            return merged
        parent = boxes[box.parent]
        if parent.prose != box.prose:
            break
        box = parent
    return best, []


def _with_siblings(boxes: list[Box], box: Box) -> tuple[Box, list[int]] | None:
    """``box``'s parent when siblings share its tag and class, a class that names content
    ("article-body", "post-content"), and hold prose; with the ``mem_id`` of the parent's
    blocks before the first and after the last of them.

    Layout classes ("container", "row") repeat for header, content and footer alike,
    told apart by their ids, so the class alone must say content.
    """
    name = box.node.attributes.get("class")
    if not name or hints.classify(box.tag, name) != hints.POSITIVE:
        return None
    siblings = boxes[box.parent].children
    same = [
        position
        for position, index in enumerate(siblings)
        if boxes[index].tag == box.tag
        and boxes[index].prose > 0
        and not boxes[index].boilerplate
        and boxes[index].node.attributes.get("class") == name
    ]
    if len(same) < 2:
        return None
    outside = siblings[: same[0]] + siblings[same[-1] + 1 :]
    return boxes[box.parent], [boxes[index].node.mem_id for index in outside]


def is_junk(box: Box, link_lists: bool = True) -> bool:
    """Whether a block inside the chosen article is still boilerplate."""
    if box.hint >= hints.STRONG_NEGATIVE or box.tag in BOILERPLATE_TAGS:
        return True
    if box.hint == hints.WEAK_NEGATIVE and box.score <= 0:
        return True
    return link_lists and _link_list(box)


def _link_list(box: Box) -> bool:
    """Link-dominated and without prose of its own worth keeping."""
    return box.chars > 0 and box.links * 2 > box.chars and box.prose * 2 <= box.chars - box.links


def _last(boxes: list[Box], box: Box) -> int:
    """Index of the last box of ``box``'s subtree (boxes are in document order)."""
    while box.children:
        box = boxes[box.children[-1]]
    return box.index


def junk_blocks(
    boxes: list[Box], article: Box, link_lists: bool = True
) -> tuple[list[int], list[int]]:
    """``mem_id`` of the blocks to leave out when rendering ``article``, and of kept link lists.

    ``link_lists`` also drops link-dominated blocks (menus, "related" lists)
    unless prose surrounds them: a list of links between two paragraphs of
    the body is part of it (a reading list, a round-up). A paragraph with
    enough words besides its links is kept anywhere. Fragment rendering
    keeps them all since a feed item has no navigation.
    """
    junk: list[int] = []
    kept: list[int] = []
    lists: list[Box] = []
    first_prose = last_prose = -1
    stack = list(article.children)
    while stack:
        box = boxes[stack.pop()]
        if is_junk(box, link_lists=False):
            junk.append(box.node.mem_id)
        elif link_lists and _link_list(box):
            lists.append(box)
        else:
            stack.extend(box.children)
            if (box.prose and not box.children) or (box.tag in _PARAGRAPH_TAGS and box.prose):
                last_prose = max(last_prose, box.index)
                first_prose = box.index if first_prose < 0 else min(first_prose, box.index)
    for box in lists:
        inside = first_prose < box.index and _last(boxes, box) < last_prose
        if (box.tag in _LIST_TAGS and inside) or (
            box.tag == "p" and box.chars - box.links >= _LINKED_SENTENCE
        ):
            kept.append(box.node.mem_id)
            stack.extend(box.children)  # inside the body: keep, minus named boilerplate
        else:
            junk.append(box.node.mem_id)
    while stack:
        box = boxes[stack.pop()]
        if is_junk(box, link_lists=False):
            junk.append(box.node.mem_id)
        else:
            stack.extend(box.children)
    return junk, kept
