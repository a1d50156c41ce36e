"""Turn raw response bytes into text the way a careful crawler does.

Order of evidence: a byte-order mark is unambiguous; the HTTP ``Content-Type``
charset is what the server claimed; an in-document ``<meta>`` declaration is
what the author claimed; statistical detection is the last resort. Declared
single-byte charsets are often wrong for pages that are really UTF-8, so a
declaration of Latin-1/windows-1252 loses to bytes that are valid UTF-8.
"""

from __future__ import annotations

import codecs
import re

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

# WHATWG maps these labels to windows-1252; Python treats them as strict Latin-1.
_ALIASES = {
    "iso-8859-1": "windows-1252",
    "iso8859-1": "windows-1252",
    "latin1": "windows-1252",
    "latin-1": "windows-1252",
    "us-ascii": "windows-1252",
    "ascii": "windows-1252",
    "x-sjis": "shift_jis",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "utf8": "utf-8",
}
_WEAK_DECLARATIONS = frozenset({"cp1252", "iso8859-1", "ascii", "utf-8"})

_META_CHARSET = re.compile(
    rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([a-zA-Z0-9_:.+-]{2,40})""", re.IGNORECASE
)
_SNIFF_BYTES = 8192
_DETECT_BYTES = 200_000


def normalize_charset(label: str | None) -> str | None:
    """Return a Python codec name for a charset label, or None if unusable."""
    if not label:
        return None
    name = label.strip().strip("\"'").lower()
    name = _ALIASES.get(name, name)
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def _bom_charset(data: bytes) -> str | None:
    for bom, name in _BOMS:
        if data.startswith(bom):
            return name
    return None


def _meta_charset(data: bytes) -> str | None:
    match = _META_CHARSET.search(data[:_SNIFF_BYTES])
    if match is None:
        return None
    return normalize_charset(match.group(1).decode("ascii", "replace"))


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        # A multi-byte sequence cut by truncation at the very end is still UTF-8.
        return exc.start >= len(data) - 3 and exc.reason == "unexpected end of data"
    return True


def _detect(data: bytes) -> str | None:
    if _is_utf8(data):
        return "utf-8"
    try:
        from charset_normalizer import from_bytes

        best = from_bytes(data[:_DETECT_BYTES]).best()
    except Exception:  # detection is best effort; never let it break decoding
        return None
    return normalize_charset(best.encoding) if best is not None else None


def _decode_with(data: bytes, charset: str) -> str:
    return data.decode(charset, errors="replace")


def choose_charset(data: bytes, content_type_charset: str | None = None) -> str:
    """Pick the codec for ``data`` (see the module docstring for the order)."""
    bom = _bom_charset(data)
    if bom is not None:
        return bom
    for declared in (normalize_charset(content_type_charset), _meta_charset(data)):
        if declared is None:
            continue
        if declared in _WEAK_DECLARATIONS and _is_utf8(data):
            return "utf-8"
        if declared.startswith(("utf-16", "utf-32")):
            continue  # a BOM-less UTF-16 declaration in ASCII-compatible bytes is a lie
        return declared
    return _detect(data) or "utf-8"


def decode_html(data: bytes, content_type_charset: str | None = None) -> str:
    """Decode page bytes: BOM, HTTP charset, ``<meta>`` charset, detection, UTF-8.

    Never raises: undecodable bytes become U+FFFD.
    """
    if not data:
        return ""
    charset = choose_charset(data, content_type_charset)
    bom = _bom_charset(data)
    if bom is not None:
        return _decode_with(data, "utf-8-sig" if bom == "utf-8" else bom).lstrip("\ufeff")
    try:
        return _decode_with(data, charset)
    except (LookupError, ValueError):
        return data.decode("utf-8", errors="replace")
