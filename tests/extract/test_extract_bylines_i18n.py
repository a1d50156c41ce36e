"""Bylines in other languages ("Von …", "Par …", "Por …", "Door …", "Av …", "Di …") are page
furniture like "By …", but the same words are surname particles and ordinary prose openers."""

from __future__ import annotations

import pytest

from scraper.extract import extract
from scraper.extract.furniture import is_byline, strip_furniture

BODY = "Der Gemeinderat hat am Dienstag beschlossen, die alte Brücke vor dem Sommer zu sanieren."


@pytest.mark.parametrize(
    "line",
    [
        "Von Anna Schmidt",
        "von Anna Schmidt und Max Müller",
        "Par Jean Dupont et Marie Curie",
        "Por: María López",
        "Door Jan de Vries",
        "Av Lars Olsen | 12.03.2024",
        "Di Mario Rossi",
    ],
)
def test_foreign_bylines(line: str) -> None:
    assert is_byline(line)


@pytest.mark.parametrize(
    "line",
    [
        "Di Maio",  # an Italian surname, not "by Maio"
        "Von Berlin nach Hamburg",
        "Por qué no",
        "Par",
        "Door to door",
        "Von der Leyen lehnt ab",
    ],
)
def test_particles_and_prose_are_not_bylines(line: str) -> None:
    assert not is_byline(line)


def test_a_known_author_after_the_particle_is_a_byline() -> None:
    assert is_byline("Di Wu", ("Di Wu",))
    assert is_byline("Par Dupont", ("Dupont",))


def test_foreign_byline_stripped_only_at_the_ends() -> None:
    paragraphs = ["Von Anna Schmidt", BODY, BODY, BODY, BODY, "Von Anna Schmidt", BODY, BODY]
    assert strip_furniture(paragraphs, [], ("Anna Schmidt",)) == paragraphs[1:]


def test_extracted_german_article_has_no_byline_paragraph() -> None:
    html = (
        "<html lang='de'><head><title>Brücke wird saniert</title></head><body><article>"
        "<h1>Brücke wird saniert</h1><p class='autor'>Von Anna Schmidt</p>"
        f"<p>{BODY}</p><p>Die Arbeiten sollen im März beginnen und sechs Wochen dauern, "
        "teilte die Stadt mit.</p></article></body></html>"
    )
    result = extract(html, "https://zeitung.example.de/a")
    assert result.text.startswith(BODY)
    assert "Anna Schmidt" not in result.text
