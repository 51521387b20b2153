"""Local-stack helpers that need no services: Java detection, process bookkeeping."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from newsradar.settings import Settings
from newsradar.stack.elasticsearch import ElasticsearchNode
from newsradar.stack.errors import StackError
from newsradar.stack.java import find_java, java_major
from newsradar.stack.kafka import KafkaBroker
from newsradar.stack.process import Service, port_open, wait_until


def _fake_jdk(root: Path, name: str, version: str) -> Path:
    home = root / name
    (home / "bin").mkdir(parents=True)
    (home / "bin" / "java").write_text("#!/bin/sh\n")
    (home / "release").write_text(f'JAVA_VERSION="{version}"\n')
    return home


def test_java_major_reads_the_release_file(tmp_path: Path) -> None:
    assert java_major(_fake_jdk(tmp_path, "a", "21.0.4")) == 21
    assert java_major(_fake_jdk(tmp_path, "b", "1.8.0_402")) == 8


def test_find_java_prefers_the_configured_home(tmp_path: Path) -> None:
    home = _fake_jdk(tmp_path, "jdk25", "25.0.1")
    assert find_java(21, prefer=home) == home


def test_find_java_says_what_it_tried(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("newsradar.stack.java._candidates", lambda: [tmp_path / "none"])
    with pytest.raises(StackError, match=r"need Java 99\+"):
        find_java(99)


def test_stale_pid_file_means_not_running(tmp_path: Path) -> None:
    svc = Service("x", tmp_path / "x.pid", tmp_path / "x.log")
    (tmp_path / "x.pid").write_text("999999999")
    assert svc.pid() is None
    assert svc.stop() is False
    assert not (tmp_path / "x.pid").exists()


def test_port_open_on_a_closed_port() -> None:
    assert port_open("127.0.0.1", 1) is False


@pytest.fixture
def busy_port() -> Iterator[int]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(1)
        yield sock.getsockname()[1]


def test_kafka_refuses_a_port_taken_by_someone_else(busy_port: int, tmp_path: Path) -> None:
    settings = Settings(home=tmp_path, kafka_bootstrap=f"127.0.0.1:{busy_port}")
    with pytest.raises(StackError, match=rf"port 127\.0\.0\.1:{busy_port} is taken"):
        KafkaBroker(settings).start()


def test_elasticsearch_refuses_a_port_taken_by_someone_else(busy_port: int, tmp_path: Path) -> None:
    settings = Settings(home=tmp_path, es_url=f"http://127.0.0.1:{busy_port}")
    with pytest.raises(StackError, match=rf"port 127\.0\.0\.1:{busy_port} is taken"):
        ElasticsearchNode(settings).start()


def test_wait_until_reports_a_process_that_died(tmp_path: Path) -> None:
    log = tmp_path / "svc.log"
    log.write_text("line one\nFATAL: could not bind\n")
    with pytest.raises(StackError, match=r"exited during start-up(.|\n)*could not bind"):
        wait_until(lambda: False, 5, "svc", alive=lambda: False, log_file=log)
