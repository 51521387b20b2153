"""The ``newsradar`` command. Each area registers its commands from its own module."""

from __future__ import annotations

import importlib

import typer

# One line per command module; each module has ``register(app: typer.Typer) -> None``.
COMMAND_MODULES: tuple[str, ...] = (
    "newsradar.cli.stack",
    "newsradar.cli.pipeline",
    "newsradar.cli.feeds",
    "newsradar.cli.query",
    "newsradar.cli.tagging",
    "newsradar.cli.notify",
    "newsradar.cli.subscriptions",
)


def build_app() -> typer.Typer:
    app = typer.Typer(
        name="newsradar",
        help="Streaming media monitoring: feeds → Kafka → tagging → Elasticsearch → alerts.",
        no_args_is_help=True,
        add_completion=False,
        pretty_exceptions_enable=False,
    )
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(app)
    return app


def main() -> None:
    build_app()()
