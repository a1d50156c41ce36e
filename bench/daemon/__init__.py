"""Daemon benchmark: 10,000 feeds on a local server, one `scraper run`, steady state."""
