"""``newsradar ingest`` (continuous) stops on SIGTERM like on Ctrl-C: that is how
``newsradar run`` stops its ingest child, and how a container runtime stops the pod."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

import ingest.produce
from ingest.produce import ListSink
from newsradar.cli import feeds as feeds_cli
from newsradar.records import Article
from newsradar.settings import Settings, get_settings
from tests.unit import test_ingest_support as support
from tests.unit.test_ingest_support import LoopbackServer, Reply

loopback = support.loopback  # the fixture

RSS = (
    b"<rss version='2.0'><channel><title>T</title>"
    b"<item><title>one</title><link>https://n.example/1</link></item></channel></rss>"
)


class TerminatedSink(ListSink):
    """Sends SIGTERM to this very process on the first article (the poll loop is running
    then, so its handler is installed) and records whether it was closed."""

    closed = False

    def __init__(self, settings: Settings) -> None:
        super().__init__()

    def send(self, article: Article) -> None:
        if not self.articles:
            os.kill(os.getpid(), signal.SIGTERM)
        super().send(article)

    def close(self) -> None:
        TerminatedSink.closed = True


@pytest.mark.timeout(60)
def test_sigterm_stops_the_poll_loop_and_closes_the_producer(
    loopback: LoopbackServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    loopback.routes["/rss"] = Reply(body=RSS)
    monkeypatch.setattr(ingest.produce, "KafkaSink", TerminatedSink)
    monkeypatch.setenv("NEWSRADAR_HOME", str(tmp_path))
    get_settings.cache_clear()
    app = typer.Typer()
    feeds_cli.register(app)
    try:
        result = CliRunner().invoke(
            app, ["ingest", "--allow-private-addresses", loopback.url("/rss")]
        )
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    assert TerminatedSink.closed
    assert (tmp_path / "ingest" / "ingest-state.sqlite3").exists()
