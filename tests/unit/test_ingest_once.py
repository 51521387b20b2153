"""run_once and the CLI against a loopback server, with an in-memory sink (no Kafka)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from ingest.once import run_once
from ingest.produce import ListSink
from newsradar.cli import feeds as feeds_cli
from newsradar.settings import Settings
from tests.unit import test_ingest_support as support
from tests.unit.test_ingest_support import LoopbackServer, Reply

loopback = support.loopback  # the fixture
FEEDS = Path(__file__).resolve().parents[1] / "data" / "feeds"


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
    assert report.articles_produced == 2 and report.duplicates == 1
    assert report.feeds_ok == 2
    failed = report.feeds_failed
    assert failed[loopback.url("/missing")] == "HTTP 404"
    assert failed[loopback.url("/html")].startswith("not a feed")


def test_run_once_refuses_loopback_by_default(loopback: LoopbackServer, settings: Settings) -> None:
    loopback.routes["/a"] = Reply(body=rss(("one", "https://n.example/1")))
    sink = ListSink()
    report = run_once([loopback.url("/a")], settings, allow_private=False, sink=sink)
    assert report.feeds_ok == 0 and sink.articles == []
    assert "non-public" in report.feeds_failed[loopback.url("/a")]
    allowed = settings.model_copy(update={"allow_private_addresses": True})
    assert run_once([loopback.url("/a")], allowed, allow_private=False, sink=sink).feeds_ok == 1


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
    from datetime import UTC, datetime

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
