"""Container health probe for the newsradar image (standard library only).

    python healthcheck.py http    # the worker's metrics endpoint answers (default probe)
    python healthcheck.py kafka   # a Kafka bootstrap broker accepts TCP connections

The image starts the worker as ``newsradar worker --metrics-port 9108``; the Prometheus
endpoint is served from the worker process, so an answer proves the process is up.

Exit status 0 when healthy, 1 otherwise, with one line on stderr saying why. It reads
the same ``NEWSRADAR_*`` variables as the application, so it probes what the process
was configured to use. It deliberately imports nothing from newsradar: a probe must stay
cheap and must not fail because the application's own imports are slow or broken.
"""

from __future__ import annotations

import argparse
import os
import socket
import sys
import urllib.error
import urllib.request
from collections.abc import Mapping

DEFAULT_METRICS_URL = "http://127.0.0.1:9108/metrics"
DEFAULT_BOOTSTRAP = "127.0.0.1:9092"


def bootstrap_addresses(bootstrap: str) -> list[tuple[str, int]]:
    """``host:port[,host:port...]`` as (host, port) pairs; IPv6 hosts may be bracketed."""
    addresses: list[tuple[str, int]] = []
    for item in bootstrap.split(","):
        item = item.strip()
        if not item:
            continue
        host, sep, port = item.rpartition(":")
        if not sep or not port.isdigit():
            raise ValueError(f"not host:port: {item!r}")
        addresses.append((host.strip("[]") or "127.0.0.1", int(port)))
    if not addresses:
        raise ValueError("empty bootstrap list")
    return addresses


def check_http(url: str, timeout: float) -> str | None:
    """None when ``url`` answers below 500, else the reason."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            status = int(response.status)
    except urllib.error.HTTPError as exc:  # 4xx still proves the server is serving
        status = exc.code
    except (OSError, ValueError) as exc:
        return f"{url}: {exc}"
    return None if status < 500 else f"{url}: HTTP {status}"


def check_kafka(bootstrap: str, timeout: float) -> str | None:
    """None when any bootstrap broker accepts a TCP connection, else the reasons."""
    errors: list[str] = []
    for host, port in bootstrap_addresses(bootstrap):
        try:
            with socket.create_connection((host, port), timeout=timeout):
                return None
        except OSError as exc:
            errors.append(f"{host}:{port}: {exc}")
    return "; ".join(errors)


def main(argv: list[str] | None = None, env: Mapping[str, str] | None = None) -> int:
    env = os.environ if env is None else env
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("probe", choices=("http", "kafka"), nargs="?", default="http")
    parser.add_argument("--url", default=DEFAULT_METRICS_URL, help="http probe: the URL")
    parser.add_argument("--timeout", type=float, default=3.0, help="seconds")
    args = parser.parse_args(argv)
    try:
        if args.probe == "http":
            problem = check_http(args.url, args.timeout)
        else:
            bootstrap = env.get("NEWSRADAR_KAFKA_BOOTSTRAP", DEFAULT_BOOTSTRAP)
            problem = check_kafka(bootstrap, args.timeout)
    except ValueError as exc:
        problem = f"bad configuration: {exc}"
    if problem:
        print(f"unhealthy: {problem}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
