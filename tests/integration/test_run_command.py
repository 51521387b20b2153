"""``newsradar run --demo`` — what ``make run`` starts — runs the whole pipeline and stops
cleanly on Ctrl-C."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

from elasticsearch import Elasticsearch

from newsradar.settings import Settings
from tests.integration.conftest import env_for, index_count, wait_for

SAMPLE_ITEMS = 8


def test_run_demo_indexes_the_samples_and_stops_on_ctrl_c(
    pipeline: Settings, es: Elasticsearch, tmp_path: Path
) -> None:
    with (tmp_path / "run.out").open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "newsradar", "run", "--demo"],
            env=env_for(pipeline),
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_for(
            lambda: proc.poll() is None and index_count(es, pipeline) == SAMPLE_ITEMS,
            120,
            "the sample articles indexed by `run --demo`",
        )
    finally:
        proc.send_signal(signal.SIGINT)
        code = proc.wait(timeout=60)
    output = (tmp_path / "run.out").read_text(errors="replace")
    assert code == 0, output
    assert "8 new article(s)" in output
    # the worker and the notifier it started are gone too
    worker_log = pipeline.logs / "worker.log"
    assert "Closing event loop" in worker_log.read_text(errors="replace")
    assert (pipeline.logs / "notify.log").exists()
