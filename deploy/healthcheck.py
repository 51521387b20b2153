"""Container health probe for the newsradar image (standard library only).

    python healthcheck.py http    # the worker's metrics endpoint answers (default probe)
    python healthcheck.py api     # the subscriptions API's /healthz answers 2xx
    python healthcheck.py kafka   # a Kafka bootstrap broker accepts TCP connections
    python healthcheck.py topics --wait 600   # every pipeline topic exists (init step)

The image starts the worker as ``newsradar worker --metrics-port 9108``; the Prometheus
endpoint is served from the worker process, so an answer proves the process is up (the
notifier serves the same endpoint with ``newsradar notify --metrics-port 9108``). The
``api`` probe asks ``newsradar api``'s ``/healthz`` (no token needed) and, unlike ``http``,
accepts only a 2xx answer: a 401 or 404 there means a misconfigured route, not health.

Exit status 0 when healthy, 1 otherwise, with one line on stderr saying why. It reads
the same ``NEWSRADAR_*`` variables as the application, so it probes what the process
was configured to use. The ``http`` and ``kafka`` probes import nothing from newsradar: a
liveness probe must stay cheap and must not fail because the application's own imports
are slow or broken. ``topics`` (used before ``newsradar init`` where an operator such as
Strimzi owns the topics) asks the broker for the topic names ``newsradar.topology``
expects, so it runs only in the image. ``--wait`` retries any probe until it passes.
"""

from __future__ import annotations

import argparse
import os
import socket
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterable, Mapping

DEFAULT_METRICS_URL = "http://127.0.0.1:9108/metrics"
DEFAULT_API_URL = "http://127.0.0.1:8080/healthz"
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


def check_http(url: str, timeout: float, healthy_below: int = 500) -> str | None:
    """None when ``url`` answers with a status below ``healthy_below``, else the reason.

    The default (500) takes a 4xx as proof that the server is serving; 300 asks for 2xx.
    """
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            status = int(response.status)
    except urllib.error.HTTPError as exc:
        status = exc.code
    except (OSError, ValueError) as exc:
        return f"{url}: {exc}"
    return None if status < healthy_below else f"{url}: HTTP {status}"


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


def missing_topics(expected: Iterable[str], existing: Iterable[str]) -> list[str]:
    have = set(existing)
    return sorted(name for name in expected if name not in have)


def check_topics(timeout: float) -> str | None:
    """None when every topic of the pipeline exists on the broker, else which are missing."""
    from kafka.admin import KafkaAdminClient
    from kafka.errors import KafkaError

    from newsradar.settings import Settings
    from newsradar.topology import topic_specs

    settings = Settings()
    try:
        admin = KafkaAdminClient(
            bootstrap_servers=settings.kafka_bootstrap,
            client_id="newsradar-healthcheck",
            request_timeout_ms=int(timeout * 1000),
        )
        try:
            existing = admin.list_topics()
        finally:
            admin.close()
    except KafkaError as exc:
        return f"{settings.kafka_bootstrap}: {exc!r}"
    missing = missing_topics((spec.name for spec in topic_specs(settings)), existing)
    return f"missing topics: {', '.join(missing)}" if missing else None


def probe(name: str, args: argparse.Namespace, env: Mapping[str, str]) -> str | None:
    try:
        if name == "http":
            return check_http(args.url or DEFAULT_METRICS_URL, args.timeout)
        if name == "api":
            return check_http(args.url or DEFAULT_API_URL, args.timeout, healthy_below=300)
        if name == "kafka":
            bootstrap = env.get("NEWSRADAR_KAFKA_BOOTSTRAP", DEFAULT_BOOTSTRAP)
            return check_kafka(bootstrap, args.timeout)
        return check_topics(args.timeout)
    except ValueError as exc:
        return f"bad configuration: {exc}"


def main(argv: list[str] | None = None, env: Mapping[str, str] | None = None) -> int:
    env = os.environ if env is None else env
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "probe", choices=("http", "api", "kafka", "topics"), nargs="?", default="http"
    )
    parser.add_argument(
        "--url", help=f"http/api probe: the URL ({DEFAULT_METRICS_URL}, {DEFAULT_API_URL})"
    )
    parser.add_argument("--timeout", type=float, default=3.0, help="seconds per attempt")
    parser.add_argument("--wait", type=float, default=0.0, help="retry for this many seconds")
    args = parser.parse_args(argv)
    deadline = time.monotonic() + args.wait
    while (problem := probe(args.probe, args, env)) and time.monotonic() < deadline:
        print(f"waiting: {problem}", file=sys.stderr)
        time.sleep(min(5.0, max(0.0, deadline - time.monotonic())))
    if problem:
        print(f"unhealthy: {problem}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
