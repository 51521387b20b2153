"""Local-stack helpers that need no services: Java detection, process bookkeeping."""

from __future__ import annotations

from pathlib import Path

import pytest

from newsradar.stack.errors import StackError
from newsradar.stack.java import find_java, java_major
from newsradar.stack.process import Service, port_open


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
