"""``newsradar run`` without services: which children it starts, with which arguments, and
how it reacts when one of them exits. The real pipeline is tests/integration/test_run_command."""

from __future__ import annotations

import contextlib
import subprocess
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import pytest
import typer
from typer.testing import CliRunner

from newsradar.cli import pipeline
from newsradar.settings import Settings, get_settings


@dataclass
class Started:
    command: str
    args: list[str]
    env: dict[str, str] | None


@dataclass
class Recorder:
    started: list[Started] = field(default_factory=list)
    watched: list[str] = field(default_factory=list)

    def by_command(self) -> dict[str, Started]:
        return {s.command: s for s in self.started}


class FakeProc:
    def __init__(self, returncode: int | None = None) -> None:
        self.returncode = returncode
        self.pid = 0

    def poll(self) -> int | None:
        return self.returncode


@pytest.fixture
def recorder(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Recorder]:
    """``run`` with fake children, no progress table and no services."""
    rec = Recorder()

    @contextlib.contextmanager
    def child(
        settings: Settings,
        command: str,
        args: Sequence[str] = (),
        env: Mapping[str, str] | None = None,
    ) -> Iterator[FakeProc]:
        rec.started.append(Started(command, list(args), dict(env) if env else None))
        yield FakeProc()

    def show(settings: Settings, children: Mapping[str, Any], stop: object) -> None:
        rec.watched.extend(children)

    import newsradar.cli.stack as stack_cli

    monkeypatch.setattr(pipeline, "_child", child)
    monkeypatch.setattr(pipeline, "_show_progress", show)
    monkeypatch.setattr(stack_cli, "init", lambda: None)
    monkeypatch.setenv("NEWSRADAR_HOME", str(tmp_path / "home"))
    get_settings.cache_clear()
    yield rec
    get_settings.cache_clear()


def invoke(*args: str) -> Any:
    app = typer.Typer()
    pipeline.register(app)
    return CliRunner().invoke(app, ["run", "--no-local-services", *args])


def test_demo_starts_ingest_on_the_sample_feeds_beside_worker_and_notify(
    recorder: Recorder,
) -> None:
    from ingest.samples import sample_feeds

    result = invoke("--demo", "--poll-interval", "60")
    assert result.exit_code == 0, result.output
    started = recorder.by_command()
    assert [s.command for s in recorder.started] == ["worker", "notify", "ingest"]
    assert recorder.watched == ["worker", "notify", "ingest"]
    assert started["worker"].args == [] and started["notify"].args == []
    *urls, flag = started["ingest"].args
    assert flag == "--allow-private-addresses"
    assert [u.rsplit("/", 1)[1] for u in urls] == sample_feeds()
    assert all(u.startswith("http://127.0.0.1:") for u in urls)
    assert started["ingest"].env == {"NEWSRADAR_POLL_INTERVAL_S": "60.0"}
    assert started["worker"].env is None and started["notify"].env is None


def test_feeds_file_and_private_addresses_are_passed_to_ingest(
    recorder: Recorder, tmp_path: Path
) -> None:
    feeds = tmp_path / "feeds.yaml"
    feeds.write_text("feeds:\n  - https://n.example/rss\n")
    result = invoke("--feeds", str(feeds), "--allow-private-addresses")
    assert result.exit_code == 0, result.output
    ingest = recorder.by_command()["ingest"]
    assert ingest.args == ["--feeds-file", str(feeds), "--allow-private-addresses"]
    assert ingest.env is None
    plain = invoke("--feeds", str(feeds))
    assert plain.exit_code == 0 and recorder.started[-1].args == ["--feeds-file", str(feeds)]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "lists no feeds"),
        ("feeds: []\n", "lists no feeds"),
        ("feeds:\n  - ftp://n.example/rss\n", "error: feeds file"),
    ],
)
def test_a_missing_empty_or_bad_feeds_file_fails_before_any_child_starts(
    recorder: Recorder, tmp_path: Path, content: str | None, message: str
) -> None:
    feeds = tmp_path / "feeds.yaml"
    if content is not None:
        feeds.write_text(content)
    result = invoke("--feeds", str(feeds))
    assert result.exit_code == 2
    assert message in result.output
    assert recorder.started == []


def test_progress_exits_1_naming_the_child_that_exited(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import threading

    import newsradar.progress

    class Probe:
        def __init__(self, settings: Settings) -> None:
            pass

        def snapshot(self) -> newsradar.progress.Snapshot:
            return newsradar.progress.Snapshot()

        def close(self) -> None:
            pass

    monkeypatch.setattr(newsradar.progress, "ProgressProbe", Probe)
    settings = Settings(home=tmp_path)
    children = {"worker": FakeProc(), "notify": FakeProc(), "ingest": FakeProc(returncode=1)}
    with pytest.raises(typer.Exit) as exited:
        pipeline._show_progress(
            settings, cast(dict[str, subprocess.Popen[bytes]], children), threading.Event()
        )
    assert exited.value.exit_code == 1
    err = " ".join(capsys.readouterr().err.split())  # rich may wrap the long log path
    assert "ingest exited with 1" in err
    assert str(settings.logs / "ingest.log") in err.replace(" ", "")


def test_child_passes_arguments_and_environment_and_logs_to_the_logs_folder(
    tmp_path: Path,
) -> None:
    settings = Settings(home=tmp_path / "home")
    feeds = tmp_path / "feeds.yaml"
    feeds.write_text("feeds:\n  - https://n.example/rss\n")
    with pipeline._child(
        settings, "feeds", ["list", "--json"], {"NEWSRADAR_FEEDS_FILE": str(feeds)}
    ) as proc:
        assert proc.wait(timeout=60) == 0
    assert "https://n.example/rss" in (settings.logs / "feeds.log").read_text()
