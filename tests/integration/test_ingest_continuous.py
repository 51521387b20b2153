"""`newsradar ingest` (the continuous poller) on the real broker: it produces each sample
article once, answers a second round from conditional GET, keeps its state across a
restart, and exports feed health as Prometheus metrics."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import httpx
import yaml

from ingest.samples import sample_feeds, serve_directory
from newsradar.settings import Settings
from tests.integration.conftest import env_for, wait_for
from tests.integration.test_api import free_port
from tests.integration.test_seed_end_to_end import SAMPLE_ITEMS
from tests.integration.test_worker_recovery import read_raw_keys


def start(settings: Settings, feeds: Path, port: int, log: Path) -> subprocess.Popen[bytes]:
    cmd = [sys.executable, "-m", "newsradar", "ingest", "--feeds-file", str(feeds),
           "--allow-private-addresses", "--metrics-port", str(port), "--min-interval", "1",
           "--max-interval", "2", "--host-spacing", "0"]  # fmt: skip
    with log.open("ab") as out:
        return subprocess.Popen(cmd, env=env_for(settings), stdout=out, stderr=subprocess.STDOUT)


def metric(text: str, name: str) -> float:
    for line in text.splitlines():
        if line.startswith(name + " ") or line.startswith(name + "{"):
            return float(line.rsplit(" ", 1)[1])
    return -1.0


def test_continuous_ingest_produces_once_and_exports_health(
    pipeline: Settings, tmp_path: Path
) -> None:
    port = free_port()
    log = tmp_path / "ingest.log"
    with serve_directory() as base:
        feeds = tmp_path / "feeds.yaml"
        feeds.write_text(yaml.safe_dump({"feeds": [
            {"url": f"{base}/{name}", "source": name.split(".")[0], "country": "UA",
             "tags": ["sample"]} for name in sample_feeds()
        ]}))  # fmt: skip
        proc = start(pipeline, feeds, port, log)
        try:

            def scraped() -> str | None:
                try:
                    text = httpx.get(f"http://127.0.0.1:{port}/metrics").text
                except httpx.TransportError:
                    return None
                not_modified = 'newsradar_ingest_fetches_total{outcome="not_modified"}'
                return text if metric(text, not_modified) >= len(sample_feeds()) else None

            text = wait_for(scraped, 90, "a second round answered 304")
            assert 'newsradar_ingest_articles_total{outcome="new"} 8.0' in text
            assert "newsradar_feed_last_success_timestamp" in text
        finally:
            proc.send_signal(signal.SIGINT)
            proc.wait(timeout=60)
        # a restart with the same state produces nothing again
        proc = start(pipeline, feeds, free_port(), log)
        try:
            wait_for(lambda: log.read_text().count("polled") >= 2, 60, "a round after restart")
        finally:
            proc.send_signal(signal.SIGINT)
            proc.wait(timeout=60)
    keys = read_raw_keys(pipeline)
    assert len(keys) == SAMPLE_ITEMS == len(set(keys)), log.read_text()
