"""run_once and the CLI against a loopback server, with an in-memory sink (no Kafka)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from ingest.once import run_once
from ingest.parse import parse_feed
from ingest.produce import Delivery, ListSink
from newsradar.cli import feeds as feeds_cli
from newsradar.settings import Settings, get_settings
from tests.unit import test_ingest_support as support
from tests.unit.test_ingest_support import LoopbackServer, Reply

loopback = support.loopback  # the fixture
FEEDS = Path(__file__).resolve().parents[1] / "data" / "feeds"
NOW = datetime.now(UTC)


def rss(*items: tuple[str, str]) -> bytes:
    body = "".join(f"<item><title>{t}</title><link>{u}</link></item>" for t, u in items)
    return f"<rss version='2.0'><channel><title>T</title>{body}</channel></rss>".encode()


def build_app() -> typer.Typer:
    """Only the ingest commands, so these tests do not depend on other areas' modules."""
    app = typer.Typer()
    feeds_cli.register(app)
    return app


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(home=tmp_path, fetch_timeout_s=5)


def test_run_once_dedupes_across_feeds_and_reports_failures(
    loopback: LoopbackServer, settings: Settings
) -> None:
    loopback.routes["/a"] = Reply(
        body=rss(("one", "https://n.example/1?utm_source=a"), ("two", "https://n.example/2"))
    )
    loopback.routes["/b"] = Reply(body=rss(("one again", "https://n.example/1#x")))
    loopback.routes["/html"] = Reply(body=b"<html><body>nope</body></html>")
    urls = [loopback.url(p) for p in ("/a", "/b", "/missing", "/html")]
    sink = ListSink()
    report = run_once(urls, settings, allow_private=True, sink=sink)
    assert [a.url for a in sink.articles] == ["https://n.example/1", "https://n.example/2"]
    assert report.articles_sent == 2 and report.articles_seen == 1  # seen: the duplicate
    assert report.feeds_ok == 2
    assert [f.url for f in report.feeds] == urls
    failed = report.feeds_failed
    assert failed[loopback.url("/missing")] == "HTTP 404"
    assert failed[loopback.url("/html")].startswith("not a feed")


def test_run_once_is_one_poller_round_over_a_throwaway_state(
    loopback: LoopbackServer, settings: Settings
) -> None:
    loopback.routes["/a"] = Reply(
        body=rss(("one", "https://n.example/1")), headers={"ETag": '"v1"'}
    )
    url = loopback.url("/a")
    first, second = ListSink(), ListSink()
    run_once([url, url], settings, allow_private=True, sink=first)
    report = run_once([url], settings, allow_private=True, sink=second)
    # no state kept: the second run fetches unconditionally and produces the article again
    assert len(first.articles) == len(second.articles) == 1
    assert report.due == 1 and report.ok == 1 and report.articles_new == 1
    assert [path for path, _ in loopback.requests] == ["/a", "/a"]
    assert all("if-none-match" not in headers for _, headers in loopback.requests)
    assert not (settings.home / "ingest").exists()


def test_run_once_warns_about_a_malformed_feed_that_still_yields_items(
    loopback: LoopbackServer, settings: Settings
) -> None:
    loopback.routes["/broken"] = Reply(body=(FEEDS / "malformed_truncated.xml").read_bytes())
    report = run_once([loopback.url("/broken")], settings, allow_private=True, sink=ListSink())
    (outcome,) = report.feeds
    assert outcome.ok and outcome.status == 200 and outcome.articles >= 1
    assert outcome.reason is not None and outcome.reason.startswith("malformed, kept ")


def test_run_once_refuses_loopback_by_default(loopback: LoopbackServer, settings: Settings) -> None:
    loopback.routes["/a"] = Reply(body=rss(("one", "https://n.example/1")))
    sink = ListSink()
    report = run_once([loopback.url("/a")], settings, allow_private=False, sink=sink)
    assert report.feeds_ok == 0 and sink.articles == []
    assert "non-public" in report.feeds_failed[loopback.url("/a")]
    allowed = settings.model_copy(update={"allow_private_addresses": True})
    assert run_once([loopback.url("/a")], allowed, allow_private=False, sink=sink).feeds_ok == 1


class PartlyFailingSink(ListSink):
    """Acknowledges the first ``acked`` articles of a flush, fails the others."""

    def __init__(self, acked: int) -> None:
        super().__init__()
        self.acked = acked

    def flush(self) -> Delivery:
        done = super().flush()
        sent = min(self.acked, done.sent)
        failed = done.sent - sent
        return Delivery(sent=sent, failed=failed, errors=["a1: KafkaTimeoutError"] * bool(failed))


def ingest_once_cli(
    monkeypatch: pytest.MonkeyPatch, settings: Settings, sink: ListSink, *urls: str
) -> Any:
    """``newsradar ingest --once`` with ``sink`` instead of Kafka."""
    import ingest.once

    monkeypatch.setattr(ingest.once, "KafkaSink", lambda _settings, **_config: sink)
    monkeypatch.setenv("NEWSRADAR_HOME", str(settings.home))
    get_settings.cache_clear()
    try:
        args = ["ingest", "--once", "--allow-private-addresses", *urls]
        return CliRunner().invoke(build_app(), args)
    finally:
        get_settings.cache_clear()


def test_cli_once_reports_each_failed_feed_and_the_totals(
    loopback: LoopbackServer, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    loopback.routes["/a"] = Reply(
        body=rss(("one", "https://n.example/1"), ("two", "https://n.example/2"))
    )
    loopback.routes["/b"] = Reply(body=rss(("one", "https://n.example/1")))
    malformed = (FEEDS / "malformed_truncated.xml").read_bytes()
    loopback.routes["/broken"] = Reply(body=malformed)
    urls = [loopback.url(p) for p in ("/a", "/b", "/missing", "/broken")]
    result = ingest_once_cli(monkeypatch, settings, ListSink(), *urls)
    assert result.exit_code == 0, result.output
    broken = len(parse_feed(malformed, urls[3], fetched_at=NOW).articles)
    assert broken >= 1
    assert result.stdout == (
        f"feeds ok 3/4, articles produced {2 + broken}, duplicates 1, delivery failures 0\n"
    )
    assert f"feed failed: {urls[2]}: HTTP 404" in result.stderr
    assert f"feed warning: {urls[3]}: malformed, kept {broken} item(s): " in result.stderr
    failing = ingest_once_cli(monkeypatch, settings, ListSink(), urls[2])
    assert failing.exit_code == 1
    assert failing.stdout.startswith("feeds ok 0/1, articles produced 0")


@pytest.mark.parametrize(("acked", "code"), [(0, 1), (1, 0)])
def test_cli_once_reports_delivery_failures_and_fails_when_nothing_went_out(
    loopback: LoopbackServer,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
    acked: int,
    code: int,
) -> None:
    loopback.routes["/a"] = Reply(
        body=rss(("one", "https://n.example/1"), ("two", "https://n.example/2"))
    )
    result = ingest_once_cli(monkeypatch, settings, PartlyFailingSink(acked), loopback.url("/a"))
    assert result.exit_code == code, result.output
    assert "delivery failed: a1: KafkaTimeoutError" in result.stderr
    assert result.stdout == (
        f"feeds ok 1/1, articles produced {acked}, duplicates 0, delivery failures {2 - acked}\n"
    )


def test_cli_once_without_a_broker_fails_fast_and_names_kafka(
    loopback: LoopbackServer, settings: Settings
) -> None:
    # A process of its own: kafka-python leaves the sockets of a failed bootstrap to the
    # garbage collector, which pytest would report as resource warnings.
    with socket.socket() as sock:  # a port nothing listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    loopback.routes["/a"] = Reply(body=rss(("one", "https://n.example/1")))
    env = {
        **os.environ,
        "NEWSRADAR_HOME": str(settings.home),
        "NEWSRADAR_KAFKA_BOOTSTRAP": f"127.0.0.1:{port}",
    }
    args = ["ingest", "--once", "--allow-private-addresses", loopback.url("/a")]
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-c", "from newsradar.cli import main; main()", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 1, result.stderr
    assert f"error: Kafka at 127.0.0.1:{port}: KafkaTimeoutError" in result.stderr
    assert loopback.requests == []  # nothing fetched that could not be delivered
    # kafka-python alone would wait 30 s for the first broker.
    assert time.monotonic() - started < 20


def test_cli_feeds_parse_prints_json_lines_and_reports_bad_files(tmp_path: Path) -> None:
    missing = tmp_path / "missing.xml"
    files = [FEEDS / "rss2_cp1251.xml", FEEDS / "not_a_feed.html", missing, FEEDS / "rss1_rdf.rdf"]
    result = CliRunner().invoke(build_app(), ["feeds", "parse", *map(str, files)])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["file"] for r in rows] == [str(files[0])] * 2 + [str(files[3])]
    assert rows[0]["title"] == "КНДР поглиблює відносини з Росією"
    assert {"id", "url", "title", "text", "published_at", "source", "lang"} <= set(rows[0])
    assert "not_a_feed.html: not a feed" in result.stderr
    assert "missing.xml: cannot read" in result.stderr


def test_cli_feeds_parse_fails_when_every_file_fails(tmp_path: Path) -> None:
    result = CliRunner().invoke(build_app(), ["feeds", "parse", str(FEEDS / "not_a_feed.html")])
    assert result.exit_code == 1


def test_cli_ingest_without_feeds_is_a_usage_error(tmp_path: Path) -> None:
    empty = tmp_path / "feeds.yaml"
    result = CliRunner().invoke(build_app(), ["ingest", "--feeds-file", str(empty)])
    assert result.exit_code == 2 and "no feeds" in result.stderr
    once = CliRunner().invoke(build_app(), ["ingest", "--once"])
    assert once.exit_code == 2


def test_deliver_counts_a_raising_send_as_failures() -> None:
    from ingest.produce import deliver
    from newsradar.records import Article

    class Broken(ListSink):
        def send(self, article: Article) -> None:
            if len(self.articles) == 1:
                raise TimeoutError("metadata not available")
            super().send(article)

    now = datetime.now(UTC)
    articles = [
        Article(id=str(n), url=f"https://n.example/{n}", title="t", text="", source="s",
                feed_url="https://n.example/f", published_at=now, fetched_at=now)
        for n in range(3)
    ]  # fmt: skip
    done = deliver(Broken(), articles)
    assert (done.sent, done.failed) == (1, 2)
    assert done.errors == ["TimeoutError: metadata not available"]
