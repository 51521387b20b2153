"""The Elasticsearch client, configured once from the settings."""

from __future__ import annotations

from elasticsearch import Elasticsearch

from newsradar.settings import Settings


def es_client(settings: Settings, timeout_s: float = 30.0) -> Elasticsearch:
    # Readiness is checked with _cluster/health: the minimal test distribution does not
    # serve GET / (so info()/ping() are not used anywhere).
    return Elasticsearch(settings.es_url, request_timeout=timeout_s, retry_on_timeout=True)
