"""``newsradar match``: exit status on a bad query, JSON Lines in and out."""

from __future__ import annotations

import io
import json
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from typer.testing import CliRunner

from newsradar.cli import build_app
from newsradar.cli.query import match_lines
from newsradar.query import parse_query
from tests.unit.query_support import toy_analyzer, toy_lemma_stream

SEED = Path(__file__).resolve().parents[1] / "data" / "seed_article_uk.txt"


def fake_tag(text: str, title: str, lang: str | None) -> Any:
    countries = ["KP"] if "кндр" in text.lower() else []
    return SimpleNamespace(
        lang=lang or "uk",
        countries=countries,
        topics=[],
        mentions=[],
        lemmas=" ".join(toy_lemma_stream(f"{title} {text}", lang or "uk")),
    )


def run(query: str, lines: list[str], explain: bool = False) -> tuple[list[dict[str, Any]], int]:
    out = io.StringIO()
    failures = match_lines(parse_query(query), lines, out, fake_tag, toy_analyzer(), explain)
    return [json.loads(line) for line in out.getvalue().splitlines()], failures


def test_one_result_per_line_in_order() -> None:
    lines = [
        json.dumps({"id": "1", "text": "КНДР хоче зброї", "lang": "uk"}),
        json.dumps({"id": "2", "title": "Зброю", "text": "нічого"}),
        "",
        json.dumps({"id": "3", "text": "нічого"}),
    ]
    rows, failures = run("зброя", lines)
    assert failures == 0
    assert rows == [
        {"id": "1", "match": True},
        {"id": "2", "match": True},
        {"id": "3", "match": False},
    ]
    rows, _ = run("зброя AND country:KP", lines)
    assert [row["match"] for row in rows] == [True, False, False]


def test_explain_adds_hits() -> None:
    rows, _ = run("зброя", [json.dumps({"id": "1", "text": "про зброю"})], explain=True)
    assert rows == [{"id": "1", "match": True, "hits": [{"term": "зброя", "positions": [1]}]}]


def test_bad_lines_are_reported_and_keep_alignment() -> None:
    lines = ["{not json", json.dumps({"id": "x"}), json.dumps({"id": "y", "text": "зброї"})]
    rows, failures = run("зброя", lines)
    assert failures == 2
    assert [row["id"] for row in rows] == [None, "x", "y"]
    assert "error" in rows[0] and "error" in rows[1]
    assert rows[2] == {"id": "y", "match": True}


def test_query_that_does_not_parse_exits_2_naming_the_column() -> None:
    result = CliRunner().invoke(
        build_app(), ["match", "--query", "зброя AND (country:KP"], input=""
    )
    assert result.exit_code == 2
    assert "column 22" in result.output
    assert "expected ')'" in result.output


def test_seed_article_with_the_real_tagger() -> None:
    seed = json.dumps({"id": "seed", "text": SEED.read_text(encoding="utf-8"), "lang": "uk"})
    app = build_app()
    for query, expected in [
        ("зброя", True),
        ('"підводний човен"', True),
        ("зброя AND country:CN", False),
        ("зброя AND country:KP", True),
    ]:
        result = CliRunner().invoke(app, ["match", "--query", query], input=seed + "\n")
        assert result.exit_code == 0, result.output
        assert json.loads(result.stdout) == {"id": "seed", "match": expected}, query
