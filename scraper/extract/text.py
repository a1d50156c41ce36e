"""Render a DOM subtree as plain text paragraphs.

Output format shared by :func:`extract` and :func:`html_to_text`: one
paragraph per block element (paragraphs, headings, list items, cells …),
paragraphs separated by a blank line, ``<br>`` kept as a line break,
whitespace collapsed except inside ``<pre>``. Two ``<br>`` in a row (only
whitespace between) end a paragraph: that is how Blogger and older CMSes
typeset paragraphs, and boilerplate learning and revision diffs work per
paragraph.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from selectolax.lexbor import LexborNode

from scraper.extract.dom import BLOCK_TAGS, MAX_DEPTH, NOISE_TAGS, TEXT_TAG

# A short paragraph like "12 Comments" or "Related posts" opens a section of
# boilerplate that runs to the end of the article container.
_SECTION_END = re.compile(
    r"(?:(?:\d+\s+)?(?:comments?|replies|trackbacks?|"
    r"reader comments|user comments|(?:leave|post|add|write|submit) (?:a|your) "
    r"(?:comment|reply|response)|join the (?:discussion|conversation)|"
    r"\d+ (?:comments?|responses?|thoughts?|replies) (?:on|to) .*|"
    r"related (?:posts?|articles?|stories|content|links|reading)|you (?:may|might) also like.*|"
    r"more from .{0,30}|share this(?: article| post| story)?|like this|"
    r"recommended(?: for you)?|most (?:popular|read|viewed)|"
    r"posted by:? [^\n]{1,60}? (?:at|on) [^\n]{1,40})\s*(?:\(\d+\))?|"
    # Words that also head sections of articles ("Reactions" to a summit, a paper's
    # "Discussion") announce comments only with a count: "12 Responses", "Reactions (3)".
    r"\d+\s+(?:responses?|reactions?|discussions?)\s*(?:\(\d+\))?|"
    r"(?:responses?|reactions?|discussion)\s*\(\d+\))\s*[:.!]?",
    re.IGNORECASE,
)
# Such a word alone is a subheading when text follows it, a comment label when nothing does.
_BARE_LABEL = re.compile(r"(?:responses?|reactions?|discussion)\s*[:.]?", re.IGNORECASE)
_SECTION_END_MAX = 80
_CELL_TAGS = frozenset({"td", "th"})
# Such a heading ends the article only after some prose.
_CUT_AFTER = 200
# Small print ("© 2012 …", "All rights reserved", CMS stock lines) is never article text.
# "Copyright" opens a notice only with a symbol, year or colon after it ("Copyright 2012
# AP", "Copyright: Reuters"); "Copyright holders argue …" is a sentence about copyright.
_LEGAL = re.compile(
    r"^\s*(?:©|\(c\)\s|copyright\s*(?:©|\(c\)|:|(?:1[89]|20)\d\d\b))|all rights reserved|"
    # The stock WordPress post footer ("You can follow any responses to this entry …").
    r"follow any (?:responses|comments) to this (?:entry|post) through",
    re.IGNORECASE,
)
# The notice without a symbol: "Copyright Guardian News & Media Limited 2012" (only
# capitalised words and a year, no sentence in it).
_NAMED_NOTICE = re.compile(
    r"\s*(?:[Cc]opyright|COPYRIGHT)(?:\s+[A-Z0-9&][\w&.,'-]*)*?\s+(?:1[89]|20)\d\d\.?\s*"
)
_LEGAL_MAX = 400
# Shorter paragraphs ("Advertisement", "Photo: AP") may legitimately repeat.
_REPEAT_MIN = 100


class _Renderer:
    __slots__ = (
        "buf",
        "chars",
        "cut",
        "in_cell",
        "in_list",
        "lines",
        "lists",
        "paragraphs",
        "skip",
        "stopped",
    )

    def __init__(self, skip: Iterable[int], cut: bool = True, lists: Iterable[int] = ()) -> None:
        self.skip = frozenset(skip)
        self.lists = frozenset(lists)
        self.in_list = 0
        self.in_cell = 0
        self.cut = cut
        self.stopped = False
        self.chars = 0
        self.paragraphs: list[str] = []
        self.lines: list[str] = []
        self.buf: list[str] = []

    def newline(self) -> None:
        line = " ".join("".join(self.buf).split())
        self.buf.clear()
        if line:
            self.lines.append(line)

    def line_break(self) -> None:
        """A ``<br>``: a new line, or a new paragraph when it follows a line just ended."""
        if self.lines and not "".join(self.buf).strip():
            self.flush()  # <br><br>: a blank line between two paragraphs
        else:
            self.newline()

    def flush(self) -> None:
        self.newline()
        if self.lines:
            paragraph = "\n".join(self.lines)
            self.lines.clear()
            if self.cut and not self.in_cell and _is_section_end(paragraph):
                # Above the body it is a share bar or comment counter, in a link list
                # kept within the body a stray label: dropped, but the body goes on.
                self.stopped = self.chars >= _CUT_AFTER and not self.in_list
                return
            if len(paragraph) <= _LEGAL_MAX and _is_legal(paragraph):
                return
            self.paragraphs.append(paragraph)
            self.chars += len(paragraph)

    def flush_pre(self) -> None:
        text = "".join(self.buf).strip("\n").rstrip()
        self.buf.clear()
        if text.strip():
            self.paragraphs.append(text)

    def walk(self, node: LexborNode, depth: int) -> None:
        for child in node.iter(include_text=True):
            if self.stopped:
                return
            tag = child.tag
            if tag == TEXT_TAG:
                self.buf.append(child.text_content or "")
            elif tag is None or tag[0] == "-" or tag in NOISE_TAGS:
                continue
            elif tag == "br":
                self.line_break()
            elif depth > MAX_DEPTH:
                self.buf.append(" " + child.text(separator=" ") + " ")
            elif tag in BLOCK_TAGS:
                self.block(child, tag, depth)
            else:
                self.walk(child, depth + 1)

    def block(self, node: LexborNode, tag: str, depth: int) -> None:
        if node.mem_id in self.skip:
            return
        self.flush()
        if tag == "pre":
            self.buf.append(node.text())
            self.flush_pre()
            return
        listed = node.mem_id in self.lists
        cell = tag in _CELL_TAGS  # "Response", "Comments": a table header, not a section
        self.in_list += listed
        self.in_cell += cell
        self.walk(node, depth + 1)
        if not self.stopped:
            self.flush()
        self.in_list -= listed
        self.in_cell -= cell


def _is_legal(paragraph: str) -> bool:
    return _LEGAL.search(paragraph) is not None or _NAMED_NOTICE.fullmatch(paragraph) is not None


def _is_section_end(paragraph: str) -> bool:
    return (
        len(paragraph) <= _SECTION_END_MAX and _SECTION_END.fullmatch(paragraph.strip()) is not None
    )


def render(
    node: LexborNode, skip: Iterable[int] = (), *, cut: bool = True, lists: Iterable[int] = ()
) -> list[str]:
    """Paragraphs of ``node``'s subtree, leaving out blocks whose ``mem_id`` is in ``skip``.

    With ``cut``, rendering stops at a comments/related-links section heading,
    except inside the blocks of ``lists`` (link lists kept within the body),
    where such a line is only dropped; a bare "Responses" or "Discussion" is
    dropped when nothing follows it (its comments are elsewhere or loaded later).
    """
    renderer = _Renderer(skip, cut, lists)
    if node.tag == "pre":
        renderer.buf.append(node.text())
        renderer.flush_pre()
        return renderer.paragraphs
    renderer.walk(node, 0)
    renderer.flush()
    paragraphs = renderer.paragraphs
    if cut and paragraphs and _BARE_LABEL.fullmatch(paragraphs[-1]):
        paragraphs.pop()
    return paragraphs


def drop_repeats(paragraphs: list[str]) -> list[str]:
    """``paragraphs`` without verbatim repeats of an earlier long paragraph.

    Templates sometimes carry the body twice (a teaser and a full variant, one
    hidden by CSS); a prose paragraph is never meant to be read twice.
    """
    seen: set[str] = set()
    kept: list[str] = []
    for paragraph in paragraphs:
        if len(paragraph) >= _REPEAT_MIN:
            if paragraph in seen:
                continue
            seen.add(paragraph)
        kept.append(paragraph)
    return kept


def join_paragraphs(paragraphs: Iterable[str]) -> str:
    """The public text format: paragraphs separated by one blank line."""
    return "\n\n".join(p for p in paragraphs if p)
