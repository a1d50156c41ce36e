"""Fuzzing: no input makes ``parse_feed`` raise anything but ParseError, or run long."""

from __future__ import annotations

import time

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scraper.errors import ParseError
from scraper.feeds import parse_feed
from scraper.models import ParsedFeed

BOUND_S = 2.0
FUZZ = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True
)

TAGS = ["rss", "channel", "item", "title", "link", "description", "guid", "pubDate", "author",
        "feed", "entry", "content", "summary", "updated", "content:encoded", "dc:creator",
        "rdf:RDF", "html", "body", "p", "a", "script"]  # fmt: skip
PROLOGS = ["", '<?xml version="1.0"?>', '<?xml version="1.0" encoding="utf-16"?>',
           "<?xml version='1.0' encoding='windows-1251'?>", '<?xml encoding="klingon"?>',
           '<!DOCTYPE rss [<!ENTITY a "b">]>', '<!DOCTYPE rss SYSTEM "http://127.0.0.2/x.dtd">',
           "<!DOCTYPE html>", "\ufeff"]  # fmt: skip
TEXT = st.one_of(
    st.text(max_size=40),
    st.sampled_from(["&amp;", "&lt;", "&bogus;", "&#x10FFFF;", "&#0;", "&#99999999;", "&a;",
                     "<![CDATA[x]]>", "<![CDATA[", "<!-- c -->", "<?pi x?>", "]]>", "http://x/",
                     "2025-13-45T99:99:99Z", "Fri, 31 Feb 2025 25:61:61 GMT", "\x00", "\ud7ff"]),
)  # fmt: skip


def _element(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    attrs = st.dictionaries(
        st.sampled_from(["href", "rel", "type", "xml:base", "xmlns", "version", "rdf:about"]),
        st.sampled_from(["", "http://x/", "/rel", "javascript:alert(1)", "text/html", "2.0"]),
        max_size=3,
    )
    return st.builds(
        lambda tag, a, kids, close: (
            f"<{tag}" + "".join(f' {k}="{v}"' for k, v in a.items()) + ">"
            + "".join(kids) + (f"</{tag}>" if close else "")
        ),
        st.sampled_from(TAGS), attrs, st.lists(children, max_size=4), st.booleans(),
    )  # fmt: skip


XMLISH = st.builds(
    lambda prolog, body, cut: (prolog + body)[: cut or None],
    st.sampled_from(PROLOGS),
    st.recursive(TEXT, _element, max_leaves=30),
    st.integers(min_value=0, max_value=400),
)


def _check(body: bytes, headers: dict[str, str] | None = None) -> None:
    started = time.perf_counter()
    try:
        result = parse_feed(body, "http://fuzz.example/feed", headers)
    except ParseError as exc:
        assert exc.url == "http://fuzz.example/feed"
        assert exc.reason in {"not_a_feed", "malformed", "unsafe_xml", "parse_failed"}
    else:
        assert isinstance(result, ParsedFeed)
        assert all(item.url.startswith("http") for item in result.items)
    assert time.perf_counter() - started < BOUND_S


@FUZZ
@given(st.binary(max_size=4096))
def test_arbitrary_bytes(body: bytes) -> None:
    _check(body)


@FUZZ
@given(st.text(max_size=2048), st.sampled_from(["utf-8", "utf-16", "cp1251", "latin-1"]))
def test_arbitrary_text(text: str, codec: str) -> None:
    _check(text.encode(codec, errors="replace"))


CONTENT_TYPES = ["", "application/rss+xml; charset=utf-8", "text/html",
                 "text/xml; charset=klingon", "application/atom+xml; charset=utf-16"]  # fmt: skip


@FUZZ
@given(XMLISH, st.sampled_from(CONTENT_TYPES))
def test_xml_like_structures(document: str, content_type: str) -> None:
    _check(document.encode("utf-8", errors="surrogatepass"), {"Content-Type": content_type})
