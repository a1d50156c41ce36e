"""Properties of canonicalisation: total, idempotent, and never merging distinct articles."""

from __future__ import annotations

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from scraper.domains import Resolver, UrlPolicy, canonicalise
from scraper.domains.canonical import normalise_parts, split_url
from scraper.domains.policy import DEFAULT_POLICY

from .conftest import PUBLISHERS

FOLDING = UrlPolicy(
    fold_amp=True, host_folds={"www.e.com": "e.com", "amp.e.com": "e.com"}, trailing_slash="add"
)
STRIPPING = UrlPolicy(fold_amp=True, trailing_slash="strip")
RESOLVER = Resolver(PUBLISHERS)
SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Pieces that make URL-shaped text, including every character with a special meaning.
_SPECIAL = st.sampled_from([*"/?#&=%.:@[]+ ;~-_\\\t\n", "%2F", "%2e", "%7E", "%C3%BC", "%zz"])
_WORD = st.text(alphabet=st.characters(codec="utf-8"), min_size=0, max_size=6)
_CHUNK = st.lists(st.one_of(_SPECIAL, _WORD), max_size=8).map("".join)
_SCHEME = st.sampled_from(["http://", "https://", "HTTP://", "//", "ftp://", "mailto:", "", " "])
_HOST = st.one_of(
    st.sampled_from(
        [
            "southfront.org",
            "WWW.southfront.com",
            "amp.southfront.press",
            "m.bbc.co.uk",
            "bbc.co.uk",
            "feeds.example.com",
            "blog.example.com",
            "old-news.net",
            "bücher.de",
            "[::1]",
            "example.com:80",
            "example.com.",
            "a:b",
            "",
        ]
    ),
    _CHUNK,
)
_TRACKING = st.sampled_from(["utm_source=x", "fbclid=1", "gclid=2", "amp=1", "amp", "at_medium=r"])
_PARAM = st.one_of(_TRACKING, _CHUNK, st.tuples(_WORD, _WORD).map("=".join))
URLISH = st.builds(
    lambda scheme, host, path, params, fragment: (
        f"{scheme}{host}{path}?{'&'.join(params)}" + fragment
    ),
    _SCHEME,
    _HOST,
    st.lists(st.one_of(st.sampled_from(["amp", ".", "..", "", "x.amp.html"]), _CHUNK), max_size=6)
    .map("/".join)
    .map(lambda p: "/" + p),
    st.lists(_PARAM, max_size=5),
    st.sampled_from(["", "#", "#frag"]),
)
ANY_TEXT = st.one_of(st.text(), URLISH)


def _strict(url: str, policy: UrlPolicy = DEFAULT_POLICY) -> None:
    """The real code path, without :func:`canonicalise`'s last-resort ``except``."""
    parts = split_url(url, [])
    if not isinstance(parts, str):
        normalise_parts(parts, policy, [])


@SETTINGS
@given(ANY_TEXT)
@example("http://a:b:80/")
@example("http://x。/")
@example("http://%C3%BC.de/%2e%2e/%2E")
@example("http://e.com:99999999999999999999999999999999999999/")
@example("http://\ud800x/\ud800?\ud800=1")  # lone surrogates: not valid UTF-8
def test_never_raises(text: str) -> None:
    for policy in (DEFAULT_POLICY, FOLDING, STRIPPING):
        _strict(text, policy)
        assert isinstance(canonicalise(text, policy=policy), str)
    RESOLVER.resolve(text)
    RESOLVER.failover_urls(text)


@SETTINGS
@given(ANY_TEXT)
@example("http://a::/")
@example("http://e.com/a/..amp")
@example("http://e.com/x/amp/amp")
@example("http://x\u3002\u3002/")
@example("a://\xa0..")  # IDNA maps NBSP to a space only once the empty labels are gone
def test_idempotent(text: str) -> None:
    for policy in (DEFAULT_POLICY, FOLDING, STRIPPING):
        once = canonicalise(text, policy=policy)
        assert canonicalise(once, policy=policy) == once


@SETTINGS
@given(ANY_TEXT)
def test_resolution_is_stable(text: str) -> None:
    first = RESOLVER.resolve(text)
    again = RESOLVER.resolve(first.canonical_url)
    assert again.canonical_url == first.canonical_url
    assert again.identity_key == first.identity_key
    assert again.publisher_id == first.publisher_id


# Distinctness: segments and parameters that no rule may fold (no dots-only segments, no
# tracking or AMP names), compared under the default policy.
_SAFE_ALPHABET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_~é/"
_SEGMENT = st.text(alphabet=_SAFE_ALPHABET, min_size=1, max_size=12).filter(lambda s: "//" not in s)
_KEY = st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=6).filter(
    lambda k: not k.startswith(("utm_", "hsa_")) and k not in DEFAULT_POLICY.tracking_params
)
_VALUE = st.text(alphabet=_SAFE_ALPHABET + "+=?:@!$", max_size=8)  # no %: %41 is A


@SETTINGS
@given(_SEGMENT, _SEGMENT)
def test_distinct_paths_stay_distinct(a: str, b: str) -> None:
    left, right = f"https://e.com/{a.strip('/')}", f"https://e.com/{b.strip('/')}"
    if left != right:
        assert canonicalise(left) != canonicalise(right)


@SETTINGS
@given(_SEGMENT, _KEY, _VALUE, _VALUE)
def test_distinct_query_values_stay_distinct(path: str, key: str, v1: str, v2: str) -> None:
    left, right = f"https://e.com/{path}?{key}={v1}", f"https://e.com/{path}?{key}={v2}"
    if v1 != v2:
        assert canonicalise(left) != canonicalise(right)


@SETTINGS
@given(_SEGMENT, _KEY, _KEY, _VALUE)
def test_distinct_query_names_stay_distinct(path: str, k1: str, k2: str, value: str) -> None:
    left, right = f"https://e.com/{path}?{k1}={value}", f"https://e.com/{path}?{k2}={value}"
    if k1 != k2:
        assert canonicalise(left) != canonicalise(right)
