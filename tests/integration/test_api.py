"""The subscriptions HTTP API served by uvicorn on the real Kafka store and the real index."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from elasticsearch import Elasticsearch

from newsradar.settings import Settings
from newsradar.subscriptions import SubscriptionStore
from processors.index_stage import bulk_operations, to_document
from processors.tag_stage import tag_article
from processors.tagging import get_tagger
from tests.factories import make_article
from tests.integration.conftest import env_for, wait_for

TOKEN = "integration-token"
SEED = (Path(__file__).parent.parent / "data" / "seed_article_uk.txt").read_text()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def api(pipeline: Settings, tmp_path: Path) -> Iterator[httpx.Client]:
    port = free_port()
    env = env_for(pipeline) | {"NEWSRADAR_API_TOKENS": f'["{TOKEN}"]'}
    with (tmp_path / "api.log").open("wb") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "newsradar", "api", "--host", "127.0.0.1", "--port", str(port)],
            env=env, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
    client = httpx.Client(base_url=f"http://127.0.0.1:{port}",
                          headers={"Authorization": f"Bearer {TOKEN}"}, timeout=30)  # fmt: skip

    def healthy() -> bool:
        try:
            return client.get("/healthz").status_code == 200
        except httpx.TransportError:
            return False

    try:
        wait_for(healthy, 60, "the API to answer")
        yield client
    finally:
        client.close()
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)


def test_api_on_the_real_store_and_index(
    pipeline: Settings, api: httpx.Client, es: Elasticsearch
) -> None:
    assert httpx.get(f"{api.base_url}/subscriptions").status_code == 401
    created = api.post("/subscriptions", json={
        "id": "kp", "query": "зброя AND country:KP",
        "channels": [{"type": "webhook",
                      "options": {"url": "https://hooks.example.org/x", "secret": "s"}}],
    })  # fmt: skip
    assert created.status_code == 201, created.text
    assert created.json()["channels"][0]["options"]["secret"] == "***"
    # what the API wrote is in the Kafka store the workers follow
    stored = SubscriptionStore(pipeline).get("kp")
    assert stored.query == "зброя AND country:KP"
    assert stored.channels[0].options["secret"] == "s"

    assert api.post("/subscriptions/kp/pause").json()["paused"] is True
    bad = api.post("/subscriptions", json={"query": "зброя AND (country:KP"})
    assert bad.status_code == 422
    assert "column" in bad.text
    assert api.delete("/subscriptions/kp").status_code == 204
    assert api.get("/subscriptions/kp").status_code == 404

    now = datetime.now(UTC)
    article = make_article(
        id="seed", title="", text=SEED, published_at=now - timedelta(hours=1), fetched_at=now
    )
    doc = to_document(tag_article(get_tagger(), article))
    es.bulk(operations=bulk_operations(pipeline.index_alias, [doc]), refresh=True)
    preview = api.post("/queries/preview", json={"query": '"підводний човен"', "days": 1})
    assert preview.status_code == 200, preview.text
    assert [item["id"] for item in preview.json()["items"]] == ["seed"]
    none = api.post("/queries/preview", json={"query": "зброя AND country:CN", "days": 1})
    assert none.json()["total"] == 0
    spec = api.get("/openapi.json").json()
    assert "/subscriptions/{sub_id}/pause" in spec["paths"]
