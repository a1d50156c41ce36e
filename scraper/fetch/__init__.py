"""The only package that speaks HTTP (httpx)."""

from scraper.fetch.client import build_client
from scraper.fetch.fetcher import Fetcher

__all__ = ["Fetcher", "build_client"]
