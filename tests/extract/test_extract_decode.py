"""Decoding bytes as a crawler would."""

from __future__ import annotations

import codecs

from scraper.extract import decode_html, extract

RUSSIAN = (
    "Городской совет проголосовал за реставрацию старого маяка, который стоит на мысе "
    "уже полтора века и давно нуждается в ремонте."
)


def test_windows_1251_without_declaration() -> None:
    raw = f"<html><body><p>{RUSSIAN}</p></body></html>".encode("cp1251")
    assert RUSSIAN in decode_html(raw)
    result = extract(raw)
    assert RUSSIAN in result.text
    assert result.language == "ru"


def test_utf8_bom_wins_over_meta() -> None:
    raw = codecs.BOM_UTF8 + '<meta charset="iso-8859-1"><p>café</p>'.encode()
    text = decode_html(raw)
    assert "café" in text and not text.startswith("\ufeff")


def test_utf16_bom() -> None:
    raw = codecs.BOM_UTF16_LE + "<p>naïve</p>".encode("utf-16-le")
    assert "naïve" in decode_html(raw)


def test_meta_charset_declared() -> None:
    raw = '<meta charset="windows-1252"><p>“quoted” café</p>'.encode("cp1252")
    assert "“quoted” café" in decode_html(raw)


def test_http_charset_used() -> None:
    raw = "<p>Ĺódź</p>".encode("iso-8859-2")
    assert "Ĺódź" in decode_html(raw, "ISO-8859-2")


def test_utf8_beats_wrong_latin1_declaration() -> None:
    raw = '<meta charset="iso-8859-1"><p>café</p>'.encode()
    assert "café" in decode_html(raw)


def test_unknown_charset_label_is_ignored() -> None:
    assert "ok" in decode_html(b"<p>ok</p>", "no-such-charset")


def test_empty() -> None:
    assert decode_html(b"") == ""
