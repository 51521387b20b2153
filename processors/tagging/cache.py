"""Compiled tagger data kept between runs: one pickle per thing, named by a hash of everything
it is built from (data files, the code that compiles them, the versions of the packages that
lemmatise and inflect), so a change anywhere makes a new key and the old file is replaced.

A cache that can't be read or written is rebuilt or skipped, never an error.
"""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
import tempfile
from collections.abc import Callable, Iterable
from importlib import metadata
from pathlib import Path
from typing import TypeVar

log = logging.getLogger(__name__)
T = TypeVar("T")


def fingerprint(name: str, files: Iterable[Path], packages: Iterable[str]) -> str:
    """16 hex digits over ``name``, each file's name and bytes, and each package's version."""
    digest = hashlib.sha256(name.encode())
    for path in files:
        digest.update(path.name.encode())
        digest.update(path.read_bytes() if path.is_file() else b"-")
    for package in packages:
        try:
            digest.update(f"{package}={metadata.version(package)}".encode())
        except metadata.PackageNotFoundError:
            digest.update(package.encode())
    return digest.hexdigest()[:16]


def load(
    cache_dir: Path | None,
    name: str,
    key: Callable[[], str],
    build: Callable[[], T],
    kind: type[T],
) -> T:
    """``build()``, or its pickled copy ``<cache_dir>/<name>-<key()>.pickle`` when there is one;
    a fresh build replaces the older files of ``name``. ``cache_dir=None``: always build."""
    if cache_dir is None:
        return build()
    path = cache_dir / f"{name}-{key()}.pickle"
    try:
        with path.open("rb") as handle:
            cached = pickle.load(handle)
        if isinstance(cached, kind):
            return cached
    except FileNotFoundError:
        pass
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ValueError) as exc:
        log.warning("tagger cache %s unreadable (%s): rebuilding", path, exc)
    built = build()
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        for stale in cache_dir.glob(f"{name}-*.pickle"):
            stale.unlink(missing_ok=True)
        fd, tmp = tempfile.mkstemp(dir=cache_dir, suffix=".tmp")
        with os.fdopen(fd, "wb") as handle:
            pickle.dump(built, handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.chmod(tmp, 0o644)  # mkstemp's 0600 would hide a cache baked into an image
        os.replace(tmp, path)
    except OSError as exc:
        log.warning("tagger cache %s not written (%s)", cache_dir, exc)
    return built
