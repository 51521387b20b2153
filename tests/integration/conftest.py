"""Integration fixtures: the real local Kafka and Elasticsearch, started if needed.

Each test gets its own topic prefix, consumer group and index alias, so tests never see
each other's data; everything it created is deleted afterwards.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from elasticsearch import Elasticsearch

from newsradar.bootstrap import bootstrap, teardown
from newsradar.es import es_client
from newsradar.settings import Settings
from newsradar.stack.elasticsearch import ElasticsearchNode
from newsradar.stack.kafka import KafkaBroker

pytestmark = pytest.mark.integration


@pytest.fixture(scope="session")
def stack() -> Settings:
    """Start (or find running) the local services; fail loudly if they cannot start."""
    settings = Settings()
    KafkaBroker(settings).start()
    ElasticsearchNode(settings).start()
    return settings


@pytest.fixture
def pipeline(stack: Settings, tmp_path: Path) -> Iterator[Settings]:
    run = uuid.uuid4().hex[:10]
    settings = stack.model_copy(
        update={
            "topic_prefix": f"it-{run}.",
            "app_id": f"newsradar-it-{run}",
            "index_alias": f"nr-it-{run}",
            "alerts_index_alias": f"nr-it-alerts-{run}",
            "topic_partitions": 4,
            "home": tmp_path / "home",
            "cache_dir": stack.cache,
        }
    )
    bootstrap(settings)
    yield settings
    _cleanup(settings)


def _cleanup(settings: Settings) -> None:
    try:
        teardown(settings)
    except Exception as exc:  # cleanup must not hide the test's own result
        print(f"cleanup failed: {exc}")


def env_for(settings: Settings) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        NEWSRADAR_TOPIC_PREFIX=settings.topic_prefix,
        NEWSRADAR_APP_ID=settings.app_id,
        NEWSRADAR_INDEX_ALIAS=settings.index_alias,
        NEWSRADAR_ALERTS_INDEX_ALIAS=settings.alerts_index_alias,
        NEWSRADAR_HOME=str(settings.home),
        NEWSRADAR_CACHE_DIR=str(settings.cache),
        NEWSRADAR_KAFKA_BOOTSTRAP=settings.kafka_bootstrap,
        NEWSRADAR_ES_URL=settings.es_url,
        NEWSRADAR_BULK_WITHIN_S="0.2",
    )
    return env


def newsradar(
    settings: Settings, *args: str, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "newsradar", *args],
        env=env_for(settings),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def ingest_samples(settings: Settings) -> subprocess.CompletedProcess[str]:
    """``newsradar ingest --once`` of the bundled sample feeds, served on 127.0.0.1."""
    from ingest.samples import sample_feeds, serve_directory

    with serve_directory() as base:
        urls = [f"{base}/{name}" for name in sample_feeds()]
        return newsradar(settings, "ingest", "--once", "--allow-private-addresses", *urls)


class Worker:
    """``newsradar worker`` as a real subprocess (its own process group)."""

    def __init__(self, settings: Settings, log: Path) -> None:
        self.settings = settings
        self.log_path = log
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with self.log_path.open("ab") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "newsradar", "worker", "--loglevel", "info"],
                env=env_for(self.settings),
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def kill(self, sig: int = signal.SIGKILL) -> None:
        assert self.proc is not None
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, sig)
        self.proc.wait(timeout=60)

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-4000:]


@pytest.fixture
def worker(pipeline: Settings, tmp_path: Path) -> Iterator[Worker]:
    w = Worker(pipeline, tmp_path / "worker.log")
    yield w
    if w.alive():
        w.kill(signal.SIGTERM)


@pytest.fixture
def es(stack: Settings) -> Iterator[Elasticsearch]:
    client = es_client(stack)
    yield client
    client.close()


def wait_for(
    check: Callable[[], Any], timeout: float, what: str, worker: Worker | None = None
) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        if worker is not None and not worker.alive():
            pytest.fail(f"worker died while waiting for {what}:\n{worker.log()}")
        time.sleep(0.2)
    log = worker.log() if worker else ""
    pytest.fail(f"timed out after {timeout:.0f} s waiting for {what}\n{log}")


def index_count(es: Elasticsearch, settings: Settings) -> int:
    es.indices.refresh(index=settings.index_alias)
    return int(es.count(index=settings.index_alias)["count"])
