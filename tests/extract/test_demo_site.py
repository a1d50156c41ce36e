"""Every demo article comes out as exactly its body: no headline, byline, dateline or donate box.

The archive stores title, authors and dates as separate fields, so ``Extraction.text`` must be
the body only (a standfirst/dek counts as body). The demo pages carry the furniture real
templates do, which is what these tests guard.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from scraper.demo.site import ExpectedArticle, expected, load_site
from scraper.extract import extract

SITE = load_site()
ARTICLES = expected()
# This page ends with the publisher's "we moved" footer, which the crawler strips afterwards
# with a configured publisher rule, not the generic extractor.
FOOTER_PAGES = {
    "http://southfront.press/drones-intercepted-near-russian-bases-in-syrias-tartus-and-khmeimim/"
}


def _paragraphs(article: ExpectedArticle) -> list[str]:
    parts = urlsplit(article["url"])
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    body = SITE[parts.netloc][path].body
    return extract(body, article["url"]).text.split("\n\n")


@pytest.mark.parametrize("article", ARTICLES, ids=[a["url"] for a in ARTICLES])
def test_text_is_the_body_only(article: ExpectedArticle) -> None:
    got, want = _paragraphs(article), article["paragraphs"]
    if article["url"] in FOOTER_PAGES:
        assert got[: len(want)] == want
        rest = got[len(want) :]
        assert rest, "the publisher footer is left for the crawler's publisher rule"
        assert set(rest[0].split("\n")[0]) == {"_"}
    else:
        assert got == want


def test_footer_page_is_in_the_demo() -> None:
    assert {a["url"] for a in ARTICLES} >= FOOTER_PAGES
