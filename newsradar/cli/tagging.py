"""``newsradar tag`` and ``newsradar eval``: the tagger from the command line.

``tag`` reads JSON Lines (``{"id", "title", "text", "lang"}``, ``title`` and ``lang`` optional)
on stdin and writes one JSON line per input line, in order. A line that cannot be tagged
gives ``{"id": ..., "error": "..."}`` on stdout (and a message on stderr); the run goes on.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any, TextIO

import typer

DEFAULT_EVAL_DIR = Path("tests/data/eval")


def result_to_json(article_id: Any, result: Any) -> dict[str, Any]:
    """The public JSON shape of one tagged article (DESIGN.md contract)."""
    return {
        "id": article_id,
        "lang": result.lang,
        "countries": result.countries,
        "topics": result.topics,
        "mentions": [
            {
                "country": m.country,
                "start": m.start,
                "end": m.end,
                "surface": m.surface,
                "field": m.field,
            }
            for m in result.mentions
        ],
    }


def tag_line(line: str, tagger: Any) -> dict[str, Any]:
    """Tag one JSON line; raise ``ValueError`` with a reason on bad input."""
    try:
        item = json.loads(line)
    except json.JSONDecodeError as exc:
        raise ValueError(f"not JSON: {exc.msg} at column {exc.colno}") from exc
    if not isinstance(item, dict):
        raise ValueError("expected a JSON object")
    text, title, lang = item.get("text", ""), item.get("title", ""), item.get("lang")
    if not isinstance(text, str) or not isinstance(title, str):
        raise ValueError("'text' and 'title' must be strings")
    if lang is not None and not isinstance(lang, str):
        raise ValueError("'lang' must be a string")
    if not text and not title:
        raise ValueError("needs 'text' or 'title'")
    return result_to_json(item.get("id"), tagger.tag(text, title=title, lang=lang))


def run_tag(stdin: TextIO, stdout: TextIO, stderr: TextIO, tagger: Any) -> int:
    """Tag JSON Lines from ``stdin``; return the number of lines that failed."""
    failures = 0
    for number, line in enumerate(stdin, 1):
        if not line.strip():
            continue
        try:
            out = tag_line(line, tagger)
        except ValueError as exc:
            failures += 1
            article_id = _id_of(line)
            print(f"newsradar tag: line {number}: {exc}", file=stderr)
            out = {"id": article_id, "error": str(exc), "line": number}
        stdout.write(json.dumps(out, ensure_ascii=False) + "\n")
        stdout.flush()
    return failures


def _id_of(line: str) -> Any:
    try:
        item = json.loads(line)
    except json.JSONDecodeError:
        return None
    return item.get("id") if isinstance(item, dict) else None


def _tagger(taxonomy: list[Path] | None, default_taxonomy: bool) -> Any:
    from processors.tagging import DEFAULT_TAXONOMY, Tagger, get_tagger

    if not taxonomy:
        return get_tagger()
    for path in taxonomy:
        if not path.is_file():
            raise typer.BadParameter(f"no such taxonomy file: {path}", param_hint="--taxonomy")
    return Tagger(([DEFAULT_TAXONOMY] if default_taxonomy else []) + list(taxonomy))


def register(app: typer.Typer) -> None:
    @app.command("tag")
    def tag_command(
        text: Annotated[
            str | None, typer.Option("--text", help="Tag this one string instead of stdin.")
        ] = None,
        title: Annotated[str, typer.Option("--title", help="Title for --text.")] = "",
        lang: Annotated[
            str | None, typer.Option("--lang", help="Language of --text (detected if absent).")
        ] = None,
        taxonomy: Annotated[
            list[Path] | None,
            typer.Option("--taxonomy", help="Topic taxonomy YAML to add (repeatable)."),
        ] = None,
        default_taxonomy: Annotated[
            bool,
            typer.Option(
                "--default-taxonomy/--no-default-taxonomy",
                help="Keep the built-in taxonomy next to --taxonomy files.",
            ),
        ] = True,
    ) -> None:
        """Tag articles (JSON Lines on stdin) with language, countries, topics and mentions."""
        tagger = _tagger(taxonomy, default_taxonomy)
        if text is not None:
            out = result_to_json(None, tagger.tag(text, title=title, lang=lang))
            sys.stdout.write(json.dumps(out, ensure_ascii=False) + "\n")
            return
        run_tag(sys.stdin, sys.stdout, sys.stderr, tagger)

    @app.command("eval")
    def eval_command(
        data: Annotated[
            Path, typer.Option("--data", help="Folder of labelled JSON Lines files.")
        ] = DEFAULT_EVAL_DIR,
        errors: Annotated[
            bool, typer.Option("--errors", help="Also list every wrong item.")
        ] = False,
    ) -> None:
        """Precision, recall and F1 of countries and topics per language on a labelled set."""
        from processors.tagging import get_tagger
        from processors.tagging.evaluate import evaluate, format_report

        report = evaluate(data, get_tagger())
        sys.stdout.write(format_report(report, show_errors=errors))
