"""URL canonicalisation: one spelling per article URL, so the archive keys each story once.

:func:`canonicalise` never raises and is idempotent (``c(c(x)) == c(x)``). It returns a
best-effort cleaned string for anything that is not a hierarchical URL (``mailto:``, relative
references, garbage): only rules 1–3 apply to those. Each rule below has the name it is reported
under in :attr:`scraper.domains.Resolution.rules`.

Generic rules (always applied; they never change which page a URL points to):

1. ``whitespace`` — tabs, CR and LF are removed anywhere; whitespace and control characters
   around the URL are stripped (what browsers do with pasted links).
2. ``fragment`` — ``#…`` is dropped: it is never sent to the server.
3. ``lowercase-scheme`` — ``HTTP:`` → ``http:``.
4. ``lowercase-host`` — hosts are case-insensitive; also ``host-trailing-dot``
   (``example.com.`` → ``example.com``).
5. ``idna`` — Unicode hosts → punycode (``bücher.de`` → ``xn--bcher-kva.de``).
6. ``default-port`` — ``:80`` on http, ``:443`` on https and an empty ``:`` are dropped;
   ``port-zeros`` — ``:0080`` → ``:80``.
7. ``empty-path`` — ``http://example.com`` → ``http://example.com/``.
8. ``percent-encoding`` — ``%xx`` → ``%XX``; encoded unreserved characters (``%7E``, ``%41``)
   decoded; characters that may not appear raw (space, non-ASCII, a stray ``%``) UTF-8
   encoded. Encoded reserved characters (``%2F``, ``%26``, ``%3D``) are kept: decoding them
   would change the meaning.
9. ``duplicate-slashes`` — ``/a//b`` → ``/a/b``.
10. ``dot-segments`` — ``/a/./b/../c`` → ``/a/c`` (RFC 3986 §5.2.4).
11. ``tracking-params`` — ``utm_*``, ``fbclid``, ``gclid`` … removed (the list is in
    :mod:`scraper.domains.tracking`; extend it with :class:`UrlPolicy` or the publisher's
    ``tracking_params``). ``empty-params`` — ``?`` with nothing after it and ``a=1&&b=2``.
    ``session-id`` — a servlet session in the path (``/story;jsessionid=…``) is removed; the
    query's session parameters (``PHPSESSID``, ``jsessionid``, ``CFID``, ``CFTOKEN``) go with
    the tracking parameters: they name a visit, never a page, and a crawler that keeps them
    stores one copy of an article per session the site hands it.
12. ``query-order`` — parameters sorted by name; repeated names keep their relative order,
    because ``?tag=b&tag=a`` may mean something different from ``?tag=a&tag=b``. Values and
    ``+`` are left as written.

Publisher folds (only when the :class:`UrlPolicy` of a known publisher asks for them):

13. ``www-fold`` — ``www.``/``m.``/``mobile.`` hosts (or the bare domain, when the publisher
    lives on ``www.``) → the configured domain (``UrlPolicy.host_folds``).
14. ``amp`` — ``amp.`` host, ``/story/amp/``, ``/amp/story/``, ``story.amp.html``,
    ``?amp=1``, ``?amp`` and ``?outputType=amp`` → the article URL (:mod:`scraper.domains.amp`).
15. ``trailing-slash`` — the publisher's convention: ``keep`` (default), ``add`` (not after a
    file name like ``story.html``) or ``strip``.

The resolver (:mod:`scraper.domains.resolve`) adds ``alias-host:old→new``,
``path-rewrite:PATTERN`` and ``https`` when it moves a URL to the publisher's canonical domain.

Speed: a typical news URL takes a few microseconds. Host work is cached per host, regular
expressions are precompiled, and every rule has a fast path that skips it when it cannot apply.
"""

from __future__ import annotations

import re
from operator import itemgetter
from typing import NamedTuple

from scraper.domains.amp import fold_amp_path, is_amp_param
from scraper.domains.hosts import normalise_hostport
from scraper.domains.paths import apply_trailing_slash, normalise_percent, resolve_segments
from scraper.domains.policy import DEFAULT_POLICY, UrlPolicy

_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:")
_TAB_NEWLINE = str.maketrans("", "", "\t\n\r")
# C0 controls, space, DEL and every Unicode whitespace character (all below U+3001).
_STRIP = "".join(c for c in map(chr, range(0x3001)) if c.isspace() or c <= " " or c == "\x7f")
_KEY = itemgetter(0)
# A servlet session as a path parameter; Java servers put it on the last segment, before "?".
_SESSION_IN_PATH = re.compile(r";jsessionid=[^/;]*", re.IGNORECASE)


class UrlParts(NamedTuple):
    """A hierarchical URL taken apart; ``query`` is without ``?``, ``port`` with its ``:``."""

    scheme: str
    userinfo: str
    host: str
    port: str
    path: str
    query: str


def canonicalise(url: str, *, policy: UrlPolicy | None = None) -> str:
    """The canonical spelling of ``url`` under ``policy`` (generic rules only by default)."""
    return _canonical(url, policy or DEFAULT_POLICY, [])


def canonicalise_with_rules(
    url: str, *, policy: UrlPolicy | None = None
) -> tuple[str, tuple[str, ...]]:
    """Like :func:`canonicalise`, also naming the rules that changed something, in order."""
    rules: list[str] = []
    canonical = _canonical(url, policy or DEFAULT_POLICY, rules)
    return canonical, tuple(dict.fromkeys(rules))


def _canonical(url: str, policy: UrlPolicy, rules: list[str]) -> str:
    try:
        parts = split_url(url, rules)
        if isinstance(parts, str):
            return parts
        return join_url(normalise_parts(parts, policy, rules))
    except Exception:  # the promise is "never raises"; the property tests hunt these paths
        rules[:] = ["whitespace"]
        return url.strip(_STRIP)


def split_url(url: str, rules: list[str]) -> UrlParts | str:
    """Rules 1–7; a string (already cleaned) when ``url`` is not hierarchical."""
    if "\t" in url or "\n" in url or "\r" in url:
        url = url.translate(_TAB_NEWLINE)
        rules.append("whitespace")
    cut = url.find("#")
    if cut >= 0:
        url = url[:cut]
        rules.append("fragment")
    if url and (url[0] in _STRIP or url[-1] in _STRIP):
        url = url.strip(_STRIP)
        rules.append("whitespace")
    # Fast paths for the two schemes nearly every URL has.
    if url.startswith("https://"):
        return _split_authority("https", url[8:], rules)
    if url.startswith("http://"):
        return _split_authority("http", url[7:], rules)
    match = _SCHEME.match(url)
    scheme = match.group()[:-1] if match else ""
    rest = url[match.end() :] if match else url
    if scheme != scheme.lower():
        scheme = scheme.lower()
        rules.append("lowercase-scheme")
    if not rest.startswith("//"):
        return f"{scheme}:{rest}" if match else url
    return _split_authority(scheme, rest[2:], rules)


def _split_authority(scheme: str, rest: str, rules: list[str]) -> UrlParts:
    end = rest.find("/")
    if end < 0:
        end = len(rest)
    query_at = rest.find("?", 0, end)
    if query_at >= 0:
        end = query_at
    authority, tail = rest[:end], rest[end:]
    at = authority.rfind("@") + 1
    host, port, host_rules = normalise_hostport(authority[at:] if at else authority, scheme)
    if host_rules:
        rules.extend(host_rules)
    path, question, query = tail.partition("?")
    if question and not query:
        rules.append("empty-params")
    if not path:
        path = "/"
        rules.append("empty-path")
    return UrlParts(scheme, authority[:at], host, port, path, query)


def join_url(parts: UrlParts) -> str:
    """The URL text of ``parts``; a scheme-relative URL stays scheme-relative."""
    scheme, userinfo, host, port, path, query = parts
    text = (
        f"{scheme}://{userinfo}{host}{port}{path}" if scheme else f"//{userinfo}{host}{port}{path}"
    )
    return f"{text}?{query}" if query else text


def normalise_parts(parts: UrlParts, policy: UrlPolicy, rules: list[str]) -> UrlParts:
    """Rules 8–15 on an already split URL."""
    scheme, userinfo, host, port, path, query = parts
    if policy.host_folds:
        folded = policy.host_folds.get(host)
        if folded is not None:
            rules.append("amp" if host.startswith("amp.") else "www-fold")
            host = folded
    new_path = normalise_path(path, policy, rules)
    new_query = normalise_query(query, policy, rules) if query else ""
    if host is parts.host and new_path is path and new_query is query:
        return parts
    return UrlParts(scheme, userinfo, host, port, new_path, new_query)


def normalise_path(path: str, policy: UrlPolicy, rules: list[str]) -> str:
    """Rules 8, 9, 10, 11 (sessions), 14 and 15 on an absolute path."""
    fixed = normalise_percent(path)
    if fixed != path:
        rules.append("percent-encoding")
    if ";" in fixed and (bare := _SESSION_IN_PATH.sub("", fixed)) != fixed:
        rules.append("session-id")
        fixed = bare
    fixed, dots, empties = resolve_segments(fixed)
    if empties:
        rules.append("duplicate-slashes")
    if dots:
        rules.append("dot-segments")
    if policy.fold_amp or policy.trailing_slash != "keep":
        fixed = _fold_path(fixed, policy, rules)
    return fixed


def _fold_path(path: str, policy: UrlPolicy, rules: list[str]) -> str:
    """Rules 14 and 15, repeated until neither applies: stripping the slash of
    ``/x.amp.html/amp/`` uncovers another AMP form, and folds must be idempotent."""
    if policy.trailing_slash == "keep":  # AMP alone: fold_amp_path loops by itself
        folded = fold_amp_path(path)
        if folded != path:
            rules.append("amp")
        return folded
    while True:
        folded = fold_amp_path(path) if policy.fold_amp else path
        if folded != path:
            rules.append("amp")
        slashed = apply_trailing_slash(folded, policy.trailing_slash)
        if slashed != folded:
            rules.append("trailing-slash")
        if slashed == path:
            return path
        path = slashed


def normalise_query(query: str, policy: UrlPolicy, rules: list[str]) -> str:
    """Rules 8, 11, 12 and 14 on a query string (without ``?``)."""
    fixed = normalise_percent(query, query=True)
    if fixed != query:
        rules.append("percent-encoding")
    names, prefixes, fold_amp = policy.tracking_params, policy.tracking_prefixes, policy.fold_amp
    kept: list[tuple[str, str]] = []
    previous = ""
    in_order = True
    params = fixed.split("&")
    total = len(params)
    for param in params:
        key, _, value = param.partition("=")
        lowered = key.lower()
        if not param:
            rules.append("empty-params")
        elif lowered in names or lowered.startswith(prefixes):
            rules.append("tracking-params")
        elif fold_amp and is_amp_param(key, value):
            rules.append("amp")
        else:
            in_order = in_order and key >= previous
            previous = key
            kept.append((key, param))
    if not in_order:
        kept.sort(key=_KEY)  # stable: repeated names keep their order
        rules.append("query-order")
    elif len(kept) == total:
        return fixed  # nothing dropped, nothing moved: spare the join
    return "&".join([param for _, param in kept])
