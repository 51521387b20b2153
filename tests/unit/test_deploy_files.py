"""Every deployment file parses, and the image's build context holds what it copies."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"

YAML_FILES = sorted(p for p in DEPLOY.rglob("*") if p.suffix in {".yaml", ".yml"})
JSON_FILES = sorted(DEPLOY.rglob("*.json"))
NDJSON_FILES = sorted(DEPLOY.rglob("*.ndjson"))


def _ids(paths: list[Path]) -> list[str]:
    return [str(p.relative_to(ROOT)) for p in paths]


def test_the_deployment_files_are_there() -> None:
    names = {str(p.relative_to(DEPLOY)) for p in DEPLOY.rglob("*") if p.is_file()}
    for expected in (
        "Dockerfile",
        "compose.yaml",
        "README.md",
        "healthcheck.py",
        "kibana/newsradar.ndjson",
        "k8s/kustomization.yaml",
        "elasticsearch/articles-template.json",
        "elasticsearch/alerts-template.json",
        "k8s/notify.yaml",
        "k8s/api.yaml",
        "api.env.example",
        "notify.env.example",
    ):
        assert expected in names


@pytest.mark.parametrize("path", YAML_FILES, ids=_ids(YAML_FILES))
def test_yaml_parses(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert "\t" not in text, "tabs in YAML"
    docs = [d for d in yaml.safe_load_all(text) if d is not None]
    assert docs, "no document"
    assert all(isinstance(d, dict) for d in docs)


@pytest.mark.parametrize("path", JSON_FILES, ids=_ids(JSON_FILES))
def test_json_parses(path: Path) -> None:
    assert isinstance(json.loads(path.read_text(encoding="utf-8")), dict)


@pytest.mark.parametrize("path", NDJSON_FILES, ids=_ids(NDJSON_FILES))
def test_ndjson_parses(path: Path) -> None:
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines
    for n, line in enumerate(lines, start=1):
        assert line.strip(), f"line {n} is empty"
        assert isinstance(json.loads(line), dict), f"line {n}"


# --- the Docker build context ----------------------------------------------------------


def dockerignore_rules() -> list[tuple[bool, str]]:
    """(include?, pattern) in file order; the last matching rule wins."""
    rules = []
    for raw in (ROOT / ".dockerignore").read_text().splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        include = line.startswith("!")
        rules.append((include, line.lstrip("!").rstrip("/")))
    return rules


def _pattern_regex(pattern: str) -> re.Pattern[str]:
    """A .dockerignore pattern (Go filepath.Match plus ``**``) as a regex on full paths."""
    out, i = "", 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out, i = out + "(?:.*/)?", i + 3
        elif pattern.startswith("**", i):
            out, i = out + ".*", i + 2
        elif pattern[i] == "*":
            out, i = out + "[^/]*", i + 1
        elif pattern[i] == "?":
            out, i = out + "[^/]", i + 1
        else:
            out, i = out + re.escape(pattern[i]), i + 1
    return re.compile(out)


def in_build_context(relpath: str, rules: list[tuple[bool, str]]) -> bool:
    """Docker's rule: the last pattern matching the path, or one of its parents, wins."""
    parts = relpath.split("/")
    prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    sent = True
    for include, pattern in rules:
        regex = _pattern_regex(pattern)
        if any(regex.fullmatch(p) for p in prefixes):
            sent = include
    return sent


def dockerfile_copy_sources() -> list[str]:
    sources = []
    for line in (DEPLOY / "Dockerfile").read_text().splitlines():
        if not line.startswith("COPY ") or "--from=" in line:
            continue
        args = [a for a in shlex.split(line)[1:] if not a.startswith("--")]
        sources += [s for s in args[:-1] if s != "."]
    return sources


def test_dockerignore_is_an_allow_list() -> None:
    rules = dockerignore_rules()
    assert rules[0] == (False, "*")
    for unwanted in (
        ".venv/bin/python",
        ".git/HEAD",
        "tests/unit/__init__.py",
        "tests/data/README.md",
        "deploy/README.md",
        "deploy/api.env",  # secrets never reach the image
        "deploy/notify.env",
        "deploy/k8s/secrets/api-tokens.example.yaml",
        "newsradar/__pycache__/x.pyc",
        "x.zip",
    ):
        assert not in_build_context(unwanted, rules), unwanted
    for wanted in ("pyproject.toml", "requirements.lock", "newsradar/settings.py"):
        assert in_build_context(wanted, rules), wanted


def test_everything_the_dockerfile_copies_exists_and_is_sent() -> None:
    rules = dockerignore_rules()
    sources = dockerfile_copy_sources()
    assert "requirements.lock" in sources
    for source in sources:
        path = ROOT / source
        assert path.exists(), f"COPY {source}: missing in the repository"
        files = [path] if path.is_file() else [p for p in path.rglob("*") if p.is_file()]
        assert files, f"COPY {source}: empty"
        for f in files:
            rel = str(f.relative_to(ROOT))
            assert in_build_context(rel, rules), f"{rel} is excluded by .dockerignore"


def test_packages_of_the_wheel_are_sent() -> None:
    pyproject = (ROOT / "pyproject.toml").read_text()
    include = re.search(r"include\s*=\s*\[([^\]]*)\]", pyproject)
    assert include
    rules = dockerignore_rules()
    for pattern in re.findall(r'"([^"]+)\*"', include.group(1)):
        assert in_build_context(f"{pattern}/__init__.py", rules), pattern
