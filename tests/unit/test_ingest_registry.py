"""Feeds file, OPML import/export and the `feeds` registry commands."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from ingest.opml import parse_opml, to_opml
from ingest.registry import (
    FeedSpec,
    RegistryError,
    add_feed,
    load_feeds,
    merge,
    remove_feed,
    save_feeds,
)
from newsradar.cli import feeds as feeds_cli

OPML = b"""<?xml version="1.0" encoding="UTF-8"?>
<opml version="2.0">
  <head><title>Subscriptions</title></head>
  <body>
    <outline text="Ukraine">
      <outline type="rss" text="Ukrinform" xmlUrl="https://www.ukrinform.ua/rss/block-lastnews"
               language="uk-UA" country="ua" category="news/politics"/>
      <outline type="rss" title="Only title" xmlUrl="http://example.com/feed"/>
    </outline>
    <outline type="rss" text="Dup" xmlUrl="http://example.com/feed"/>
    <outline text="Not a feed" htmlUrl="https://example.org/"/>
  </body>
</opml>
"""


def test_yaml_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "feeds.yaml"
    feeds = [
        FeedSpec("https://a.example/rss", "A", "ua", "uk-UA", ["news", " x ", "news"]),
        FeedSpec("https://b.example/atom"),
    ]
    feeds, _ = add_feed([], feeds[0])
    feeds, _ = add_feed(feeds, FeedSpec("https://b.example/atom"))
    save_feeds(path, feeds)
    assert "country: UA" in path.read_text()
    loaded = load_feeds(path)
    assert loaded == [
        FeedSpec("https://a.example/rss", "A", "UA", "uk", ["news", "x"]),
        FeedSpec("https://b.example/atom"),
    ]


def test_plain_list_and_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "feeds.yaml"
    assert load_feeds(path) == []
    path.write_text("- https://a.example/rss\n- url: https://b.example/rss\n  tags: a, b\n")
    assert [f.tags for f in load_feeds(path)] == [[], ["a", "b"]]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("feeds:\n  - url: ftp://x/y\n", "absolute http(s)"),
        ("feeds:\n  - url: https://x/y\n    colour: red\n", "unknown key(s) colour"),
        ("feeds:\n  - url: https://x/y\n    country: Ukraine\n", "alpha-2"),
        ("feeds:\n  - source: no url\n", "'url' is required"),
        ("feeds:\n  - https://x/y\n  - https://x/y\n", "duplicate URL"),
        ("feeds: [unclosed\n", "not valid YAML"),
        ("feeds:\n  - 42\n", "expected a URL or a mapping"),
    ],
)
def test_invalid_feeds_files(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "feeds.yaml"
    path.write_text(text)
    with pytest.raises(RegistryError, match=message.replace("(", r"\(").replace(")", r"\)")):
        load_feeds(path)


def test_add_replace_remove_merge() -> None:
    feeds, new = add_feed([], FeedSpec("https://a.example/rss", source="A"))
    feeds, new2 = add_feed(feeds, FeedSpec("https://a.example/rss", source="A2"))
    assert new and not new2 and [f.source for f in feeds] == ["A2"]
    merged, added = merge(feeds, [FeedSpec("https://a.example/rss"), FeedSpec("https://b/rss")])
    assert added == 1 and [f.source for f in merged] == ["A2", None]
    remaining, removed = remove_feed(merged, "https://a.example/rss")
    assert removed and [f.url for f in remaining] == ["https://b/rss"]
    assert remove_feed(remaining, "https://nope/")[1] is False


def test_opml_import() -> None:
    feeds = parse_opml(OPML)
    assert feeds == [
        FeedSpec(
            "https://www.ukrinform.ua/rss/block-lastnews",
            "Ukrinform",
            "UA",
            "uk",
            ["Ukraine", "news", "politics"],
        ),
        FeedSpec("http://example.com/feed", "Only title", None, None, ["Ukraine"]),
    ]


def test_opml_round_trip() -> None:
    feeds = [
        FeedSpec("https://a.example/rss", "Агенція", "UA", "uk", ["a", "b"], True),
        FeedSpec("https://b.example/rss"),
    ]
    assert parse_opml(to_opml(feeds)) == feeds


@pytest.mark.parametrize(
    "data",
    [
        b'<?xml version="1.0"?><!DOCTYPE opml [<!ENTITY a "aaaa">]><opml><body/></opml>',
        b"<rss/>",
        b"<opml version='2.0'><head/></opml>",
        b"not xml",
    ],
)
def test_opml_refusals(data: bytes) -> None:
    with pytest.raises(RegistryError):
        parse_opml(data)


def app() -> typer.Typer:
    application = typer.Typer()
    feeds_cli.register(application)
    return application


def test_cli_registry_commands(tmp_path: Path) -> None:
    ff = ["--feeds-file", str(tmp_path / "feeds.yaml")]
    runner = CliRunner()

    def invoke(*args: str) -> str:
        result = runner.invoke(app(), ["feeds", *args, *ff])
        assert result.exit_code == 0, result.output
        return result.stdout

    assert "added" in invoke("add", "https://a.example/rss", "--source", "A", "--country", "UA",
                             "--lang", "uk", "--tag", "news", "--tag", "ua")  # fmt: skip
    (tmp_path / "in.opml").write_bytes(OPML)
    assert "imported 2 new feed(s)" in invoke("import", str(tmp_path / "in.opml"))
    rows = [json.loads(line) for line in invoke("list", "--json").splitlines()]
    assert rows[0] == {
        "url": "https://a.example/rss",
        "source": "A",
        "country": "UA",
        "lang": "uk",
        "tags": ["news", "ua"],
    }
    assert len(rows) == 3
    exported = invoke("export")
    assert len(parse_opml(exported.encode())) == 3
    assert "removed" in invoke("remove", "https://a.example/rss")
    assert len(invoke("list").splitlines()) == 2
    bad = runner.invoke(app(), ["feeds", "remove", "https://nope.example/", *ff])
    assert bad.exit_code == 1
    invalid = runner.invoke(app(), ["feeds", "add", "https://x/", "--country", "XYZ", *ff])
    assert invalid.exit_code == 2 and "alpha-2" in invalid.stderr


def test_cli_status_reads_the_state(tmp_path: Path) -> None:
    from ingest.state import FeedState, StateStore

    ff = ["--feeds-file", str(tmp_path / "feeds.yaml")]
    sd = ["--state-dir", str(tmp_path / "state")]
    runner = CliRunner()
    runner.invoke(app(), ["feeds", "add", "https://a.example/rss", *ff])
    runner.invoke(app(), ["feeds", "add", "https://b.example/rss", *ff])
    store = StateStore(tmp_path / "state")
    state = FeedState(
        key="https://a.example/rss",
        url="https://a.example/rss",
        fetches=3,
        last_success_at=1_800_000_000.0,
        next_poll_at=1_800_000_600.0,
        rate_per_h=2.5,
        consecutive_errors=1,
        last_error="HTTP 503",
        last_error_at=1_800_000_100.0,
    )
    store.commit([state], [], 0.0)
    store.close()
    result = runner.invoke(app(), ["feeds", "status", "--json", *ff, *sd])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["health"] for r in rows] == ["failing", "new"]
    assert rows[0]["items_per_hour"] == 2.5 and rows[0]["last_error"] == "HTTP 503"
    assert rows[0]["last_success"] == "2027-01-15T08:00:00+00:00"
    table = runner.invoke(app(), ["feeds", "status", *ff, *sd])
    assert table.exit_code == 0 and "failing" in table.stdout
