"""``newsradar ingest`` and ``newsradar feeds …``: the ingest stage from the command line."""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from newsradar.settings import get_settings

feeds_app = typer.Typer(
    help="The feed registry, local feed files and feed health.", no_args_is_help=True
)

ALLOW_PRIVATE = typer.Option(
    "--allow-private-addresses",
    help="Allow feed URLs on private, loopback and link-local addresses.",
)


def register(app: typer.Typer) -> None:
    app.command(help="Fetch feeds, normalise their items and produce them to Kafka articles.raw.")(
        ingest
    )
    app.add_typer(feeds_app, name="feeds")


def _err(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def ingest(
    feed_urls: Annotated[
        list[str] | None, typer.Argument(metavar="FEED_URL...", help="Feed URLs.")
    ] = None,
    once: Annotated[bool, typer.Option("--once", help="Fetch each feed once, then exit.")] = False,
    allow_private: Annotated[bool, ALLOW_PRIVATE] = False,
) -> None:
    from ingest.once import run_once

    if not once:
        _err("error: only --once is supported here; `newsradar run` polls continuously")
        raise typer.Exit(2)
    if not feed_urls:
        _err("error: give at least one FEED_URL")
        raise typer.Exit(2)
    report = run_once(feed_urls, get_settings(), allow_private=allow_private)
    for outcome in report.feeds:
        if not outcome.ok:
            _err(f"feed failed: {outcome.url}: {outcome.reason}")
        elif outcome.reason:
            _err(f"feed warning: {outcome.url}: {outcome.reason}")
    for error in report.delivery_errors:
        _err(f"delivery failed: {error}")
    print(
        f"feeds ok {report.feeds_ok}/{len(report.feeds)}, articles produced "
        f"{report.articles_produced}, duplicates {report.duplicates}, delivery failures "
        f"{report.delivery_failures}"
    )
    if report.feeds_ok == 0 or (report.delivery_failures and not report.articles_produced):
        raise typer.Exit(1)


@feeds_app.command("parse")
def parse_files(
    files: Annotated[list[Path], typer.Argument(metavar="FILE...", help="Local feed files.")],
    source: Annotated[
        str | None, typer.Option("--source", help="Source name (default: feed title).")
    ] = None,
    lang: Annotated[
        str | None, typer.Option("--lang", help="Language (default: the feed's).")
    ] = None,
) -> None:
    """Print the normalised articles of local feed files as JSON Lines.

    One article a line, with ``file`` naming where it came from. Files that cannot be
    read or hold no feed are reported on stderr; the others go on.
    """
    from ingest.parse import parse_feed

    failed = 0
    out = sys.stdout
    for path in files:
        try:
            data = path.read_bytes()
        except OSError as exc:
            _err(f"{path}: cannot read: {exc.strerror or exc}")
            failed += 1
            continue
        try:
            parsed = parse_feed(
                data,
                path.resolve().as_uri(),
                source=source,
                lang=lang,
                fetched_at=datetime.now(UTC),
            )
        except Exception as exc:  # a parser bug must not stop the other files
            _err(f"{path}: parser error: {type(exc).__name__}: {exc}")
            failed += 1
            continue
        if not parsed.ok:
            _err(f"{path}: not a feed: {parsed.error or 'no feed element and no entries'}")
            failed += 1
            continue
        for article in parsed.articles:
            row = {"file": str(path), **article.to_representation()}
            row.pop("__faust", None)
            out.write(json.dumps(row, ensure_ascii=False, default=_iso) + "\n")
    out.flush()
    if failed and failed == len(files):
        raise typer.Exit(1)


def _iso(value: object) -> str:
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"cannot serialise {type(value).__name__}")
