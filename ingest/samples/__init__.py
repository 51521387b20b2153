"""Bundled sample feeds (real-looking RSS/Atom files) and a loopback server for them.

``newsradar run --demo`` and the integration tests serve this folder on 127.0.0.1.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

SAMPLES_DIR = Path(__file__).resolve().parent
FEED_SUFFIXES = (".xml", ".atom", ".rss")


class _Handler(SimpleHTTPRequestHandler):
    extensions_map = {  # noqa: RUF012 - class attribute of the stdlib handler
        ".xml": "application/rss+xml",
        ".rss": "application/rss+xml",
        ".atom": "application/atom+xml",
        "": "application/octet-stream",
    }

    def log_message(self, format: str, *args: object) -> None:
        return  # keep the terminal for the pipeline's progress


def sample_feeds(directory: Path = SAMPLES_DIR) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if p.suffix in FEED_SUFFIXES)


@contextlib.contextmanager
def serve_directory(directory: Path = SAMPLES_DIR, port: int = 0) -> Iterator[str]:
    """Serve ``directory`` on 127.0.0.1 (a free port by default); yield the base URL."""
    handler = partial(_Handler, directory=str(directory))
    server = ThreadingHTTPServer(("127.0.0.1", port), handler)
    thread = threading.Thread(target=server.serve_forever, name="sample-feeds", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
