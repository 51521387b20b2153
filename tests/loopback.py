"""A real HTTP server on 127.0.0.1 for tests and benchmarks, in a thread of its own."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from http.server import ThreadingHTTPServer


@contextlib.contextmanager
def serving(server: ThreadingHTTPServer, poll_s: float = 0.05) -> Iterator[str]:
    """Serve ``server`` (bound to 127.0.0.1) until the block ends; yield its base URL."""
    thread = threading.Thread(target=server.serve_forever, args=(poll_s,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
