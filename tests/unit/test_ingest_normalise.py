from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest

from ingest.normalise import (
    article_id,
    canonical_url,
    html_to_text,
    language_tag,
    published_time,
    to_utc,
)


@pytest.mark.parametrize(
    ("raw", "canonical"),
    [
        ("HTTP://Example.COM:80/a/b?b=2&a=1#frag", "http://example.com/a/b?a=1&b=2"),
        ("https://example.com:443", "https://example.com/"),
        ("https://example.com:8443/x", "https://example.com:8443/x"),
        (
            "https://ex.com/p?utm_source=rss&utm_medium=x&id=7&fbclid=1&gclid=2&yclid=3",
            "https://ex.com/p?id=7",
        ),
        ("https://ex.com/p?mc_cid=1&mc_eid=2&_ga=3&ref=tw&cmpid=4&q=", "https://ex.com/p?q="),
        ("https://ex.com/p?UTM_Campaign=x&page=2", "https://ex.com/p?page=2"),
        ("  https://ex.com/новини/1  ", "https://ex.com/%D0%BD%D0%BE%D0%B2%D0%B8%D0%BD%D0%B8/1"),
        ("https://ex.com/a%20b", "https://ex.com/a%20b"),
        ("https://ex.com/p?q=a+b&z=%D1%8F", "https://ex.com/p?q=a%20b&z=%D1%8F"),
        ("https://Example.com./x", "https://example.com/x"),
        ("http://[::1]:80/x", "http://[::1]/x"),
    ],
)
def test_canonical_url(raw: str, canonical: str) -> None:
    assert canonical_url(raw) == canonical


@pytest.mark.parametrize("bad", ["ftp://ex.com/x", "mailto:a@b.c", "/relative", "https:///x"])
def test_canonical_url_refuses_non_http(bad: str) -> None:
    with pytest.raises(ValueError):
        canonical_url(bad)


def test_article_id_is_stable_and_tracking_blind() -> None:
    a = article_id(canonical_url("https://ex.com/a?utm_source=x#top"))
    b = article_id(canonical_url("HTTPS://EX.COM/a"))
    assert a == b
    assert len(a) == 32 and int(a, 16) >= 0
    assert a != article_id(canonical_url("https://ex.com/b"))


@pytest.mark.parametrize(
    ("markup", "text"),
    [
        ("<p>One &amp; two</p><p>Three&nbsp;four</p>", "One & two\n\nThree four"),
        ("Plain   text\twith  spaces", "Plain text with spaces"),
        ("a<script>alert(1)</script>b<style>p{}</style>c", "abc"),
        ("Кім&#160;Чен&nbsp;Ин &laquo;так&raquo;", "Кім Чен Ин «так»"),
        ("line<br>next<br/>last", "line\nnext\nlast"),
        ("", ""),
        ("<![CDATA[x]]>y", "y"),
        ("unclosed <b>bold", "unclosed bold"),
    ],
)
def test_html_to_text(markup: str, text: str) -> None:
    assert html_to_text(markup) == text


def test_to_utc_from_struct_time_and_naive_datetime() -> None:
    parsed = time.strptime("2023-09-18 06:15:00", "%Y-%m-%d %H:%M:%S")
    assert to_utc(parsed) == datetime(2023, 9, 18, 6, 15, tzinfo=UTC)
    assert to_utc(datetime(2023, 1, 1, 12)) == datetime(2023, 1, 1, 12, tzinfo=UTC)
    kyiv = datetime(2023, 1, 1, 12, tzinfo=UTC) + timedelta(hours=2)
    assert to_utc(kyiv.astimezone()) == kyiv
    assert to_utc(None) is None


def test_published_time_falls_back_to_fetch_time() -> None:
    fetched = datetime(2026, 1, 1, tzinfo=UTC)
    future = fetched + timedelta(days=3)
    old = datetime(1970, 1, 1, tzinfo=UTC)
    good = datetime(2025, 12, 31, tzinfo=UTC)
    assert published_time([None, future, old], fetched) == fetched
    assert published_time([future, good], fetched) == good
    near_future = fetched + timedelta(minutes=30)
    assert published_time([near_future], fetched) == near_future


@pytest.mark.parametrize(
    ("tag", "lang"),
    [("uk-UA", "uk"), ("en_us", "en"), ("RU", "ru"), ("", None), (None, None), ("x!", None)],
)
def test_language_tag(tag: str | None, lang: str | None) -> None:
    assert language_tag(tag) == lang
