"""The extraction pipeline: bytes or text in, :class:`Extraction` out, never an exception."""

from __future__ import annotations

from selectolax.lexbor import LexborHTMLParser, LexborNode

from scraper.extract import content, dom, furniture, metadata, rules
from scraper.extract.decode import decode_html
from scraper.extract.language import detect_language
from scraper.extract.model import DEFAULT_MAX_BYTES, Extraction, ExtractRules
from scraper.extract.text import drop_repeats, join_paragraphs, render

_NO_RULES = ExtractRules()
# JSON-LD articleBody replaces the DOM result only when the DOM found much less.
_JSONLD_MIN_CHARS = 200
_JSONLD_RATIO = 3.0


def _as_text(html: str | bytes, max_bytes: int, charset: str | None) -> str:
    cut = dom.truncate(html, max_bytes)
    if isinstance(cut, bytes):
        return decode_html(cut, charset)
    return cut


def _body_paragraphs(
    tree: LexborHTMLParser, heading: LexborNode | None, selected: ExtractRules
) -> list[str]:
    root = rules.article_root(tree, selected.article_selector)
    if root is not None:
        boxes, _ = content.analyse(root, prune=False)
        return render(root, content.junk_blocks(boxes, boxes[0], link_lists=False)[0])
    body = tree.body
    if body is None:
        return []
    boxes, best, left_out = content.find_article(body, heading)
    if best is None:
        return []
    junk, lists = content.junk_blocks(boxes, best)
    return drop_repeats(render(best.node, junk + left_out, lists=lists))


def _jsonld_paragraphs(page: metadata.PageMeta, found: list[str]) -> list[str]:
    """JSON-LD ``articleBody`` when it is plain text and far longer than what the DOM gave."""
    body = page.article.get("articleBody")
    if not isinstance(body, str) or len(body) < _JSONLD_MIN_CHARS or "<" in body[:200]:
        return found
    if sum(len(p) for p in found) * _JSONLD_RATIO >= len(body):
        return found
    paragraphs = [" ".join(line.split()) for line in body.splitlines()]
    return [p for p in paragraphs if p]


def _extract(
    html: str | bytes,
    url: str | None,
    selected: ExtractRules,
    max_bytes: int,
    charset: str | None = None,
) -> Extraction:
    source = _as_text(html, max_bytes, charset)
    tree = dom.parse(source)
    page = metadata.collect(tree, source)
    heading = metadata.title_heading(tree, page)
    h1 = metadata.heading_text(heading) if heading is not None else None
    rules.drop_nodes(tree, selected.drop_selectors)
    title = metadata.title(page, h1, url)
    authors = metadata.authors(page)
    paragraphs = _jsonld_paragraphs(page, _body_paragraphs(tree, heading, selected))
    paragraphs = furniture.strip_furniture(paragraphs, (title, h1), authors)
    paragraphs = rules.drop_paragraphs(paragraphs, rules.compile_patterns(selected.drop_patterns))
    text = join_paragraphs(paragraphs)
    return Extraction(
        text=text,
        title=title,
        authors=authors,
        published_at=metadata.published(page, url),
        modified_at=metadata.modified(page),
        language=detect_language(text, page.html_lang),
        canonical_url=metadata.canonical_url(page, url),
        description=metadata.description(page),
        image_url=metadata.image_url(page, url),
        section=metadata.section(page),
        tags=metadata.tags(page),
    )


def extract(
    html: str | bytes,
    url: str | None = None,
    *,
    rules: ExtractRules | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    charset: str | None = None,
) -> Extraction:
    """Extract the article text and metadata of one page.

    ``html`` may be bytes (decoded with :func:`decode_html`) or text. ``charset``
    is the one the HTTP ``Content-Type`` header named, if any: it is the
    server's word on the bytes and, after a byte-order mark, outranks the page's
    own ``<meta>`` (many pages declare nothing and only the header says
    Latin-1). Ignored for text input. Input beyond ``max_bytes`` is ignored.
    Never raises: on hopeless input the result has empty text.
    """
    try:
        return _extract(html, url, rules or _NO_RULES, max_bytes, charset)
    except Exception:  # extraction is best effort by contract
        return Extraction()


def html_to_text(fragment: str) -> str:
    """Text of an HTML fragment (e.g. a feed item's body) in the same paragraph format.

    No main-content selection: everything is kept except scripts, styles,
    captions and blocks named like share/related/comment widgets.
    """
    try:
        tree = dom.parse(fragment[:DEFAULT_MAX_BYTES])
        body = tree.body
        if body is None:
            return ""
        boxes, _ = content.analyse(body, prune=False)
        junk, _ = content.junk_blocks(boxes, boxes[0], link_lists=False)
        return join_paragraphs(render(body, junk))
    except Exception:  # same contract as extract()
        return ""
