"""What canonicalisation may assume about a URL's site: :class:`UrlPolicy`.

Generic rules (case, ports, encoding, tracking parameters) are safe for any URL. Folds that merge
URLs which *could* be different pages on some site (AMP spellings, ``www.``/``m.`` hosts, the
trailing slash) are applied only when a policy says the site is known to work that way; the
resolver builds one policy per configured publisher with :meth:`UrlPolicy.for_publisher`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from scraper.config import Publisher
from scraper.domains.hosts import variants_of
from scraper.domains.paths import TrailingSlash
from scraper.domains.tracking import (
    DEFAULT_TRACKING_PARAMS,
    DEFAULT_TRACKING_PREFIXES,
    split_tracking,
)

_NO_FOLDS: Mapping[str, str] = MappingProxyType({})


@dataclass(frozen=True, slots=True)
class UrlPolicy:
    """Rules for one site. The default policy applies only the generic, always-safe rules.

    ``tracking_params`` and ``tracking_prefixes`` are compared case-insensitively;
    ``host_folds`` maps variant hosts (``www.example.com``) to the host to write instead;
    ``trailing_slash`` is ``keep`` (default), ``add`` or ``strip``.
    """

    tracking_params: frozenset[str] = DEFAULT_TRACKING_PARAMS
    tracking_prefixes: tuple[str, ...] = DEFAULT_TRACKING_PREFIXES
    fold_amp: bool = False
    host_folds: Mapping[str, str] = field(default_factory=lambda: _NO_FOLDS, hash=False)
    trailing_slash: TrailingSlash = "keep"

    def __post_init__(self) -> None:
        # Lowercase once here so the per-URL check is a plain set lookup.
        object.__setattr__(
            self, "tracking_params", frozenset(p.lower() for p in self.tracking_params)
        )
        object.__setattr__(
            self, "tracking_prefixes", tuple(p.lower() for p in self.tracking_prefixes)
        )
        object.__setattr__(self, "host_folds", MappingProxyType(dict(self.host_folds)))

    @classmethod
    def for_publisher(
        cls, publisher: Publisher, host_folds: Mapping[str, str] | None = None
    ) -> UrlPolicy:
        """The policy of ``publisher``: its folds, its slash convention, its extra trackers.

        ``host_folds`` defaults to every variant of every domain of the publisher; the resolver
        passes its own map, from which hosts owned by other publishers are already removed.
        """
        names, prefixes = split_tracking(publisher.tracking_params)
        if host_folds is None:
            host_folds = publisher_variants(publisher)
        return cls(
            tracking_params=DEFAULT_TRACKING_PARAMS | names,
            tracking_prefixes=DEFAULT_TRACKING_PREFIXES + prefixes,
            fold_amp=publisher.fold_amp,
            host_folds=host_folds,
            trailing_slash=publisher.trailing_slash,
        )


def publisher_variants(publisher: Publisher) -> dict[str, str]:
    """Variant host → configured domain, for every domain of ``publisher``."""
    folds: dict[str, str] = {}
    for domain in publisher.domains:
        hosts = variants_of(domain, www=publisher.fold_variants, amp=publisher.fold_amp)
        for host in hosts:
            folds.setdefault(host, domain)
    return {host: domain for host, domain in folds.items() if host not in publisher.domains}


DEFAULT_POLICY = UrlPolicy()
