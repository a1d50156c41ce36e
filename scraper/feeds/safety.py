"""Refuse XML entity tricks before feedparser sees the document; unwrap gzip within a cap.

feedparser already drops external and nested entity declarations, and expat (2.4+) limits
amplification, but its fallback "loose" parser expands every *plain* entity it kept, once per
reference: one 50 KB entity referenced 100 000 times ("quadratic blowup") becomes 5 GB of text.
A real feed has no use for any of this: at most a few one-character entities (``nbsp``). So an
entity declaration that is external (``SYSTEM`` / ``PUBLIC``: file or network access), a
parameter entity, one that refers to another entity (billion laughs), one longer than a few
characters, or too many of them makes the feed fail with reason ``unsafe_xml``.

Some servers send a ``feed.xml.gz`` file as the body without ``Content-Encoding: gzip``, so the
HTTP client leaves it compressed. :func:`gunzip_body` inflates such a body, but no further than
the feed size cap: a small compressed body can inflate to gigabytes (a "gzip bomb").
"""

from __future__ import annotations

import re
import zlib

from scraper.errors import ParseError

MAX_ENTITIES = 32
MAX_ENTITY_CHARS = 16

_DECLARATION = re.compile(r"<!ENTITY\b", re.IGNORECASE)
_PLAIN = re.compile(r"""<!ENTITY\s+([\w.:-]+)\s+(?:"([^"]*)"|'([^']*)')\s*>""", re.IGNORECASE)
_PE_REF = re.compile(r"%[\w.:-]+;")
_CHAR_REF = re.compile(r"&#(x[0-9a-fA-F]{1,6}|\d{1,7});")
GZIP_MAGIC = b"\x1f\x8b"
_GZIP_WBITS = 16 + zlib.MAX_WBITS  # gzip header and trailer, not a raw or zlib stream
_MAX_GZIP_MEMBERS = 16


def gunzip_body(body: bytes, url: str, max_bytes: int) -> bytes:
    """``body`` inflated if it is gzip data (by its magic bytes), else unchanged.

    Raises :class:`ParseError` ``too_large`` when it inflates beyond ``max_bytes`` and
    ``not_a_feed`` when it is not a readable gzip stream. Concatenated members (what ``cat a.gz
    b.gz`` makes, and gzip itself reads) are joined.
    """
    if not body.startswith(GZIP_MAGIC):
        return body
    out: list[bytes] = []
    size, rest = 0, body
    for _ in range(_MAX_GZIP_MEMBERS):
        inflater = zlib.decompressobj(_GZIP_WBITS)
        try:
            chunk = inflater.decompress(rest, max_bytes - size + 1)
        except zlib.error as exc:
            message = f"gzip-compressed body that does not inflate: {exc}"
            raise ParseError(url, "not_a_feed", message) from exc
        size += len(chunk)
        if size > max_bytes:
            message = f"gzip-compressed body inflates beyond {max_bytes} bytes"
            raise ParseError(url, "too_large", message)
        out.append(chunk)
        if not inflater.eof:
            raise ParseError(url, "not_a_feed", "gzip-compressed body is truncated")
        rest = inflater.unused_data
        if not rest.startswith(GZIP_MAGIC):
            break
    return b"".join(out)


def check_entities(text: str, url: str) -> None:
    """Raise :class:`ParseError` (``unsafe_xml``) for any entity declaration beyond the harmless."""
    starts = [m.start() for m in _DECLARATION.finditer(text)]
    if len(starts) > MAX_ENTITIES:
        raise ParseError(url, "unsafe_xml", f"{len(starts)} entity declarations")
    for start in starts:
        problem = _problem(text, start)
        if problem:
            raise ParseError(url, "unsafe_xml", problem)


def _problem(text: str, start: int) -> str | None:
    match = _PLAIN.match(text, start)
    if match is None:  # SYSTEM/PUBLIC, a parameter entity (%), or syntax we do not vouch for
        snippet = text[start : start + 80].split(">", 1)[0]
        return f"external, parameter or unrecognised entity declaration: {snippet}>"
    name, value = match.group(1), match.group(2) if match.group(2) is not None else match.group(3)
    literal = _CHAR_REF.sub(_char, value)  # "&#38;b;" becomes "&b;" when the entity is used
    if "&" in literal or _PE_REF.search(literal):
        return f"entity {name!r} refers to other entities"
    if len(literal) > MAX_ENTITY_CHARS:
        return f"entity {name!r} is {len(literal)} characters long"
    return None


def _char(match: re.Match[str]) -> str:
    ref = match.group(1)
    code = int(ref[1:], 16) if ref[0] in "xX" else int(ref)
    return chr(code) if code <= 0x10FFFF else "\ufffd"
