"""``newsradar match``: the query language over JSON Lines articles, from the command line.

Input, one article a line: ``{"id", "title", "text", "lang", "source"}`` (all but ``id`` and
``text`` optional). Output, same order: ``{"id", "match"}`` (plus ``hits`` with
``--explain``). A query that does not parse exits with status 2 and names the column.
"""

from __future__ import annotations

import importlib
import json
import sys
from collections.abc import Callable, Iterable
from typing import Annotated, Any, TextIO

import typer

from newsradar.query import Analyzer, MatchDoc, QuerySyntaxError, matches, parse_query
from newsradar.query.ast import Node

# (text, title, lang) -> a TagResult-like object with lemmas, lang, countries, topics.
TagFunction = Callable[[str, str, "str | None"], Any]


def register(app: typer.Typer) -> None:
    app.command(help="Match JSON Lines articles on stdin against a query; JSON Lines out.")(match)


def _err(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def parse_or_exit(query: str) -> Node:
    """The parsed query, or a message with a caret under the column and exit status 2."""
    try:
        return parse_query(query)
    except QuerySyntaxError as exc:
        _err(f"error: query does not parse at column {exc.column}: {exc.message}")
        _err(f"  expected {exc.expected}")
        for line in exc.pointer().splitlines():
            _err(f"  {line}")
        raise typer.Exit(2) from None


def match(
    query: Annotated[
        str, typer.Option("--query", "-q", help="A query, e.g. 'зброя AND country:KP'.")
    ],
    explain: Annotated[
        bool, typer.Option("--explain", help="Add the matched terms and token positions.")
    ] = False,
) -> None:
    node = parse_or_exit(query)
    failures = match_lines(node, sys.stdin, sys.stdout, _real_tagger(), Analyzer.default(), explain)
    if failures:
        _err(f"{failures} input line(s) could not be matched")
        raise typer.Exit(1)


def _real_tagger() -> TagFunction:
    # The CLI may use the stages; the query package itself never imports them.
    tagger = importlib.import_module("processors.tagging").get_tagger()

    def tag(text: str, title: str, lang: str | None) -> Any:
        return tagger.tag(text, title=title, lang=lang)

    return tag


def match_lines(
    node: Node,
    lines: Iterable[str],
    out: TextIO,
    tag: TagFunction,
    analyzer: Analyzer,
    explain: bool = False,
) -> int:
    """Tag and match each JSON line; write one result a line. Returns the failed lines'
    count (each failure is reported on stderr and written as ``match: false`` with an
    ``error``, so output lines stay aligned with input lines)."""
    failures = 0
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        article_id: Any = None
        try:
            item = json.loads(line)
            if not isinstance(item, dict):
                raise ValueError("expected a JSON object")
            article_id = item.get("id")
            text = item.get("text")
            if not isinstance(text, str):
                raise ValueError("missing 'text'")
            tagged = tag(text, str(item.get("title") or ""), item.get("lang") or None)
            doc = MatchDoc.from_article(tagged, source=str(item.get("source") or ""))
        except ValueError as exc:  # json.JSONDecodeError is a ValueError
            failures += 1
            _err(f"line {number}: {exc}")
            out.write(json.dumps({"id": article_id, "match": False, "error": str(exc)}) + "\n")
            continue
        result = matches(node, doc, analyzer)
        row: dict[str, Any] = {"id": article_id, "match": result.matched}
        if explain:
            row["hits"] = [{"term": h.term, "positions": list(h.positions)} for h in result.hits]
        out.write(json.dumps(row, ensure_ascii=False) + "\n")
    out.flush()
    return failures
