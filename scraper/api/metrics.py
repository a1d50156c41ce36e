"""Prometheus metrics, computed from the database at scrape time.

A collector (not counters incremented in-process) because the numbers belong to the archive,
which crawler processes elsewhere fill: every API replica reports the same truth.
"""

from __future__ import annotations

from collections.abc import Iterator

from prometheus_client import CollectorRegistry
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.exposition import choose_encoder
from prometheus_client.registry import Collector

from scraper.store.reads import Reads


class ArchiveCollector(Collector):
    def __init__(self, reads: Reads) -> None:
        self._reads = reads

    def collect(self) -> Iterator[Metric]:
        per_publisher = self._reads.article_counts()
        total = GaugeMetricFamily("scraper_articles", "Articles in the archive.")
        total.add_metric([], sum(per_publisher.values()))
        yield total
        by_publisher = GaugeMetricFamily(
            "scraper_publisher_articles",
            "Articles in the archive per publisher.",
            labels=["publisher"],
        )
        failing = GaugeMetricFamily(
            "scraper_publisher_failing_feeds",
            "Feeds whose last poll failed, per publisher.",
            labels=["publisher"],
        )
        failing_counts = self._reads.failing_feeds()
        for publisher in self._reads.publishers():
            by_publisher.add_metric([publisher.id], per_publisher.get(publisher.id, 0))
            failing.add_metric([publisher.id], failing_counts.get(publisher.id, 0))
        yield by_publisher
        yield failing


def build_registry(reads: Reads) -> CollectorRegistry:
    """A registry per app, so several apps (tests, workers) never share metric state."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(ArchiveCollector(reads))
    return registry


def render(registry: CollectorRegistry, accept: str) -> tuple[bytes, str]:
    """Body and media type: OpenMetrics when the scraper asks for it, else Prometheus text."""
    encoder, media_type = choose_encoder(accept)
    return encoder(registry), media_type
