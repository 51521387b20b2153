"""deploy/compose.yaml: complete, ordered by health, configured with real settings."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from newsradar.settings import Settings
from newsradar.topology import topic_specs

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = ROOT / "deploy" / "compose.yaml"

OFFICIAL_IMAGES = {
    "kafka": "apache/kafka:4.1.1",
    "elasticsearch": "docker.elastic.co/elasticsearch/elasticsearch:9.2.0",
    "kibana": "docker.elastic.co/kibana/kibana:9.2.0",
}
ONE_SHOT = {"init", "kibana-setup"}
VARIABLE = re.compile(r"\$\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?::?-(?P<default>[^}]*))?\}")


def interpolate(value: Any) -> Any:
    """Compose's ${VAR:-default} with an empty environment: the defaults."""
    if isinstance(value, str):

        def default(match: re.Match[str]) -> str:
            if match.group("default") is None:
                raise AssertionError(f"${{{match.group('name')}}} has no default")
            return match.group("default")

        return VARIABLE.sub(default, value)
    if isinstance(value, dict):
        return {k: interpolate(v) for k, v in value.items()}
    if isinstance(value, list):
        return [interpolate(v) for v in value]
    return value


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    data = yaml.safe_load(COMPOSE.read_text())
    assert isinstance(data, dict)
    return dict(interpolate(data))


@pytest.fixture(scope="module")
def services(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return dict(compose["services"])


def environment(service: dict[str, Any]) -> dict[str, str]:
    env = service.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.split("=", 1) for item in env)
    return {str(k): str(v) for k, v in env.items()}


def newsradar_services(services: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {n: s for n, s in services.items() if "build" in s}


def env_files(service: dict[str, Any]) -> list[Path]:
    """The service's env files (long form: path and required), relative to compose.yaml."""
    out = []
    for entry in service.get("env_file") or []:
        assert isinstance(entry, dict), "long form, so a missing file can be optional"
        out.append(COMPOSE.parent / entry["path"])
    return out


def read_env_file(path: Path) -> dict[str, str]:
    """KEY=VALUE lines as compose reads them (comments, blank lines, quotes)."""
    values = {}
    for raw in path.read_text().splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        key, sep, value = line.partition("=")
        assert sep, f"{path.name}: {raw!r} is not KEY=VALUE"
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        values[key.strip()] = value
    return values


def example_env(service: dict[str, Any]) -> dict[str, str]:
    """What the service gets from its env files, filled from the shipped examples."""
    values: dict[str, str] = {}
    for path in env_files(service):
        values |= read_env_file(path.with_name(path.name + ".example"))
    return values


def settings_in_container(service: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> Settings:
    """Settings() as the container builds it: from its environment and env files."""
    for key in list(os.environ):
        if key.startswith("NEWSRADAR_"):
            monkeypatch.delenv(key)
    for key, value in (example_env(service) | environment(service)).items():
        monkeypatch.setenv(key, value)
    return Settings()


def test_every_service_has_an_image_or_a_build(services: dict[str, dict[str, Any]]) -> None:
    expected = {"kafka", "elasticsearch", "kibana", "init", "kibana-setup", "ingest", "worker"}
    expected |= {"notify", "api"}
    assert expected <= set(services)
    for name, service in services.items():
        assert service.get("image") or service.get("build"), name


def test_official_images_pinned(services: dict[str, dict[str, Any]]) -> None:
    for name, image in OFFICIAL_IMAGES.items():
        assert services[name]["image"] == image


def test_long_running_services_are_health_checked(services: dict[str, dict[str, Any]]) -> None:
    for name, service in services.items():
        health = service.get("healthcheck") or {}
        if name in ONE_SHOT:
            assert service.get("restart") == "no", name
            continue
        assert service.get("restart") == "unless-stopped", name
        assert not health.get("disable"), name
        test = health.get("test")
        assert isinstance(test, list) and test[0] in ("CMD", "CMD-SHELL"), name
        for key in ("interval", "timeout", "retries"):
            assert key in health, f"{name}: healthcheck.{key}"


def test_depends_on_targets_exist_and_conditions_fit(
    services: dict[str, dict[str, Any]],
) -> None:
    for name, service in services.items():
        depends = service.get("depends_on") or {}
        assert isinstance(depends, dict), f"{name}: use the long form with conditions"
        for target, spec in depends.items():
            assert target in services, f"{name} depends on unknown {target}"
            condition = spec["condition"]
            if condition == "service_healthy":
                assert "healthcheck" in services[target], f"{target} has no healthcheck"
                assert not services[target]["healthcheck"].get("disable")
            else:
                assert condition == "service_completed_successfully"
                assert target in ONE_SHOT, f"{name} waits for {target} to exit"


def test_pipeline_waits_for_init_and_healthy_infrastructure(
    services: dict[str, dict[str, Any]],
) -> None:
    for name in ("ingest", "worker", "notify", "api"):
        depends = services[name]["depends_on"]
        assert depends["init"]["condition"] == "service_completed_successfully"
        assert depends["kafka"]["condition"] == "service_healthy"
    for name in ("worker", "api"):  # the index, and the API's query preview
        assert services[name]["depends_on"]["elasticsearch"]["condition"] == "service_healthy"
    for name in ("kafka", "elasticsearch"):
        assert services["init"]["depends_on"][name]["condition"] == "service_healthy"
    assert services["kibana-setup"]["depends_on"]["kibana"]["condition"] == "service_healthy"


def test_newsradar_environment_names_are_settings_fields(
    services: dict[str, dict[str, Any]],
) -> None:
    fields = {f"NEWSRADAR_{name.upper()}" for name in Settings.model_fields}
    seen = set()
    for name, service in services.items():
        for key in [*environment(service), *example_env(service)]:
            if key.startswith("NEWSRADAR_"):
                assert key in fields, f"{name}: {key} is not a Settings field"
                seen.add(key)
    for required in (
        "NEWSRADAR_KAFKA_BOOTSTRAP",
        "NEWSRADAR_ES_URL",
        "NEWSRADAR_TOPIC_PARTITIONS",
        "NEWSRADAR_INDEX_ALIAS",
        "NEWSRADAR_ALERTS_INDEX_ALIAS",
        "NEWSRADAR_SMTP_HOST",
        "NEWSRADAR_SMTP_PASSWORD",
        "NEWSRADAR_NOTIFY_DAILY_HOUR",
        "NEWSRADAR_API_TOKENS",
    ):
        assert required in seen, required


@pytest.mark.parametrize("name", ["init", "ingest", "worker", "kibana-setup", "notify", "api"])
def test_newsradar_environment_values_validate(
    name: str, services: dict[str, dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = settings_in_container(services[name], monkeypatch)
    assert settings.kafka_bootstrap == "kafka:9092"
    assert settings.alerts_index_alias == "newsradar-alerts"
    assert settings.es_url == "http://elasticsearch:9200"
    assert settings.index_alias == "newsradar-articles"
    assert settings.index_replicas == 0, "a single node cannot allocate replicas"


def test_newsradar_services_share_one_image(services: dict[str, dict[str, Any]]) -> None:
    ours = newsradar_services(services)
    assert set(ours) == {"init", "kibana-setup", "ingest", "worker", "notify", "api"}
    assert len({s["image"] for s in ours.values()}) == 1
    for service in ours.values():
        assert service["build"]["dockerfile"] == "deploy/Dockerfile"
        assert (COMPOSE.parent / service["build"]["context"] / "pyproject.toml").exists()
        assert service["read_only"] is True
        assert "ALL" in service["cap_drop"]


def test_scaling(services: dict[str, dict[str, Any]]) -> None:
    assert services["ingest"]["deploy"]["replicas"] == 1, "two pollers fetch every feed twice"
    assert services["notify"]["deploy"]["replicas"] == 1, "digest state is one process's"
    replicas = int(services["worker"]["deploy"]["replicas"])
    partitions = int(environment(services["worker"])["NEWSRADAR_TOPIC_PARTITIONS"])
    assert 1 <= replicas <= partitions
    assert "container_name" not in services["worker"], "a fixed name prevents scaling"
    assert not services["worker"].get("ports"), "published ports prevent scaling"


def test_kafka_is_a_single_kraft_node_matching_the_topology(
    services: dict[str, dict[str, Any]],
) -> None:
    env = environment(services["kafka"])
    assert set(env["KAFKA_PROCESS_ROLES"].split(",")) == {"broker", "controller"}
    assert env["KAFKA_CONTROLLER_QUORUM_VOTERS"].startswith(env["KAFKA_NODE_ID"] + "@")
    advertised = env["KAFKA_ADVERTISED_LISTENERS"].split(",")
    bootstrap = environment(services["worker"])["NEWSRADAR_KAFKA_BOOTSTRAP"]
    assert any(a.endswith("//" + bootstrap) for a in advertised)
    assert env["KAFKA_AUTO_CREATE_TOPICS_ENABLE"] == "false", "init creates topics explicitly"
    assert env["KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR"] == "1"
    partitions = int(environment(services["init"])["NEWSRADAR_TOPIC_PARTITIONS"])
    assert int(env["KAFKA_NUM_PARTITIONS"]) == partitions
    assert max(s.partitions for s in topic_specs(Settings(topic_partitions=partitions))) == (
        partitions
    )


def test_elasticsearch_is_single_node_with_capped_heap(
    services: dict[str, dict[str, Any]],
) -> None:
    env = environment(services["elasticsearch"])
    assert env["discovery.type"] == "single-node"
    heap = re.findall(r"-Xm[sx](\d+)([mg])", env["ES_JAVA_OPTS"])
    assert len(heap) == 2 and heap[0] == heap[1], "-Xms equal to -Xmx"
    heap_mb = int(heap[0][0]) * (1024 if heap[0][1] == "g" else 1)
    limit = services["elasticsearch"]["mem_limit"]
    limit_mb = int(limit[:-1]) * (1024 if limit.endswith("g") else 1)
    assert heap_mb * 2 <= limit_mb, "heap at most half the container memory"
    assert env["xpack.security.enabled"] == "false"
    assert "SECURITY" in COMPOSE.read_text(), "the security trade-off is stated"


def test_ports_are_published_on_loopback_only(services: dict[str, dict[str, Any]]) -> None:
    for name, service in services.items():
        for port in service.get("ports") or []:
            assert str(port).startswith("127.0.0.1:"), f"{name}: {port}"


def test_ingest_reads_the_mounted_feeds_file(services: dict[str, dict[str, Any]]) -> None:
    ingest = services["ingest"]
    command = ingest["command"]
    feeds = command[command.index("--feeds-file") + 1]
    mount = next(v for v in ingest["volumes"] if isinstance(v, dict) and v["target"] == feeds)
    assert mount["read_only"] is True
    assert mount["bind"]["create_host_path"] is False, "a missing file must fail, not mkdir"
    assert environment(ingest)["NEWSRADAR_FEEDS_FILE"] == feeds
    home = environment(ingest)["NEWSRADAR_HOME"]
    assert f"ingest-state:{home}" in ingest["volumes"], "poller state survives restarts"


def test_notifier_state_survives_restarts(
    services: dict[str, dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    from processors.notify.consumer import state_path

    notify = services["notify"]
    home = environment(notify)["NEWSRADAR_HOME"]
    assert f"notify-state:{home}" in notify["volumes"], "held digests survive restarts"
    assert home not in notify["tmpfs"]
    path = state_path(settings_in_container(notify, monkeypatch))
    assert path.is_relative_to(home), f"{path} is not on the volume"


def test_metrics_are_served_where_the_healthcheck_asks(
    services: dict[str, dict[str, Any]],
) -> None:
    for name in ("worker", "notify"):
        service = services[name]
        command = service["command"]
        port = command[command.index("--metrics-port") + 1]
        assert command[command.index("--metrics-addr") + 1] == "0.0.0.0", "scrapable"
        probe = service["healthcheck"]["test"]
        assert probe[-3:] == ["http", "--url", f"http://127.0.0.1:{port}/metrics"], name


def test_api_listens_publishes_and_probes_one_port(services: dict[str, dict[str, Any]]) -> None:
    api = services["api"]
    command = api["command"]
    assert command[command.index("--host") + 1] == "0.0.0.0"
    port = command[command.index("--port") + 1]
    (published,) = api["ports"]
    assert published == f"127.0.0.1:8080:{port}"
    probe = api["healthcheck"]["test"]
    assert probe[-3:] == ["api", "--url", f"http://127.0.0.1:{port}/healthz"]


def test_secrets_come_from_git_ignored_env_files(
    services: dict[str, dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    secret = {"NEWSRADAR_API_TOKENS", "NEWSRADAR_SMTP_USERNAME", "NEWSRADAR_SMTP_PASSWORD"}
    for name, service in services.items():
        assert not secret & set(environment(service)), f"{name}: a secret in compose.yaml"
    ignored = (COMPOSE.parent / ".gitignore").read_text().splitlines()
    for name in ("api", "notify"):
        (path,) = env_files(services[name])
        entry = services[name]["env_file"][0]
        assert entry["required"] is False, f"{name} starts without {path.name}"
        assert f"/{path.name}" in ignored, f"{path.name} is not git-ignored"
        example = read_env_file(path.with_name(path.name + ".example"))
        assert example and all("REPLACE" in v for v in example.values()), "placeholders only"
    assert set(example_env(services["api"])) == {"NEWSRADAR_API_TOKENS"}
    tokens = settings_in_container(services["api"], monkeypatch).api_tokens
    assert [t.get_secret_value() for t in tokens] == ["REPLACE_WITH_openssl_rand_hex_32"]
    notify = settings_in_container(services["notify"], monkeypatch)
    assert notify.smtp_password.get_secret_value() == "REPLACE_WITH_SMTP_PASSWORD"


def test_kibana_setup_imports_the_shipped_saved_objects(
    services: dict[str, dict[str, Any]],
) -> None:
    setup = services["kibana-setup"]
    assert setup["entrypoint"] == ["python", "/opt/newsradar/kibana/import_saved_objects.py"]
    assert setup["command"][-1] == "/opt/newsradar/kibana/newsradar.ndjson"
    url = setup["command"][setup["command"].index("--kibana-url") + 1]
    assert url == "http://kibana:5601"


def _docker_compose_available() -> bool:
    if shutil.which("docker") is None:
        return False
    probe = subprocess.run(["docker", "compose", "version"], capture_output=True, timeout=30)
    return probe.returncode == 0


@pytest.mark.skipif(not _docker_compose_available(), reason="no `docker compose` here")
def test_docker_compose_accepts_the_file(tmp_path: Path) -> None:
    feeds = tmp_path / "feeds.yaml"
    feeds.write_text("feeds: []\n")
    result = subprocess.run(
        ["docker", "compose", "-f", str(COMPOSE), "config", "--quiet"],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "NEWSRADAR_FEEDS": str(feeds)},
    )
    assert result.returncode == 0, result.stderr
