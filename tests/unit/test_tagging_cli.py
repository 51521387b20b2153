"""``newsradar tag``: JSON Lines in, JSON Lines out, same order; bad lines do not stop the run."""

from __future__ import annotations

import io
import json
from pathlib import Path

from typer.testing import CliRunner

from newsradar.cli import build_app
from newsradar.cli.tagging import run_tag
from processors.tagging import get_tagger


def test_json_lines_in_order_with_errors_per_line() -> None:
    stdin = io.StringIO(
        '{"id": "a", "text": "Sanctions on Russia.", "lang": "en"}\n'
        "not json\n"
        '{"id": "b", "title": "Польща", "text": "Візит до Києва."}\n'
        '{"id": "c", "text": 5}\n'
        "\n"
        '["a list"]\n'
    )
    stdout, stderr = io.StringIO(), io.StringIO()
    failures = run_tag(stdin, stdout, stderr, get_tagger())
    out = [json.loads(line) for line in stdout.getvalue().splitlines()]
    assert failures == 3
    assert [o["id"] for o in out] == ["a", None, "b", "c", None]
    assert out[0]["countries"] == ["RU"] and out[0]["topics"] == ["sanctions"]
    assert out[0]["mentions"][0] == {
        "country": "RU", "start": 13, "end": 19, "surface": "Russia", "field": "text",
    }  # fmt: skip
    assert out[2]["lang"] == "uk" and out[2]["countries"] == ["PL", "UA"]
    assert "error" in out[1] and "error" in out[3] and "error" in out[4]
    assert "line 2" in stderr.getvalue()


def test_text_option() -> None:
    result = CliRunner().invoke(build_app(), ["tag", "--text", "Die USA und Russland"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out["countries"] == ["RU", "US"] and out["lang"] == "de"


def test_taxonomy_option_adds_or_replaces(tmp_path: Path) -> None:
    mine = tmp_path / "mine.yaml"
    mine.write_text(
        "name: mine\ntopics:\n  - id: submarines\n    threshold: 2\n    languages:\n"
        '      uk: {terms: {"підводний човен": 2}}\n',
        encoding="utf-8",
    )
    text = "КНДР хоче технології для атомних підводних човнів і санкції проти США."
    app = build_app()
    added = CliRunner().invoke(app, ["tag", "--text", text, "--taxonomy", str(mine)])
    only = CliRunner().invoke(
        app, ["tag", "--text", text, "--taxonomy", str(mine), "--no-default-taxonomy"]
    )
    assert added.exit_code == 0 and only.exit_code == 0, added.output + only.output
    # "атомних підводних човнів": nuclear-powered submarines are also the default's nuclear
    assert json.loads(added.stdout)["topics"] == ["nuclear", "sanctions", "submarines"]
    assert json.loads(only.stdout)["topics"] == ["submarines"]
    missing = CliRunner().invoke(app, ["tag", "--text", text, "--taxonomy", "/nope.yaml"])
    assert missing.exit_code == 2
