"""Feed parsing (feedparser → FeedItem)."""

from scraper.feeds.parse import parse_feed

__all__ = ["parse_feed"]
