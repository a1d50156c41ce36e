"""The query front-end: JSON API, server-rendered web pages, Atom feeds and metrics."""

from scraper.api.app import create_app

__all__ = ["create_app"]
