"""Where a URL belongs: canonical form, publisher, aliases and migrations.

* :func:`canonicalise` — one spelling per URL (the numbered rules are in
  :mod:`scraper.domains.canonical`); never raises, idempotent, ~10⁵ URLs/s.
* :class:`Resolver` — URL → :class:`Resolution` (publisher, canonical URL on the publisher's
  canonical domain, identity key, applied rules) and the failover URLs for the fetcher.
* :class:`UrlPolicy` — which publisher-specific folds (AMP, www., trailing slash) apply.
"""

from scraper.domains.canonical import canonicalise, canonicalise_with_rules
from scraper.domains.policy import DEFAULT_POLICY, UrlPolicy
from scraper.domains.resolve import Resolution, Resolver
from scraper.domains.tracking import DEFAULT_TRACKING_PARAMS, DEFAULT_TRACKING_PREFIXES

__all__ = [
    "DEFAULT_POLICY",
    "DEFAULT_TRACKING_PARAMS",
    "DEFAULT_TRACKING_PREFIXES",
    "Resolution",
    "Resolver",
    "UrlPolicy",
    "canonicalise",
    "canonicalise_with_rules",
]
