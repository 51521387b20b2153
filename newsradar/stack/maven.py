"""Fetch artifacts from Maven Central with ``mvn`` into the download cache."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from newsradar.stack.errors import StackError

_POM = """<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>newsradar.local</groupId>
  <artifactId>{artifact}</artifactId>
  <version>1</version>
  <packaging>pom</packaging>
  <dependencies>
{dependencies}
  </dependencies>
</project>
"""
_DEP = (
    "    <dependency><groupId>{g}</groupId><artifactId>{a}</artifactId>"
    "<version>{v}</version></dependency>"
)


def _mvn() -> str:
    mvn = shutil.which("mvn")
    if not mvn:
        raise StackError(
            "Maven (mvn) is not installed; it fetches Kafka and Elasticsearch from Maven Central. "
            "Install it (Debian: apt-get install maven) and retry."
        )
    return mvn


def _run(args: list[str], cwd: Path, what: str) -> None:
    proc = subprocess.run(args, cwd=cwd, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        tail = "\n".join((proc.stdout + proc.stderr).strip().splitlines()[-15:])
        raise StackError(f"could not resolve {what} from Maven Central:\n{tail}")


def copy_dependencies(target: Path, coordinates: list[tuple[str, str, str]], name: str) -> Path:
    """Resolve ``coordinates`` (group, artifact, version) with their dependencies into
    ``target``; a completed download is marked and reused."""
    marker = target / ".complete"
    if marker.exists():
        return target
    work = target.with_name(target.name + ".work")
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    deps = "\n".join(_DEP.format(g=g, a=a, v=v) for g, a, v in coordinates)
    (work / "pom.xml").write_text(_POM.format(artifact=name, dependencies=deps))
    what = ", ".join(":".join(c) for c in coordinates)
    _run(
        [_mvn(), "-q", "-B", "dependency:copy-dependencies", f"-DoutputDirectory={work / 'libs'}"],
        work,
        what,
    )
    shutil.rmtree(target, ignore_errors=True)
    (work / "libs").rename(target)
    shutil.rmtree(work, ignore_errors=True)
    marker.touch()
    return target


def copy_artifact(target_dir: Path, group: str, artifact: str, version: str, ext: str) -> Path:
    """Fetch one artifact file (e.g. a zip) into ``target_dir``; reused when present."""
    final = target_dir / f"{artifact}-{version}.{ext}"
    if final.exists():
        return final
    target_dir.mkdir(parents=True, exist_ok=True)
    coordinate = f"{group}:{artifact}:{version}:{ext}"
    _run(
        [
            _mvn(),
            "-q",
            "-B",
            "dependency:copy",
            f"-Dartifact={coordinate}",
            f"-DoutputDirectory={target_dir}",
        ],
        target_dir,
        coordinate,
    )
    if not final.exists():
        raise StackError(f"mvn reported success but {final} is missing")
    return final
