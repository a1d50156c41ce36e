"""Metadata extraction: titles, dates, authors, language, URLs."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from scraper.extract import extract
from scraper.extract.authors import clean_authors
from scraper.extract.dates import date_from_url, parse_date
from scraper.extract.metadata import strip_site_name

PROSE = (
    "<p>The committee met on Monday to discuss the proposal, which has divided opinion "
    "in the town for several years, and agreed to publish its findings next month.</p>"
)


def page(head: str = "", body: str = PROSE, lang: str = "") -> str:
    return f"<html{lang}><head>{head}</head><body><article>{body}</article></body></html>"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (
            "Budget approved after long debate | The Daily Planet",
            "Budget approved after long debate",
        ),
        ("Budget approved after long debate - Daily Planet", "Budget approved after long debate"),
        (
            "The Daily Planet » Budget approved after long debate",
            "Budget approved after long debate",
        ),
        ("No separator here", "No separator here"),
    ],
)
def test_title_suffix_is_stripped(raw: str, expected: str) -> None:
    assert extract(page(f"<title>{raw}</title>")).title == expected


def test_og_title_preferred_and_site_name_removed() -> None:
    head = (
        '<meta property="og:site_name" content="Planet"><title>Other | Planet</title>'
        '<meta property="og:title" content="Budget approved | Planet">'
    )
    assert extract(page(head)).title == "Budget approved"


def test_strip_site_name_keeps_hyphenated_titles() -> None:
    assert strip_site_name("Covid-19 cases fall") == "Covid-19 cases fall"


@pytest.mark.parametrize(
    "headline",
    [
        "Guerre en Ukraine : les pourparlers de paix échouent à Genève",  # French spaced colon
        "Ukraine – Russia talks collapse after three days",
        "Budget vote - what happens next for the council",
    ],
)
def test_og_title_is_not_cut_where_no_part_is_the_site(headline: str) -> None:
    head = f'<meta property="og:title" content="{headline}">'
    head += '<meta property="og:site_name" content="Le Courrier">'
    assert (
        extract(page(head, f"<h1>{headline}</h1>{PROSE}"), "https://courrier.example/a").title
        == headline
    )


@pytest.mark.parametrize(
    ("raw", "url", "expected"),
    [
        (
            "Talks collapse in Geneva - Le Monde",
            "https://www.lemonde.fr/a",
            "Talks collapse in Geneva",
        ),
        (
            "BBC | Talks collapse in Geneva",
            "https://www.bbc.co.uk/news/1",
            "Talks collapse in Geneva",
        ),
        (
            "Talks collapse : Geneva | Courrier.example",
            "https://courrier.example/a",
            "Talks collapse : Geneva",
        ),
    ],
)
def test_og_title_site_name_known_from_the_host(raw: str, url: str, expected: str) -> None:
    head = f'<meta property="og:title" content="{raw}">'
    assert extract(page(head), url).title == expected


def test_og_title_affix_dropped_when_the_heading_is_the_rest() -> None:
    head = '<meta property="og:title" content="Council approves the budget | Opinion | Planet">'
    body = f"<h1>Council approves the budget</h1>{PROSE}"
    assert extract(page(head, body), "https://n.example/a").title == "Council approves the budget"


def test_strip_site_name_only_strips_known_names() -> None:
    assert (
        strip_site_name("Guerre en Ukraine : la paix", ["Le Monde"])
        == "Guerre en Ukraine : la paix"
    )
    assert strip_site_name("Le Monde : la paix en Ukraine", ["LE MONDE"]) == "la paix en Ukraine"
    assert strip_site_name("The Planet - A - B", ["the planet"]) == "A - B"
    assert strip_site_name("Planet | Planet", ["Planet"]) == "Planet"  # never nothing


def test_a_site_name_heading_does_not_replace_the_headline() -> None:
    # The logo <h1> "Planet" is shorter than the rest: it is not taken as the headline.
    assert strip_site_name("Planet - Council approves the budget", heading="Planet") == (
        "Planet - Council approves the budget"
    )
    assert strip_site_name(
        "Council approves the budget - Planet", heading="Council approves the budget"
    ) == ("Council approves the budget")


def test_title_tag_colon_is_headline_punctuation() -> None:
    title = "<title>Guerre en Ukraine : les pourparlers échouent</title>"
    assert extract(page(title)).title == "Guerre en Ukraine : les pourparlers échouent"


def test_jsonld_metadata() -> None:
    head = """<script type="application/ld+json">
    {"@graph": [{"@type": "WebSite", "name": "Planet"},
      {"@type": "BlogPosting", "headline": "Headline from JSON-LD",
       "datePublished": "2020-02-29T23:30:00-05:00",
       "author": {"@type": "Person", "name": "Lois Lane"},
       "keywords": ["politics", "budget"], "articleSection": "Politics"}]}
    </script>"""
    result = extract(page(head))
    assert result.title == "Headline from JSON-LD"
    assert result.published_at == datetime(2020, 3, 1, 4, 30, tzinfo=UTC)
    assert result.authors == ("Lois Lane",)
    assert result.tags == ("politics", "budget")
    assert result.section == "Politics"


def _ld(obj: object) -> str:
    return f'<script type="application/ld+json">{json.dumps(obj)}</script>'


def test_jsonld_author_given_as_an_id_reference() -> None:
    # Yoast writes the Person once in @graph (here in a second block) and points at it.
    person = "https://planet.example/#/schema/person/1"
    graph = {
        "@context": "https://schema.org",
        "@graph": [
            {"@type": "WebPage", "@id": "https://planet.example/a"},
            {
                "@type": "NewsArticle",
                "headline": "Council approves the budget",
                "author": [{"@id": person}, {"@id": "https://planet.example/#missing"}],
                "publisher": {"@id": "https://planet.example/#org"},
                "mainEntityOfPage": {"@id": "https://planet.example/a"},
            },
            {"@type": "Organization", "@id": "https://planet.example/#org", "name": "Planet"},
        ],
    }
    head = _ld(graph) + _ld({"@type": "Person", "@id": person, "name": "Lois Lane"})
    head += '<meta property="og:title" content="Council approves the budget | Planet">'
    result = extract(page(head))
    assert result.authors == ("Lois Lane",)  # the unresolvable reference is no name
    assert result.title == "Council approves the budget"  # publisher name resolved too


@pytest.mark.parametrize("key", ["mainEntity", "mainEntityOfPage"])
def test_jsonld_article_nested_in_a_webpage(key: str) -> None:
    article = {
        "@type": "NewsArticle",
        "headline": "Council approves the budget",
        "author": {"@type": "Person", "name": "Lois Lane"},
        "datePublished": "2024-05-06T07:08:09+02:00",
    }
    head = _ld({"@context": "https://schema.org", "@type": "WebPage", key: article})
    result = extract(page(head))
    assert result.authors == ("Lois Lane",)
    assert result.published_at == datetime(2024, 5, 6, 5, 8, 9, tzinfo=UTC)


def test_jsonld_surname_particle_is_kept() -> None:
    head = _ld({"@type": "NewsArticle", "headline": "Budget", "author": {"name": "Di Wu"}})
    assert extract(page(head)).authors == ("Di Wu",)


def test_broken_jsonld_is_ignored() -> None:
    head = '<script type="application/ld+json">{"headline": "x",,}</script><title>Fine</title>'
    assert extract(page(head)).title == "Fine"


def test_meta_dates_naive_means_utc() -> None:
    head = '<meta property="article:published_time" content="2019-05-12 08:00:00">'
    assert extract(page(head)).published_at == datetime(2019, 5, 12, 8, 0, tzinfo=UTC)


def test_time_element_date() -> None:
    body = '<time datetime="2018-07-01T10:00:00+02:00">1 July</time>' + PROSE
    assert extract(page(body=body)).published_at == datetime(2018, 7, 1, 8, 0, tzinfo=UTC)


def test_url_date_fallback() -> None:
    result = extract(page(), "https://news.example/2019/05/12/some-story")
    assert result.published_at == datetime(2019, 5, 12, tzinfo=UTC)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://x.example/2019/05/12/slug", datetime(2019, 5, 12, tzinfo=UTC)),
        ("https://x.example/news/2020-01-31-slug", datetime(2020, 1, 31, tzinfo=UTC)),
        ("https://x.example/20211105/slug", datetime(2021, 11, 5, tzinfo=UTC)),
        ("https://x.example/2019/13/45/slug", None),
        ("https://x.example/about", None),
    ],
)
def test_date_from_url(url: str, expected: datetime | None) -> None:
    assert date_from_url(url) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2021-03-14T09:30:00+01:00", datetime(2021, 3, 14, 8, 30, tzinfo=UTC)),
        ("2021-03-14T09:30:00Z", datetime(2021, 3, 14, 9, 30, tzinfo=UTC)),
        ("March 14, 2021 9:30 AM", datetime(2021, 3, 14, 9, 30, tzinfo=UTC)),
        ("1615714200", datetime(2021, 3, 14, 9, 30, tzinfo=UTC)),
        ("not a date", None),
        ("", None),
        ("0001-01-01", None),
    ],
)
def test_parse_date(value: str, expected: datetime | None) -> None:
    assert parse_date(value) == expected


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (["By Jane Doe"], ("Jane Doe",)),
        (["Jane Doe and John Smith"], ("Jane Doe", "John Smith")),
        (["Jane Doe, John Smith, jane doe"], ("Jane Doe", "John Smith")),
        (["Jane Doe jane@example.com"], ("Jane Doe",)),
        (["https://facebook.com/janedoe", "Jane Doe"], ("Jane Doe",)),
        (["Posted by: Jane Doe, Staff Writer"], ("Jane Doe",)),
        ([""], ()),
        # "by" in other languages goes before a name; as a surname particle it stays.
        (["Von Anna Schmidt und Max Müller"], ("Anna Schmidt", "Max Müller")),
        (["Par Jean Dupont"], ("Jean Dupont",)),
        (["Por: María López"], ("María López",)),
        (["Door Jan de Vries"], ("Jan de Vries",)),
        (["Av Lars Olsen"], ("Lars Olsen",)),
        (["di Mario Rossi"], ("Mario Rossi",)),
        (["Di Wu"], ("Di Wu",)),
        (["Di Maio"], ("Di Maio",)),
        (["Von der Leyen"], ("Von der Leyen",)),
        (["Paris Hilton", "Avery Smith"], ("Paris Hilton", "Avery Smith")),
    ],
)
def test_clean_authors(values: list[str], expected: tuple[str, ...]) -> None:
    assert clean_authors(values) == expected


def test_meta_author() -> None:
    head = '<meta name="author" content="By Jane Doe &amp; John Smith">'
    assert extract(page(head)).authors == ("Jane Doe", "John Smith")


def test_language_detected_from_text() -> None:
    body = (
        "<p>Der Gemeinderat hat am Montag beschlossen, den alten Leuchtturm zu restaurieren, "
        "nachdem jahrelang über die Zukunft des Wahrzeichens gestritten wurde.</p>"
    )
    assert extract(page(body=body, lang=' lang="en"')).language == "de"


def test_language_falls_back_to_html_lang() -> None:
    assert extract(page(body="<p>Hola.</p>", lang=' lang="es-ES"')).language == "es"


def test_canonical_made_absolute() -> None:
    head = '<link rel="canonical" href="/a/b">'
    assert extract(page(head), "https://x.example/c?d=1").canonical_url == "https://x.example/a/b"


def test_og_url_when_no_canonical() -> None:
    head = '<meta property="og:url" content="https://x.example/story">'
    assert extract(page(head)).canonical_url == "https://x.example/story"
