"""``newsradar tag``: JSON Lines in, JSON Lines out, same order; bad lines do not stop the run."""

from __future__ import annotations

import io
import json

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
