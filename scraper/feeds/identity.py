"""Whether a URL can be a feed, and when two feed URLs are one feed.

``scraper feeds add`` and ``feeds import`` used to compare URLs as strings, so the feed of the
publishers file came back as a second feed, polled separately, when it was added again as
``https://…``, with ``?utm_source=rss``, in capitals, under ``www.``, with a trailing slash or
as the target it redirects to. :meth:`FeedIdentity.key` gives every such spelling one key:

* the scheme is ignored: a site serves one feed over http and https;
* the host is taken as the resolver (:mod:`scraper.domains.resolve`) places it: lowercase,
  IDNA, no default port, and a publisher's ``www.``/``m.`` variants (when ``fold_variants``)
  and alias domains moved to its canonical domain;
* the path gets the generic rules only (percent-encoding, ``//``, dot segments), and a
  trailing slash is ignored (``/feed`` and ``/feed/`` are one feed on every blog engine);
* the query keeps every parameter except tracking ones (the built-in list plus the publisher's
  ``tracking_params``), in name order: ``?format=rss`` or ``?cat=5`` select different feeds.

The article policy (AMP folds, the publisher's slash convention) is deliberately not applied:
it says which *pages* are one article, and a feed URL such as ``/feed/amp/`` or
``?outputType=amp`` may be a feed of its own.

:class:`FollowedFeeds` keys every URL a followed feed is known under: its own, the URL it is
fetched at now and its history (``feed_urls``: the spelling configured and every redirect
target the fetcher adopted), so adding a feed's redirect target finds the feed too.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import httpx

from scraper.config import Publisher
from scraper.domains import DEFAULT_POLICY, Resolver, UrlPolicy
from scraper.domains.canonical import UrlParts, normalise_parts, split_url
from scraper.domains.tracking import (
    DEFAULT_TRACKING_PARAMS,
    DEFAULT_TRACKING_PREFIXES,
    split_tracking,
)
from scraper.errors import ConfigError

__all__ = ["FeedIdentity", "FollowedFeed", "FollowedFeeds", "check_feed_url"]

_SCHEMES = ("http", "https")


def check_feed_url(url: str) -> str:
    """``url`` without surrounding whitespace, or a :class:`ConfigError` saying what is wrong.

    A feed URL must be absolute http(s) with a host and contain no whitespace or control
    character: a space inside is almost always a paste or quoting mistake, and the fetcher
    would silently send it as ``%20`` to a URL that does not exist.
    """
    text = url.strip()
    bad = next((c for c in text if c.isspace() or ord(c) < 0x20 or c == "\x7f"), None)
    if bad is not None:
        shown = "a space" if bad == " " else f"the character {bad!r}"
        raise ConfigError(
            f"{url!r} is not a valid feed URL: it contains {shown} (write a space as %20)"
        )
    try:
        parsed = httpx.URL(text)
        port = parsed.port
    except (httpx.InvalidURL, ValueError) as exc:
        raise ConfigError(f"{url!r} is not a valid feed URL: {exc}") from exc
    if parsed.scheme not in _SCHEMES or not text.lower().startswith(("http://", "https://")):
        raise ConfigError(
            f"{url!r} is not a valid feed URL: it must start with http:// or https://"
        )
    if not parsed.host:
        raise ConfigError(f"{url!r} is not a valid feed URL: it has no host name")
    if port is not None and not 0 < port < 65536:
        raise ConfigError(f"{url!r} is not a valid feed URL: port {port} is out of range")
    return text


class FeedIdentity:
    """One key per feed, whatever its spelling (the rules are in the module docstring).

    Built once from the configured publishers; their domains and tracking parameters decide
    which hosts and parameters are folded.
    """

    def __init__(self, publishers: Iterable[Publisher]) -> None:
        publishers = tuple(publishers)
        self._resolver = Resolver(publishers)
        self._policies = {p.id: _tracking_only(p) for p in publishers}

    def key(self, url: str) -> str:
        """The comparison key of ``url``: equal keys are one feed. Never raises."""
        resolution = self._resolver.resolve(url)
        parts = split_url(url, [])
        if not isinstance(parts, UrlParts):
            return parts
        policy = self._policies.get(resolution.publisher_id or "", DEFAULT_POLICY)
        parts = normalise_parts(parts, policy, [])
        home = split_url(resolution.canonical_url, [])
        host = f"{home.host}{home.port}" if isinstance(home, UrlParts) else parts.host
        path = parts.path.rstrip("/") or "/"
        return f"{host}{path}?{parts.query}" if parts.query else f"{host}{path}"


def _tracking_only(publisher: Publisher) -> UrlPolicy:
    """The publisher's tracking parameters, without any of its article folds."""
    names, prefixes = split_tracking(publisher.tracking_params)
    return UrlPolicy(
        tracking_params=DEFAULT_TRACKING_PARAMS | names,
        tracking_prefixes=DEFAULT_TRACKING_PREFIXES + prefixes,
    )


@dataclass(frozen=True, slots=True)
class FollowedFeed:
    """A feed already followed: its URL as stored (what `feeds status` takes), its publisher."""

    url: str
    publisher_id: str


class FollowedFeeds:
    """Every followed feed, found by the key of any URL it is known under.

    ``spellings`` are (URL known under, feed's stored URL, publisher) triples, as
    :meth:`scraper.store.archive.Archive.feed_spellings` returns them; a feed's own URL wins
    over another feed's history spelling of the same key.
    """

    def __init__(
        self, identity: FeedIdentity, spellings: Iterable[tuple[str, str, str]] = ()
    ) -> None:
        self._identity = identity
        self._by_key: dict[str, FollowedFeed] = {}
        history = []
        for spelling, url, publisher_id in spellings:
            if spelling == url:
                self.add(url, publisher_id)
            else:
                history.append((spelling, url, publisher_id))
        for spelling, url, publisher_id in history:
            self._by_key.setdefault(identity.key(spelling), FollowedFeed(url, publisher_id))

    def find(self, url: str) -> FollowedFeed | None:
        """The followed feed ``url`` is a spelling of, if any."""
        return self._by_key.get(self._identity.key(url))

    def add(self, url: str, publisher_id: str) -> None:
        """Remember a feed just added, so a later spelling of it in the same run is known."""
        self._by_key.setdefault(self._identity.key(url), FollowedFeed(url, publisher_id))
