"""scraper: a news archive that follows publishers across domain moves."""

__version__ = "0.1.0"
