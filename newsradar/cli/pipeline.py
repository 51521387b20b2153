"""``newsradar worker`` and ``newsradar run``: the stream processors and the whole pipeline."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from newsradar.cli.options import MetricsAddr, MetricsPort, serve_metrics
from newsradar.settings import Settings, get_settings

console = Console(stderr=True)


def register(app: typer.Typer) -> None:
    app.command(
        help="Run the stream processors (faust): tag articles.raw → articles.tagged; "
        "index articles.tagged → Elasticsearch; match subscriptions → alerts. Scale out by "
        "running more (up to the partitions)."
    )(worker)
    app.command(
        help="The whole pipeline in one command: start the local services if needed, "
        "then `ingest` (polling the feeds), `worker` and `notify` as child processes "
        "(logs in <NEWSRADAR_HOME>/logs), show progress until Ctrl-C."
    )(run)


def worker(
    loglevel: Annotated[str, typer.Option(help="faust log level")] = "info",
    metrics_port: MetricsPort = 0,
    metrics_addr: MetricsAddr = "127.0.0.1",
) -> None:
    from processors.app import run_worker

    settings = get_settings()
    serve_metrics(metrics_port, metrics_addr)
    run_worker(settings, loglevel=loglevel)


def _services_answer(settings: Settings) -> bool:
    """Kafka and Elasticsearch already answer (started here or elsewhere)."""
    from newsradar.stack.elasticsearch import ElasticsearchNode
    from newsradar.stack.kafka import KafkaBroker

    return KafkaBroker(settings).ready() and ElasticsearchNode(settings).ready()


def _check_feeds_file(feeds_file: Path) -> None:
    """Exit 2 with a clear message now, rather than from the ingest child later."""
    from ingest.registry import RegistryError, load_feeds

    try:
        specs = load_feeds(feeds_file)
    except (OSError, RegistryError) as exc:
        console.print(f"[red]error:[/red] feeds file {feeds_file}: {exc}")
        raise typer.Exit(2) from exc
    if not specs:
        console.print(f"[red]error:[/red] {feeds_file} lists no feeds")
        raise typer.Exit(2)


@contextlib.contextmanager
def _child(
    settings: Settings,
    command: str,
    args: Sequence[str] = (),
    env: Mapping[str, str] | None = None,
) -> Iterator[subprocess.Popen[bytes]]:
    """``newsradar COMMAND ARGS`` as a child process with its log in the logs folder;
    ``env`` is added to this process's environment. SIGTERM on the way out."""
    settings.logs.mkdir(parents=True, exist_ok=True)
    log_path = _log_path(settings, command)
    with log_path.open("ab") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "newsradar", command, *args],
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
            env={**os.environ, **env} if env else None,
        )
    console.print(f"{command}: pid {proc.pid}, log {log_path}")
    try:
        yield proc
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)


def _log_path(settings: Settings, command: str) -> Path:
    return settings.logs / f"{command}.log"


def run(
    feeds: Annotated[
        Path | None, typer.Option(help="feeds file (YAML); default NEWSRADAR_FEEDS_FILE")
    ] = None,
    demo: Annotated[
        bool,
        typer.Option(
            help="serve the bundled sample feeds on 127.0.0.1 and poll them "
            "(implies --allow-private-addresses)"
        ),
    ] = False,
    local_services: Annotated[
        bool, typer.Option(help="start the local Kafka and Elasticsearch if they are not up")
    ] = True,
    allow_private_addresses: Annotated[
        bool, typer.Option("--allow-private-addresses", help="allow feeds on private addresses")
    ] = False,
    poll_interval: Annotated[
        float | None,
        typer.Option(
            help="first interval between polls of a feed; it then adapts to the "
            "feed's rate (default NEWSRADAR_POLL_INTERVAL_S)"
        ),
    ] = None,
) -> None:
    from newsradar.cli.stack import up

    settings = get_settings()
    if local_services and not _services_answer(settings):
        up(skip_init=False)
    else:
        from newsradar.cli.stack import init

        init()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    with contextlib.ExitStack() as stack:
        if demo:
            from ingest.samples import sample_feeds, serve_directory

            base = stack.enter_context(serve_directory())
            ingest_args = [f"{base}/{name}" for name in sample_feeds()]
            allow_private_addresses = True
        else:
            feeds_file = feeds or settings.feeds_file
            _check_feeds_file(feeds_file)
            ingest_args = ["--feeds-file", str(feeds_file)]
        if allow_private_addresses:
            ingest_args.append("--allow-private-addresses")
        # ingest reads the first interval of a new feed from the settings, like every
        # other NEWSRADAR_* value.
        ingest_env = {"NEWSRADAR_POLL_INTERVAL_S": str(poll_interval)} if poll_interval else None
        children = {
            "worker": stack.enter_context(_child(settings, "worker")),
            "notify": stack.enter_context(_child(settings, "notify")),
            "ingest": stack.enter_context(_child(settings, "ingest", ingest_args, ingest_env)),
        }
        try:
            _show_progress(settings, children, stop)
        except KeyboardInterrupt:
            console.print("stopping…")


def _show_progress(
    settings: Settings, children: Mapping[str, subprocess.Popen[bytes]], stop: threading.Event
) -> None:
    """The live table until ``stop`` is set; exit 1 as soon as any child has exited."""
    from rich.live import Live
    from rich.table import Table

    from newsradar.progress import ProgressProbe

    probe = ProgressProbe(settings)
    try:
        with Live(console=console, refresh_per_second=2) as live:
            while not stop.is_set():
                for command, proc in children.items():
                    if proc.poll() is not None:
                        console.print(
                            f"[red]{command} exited with {proc.returncode}[/red]; "
                            f"see {_log_path(settings, command)}"
                        )
                        raise typer.Exit(1)
                snap = probe.snapshot()
                table = Table(title="newsradar — Ctrl-C to stop", show_header=False)
                table.add_row("fetched → articles.raw", str(snap.raw))
                table.add_row("tagged → articles.tagged", str(snap.tagged))
                table.add_row(f"indexed → {settings.index_alias}", str(snap.indexed))
                table.add_row("dead letters", str(snap.dead_letters))
                table.add_row(
                    "top countries", ", ".join(f"{c} {n}" for c, n in snap.top_countries) or "-"
                )
                table.add_row(
                    "top topics", ", ".join(f"{t} {n}" for t, n in snap.top_topics) or "-"
                )
                if snap.error:
                    table.add_row("[yellow]note[/yellow]", snap.error[:120])
                live.update(table)
                time.sleep(1.0)
    finally:
        probe.close()
