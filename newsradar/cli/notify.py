"""``newsradar notify``, ``newsradar notify-status`` and ``newsradar api``: alert delivery
and the subscriptions HTTP API."""

from __future__ import annotations

import importlib
import logging
import signal
import sys
import threading
from typing import Annotated

import typer

from newsradar.cli.options import MetricsAddr, MetricsPort, serve_metrics
from newsradar.settings import get_settings


def register(app: typer.Typer) -> None:
    app.command(help="Deliver alerts from the alerts topic (webhook, email, chat).")(notify)
    app.command(name="notify-status", help="Delivery outcomes recorded by the notifier.")(
        notify_status
    )
    app.command(help="Serve the subscriptions HTTP API (OpenAPI at /openapi.json).")(api)


def notify(
    dry_run: Annotated[
        bool,
        typer.Option("--dry-run", help="Print what would be sent; send and commit nothing."),
    ] = False,
    from_beginning: Annotated[
        bool,
        typer.Option(
            "--from-beginning", help="With --dry-run: the whole alerts topic, not only new alerts."
        ),
    ] = False,
    metrics_port: MetricsPort = 0,
    metrics_addr: MetricsAddr = "127.0.0.1",
) -> None:
    from kafka.errors import KafkaError

    from newsradar.subscriptions import SubscriptionError

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    serve_metrics(metrics_port, metrics_addr)
    consumer = importlib.import_module("processors.notify.consumer")
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        consumer.run_notifier(
            get_settings(),
            dry_run=dry_run,
            out=sys.stdout,
            stop=stop,
            from_beginning=from_beginning,
        )
    except KeyboardInterrupt:
        stop.set()
    except (KafkaError, RuntimeError, TimeoutError, SubscriptionError) as exc:
        print(f"error: {exc} (is Kafka up? `newsradar status`)", file=sys.stderr)
        raise typer.Exit(1) from None


def notify_status(
    status: Annotated[
        str | None, typer.Option(help="Only this status: delivered, failed or skipped.")
    ] = None,
    alert: Annotated[str | None, typer.Option(help="Only this alert id.")] = None,
    limit: Annotated[int, typer.Option(min=1)] = 50,
) -> None:
    consumer = importlib.import_module("processors.notify.consumer")
    state_module = importlib.import_module("processors.notify.state")
    path = consumer.state_path(get_settings())
    if not path.exists():
        print(f"no notifier state yet ({path})")
        return
    state = state_module.NotifyState.open(path)
    try:
        counts = state.counts()
        print("  ".join(f"{k}: {v}" for k, v in sorted(counts.items())))
        for row in state.deliveries(status=status, alert_id=alert, limit=limit):
            error = f"  {row.last_error}" if row.last_error else ""
            print(
                f"{row.updated_at:%Y-%m-%d %H:%M:%S}  {row.status:<9} {row.alert_id}  "
                f"{row.subscription_id}  {row.target}  attempts={row.attempts}{error}"
            )
    finally:
        state.close()


def api(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8080,
) -> None:
    import uvicorn

    from newsradar.api import create_app

    settings = get_settings()
    if not settings.api_tokens:
        print(
            "warning: NEWSRADAR_API_TOKENS is empty; every request will be refused (401)",
            file=sys.stderr,
        )
    uvicorn.run(create_app(settings), host=host, port=port, log_level="info")
