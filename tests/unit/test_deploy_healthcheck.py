"""deploy/healthcheck.py, the container probe, against sockets on loopback."""

from __future__ import annotations

import importlib.util
import socket
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml

from newsradar.settings import Settings
from newsradar.topology import topic_specs
from tests.loopback import serving

ROOT = Path(__file__).resolve().parents[2]


def load_script(path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"deploy_{path.stem}", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


health = load_script(ROOT / "deploy" / "healthcheck.py")


class Status(BaseHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        code = int(self.path.strip("/") or 200)
        self.send_response(code)
        self.send_header("Content-Length", "0")
        self.end_headers()


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    with serving(ThreadingHTTPServer(("127.0.0.1", 0), Status)) as base:
        yield base


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def test_bootstrap_addresses() -> None:
    assert health.bootstrap_addresses("kafka:9092") == [("kafka", 9092)]
    assert health.bootstrap_addresses("a:1, b:2,") == [("a", 1), ("b", 2)]
    assert health.bootstrap_addresses("[::1]:9092") == [("::1", 9092)]
    for bad in ("kafka", "kafka:port", ""):
        with pytest.raises(ValueError):
            health.bootstrap_addresses(bad)


def test_http_probe(server: str) -> None:
    assert health.check_http(f"{server}/200", 2.0) is None
    assert health.check_http(f"{server}/404", 2.0) is None, "a 4xx still proves it serves"
    assert "HTTP 503" in health.check_http(f"{server}/503", 2.0)
    assert health.check_http(f"http://127.0.0.1:{closed_port()}/", 2.0)


def test_api_probe_wants_a_2xx(server: str) -> None:
    """/healthz needs no token: a 401 or 404 there is a broken deployment, not health."""
    assert health.main(["api", "--url", f"{server}/200"], {}) == 0
    assert health.main(["api", "--url", f"{server}/401"], {}) == 1
    assert health.main(["api", "--url", f"{server}/404"], {}) == 1
    assert health.main(["api", "--url", f"http://127.0.0.1:{closed_port()}/healthz"], {}) == 1
    assert health.check_http(f"{server}/204", 2.0, healthy_below=300) is None


def test_kafka_probe() -> None:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]
        assert health.check_kafka(f"127.0.0.1:{closed_port()},127.0.0.1:{port}", 2.0) is None
    assert health.check_kafka(f"127.0.0.1:{closed_port()}", 2.0)


def test_main_exit_status(server: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert health.main(["http", "--url", f"{server}/200"], {}) == 0
    assert health.main(["http", "--url", f"{server}/500"], {}) == 1
    assert "unhealthy" in capsys.readouterr().err
    env = {"NEWSRADAR_KAFKA_BOOTSTRAP": "no-port"}
    assert health.main(["kafka"], env) == 1
    assert "bad configuration" in capsys.readouterr().err


def test_wait_retries_until_the_deadline(server: str) -> None:
    assert health.main(["http", "--url", f"{server}/503", "--wait", "0.2"], {}) == 1


def test_missing_topics_are_named() -> None:
    expected = [spec.name for spec in topic_specs(Settings())]
    assert health.missing_topics(expected, [*expected, "other"]) == []
    assert health.missing_topics(expected, ["articles.raw"]) == sorted(expected[1:])


def test_default_probe_matches_the_image_command() -> None:
    dockerfile = (ROOT / "deploy" / "Dockerfile").read_text()
    port = health.DEFAULT_METRICS_URL.split(":")[2].split("/")[0]
    # Bound to every interface so that Prometheus can scrape it; the probe uses loopback.
    assert f'CMD ["worker", "--metrics-port", "{port}", "--metrics-addr", "0.0.0.0"]' in dockerfile


def test_default_api_probe_matches_the_deployed_api_port() -> None:
    port = health.DEFAULT_API_URL.split(":")[2].split("/")[0]
    assert health.DEFAULT_API_URL.endswith("/healthz")
    compose = yaml.safe_load((ROOT / "deploy" / "compose.yaml").read_text())
    command = compose["services"]["api"]["command"]
    assert command[command.index("--port") + 1] == port
    (api,) = [
        d
        for d in yaml.safe_load_all((ROOT / "deploy" / "k8s" / "api.yaml").read_text())
        if d["kind"] == "Deployment"
    ]
    (container,) = api["spec"]["template"]["spec"]["containers"]
    assert container["args"][container["args"].index("--port") + 1] == port
