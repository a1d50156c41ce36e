"""Where a URL belongs: canonical form, publisher, aliases and migrations."""

from scraper.domains.canonical import canonicalise
from scraper.domains.resolve import Resolution, Resolver

__all__ = ["Resolution", "Resolver", "canonicalise"]
