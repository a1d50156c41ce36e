"""Search latency through the HTTP API on PostgreSQL and SQLite (``python -m bench.search``)."""
