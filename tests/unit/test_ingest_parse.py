"""Data-driven: every feed in tests/data/feeds must yield what its .expected.json says."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from ingest.normalise import article_id
from ingest.parse import parse_feed

FEEDS = Path(__file__).resolve().parents[1] / "data" / "feeds"
FIXTURES = sorted(p for p in FEEDS.iterdir() if p.suffix != ".json" and p.name != "README.md")
FETCHED_AT = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


def test_every_fixture_has_expectations() -> None:
    assert FIXTURES, "no feed fixtures found"
    for path in FIXTURES:
        assert path.with_suffix(".expected.json").exists(), path.name


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: p.name)
def test_feed_fixture(path: Path) -> None:
    expected: dict[str, Any] = json.loads(path.with_suffix(".expected.json").read_text("utf-8"))
    started = time.monotonic()
    parsed = parse_feed(path.read_bytes(), "https://feeds.example.net/feed", fetched_at=FETCHED_AT)
    assert time.monotonic() - started < 5
    assert parsed.ok == expected["ok"]
    for key in ("bozo", "skipped", "lang"):
        if key in expected:
            assert getattr(parsed, key) == expected[key], key
    if parsed.bozo:
        assert parsed.error
    want: list[dict[str, Any]] = expected["articles"]
    if "articles_at_least" in expected:
        assert len(parsed.articles) >= expected["articles_at_least"]
    else:
        assert len(parsed.articles) == len(want)
    for article, fields in zip(parsed.articles, want, strict=False):
        assert article.id == article_id(article.url)
        assert article.feed_url == "https://feeds.example.net/feed"
        assert article.fetched_at == FETCHED_AT
        for name, value in fields.items():
            got = getattr(article, name)
            if name == "published_at":
                got = got.isoformat()
                value = FETCHED_AT.isoformat() if value == "FETCHED" else value
            assert got == value, name
    cap = expected.get("max_text_chars")
    if cap:
        for article in parsed.articles:
            assert len(article.title) <= cap and len(article.text) <= cap


def test_http_charset_header_decodes_undeclared_cp1251() -> None:
    body = (
        "<rss version='2.0'><channel><title>Новини</title><item><title>Київ і Львів</title>"
        "<link>https://ex.ua/1</link></item></channel></rss>"
    ).encode("cp1251")
    parsed = parse_feed(
        body,
        "https://ex.ua/rss",
        fetched_at=FETCHED_AT,
        content_type="application/rss+xml; charset=windows-1251",
    )
    assert [a.title for a in parsed.articles] == ["Київ і Львів"]
    assert parsed.title == "Новини"


def test_source_and_lang_overrides() -> None:
    body = (FEEDS / "rss2_koi8u.xml").read_bytes()
    parsed = parse_feed(body, "https://x/f", source="Ukr Net", lang="ru-RU", fetched_at=FETCHED_AT)
    assert parsed.lang == "ru"
    assert parsed.articles[0].source == "Ukr Net"


def test_bytes_that_look_like_a_path_or_url_are_not_opened() -> None:
    for data in (
        b"/etc/passwd",
        b"http://127.0.0.1:1/feed",
        str(FEEDS / "rss2_koi8u.xml").encode(),
    ):
        parsed = parse_feed(data, "https://x/f", fetched_at=FETCHED_AT)
        assert not parsed.ok
        assert parsed.articles == []


def test_empty_and_binary_input() -> None:
    for data in (b"", b"\x00\xff\xfe" * 100, b"<rss"):
        parsed = parse_feed(data, "https://x/f", fetched_at=FETCHED_AT)
        assert parsed.articles == []


@pytest.mark.parametrize(
    "content_type",
    [
        "application/rss+xml; charset=iso-8859-1",
        "application/rss+xml; charset=koi8-r",
        "text/xml; charset=utf-8",
        "text/html",
    ],
)
def test_xml_declaration_beats_a_wrong_http_charset(content_type: str) -> None:
    body = (FEEDS / "rss2_cp1251.xml").read_bytes()
    parsed = parse_feed(body, "https://x/f", fetched_at=FETCHED_AT, content_type=content_type)
    assert parsed.articles[0].title == "КНДР поглиблює відносини з Росією"


@pytest.mark.parametrize("encoding", ["cp1251", "koi8-u", "utf-8"])
def test_undeclared_encoding_is_guessed(encoding: str) -> None:
    body = (
        "<rss version='2.0'><channel><title>Новини</title><item>"
        "<title>Київ і Львів: новини дня про війну</title><link>https://ex.ua/1</link>"
        "<description>Президент України заявив про нові санкції проти Росії.</description>"
        "</item></channel></rss>"
    ).encode(encoding)
    for content_type in (None, "application/rss+xml"):
        parsed = parse_feed(body, "https://x/f", fetched_at=FETCHED_AT, content_type=content_type)
        assert parsed.articles[0].title == "Київ і Львів: новини дня про війну"
        assert parsed.title == "Новини"
