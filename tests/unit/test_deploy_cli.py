"""Every newsradar command line in deploy/ names a real command and real options.

The image's entrypoint is ``newsradar``: compose ``command:`` and Kubernetes ``args:``
are its arguments. They are checked against the CLI itself, so renaming a command or an
option breaks this test instead of a deployment.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import typer
import yaml

from newsradar.cli import build_app

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"


def compose_command_lines() -> Iterator[tuple[str, list[str]]]:
    services = yaml.safe_load((DEPLOY / "compose.yaml").read_text())["services"]
    for name, service in services.items():
        if "build" in service and "entrypoint" not in service:
            yield f"compose:{name}", [str(a) for a in service["command"]]


def k8s_command_lines() -> Iterator[tuple[str, list[str]]]:
    for path in sorted((DEPLOY / "k8s").glob("*.yaml")):
        for doc in yaml.safe_load_all(path.read_text()):
            if not doc or doc.get("kind") not in ("Deployment", "Job"):
                continue
            pod = doc["spec"]["template"]["spec"]
            for container in pod.get("initContainers", []) + pod["containers"]:
                if container["image"] == "newsradar" and "command" not in container:
                    where = f"{path.name}:{doc['metadata']['name']}/{container['name']}"
                    yield where, [str(a) for a in container["args"]]


def dockerfile_default_command() -> Iterator[tuple[str, list[str]]]:
    import json

    for line in (DEPLOY / "Dockerfile").read_text().splitlines():
        if line.startswith("CMD "):
            yield "Dockerfile:CMD", json.loads(line[4:])


COMMAND_LINES = [*compose_command_lines(), *k8s_command_lines(), *dockerfile_default_command()]


@pytest.fixture(scope="module")
def cli() -> Any:
    return typer.main.get_command(build_app())


def test_there_are_command_lines_to_check() -> None:
    wheres = {where.split(":")[0] for where, _ in COMMAND_LINES}
    assert {"compose", "worker.yaml", "ingest.yaml", "notify.yaml", "api.yaml"} <= wheres
    assert "Dockerfile" in wheres
    commands = {where: argv[0] for where, argv in COMMAND_LINES}
    for service in ("ingest", "worker", "notify", "api"):
        assert commands[f"compose:{service}"] == service
    assert commands["notify.yaml:newsradar-notify/notify"] == "notify"
    assert commands["api.yaml:newsradar-api/api"] == "api"


@pytest.mark.parametrize(("where", "argv"), COMMAND_LINES, ids=[w for w, _ in COMMAND_LINES])
def test_command_line_parses(where: str, argv: list[str], cli: Any) -> None:
    """The CLI's own parser accepts it (options, flags, value types), nothing is run."""
    name, *rest = argv
    command = cli.commands.get(name)
    assert command is not None, f"{where}: no command `newsradar {name}`"
    try:
        context = command.make_context(name, list(rest))
    except Exception as exc:  # the CLI library's UsageError/BadParameter
        pytest.fail(f"{where}: `newsradar {' '.join(argv)}`: {exc}")
    context.close()
