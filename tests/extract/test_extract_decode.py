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


# A French page in windows-1252 with no <meta charset>: only the HTTP header says what it is.
FRENCH = "Il fait très chaud à Paris cet été, et l’on cherche l’ombre près de la Seine."
UNDECLARED = f"<html><body><article><p>{FRENCH}</p></article></body></html>".encode("cp1252")


def test_extract_uses_the_http_charset() -> None:
    assert FRENCH in extract(UNDECLARED, charset="windows-1252").text


def test_latin1_and_ascii_labels_mean_windows_1252() -> None:
    # WHATWG: "ISO-8859-1", "latin1" and "us-ascii" all decode as windows-1252, so 0x92 is "’".
    for label in ("ISO-8859-1", "latin1", "us-ascii"):
        assert FRENCH in extract(UNDECLARED, charset=label).text, label


def test_http_charset_outranks_meta() -> None:
    raw = f'<meta charset="koi8-r"><p>{FRENCH}</p>'.encode("cp1252")
    assert FRENCH in decode_html(raw, "iso-8859-1")


def test_bom_outranks_http_charset() -> None:
    raw = codecs.BOM_UTF8 + f"<p>{FRENCH}</p>".encode()
    assert FRENCH in extract(raw, charset="iso-8859-1").text


def test_charset_is_ignored_for_text_input() -> None:
    assert FRENCH in extract(f"<p>{FRENCH}</p>", charset="koi8-r").text
