"""Is this response worth reading? Refuse bodies that are clearly not what was asked for.

A feed item may link to a PDF, a video or a zip; reading 10 MB of it only to have the extractor
find no text wastes the byte budget and the crawl's time. The decision is made from the
Content-Type header, and — when the header is missing or says only ``octet-stream`` — from the
first bytes (magic numbers), so at most one chunk is read. Anything that *might* be the expected
kind (text/*, XML, JSON, unknown types) is let through: the parser or extractor decides.
"""

from __future__ import annotations

from typing import Literal

Kind = Literal["feed", "page", "any"]

REASONS: dict[Kind, str] = {"feed": "not_a_feed", "page": "not_html", "any": ""}

_BINARY_PREFIXES = ("image/", "video/", "audio/", "font/", "model/")
_BINARY_TYPES = frozenset({
    "application/pdf", "application/zip", "application/x-zip-compressed", "application/gzip",
    "application/x-gzip", "application/x-tar", "application/x-7z-compressed",
    "application/vnd.rar", "application/x-rar-compressed", "application/msword",
    "application/vnd.ms-excel", "application/vnd.ms-powerpoint", "application/x-msdownload",
    "application/x-shockwave-flash", "application/wasm", "application/postscript",
    "application/epub+zip", "application/x-bzip2", "application/x-xz", "application/zstd",
})  # fmt: skip
_OPENXML = "application/vnd.openxmlformats-officedocument."
_OPAQUE_TYPES = frozenset(
    {"", "application/octet-stream", "binary/octet-stream", "unknown/unknown"}
)

MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "PDF"),
    (b"PK\x03\x04", "zip archive"),
    (b"\x89PNG\r\n\x1a\n", "PNG image"),
    (b"GIF87a", "GIF image"),
    (b"GIF89a", "GIF image"),
    (b"\xff\xd8\xff", "JPEG image"),
    (b"\x1f\x8b", "gzip archive"),
    (b"7z\xbc\xaf\x27\x1c", "7z archive"),
    (b"Rar!\x1a\x07", "RAR archive"),
    (b"BZh", "bzip2 archive"),
    (b"\xfd7zXZ\x00", "xz archive"),
    (b"ID3", "MP3 audio"),
    (b"OggS", "Ogg media"),
    (b"\x1aE\xdf\xa3", "Matroska/WebM video"),
    (b"%!PS", "PostScript"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "MS Office document"),
    (b"MZ", "Windows executable"),
    (b"\x7fELF", "ELF executable"),
    (b"wOFF", "web font"),
    (b"wOF2", "web font"),
)


def media_type(content_type: str) -> str:
    return content_type.split(";", 1)[0].strip().lower()


def refused_type(content_type: str) -> str | None:
    """Why a response with this Content-Type is clearly not text, or None to read on."""
    kind = media_type(content_type)
    if kind.startswith(_BINARY_PREFIXES) or kind in _BINARY_TYPES or kind.startswith(_OPENXML):
        return f"Content-Type {kind}"
    return None


def needs_sniffing(content_type: str) -> bool:
    """A missing or opaque Content-Type says nothing: look at the first bytes instead."""
    return media_type(content_type) in _OPAQUE_TYPES


def sniff_binary(head: bytes) -> str | None:
    """Name the binary format ``head`` starts with, or None when it may be text."""
    for magic, name in MAGIC:
        if head.startswith(magic):
            return name
    if head[8:12] == b"ftyp":  # ISO media: MP4, MOV, HEIF
        return "ISO media (video/image)"
    if head.startswith(b"RIFF") and head[8:12] in (b"WEBP", b"AVI ", b"WAVE"):
        return "RIFF media"
    return None
