"""feedparser's own test corpus (~2,250 files from its PyPI sdist) through our parse path.

The sdist is downloaded once with pip into ``~/.cache/newsradar-test/`` (never into the
repository); the test skips, saying why, only when pip cannot fetch it.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tarfile
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from ingest.parse import parse_feed
from newsradar.cli import feeds as feeds_cli

CACHE = Path.home() / ".cache" / "newsradar-test"
VERSION = version("feedparser")


def corpus_dir() -> Path:
    root = CACHE / f"feedparser-{VERSION}"
    tests = root / "tests"
    if (tests / ".complete").exists():
        return tests
    CACHE.mkdir(parents=True, exist_ok=True)
    sdist = CACHE / f"feedparser-{VERSION}.tar.gz"
    if not sdist.exists():
        command = [sys.executable, "-m", "pip", "download", "--no-binary", ":all:",
                   "--no-deps", "--disable-pip-version-check", f"feedparser=={VERSION}",
                   "-d", str(CACHE)]  # fmt: skip
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=180)
        except (OSError, subprocess.TimeoutExpired) as exc:
            pytest.skip(f"pip could not download the feedparser sdist from PyPI: {exc}")
        if done.returncode != 0 or not sdist.exists():
            tail = (done.stderr or done.stdout).strip().splitlines()[-1:] or ["no output"]
            pytest.skip(f"pip could not download the feedparser sdist from PyPI: {tail[0]}")
    with tarfile.open(sdist) as archive:
        members = [m for m in archive.getmembers() if m.name.startswith(f"{root.name}/tests/")]
        archive.extractall(CACHE, members=members, filter="data")
    (tests / ".complete").touch()
    return tests


@pytest.fixture(scope="module")
def corpus() -> list[Path]:
    files = sorted(p for p in corpus_dir().rglob("*") if p.is_file() and p.name != ".complete")
    assert len(files) > 2000, f"expected about 2,250 corpus files, found {len(files)}"
    return files


def test_corpus_parses_without_exceptions(corpus: list[Path]) -> None:
    fetched = datetime.now(UTC)
    usable = 0
    for path in corpus:
        parsed = parse_feed(path.read_bytes(), path.as_uri(), fetched_at=fetched)
        usable += parsed.ok
        for article in parsed.articles:
            assert article.url.startswith(("http://", "https://")), path
    assert usable > 0.9 * len(corpus)


def test_corpus_through_feeds_parse_cli(corpus: list[Path]) -> None:
    app = typer.Typer()
    feeds_cli.register(app)
    result = CliRunner().invoke(app, ["feeds", "parse", *map(str, corpus)])
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert result.exit_code == 0, result.output[-2000:]
    assert "parser error" not in result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert rows, "the corpus yields some articles"
    names = {str(p) for p in corpus}
    for row in rows:
        assert row["file"] in names and row["id"] and row["url"]
    reported = [line for line in result.stderr.splitlines() if line.strip()]
    assert all(": not a feed" in line or ": cannot read" in line for line in reported)
