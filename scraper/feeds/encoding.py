"""Decode a feed body to text whatever its headers and declarations claim, then hand feedparser
UTF-8 with a declaration that tells the truth.

feedparser trusts the HTTP charset and the XML declaration. Publishers get them wrong: a feed
declared UTF-8 but written in windows-1251 comes out as mojibake or as a bozo feed with no
items. Here the order of evidence is: byte-order mark (unambiguous), then each declaration
(HTTP ``charset``, then ``<?xml … encoding=…?>``) *if the bytes decode under it*, then
statistical detection (charset-normalizer). A declaration that fails to decode is a lie and is
skipped; a single-byte declaration on bytes that are valid, non-ASCII UTF-8 loses to UTF-8
(the commonest lie is a default ``ISO-8859-1`` on a UTF-8 feed).
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Mapping
from dataclasses import dataclass

from charset_normalizer import from_bytes

_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_ALIASES = {"iso-8859-1": "windows-1252", "latin1": "windows-1252", "latin-1": "windows-1252",
            "us-ascii": "windows-1252", "ascii": "windows-1252", "gb2312": "gb18030",
            "gbk": "gb18030", "x-sjis": "shift_jis"}  # fmt: skip
_XML_DECLARATION = re.compile(rb"""^\s*<\?xml[^>]{0,200}?encoding\s*=\s*["']([\w.:+-]{1,40})["']""")
_XML_DECLARATION_TEXT = re.compile(r"^\s*<\?xml[^>]{0,200}\?>")
_CHARSET_PARAM = re.compile(r"""charset\s*=\s*["']?([\w.:+-]{1,40})""", re.IGNORECASE)
_DETECT_BYTES = 200_000
UTF8_DECLARATION = '<?xml version="1.0" encoding="utf-8"?>'


def codec_name(label: str | None) -> str | None:
    """The Python codec for a charset label, or None when the label names nothing usable."""
    if not label:
        return None
    name = label.strip().strip("\"'").lower()
    try:
        return codecs.lookup(_ALIASES.get(name, name)).name
    except LookupError:
        return None


def header_charset(headers: Mapping[str, str]) -> str | None:
    """The ``charset`` parameter of ``Content-Type`` (header name matched in any case: the
    fetcher lower-cases names, but stored or imported headers may not be)."""
    value = next((v for k, v in headers.items() if k.lower() == "content-type"), "")
    match = _CHARSET_PARAM.search(value)
    return match.group(1) if match else None


def decode_feed(body: bytes, http_charset: str | None = None) -> str:
    """The feed as text (see the module docstring for the order of evidence). Never raises."""
    for bom, name in _BOMS:
        if body.startswith(bom):
            return body[len(bom) :].decode(name, errors="replace")
    declaration = _XML_DECLARATION.match(body)
    for label in (http_charset, declaration.group(1).decode() if declaration else None):
        text = _decode_declared(body, codec_name(label))
        if text is not None:
            return text
    return body.decode(_detect(body), errors="replace")


def _decode_declared(body: bytes, codec: str | None) -> str | None:
    if codec is None or codec.startswith(("utf-16", "utf-32")):
        return None  # without a BOM, a UTF-16/32 declaration readable as ASCII is a lie
    try:
        text = body.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return None
    if codec != "utf-8" and not body.isascii() and _is_utf8(body):
        return body.decode("utf-8")
    return text


def _is_utf8(body: bytes) -> bool:
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _detect(body: bytes) -> str:
    if _is_utf8(body):
        return "utf-8"
    try:
        best = from_bytes(body[:_DETECT_BYTES]).best()
    except Exception:  # detection is best effort; UTF-8 with replacement is the fallback
        return "utf-8"
    return codec_name(best.encoding if best else None) or "utf-8"


@dataclass(frozen=True, slots=True)
class Shift:
    """How the text handed to feedparser differs at its start from the feed as served: leading
    blank lines dropped, a declaration replaced or added on what becomes line 1. Without this a
    parser error points into text the feed never had ("1:38", just past our declaration)."""

    lines: int = 0  # lines removed before the declaration
    columns: int = 0  # characters added to line 1 (negative: removed)

    def original(self, line: int, column: int) -> tuple[int, int]:
        """The feed's own (line, column) for a position in the handed text."""
        if line != 1:
            return line + self.lines, column
        return 1 + self.lines, max(column - self.columns, 0)


def as_utf8(text: str, headers: Mapping[str, str]) -> tuple[bytes, dict[str, str], Shift]:
    """UTF-8 bytes with a truthful XML declaration, headers whose charset agrees, and the
    :class:`Shift` that maps parser positions back to the feed's own."""
    text = text.lstrip("\ufeff")
    declared = _XML_DECLARATION_TEXT.match(text)
    if declared:
        stripped = text.lstrip()
        lead = text[: len(text) - len(stripped)]
        indent = len(lead) - (lead.rfind("\n") + 1)
        old = _XML_DECLARATION_TEXT.match(stripped)
        old_len = old.end() if old else 0
        shift = Shift(lead.count("\n"), len(UTF8_DECLARATION) - old_len - indent)
        text = _XML_DECLARATION_TEXT.sub(UTF8_DECLARATION, stripped, count=1)
    else:
        shift = Shift(0, len(UTF8_DECLARATION))
        text = UTF8_DECLARATION + text
    fixed = dict(headers)
    media = fixed.get("content-type", "").split(";", 1)[0].strip() or "application/xml"
    fixed["content-type"] = f"{media}; charset=utf-8"
    return text.encode("utf-8", errors="replace"), fixed, shift
