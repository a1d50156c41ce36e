"""Headline anchoring: reconcile the best-scoring block with the article's heading.

Content scoring alone looks only at prose. The heading that matches the page
title refines its choice:

- Templates often put the headline and byline in a header next to the body
  container; a close ancestor that adds little besides the heading is taken
  instead of the bare body (:func:`_with_title`), minus what follows the body
  in it (tags, share bars, related links).
- When the winner lies outside the heading's own surroundings, a close
  ancestor of the heading that scores at least half as well is preferred:
  the article follows its headline.
- On short posts (a photo, a video, two lines of text) an "about this blog",
  licence or promo box elsewhere in the page can outscore the post itself.
  When the winner lies outside the heading's own post unit and nothing
  between it and their common ancestor is *named* as content (``post``,
  ``entry``, ``article`` …), the unit under the heading is the article
  (:func:`_post_unit`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from selectolax.lexbor import LexborNode

from scraper.extract import hints

if TYPE_CHECKING:
    from scraper.extract.content import Box

_TITLE_CLIMB = 4
_TITLE_KEEP = 0.75
# How far above the heading its post unit is looked for, and how much text
# (without links) it must hold besides the heading to be a unit at all.
_UNIT_CLIMB = 5
_UNIT_MIN_TEXT = 20
# A heading-anchored rival scoring this share of the winner is preferred.
_COMPARABLE = 0.5


def ancestry(node: LexborNode | None) -> set[int]:
    """``mem_id`` of ``node`` and all its ancestors."""
    ids: set[int] = set()
    while node is not None:
        ids.add(node.mem_id)
        node = node.parent
    return ids


def _chain(boxes: list[Box], index: int) -> list[int]:
    """Indices of the box at ``index`` and its ancestors, innermost first."""
    chain: list[int] = []
    while index >= 0:
        chain.append(index)
        index = boxes[index].parent
    return chain


def _with_title(boxes: list[Box], best: Box, around_title: set[int]) -> Box:
    """Widen ``best`` to the nearby ancestor that also holds the article's heading."""
    index = best.parent
    for _ in range(_TITLE_CLIMB):
        if index < 0 or boxes[index].tag == "body":
            break
        box = boxes[index]
        if box.node.mem_id in around_title:
            return box if box.score >= _TITLE_KEEP * best.score else best
        index = box.parent
    return best


def _units(boxes: list[Box], best: Box, heading: Box) -> list[Box]:
    """The heading's ancestors below its common ancestor with ``best``, innermost first.

    Empty when ``best`` is near the heading (their common ancestor is the heading's parent).
    """
    outside = set(_chain(boxes, best.index))
    units: list[Box] = []
    unit = heading
    for _ in range(_UNIT_CLIMB):
        if unit.parent < 0:
            break
        unit = boxes[unit.parent]
        if unit.tag == "body" or unit.index in outside:
            break
        units.append(unit)
    return units


def _post_unit(boxes: list[Box], best: Box, heading: Box, units: list[Box]) -> Box | None:
    """The heading's post unit when ``best`` is an unnamed block outside it, else None."""
    if best.score <= 0 or best.hint >= hints.STRONG_NEGATIVE:
        return None
    own_text = heading.chars - heading.links
    unit = next((u for u in units if u.chars - u.links - own_text >= _UNIT_MIN_TEXT), None)
    if unit is None:
        return None
    common = set(_chain(boxes, units[-1].parent))
    for index in _chain(boxes, best.index):
        if index in common:
            break
        if boxes[index].hint == hints.POSITIVE:
            return None  # the template names best's container as content
    return unit


def _after(boxes: list[Box], article: Box, core: Box) -> list[int]:
    """``mem_id`` of the blocks of ``article`` that follow ``core`` (which it contains).

    When the article was widened from ``core`` to take in the headline, what
    follows the body in the wider box is tags, share bars and related links.
    """
    skipped: list[int] = []
    index = core.index
    while index != article.index and index >= 0:
        parent = boxes[boxes[index].parent]
        siblings = parent.children
        skipped.extend(boxes[i].node.mem_id for i in siblings[siblings.index(index) + 1 :])
        index = parent.index
    return skipped


def anchor(
    boxes: list[Box], best: Box, title: LexborNode | None, score: Callable[[Box], float]
) -> tuple[Box, list[int]]:
    """``best``, widened to hold the heading or replaced by the heading's post unit.

    ``score`` is the candidate score that chose ``best``. Also returns the
    ``mem_id`` of blocks to leave out: what follows ``best`` in a widened box.
    """
    if title is None:
        return best, []
    around_title = ancestry(title)
    if best.node.mem_id in around_title:
        return best, []
    heading = next((box for box in boxes if box.node.mem_id == title.mem_id), None)
    units = _units(boxes, best, heading) if heading is not None else []
    if units and heading is not None:
        rival = max(units, key=score)
        if score(rival) > 0 and score(rival) >= _COMPARABLE * score(best):
            return rival, []
        unit = _post_unit(boxes, best, heading, units)
        if unit is not None:
            return unit, []
    article = _with_title(boxes, best, around_title)
    return article, _after(boxes, article, best) if article is not best else []
