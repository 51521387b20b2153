"""``newsradar up | down | status | init | reindex``: the local Kafka and Elasticsearch."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

from newsradar.settings import Settings, get_settings

console = Console(stderr=True)


def register(app: typer.Typer) -> None:
    app.command(
        help="Start the local Kafka and Elasticsearch (downloaded once), then create "
        "topics and the index. Idempotent."
    )(up)
    app.command(help="Stop the local Kafka and Elasticsearch. Idempotent.")(down)
    app.command(help="Show the local services: running, versions, health.")(status)
    app.command(
        help="Create Kafka topics, the index template and the write alias "
        "(for services you run yourself). Idempotent."
    )(init)
    app.command(
        help="Move the articles index to its next version (after a mapping change) while "
        "the pipeline keeps writing: new index from the template, write alias moved, "
        "documents copied, old index out of the alias. Safe to run again."
    )(reindex)


def _fail(exc: Exception) -> None:
    console.print(f"[red]error:[/red] {escape(str(exc))}")
    raise typer.Exit(1)


def up(
    skip_init: Annotated[
        bool, typer.Option("--skip-init", help="do not create topics and the index")
    ] = False,
) -> None:
    from newsradar.stack import StackError
    from newsradar.stack.elasticsearch import ElasticsearchNode
    from newsradar.stack.kafka import KafkaBroker

    s = get_settings()
    try:
        with console.status("Kafka: starting (first run downloads it from Maven Central)…"):
            kafka_state = KafkaBroker(s).start()
        console.print(f"Kafka {s.kafka_version} on {s.kafka_bootstrap}: {kafka_state}")
        with console.status("Elasticsearch: starting (first run downloads it)…"):
            es_state = ElasticsearchNode(s).start()
        console.print(f"Elasticsearch {s.es_version} on {s.es_url}: {es_state}")
    except StackError as exc:
        _fail(exc)
    console.print(f"logs: {s.logs}")
    if not skip_init:
        init()


def down() -> None:
    from newsradar.stack.elasticsearch import ElasticsearchNode
    from newsradar.stack.kafka import KafkaBroker

    s = get_settings()
    # Elasticsearch first: nothing depends on it at shutdown; Kafka last.
    console.print(f"Elasticsearch: {ElasticsearchNode(s).stop()}")
    console.print(f"Kafka: {KafkaBroker(s).stop()}")


def status() -> None:
    from rich.table import Table

    from newsradar.stack.elasticsearch import ElasticsearchNode
    from newsradar.stack.kafka import KafkaBroker

    s = get_settings()
    kafka, es = KafkaBroker(s), ElasticsearchNode(s)
    table = Table(title="newsradar local services")
    for col in ("service", "address", "process", "version", "health"):
        table.add_column(col)
    kafka_health = "accepting connections" if kafka.ready() else "down"
    table.add_row(
        "Kafka", s.kafka_bootstrap, _proc(kafka.service.pid()), s.kafka_version, kafka_health
    )
    health = es.health()
    es_health = f"{health['status']} ({health['number_of_nodes']} node)" if health else "down"
    table.add_row(
        "Elasticsearch", s.es_url, _proc(es.service.pid()), es.version() or "-", es_health
    )
    Console().print(table)
    console.print(f"home: {s.home}   logs: {s.logs}")
    if not (kafka.ready() and health):
        raise typer.Exit(3)
    _pipeline_table(s)


def _pipeline_table(s: Settings) -> None:
    """Messages per topic and how far the worker group is behind."""
    from rich.table import Table

    from newsradar.lag import topic_lags

    try:
        lags = topic_lags(s)
    except Exception as exc:  # status must show what it can
        console.print(f"[yellow]topics: {exc}[/yellow]")
        return
    table = Table(title="topics")
    for col in ("topic", "messages", "consumer group", "lag"):
        table.add_column(col, justify="right" if col in ("messages", "lag") else "left")
    for lag in lags:
        table.add_row(lag.topic, f"{lag.messages:,}", lag.group or "-",
                      "-" if lag.lag is None else f"{lag.lag:,}")  # fmt: skip
    Console().print(table)


def _proc(pid: int | None) -> str:
    return f"pid {pid}" if pid else "not started here"


def init() -> None:
    from kafka.errors import KafkaError

    from newsradar.bootstrap import bootstrap

    s = get_settings()
    try:
        report = bootstrap(s)
    except KafkaError as exc:
        _fail(RuntimeError(f"Kafka at {s.kafka_bootstrap}: {exc}"))
        return
    created = ", ".join(report.topics_created) or "none (all exist)"
    console.print(f"topics created: {created}")
    state = "created" if report.index_created else "exists"
    console.print(f"index {report.index} (alias {s.index_alias}): {state}")


def reindex(
    delete_old: Annotated[
        bool, typer.Option("--delete-old", help="delete the old index once it is copied")
    ] = False,
) -> None:
    from elastic_transport import TransportError
    from elasticsearch import ApiError

    from newsradar.bootstrap import BootstrapReport, ensure_index
    from newsradar.reindex import ReindexError, migrate

    s = get_settings()

    def progress(done: int, total: int) -> None:
        console.print(f"copied {done:,} of {total:,}", end="\r")

    try:
        ensure_index(s, BootstrapReport())  # the current template, for the new index
        report = migrate(s, delete_source=delete_old, progress=progress)
    except (ReindexError, ApiError, TransportError) as exc:
        _fail(exc)
        return
    console.print(
        f"{report.alias}: {', '.join(report.sources)} -> {report.target}; "
        f"{report.created:,} copied, {report.kept:,} already there (written meanwhile), "
        f"{'old index deleted' if report.deleted_source else 'old index kept'}"
    )
