"""``newsradar run --demo`` — what ``make run`` starts — runs the whole pipeline (ingest,
worker and notify as child processes) and stops cleanly on Ctrl-C."""

from __future__ import annotations

import os
import re
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
    # ingest, the worker and the notifier are child processes with their logs beside
    # the services' ones; all three are gone after Ctrl-C
    pids = {cmd: int(pid) for cmd, pid in re.findall(r"^(\w+): pid (\d+), log\b", output, re.M)}
    assert set(pids) == {"ingest", "worker", "notify"}, output
    for command, pid in pids.items():
        assert _gone(pid), f"{command} (pid {pid}) still runs after `run` stopped"
    ingest_log = (pipeline.logs / "ingest.log").read_text(errors="replace")
    assert "8 new article(s)" in ingest_log, ingest_log
    worker_log = pipeline.logs / "worker.log"
    assert "Closing event loop" in worker_log.read_text(errors="replace")
    assert (pipeline.logs / "notify.log").exists()


def _gone(pid: int) -> bool:
    """No such process, or only a zombie left for init to reap."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True
    return stat.rpartition(")")[2].split()[0] == "Z"
