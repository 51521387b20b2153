"""Options several commands share."""

from __future__ import annotations

from typing import Annotated

import typer

MetricsPort = Annotated[
    int, typer.Option(help="serve Prometheus metrics on METRICS_ADDR:PORT (0: off)")
]
MetricsAddr = Annotated[
    str, typer.Option(help="address for the metrics server (0.0.0.0 in a container)")
]


def serve_metrics(port: int, addr: str) -> None:
    """Start the Prometheus endpoint of this process (``port`` 0: none)."""
    if port:
        from prometheus_client import start_http_server

        start_http_server(port, addr=addr)
