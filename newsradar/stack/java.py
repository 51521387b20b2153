"""Find a Java runtime of a required major version."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

from newsradar.stack.errors import StackError

JVM_ROOT = Path("/usr/lib/jvm")


def java_major(java_home: Path) -> int | None:
    release = java_home / "release"
    if release.exists():
        m = re.search(r'JAVA_VERSION="(\d+)(?:\.(\d+))?', release.read_text(errors="replace"))
        if m:
            major = int(m.group(1))
            return int(m.group(2) or 0) if major == 1 else major
    java = java_home / "bin" / "java"
    if not java.exists():
        return None
    out = subprocess.run([str(java), "-version"], capture_output=True, text=True, check=False)
    m = re.search(r'version "(\d+)', out.stderr)
    return int(m.group(1)) if m else None


def _candidates() -> list[Path]:
    homes: list[Path] = []
    if os.environ.get("JAVA_HOME"):
        homes.append(Path(os.environ["JAVA_HOME"]))
    on_path = shutil.which("java")
    if on_path:
        homes.append(Path(on_path).resolve().parent.parent)
    if JVM_ROOT.is_dir():
        homes += sorted(p for p in JVM_ROOT.iterdir() if (p / "bin" / "java").exists())
    return homes


def find_java(min_major: int, max_major: int | None = None, prefer: Path | None = None) -> Path:
    """Return a JAVA_HOME whose major version is in [min_major, max_major]."""
    tried: list[str] = []
    for home in ([prefer] if prefer else []) + _candidates():
        major = java_major(home)
        tried.append(f"{home} ({major or '?'})")
        if major is not None and major >= min_major and (max_major is None or major <= max_major):
            return home
    bound = f"{min_major}+" if max_major is None else f"{min_major}–{max_major}"
    raise StackError(
        f"no suitable Java found: need Java {bound}. Tried: {', '.join(tried) or 'nothing'}. "
        "Install a JDK under /usr/lib/jvm or set NEWSRADAR_ES_JAVA_HOME / JAVA_HOME."
    )
