"""``newsradar ingest`` and ``newsradar feeds …``: the ingest stage from the command line."""

from __future__ import annotations

import json
import signal
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from newsradar.cli.options import MetricsAddr, MetricsPort, serve_metrics
from newsradar.settings import get_settings

if TYPE_CHECKING:
    from ingest.registry import FeedSpec

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


FeedsFile = Annotated[
    Path | None, typer.Option("--feeds-file", help="Feeds file (default NEWSRADAR_FEEDS_FILE).")
]
StateDir = Annotated[
    Path | None,
    typer.Option("--state-dir", help="Poller state directory (default <NEWSRADAR_HOME>/ingest)."),
]


def ingest(
    feed_urls: Annotated[
        list[str] | None,
        typer.Argument(metavar="FEED_URL...", help="Feed URLs (default: the feeds file)."),
    ] = None,
    once: Annotated[bool, typer.Option("--once", help="Fetch each feed once, then exit.")] = False,
    allow_private: Annotated[bool, ALLOW_PRIVATE] = False,
    feeds_file: FeedsFile = None,
    state_dir: StateDir = None,
    concurrency: Annotated[int, typer.Option(min=1, help="Requests in flight in all.")] = 20,
    per_host: Annotated[int, typer.Option(min=1, help="Requests in flight per host.")] = 2,
    host_spacing: Annotated[
        float, typer.Option(min=0, help="Seconds between request starts to one host.")
    ] = 1.0,
    min_interval: Annotated[
        float, typer.Option(min=1, help="Shortest poll interval of a feed, seconds.")
    ] = 300.0,
    max_interval: Annotated[
        float, typer.Option(min=1, help="Longest poll interval of a feed, seconds.")
    ] = 86400.0,
    metrics_port: MetricsPort = 0,  # fetches, articles, per-feed health
    metrics_addr: MetricsAddr = "127.0.0.1",
) -> None:
    """Without --once: poll the feeds file (or the URLs) politely until Ctrl-C.

    The feeds file is re-read when it changes. Politeness: at most --per-host requests in
    flight to one host, starting --host-spacing seconds apart; each feed's interval adapts
    to its item rate between --min-interval and --max-interval.
    """
    if once:
        if not feed_urls:
            _err("error: give at least one FEED_URL")
            raise typer.Exit(2)
        _ingest_once(feed_urls, allow_private)
        return
    politeness = {
        "concurrency": concurrency,
        "per_host": per_host,
        "host_spacing_s": host_spacing,
        "min_interval_s": min_interval,
        "max_interval_s": max(min_interval, max_interval),
    }
    _poll(feed_urls, allow_private, feeds_file, state_dir, politeness, (metrics_addr, metrics_port))


def _ingest_once(feed_urls: list[str], allow_private: bool) -> None:
    from ingest.once import run_once

    settings = get_settings()
    try:
        report = run_once(feed_urls, settings, allow_private=allow_private)
    except Exception as exc:  # the producer could not start: no broker reachable, ...
        _err(f"error: Kafka at {settings.kafka_bootstrap}: {type(exc).__name__}: {exc}")
        raise typer.Exit(1) from exc
    for outcome in report.feeds:
        if not outcome.ok:
            _err(f"feed failed: {outcome.url}: {outcome.reason}")
        elif outcome.reason:
            _err(f"feed warning: {outcome.url}: {outcome.reason}")
    for error in report.delivery_errors:
        _err(f"delivery failed: {error}")
    print(
        f"feeds ok {report.feeds_ok}/{len(report.feeds)}, articles produced "
        f"{report.articles_sent}, duplicates {report.articles_seen}, delivery failures "
        f"{report.delivery_failed}"
    )
    if report.feeds_ok == 0 or (report.delivery_failed and not report.articles_sent):
        raise typer.Exit(1)


def _poll(
    urls: list[str] | None,
    allow_private: bool,
    feeds_file: Path | None,
    state_dir: Path | None,
    politeness: dict[str, float],
    metrics: tuple[str, int] = ("127.0.0.1", 0),
) -> None:
    import asyncio

    from ingest.poller import Poller, RoundReport
    from ingest.produce import KafkaSink
    from ingest.registry import FeedSpec
    from ingest.schedule import Limits

    settings = get_settings()
    path = feeds_file or settings.feeds_file
    feeds = [FeedSpec(url=u) for u in urls] if urls else _load(path)
    if not feeds:
        _err("error: no feeds: give FEED_URLs or add some with `newsradar feeds add`")
        raise typer.Exit(2)
    seen_mtime = [_mtime(path)]

    def reload() -> list[FeedSpec] | None:
        if urls or _mtime(path) == seen_mtime[0]:
            return None
        seen_mtime[0] = _mtime(path)
        try:
            fresh = _load(path)
        except typer.Exit:
            return None  # keep polling the previous list; the error is on stderr
        _err(f"feeds file changed: {len(fresh)} feed(s)")
        return fresh

    def progress(r: RoundReport) -> None:
        _err(
            f"polled {r.due}: {r.ok} ok, {r.not_modified} not modified, {r.unchanged} "
            f"unchanged, {r.errors} errors; {r.articles_new} new article(s)"
        )

    try:
        sink = KafkaSink(settings)
    except Exception as exc:
        _err(f"error: Kafka at {settings.kafka_bootstrap}: {type(exc).__name__}: {exc}")
        raise typer.Exit(1) from exc

    async def main() -> None:
        # SIGTERM (`newsradar run` stopping its children, a container runtime) ends the
        # loop like Ctrl-C does: the round in flight is cancelled, nothing of it is
        # committed, the poller and the producer are closed.
        task = asyncio.current_task()
        if task is not None:
            asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, task.cancel)
        poller = Poller(
            settings,
            feeds,
            sink,
            allow_private=allow_private,
            state_dir=state_dir,
            concurrency=int(politeness["concurrency"]),
            per_host=int(politeness["per_host"]),
            host_spacing_s=politeness["host_spacing_s"],
            limits=Limits(politeness["min_interval_s"], politeness["max_interval_s"]),
        )
        if metrics[1]:
            from prometheus_client import REGISTRY

            from ingest.metrics import PrometheusCollector

            REGISTRY.register(PrometheusCollector(poller.counters, lambda: poller.states.values()))
            serve_metrics(metrics[1], metrics[0])
        try:
            await poller.run_forever(on_round=progress, reload=reload)
        finally:
            await poller.aclose()

    try:
        asyncio.run(main())
    except (KeyboardInterrupt, asyncio.CancelledError):
        pass
    finally:
        sink.close()


def _mtime(path: Path) -> float | None:
    try:
        return path.stat().st_mtime
    except OSError:
        return None


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


def _load(feeds_file: Path | None) -> list[FeedSpec]:
    from ingest.registry import RegistryError, load_feeds

    path = feeds_file or get_settings().feeds_file
    try:
        return load_feeds(path)
    except RegistryError as exc:
        _err(f"error: {exc}")
        raise typer.Exit(2) from exc


def _save(feeds_file: Path | None, feeds: list[FeedSpec]) -> Path:
    from ingest.registry import save_feeds

    path = feeds_file or get_settings().feeds_file
    save_feeds(path, feeds)
    return path


@feeds_app.command("add")
def add(
    url: Annotated[str, typer.Argument(help="Feed URL.")],
    source: Annotated[str | None, typer.Option(help="Publisher name.")] = None,
    country: Annotated[str | None, typer.Option(help="Source country, ISO alpha-2.")] = None,
    lang: Annotated[str | None, typer.Option(help="Source language (uk, ru, en, ...).")] = None,
    tag: Annotated[list[str] | None, typer.Option("--tag", help="A tag (repeatable).")] = None,
    full_text: Annotated[bool, typer.Option(help="Fetch full article pages.")] = False,
    feeds_file: FeedsFile = None,
) -> None:
    """Add a feed to the feeds file (or replace the entry with the same URL)."""
    from ingest.registry import FeedSpec, RegistryError, add_feed

    spec = FeedSpec(url, source, country, lang, list(tag or []), full_text)
    try:
        feeds, new = add_feed(_load(feeds_file), spec)
    except RegistryError as exc:
        _err(f"error: {exc}")
        raise typer.Exit(2) from exc
    path = _save(feeds_file, feeds)
    print(f"{'added' if new else 'updated'} {url} in {path}")


@feeds_app.command("remove")
def remove(
    url: Annotated[str, typer.Argument(help="Feed URL as registered.")],
    feeds_file: FeedsFile = None,
) -> None:
    """Remove a feed from the feeds file."""
    from ingest.registry import remove_feed

    feeds, removed = remove_feed(_load(feeds_file), url)
    if not removed:
        _err(f"error: {url} is not in the feeds file")
        raise typer.Exit(1)
    print(f"removed {url} from {_save(feeds_file, feeds)}")


@feeds_app.command("list")
def list_feeds(
    feeds_file: FeedsFile = None,
    as_json: Annotated[bool, typer.Option("--json", help="JSON Lines output.")] = False,
) -> None:
    """List the registered feeds."""
    for feed in _load(feeds_file):
        if as_json:
            print(json.dumps(feed.to_yaml(), ensure_ascii=False))
        else:
            meta = " ".join(
                x for x in (feed.source, feed.country, feed.lang, ",".join(feed.tags)) if x
            )
            print(f"{feed.url}\t{meta}")


@feeds_app.command("import")
def import_opml(
    opml_file: Annotated[Path, typer.Argument(help="OPML file to import.")],
    feeds_file: FeedsFile = None,
) -> None:
    """Add the feeds of an OPML file (feeds already registered are kept as they are)."""
    from ingest.opml import parse_opml
    from ingest.registry import RegistryError, merge

    try:
        imported = parse_opml(opml_file.read_bytes())
    except (OSError, RegistryError) as exc:
        _err(f"error: {opml_file}: {exc}")
        raise typer.Exit(2) from exc
    feeds, added = merge(_load(feeds_file), imported)
    path = _save(feeds_file, feeds)
    print(f"imported {added} new feed(s) of {len(imported)} into {path}")


@feeds_app.command("export")
def export_opml(
    output: Annotated[Path | None, typer.Option("-o", "--output", help="Default: stdout.")] = None,
    feeds_file: FeedsFile = None,
) -> None:
    """Write the registry as OPML 2.0."""
    from ingest.opml import to_opml

    data = to_opml(_load(feeds_file))
    if output is None:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    else:
        output.write_bytes(data)


@feeds_app.command("status")
def status(
    feeds_file: FeedsFile = None,
    state_dir: StateDir = None,
    as_json: Annotated[bool, typer.Option("--json", help="JSON Lines output.")] = False,
) -> None:
    """Per feed: health, last success, last error, item rate, next poll."""
    from ingest.state import StateStore
    from ingest.status import ago, status_rows

    store = StateStore(state_dir or get_settings().home / "ingest")
    try:
        rows = status_rows(_load(feeds_file), store.load())
    finally:
        store.close()
    if as_json:
        for row in rows:
            print(json.dumps(row, ensure_ascii=False))
        return
    from rich.console import Console
    from rich.table import Table

    table = Table("feed", "health", "last success", "last error", "items/h", "next poll")
    for row in rows:
        error = f"{ago(row['last_error_at'])}: {row['last_error']}" if row["last_error"] else "-"
        table.add_row(
            row["feed"] if row["url"] == row["feed"] else f"{row['feed']} → {row['url']}",
            row["health"],
            ago(row["last_success"]),
            error,
            f"{row['items_per_hour']:.2f}",
            ago(row["next_poll"]),
        )
    Console().print(table)
