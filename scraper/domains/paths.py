"""Path and query spelling: percent-encoding, dot-segments, duplicate slashes, trailing slash.

These rules change how a URL is *written*, never what it points to (RFC 3986 §6.2.2), with two
deliberate exceptions that news sites do not distinguish in practice: duplicate slashes are
collapsed, and the trailing slash follows the publisher's convention when one is configured.

Percent-encoding is put in one spelling: ``%xx`` becomes ``%XX``; an encoded unreserved
character (``%41``, ``%7E``) is decoded; characters that may not appear raw (space, quotes,
non-ASCII, a ``%`` not followed by two hex digits …) are UTF-8 encoded. Encoded reserved
characters (``%2F``, ``%3D``, ``%26``, ``%3F``) stay encoded: decoding them changes the meaning.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Literal

TrailingSlash = Literal["keep", "add", "strip"]

_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
_SAFE = r"A-Za-z0-9\-._~!$&'()*+,;=:@/"
# Anything that may need rewriting: a %XX triplet, a stray %, or a run of characters that may not
# appear raw. ``?`` may appear raw in a query but not in a path (it would start the query).
_PATH_FIX = re.compile(rf"%[0-9A-Fa-f]{{2}}|%|[^{_SAFE}%]+")
_QUERY_FIX = re.compile(rf"%[0-9A-Fa-f]{{2}}|%|[^{_SAFE}?%]+")
# Strings without any ``%`` and made only of safe characters need no rewriting (the fast path).
_PATH_CLEAN = re.compile(rf"[{_SAFE}]*")
_QUERY_CLEAN = re.compile(rf"[{_SAFE}?]*")


@lru_cache(maxsize=4096)
def _encode_run(run: str) -> str:
    return "".join(f"%{byte:02X}" for byte in run.encode("utf-8", "surrogatepass"))


def _fix(match: re.Match[str]) -> str:
    text = match.group()
    if len(text) == 3 and text[0] == "%":
        char = chr(int(text[1:], 16))
        return char if char in _UNRESERVED else text.upper()
    return _encode_run(text)


def normalise_percent(text: str, *, query: bool = False) -> str:
    """``text`` (a path or one query parameter) in the one percent-encoding spelling."""
    clean = _QUERY_CLEAN if query else _PATH_CLEAN
    if clean.fullmatch(text):
        return text
    return (_QUERY_FIX if query else _PATH_FIX).sub(_fix, text)


def resolve_segments(path: str) -> tuple[str, bool, bool]:
    """Remove ``.``/``..`` segments and empty segments from an absolute path.

    Returns (path, had dot-segments, had duplicate slashes). A path that ended in ``/``, ``/.``
    or ``/..`` keeps its trailing slash, as RFC 3986 §5.2.4 does.
    """
    if "//" not in path and "/." not in path:
        return path, False, False
    kept: list[str] = []
    trailing = dots = empties = False
    segments = path.split("/")
    last = len(segments) - 1
    for index in range(1, last + 1):
        segment = segments[index]
        trailing = segment in ("", ".", "..")
        if segment == "":
            empties = empties or index < last
        elif segment == ".":
            dots = True
        elif segment == "..":
            dots = True
            if kept:
                kept.pop()
        else:
            kept.append(segment)
    if not kept:
        return "/", dots, empties
    return "/" + "/".join(kept) + ("/" if trailing else ""), dots, empties


def apply_trailing_slash(path: str, convention: TrailingSlash) -> str:
    """Follow the publisher's convention; ``add`` leaves file names (``story.html``) alone."""
    if convention == "keep" or path == "/":
        return path
    if convention == "strip":
        return path.rstrip("/") or "/"
    if path.endswith("/") or "." in path[path.rfind("/") + 1 :]:
        return path
    return path + "/"
