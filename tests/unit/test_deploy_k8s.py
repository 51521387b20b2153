"""deploy/k8s: well-formed resources, topics equal to the topology, sane scaling."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from newsradar.settings import Settings
from newsradar.topology import topic_specs

ROOT = Path(__file__).resolve().parents[2]
K8S = ROOT / "deploy" / "k8s"

# Secrets that are not in the manifests: created by the operator (README) or by ECK.
EXTERNAL_SECRETS = {
    "newsradar-es-user",  # kubectl create secret (README): newsradar's Elasticsearch user
    "newsradar-es-elastic-user",  # ECK: the elastic superuser of Elasticsearch "newsradar"
    "newsradar-kb-http-certs-public",  # ECK: the CA of Kibana "newsradar"
    "newsradar-api-tokens",  # k8s/secrets/api-tokens.example.yaml: the API's bearer tokens
    "newsradar-smtp",  # k8s/secrets/smtp.example.yaml: the notifier's SMTP login (optional)
}
# The operator creates these from the examples in k8s/secrets/ (never applied by kustomize).
SECRET_EXAMPLES = {
    "newsradar-api-tokens": K8S / "secrets" / "api-tokens.example.yaml",
    "newsradar-smtp": K8S / "secrets" / "smtp.example.yaml",
}

Doc = dict[str, Any]


@pytest.fixture(scope="module")
def kustomization() -> Doc:
    data = yaml.safe_load((K8S / "kustomization.yaml").read_text())
    assert isinstance(data, dict)
    return data


@pytest.fixture(scope="module")
def docs(kustomization: Doc) -> list[Doc]:
    out = []
    for name in kustomization["resources"]:
        out += [d for d in yaml.safe_load_all((K8S / name).read_text()) if d]
    return out


def of_kind(docs: list[Doc], kind: str) -> list[Doc]:
    return [d for d in docs if d["kind"] == kind]


def named(docs: list[Doc], kind: str, name: str) -> Doc:
    matches = [d for d in of_kind(docs, kind) if d["metadata"]["name"] == name]
    assert len(matches) == 1, f"{kind}/{name}"
    return matches[0]


@pytest.fixture(scope="module")
def config(docs: list[Doc]) -> dict[str, str]:
    return dict(named(docs, "ConfigMap", "newsradar-config")["data"])


@pytest.fixture(scope="module")
def settings(config: dict[str, str]) -> Settings:
    """What a newsradar pod configured by the ConfigMap would run with."""
    return Settings.model_validate(
        {k.removeprefix("NEWSRADAR_").lower(): v for k, v in config.items()}
    )


def pod_specs(docs: list[Doc]) -> Iterator[tuple[str, Doc]]:
    for doc in docs:
        if doc["kind"] in ("Deployment", "Job", "StatefulSet", "DaemonSet"):
            yield f"{doc['kind']}/{doc['metadata']['name']}", doc["spec"]["template"]["spec"]


def containers(pod: Doc) -> list[Doc]:
    return list(pod.get("initContainers", [])) + list(pod["containers"])


# --- structure ---------------------------------------------------------------------------


def test_every_manifest_is_listed_in_the_kustomization(kustomization: Doc) -> None:
    listed = set(kustomization["resources"])
    generated = {f for g in kustomization.get("configMapGenerator", []) for f in g["files"]}
    on_disk = {p.name for p in K8S.glob("*.yaml")} - {"kustomization.yaml"}
    assert on_disk == listed | generated
    for name in listed | generated:
        assert (K8S / name).is_file(), name


def test_every_document_has_api_version_kind_and_name(docs: list[Doc]) -> None:
    assert len(docs) >= 15
    for doc in docs:
        assert doc.get("apiVersion") and doc.get("kind"), doc
        assert doc.get("metadata", {}).get("name"), doc
        assert "namespace" not in doc["metadata"], "the kustomization sets the namespace"
    keys = [(d["kind"], d["metadata"]["name"]) for d in docs]
    assert len(keys) == len(set(keys)), "duplicate resources"


def test_operator_resources_use_their_api_groups(docs: list[Doc]) -> None:
    expected = {
        "Kafka": "kafka.strimzi.io/",
        "KafkaNodePool": "kafka.strimzi.io/",
        "KafkaTopic": "kafka.strimzi.io/",
        "Elasticsearch": "elasticsearch.k8s.elastic.co/",
        "Kibana": "kibana.k8s.elastic.co/",
    }
    for kind, group in expected.items():
        found = of_kind(docs, kind)
        assert found, kind
        assert all(d["apiVersion"].startswith(group) for d in found), kind


# --- Kafka ---------------------------------------------------------------------------------


def test_kafka_is_kraft_with_a_node_pool(docs: list[Doc]) -> None:
    (kafka,) = of_kind(docs, "Kafka")
    assert kafka["spec"]["kafka"]["version"] == "4.1.1"
    assert "zookeeper" not in kafka["spec"]
    pools = of_kind(docs, "KafkaNodePool")
    assert pools
    roles = {r for p in pools for r in p["spec"]["roles"]}
    assert roles == {"controller", "broker"}
    for pool in pools:
        assert pool["metadata"]["labels"]["strimzi.io/cluster"] == kafka["metadata"]["name"]
    assert "topicOperator" in kafka["spec"]["entityOperator"]
    assert kafka["spec"]["kafka"]["config"]["auto.create.topics.enable"] is False


def test_kafka_topics_equal_the_topology(docs: list[Doc], settings: Settings) -> None:
    (kafka,) = of_kind(docs, "Kafka")
    brokers = sum(
        p["spec"]["replicas"]
        for p in of_kind(docs, "KafkaNodePool")
        if "broker" in p["spec"]["roles"]
    )
    topics = {
        t["spec"].get("topicName", t["metadata"]["name"]): t for t in of_kind(docs, "KafkaTopic")
    }
    expected = {spec.name: spec for spec in topic_specs(settings)}
    assert set(topics) == set(expected)
    assert {"articles.raw.dlq", "articles.tagged.dlq", "alerts.dlq"} <= set(topics)
    for name, topic in topics.items():
        spec, config = expected[name], topic["spec"]["config"]
        assert topic["metadata"]["labels"]["strimzi.io/cluster"] == kafka["metadata"]["name"]
        assert topic["spec"]["partitions"] == spec.partitions, name
        for key, value in spec.configs.items():
            assert str(config[key]) == value, f"{name}: {key}"
        assert 1 <= int(config["min.insync.replicas"]) < topic["spec"]["replicas"] <= brokers


def test_partitions_match_between_config_and_topics(
    docs: list[Doc], config: dict[str, str]
) -> None:
    raw = next(t for t in of_kind(docs, "KafkaTopic") if t["spec"]["topicName"] == "articles.raw")
    assert raw["spec"]["partitions"] == int(config["NEWSRADAR_TOPIC_PARTITIONS"])


# --- Elasticsearch and Kibana --------------------------------------------------------------


def test_eck_elasticsearch_and_kibana(docs: list[Doc], settings: Settings) -> None:
    (es,) = of_kind(docs, "Elasticsearch")
    (kibana,) = of_kind(docs, "Kibana")
    assert es["spec"]["version"] == kibana["spec"]["version"] == "9.2.0"
    assert kibana["spec"]["elasticsearchRef"]["name"] == es["metadata"]["name"]
    nodes = sum(n["count"] for n in es["spec"]["nodeSets"])
    assert settings.index_replicas < nodes, "replicas need distinct nodes to be allocated"
    for node_set in es["spec"]["nodeSets"]:
        (container,) = node_set["podTemplate"]["spec"]["containers"]
        assert container["resources"]["limits"]["memory"], "heap is derived from the limit"
    role_secrets = {r["secretName"] for r in es["spec"]["auth"]["roles"]}
    for secret in role_secrets:
        roles = yaml.safe_load(named(docs, "Secret", secret)["stringData"]["roles.yml"])
        for role in roles.values():
            for grant in role["indices"]:
                assert all(n.startswith("newsradar-") for n in grant["names"]), "least privilege"


def test_es_url_points_at_the_eck_service(docs: list[Doc]) -> None:
    (es,) = of_kind(docs, "Elasticsearch")
    service = f"{es['metadata']['name']}-es-http:9200"
    for where, pod in pod_specs(docs):
        for container in containers(pod):
            for env in container.get("env", []):
                if env["name"] == "NEWSRADAR_ES_URL":
                    assert env["value"].endswith("@" + service), where
                    names = [e["name"] for e in container["env"]]
                    # $(VAR) expands only variables defined earlier in the list.
                    for var in ("ES_USERNAME", "ES_PASSWORD"):
                        assert names.index(var) < names.index("NEWSRADAR_ES_URL"), where


def test_kafka_bootstrap_points_at_the_strimzi_service(docs: list[Doc], settings: Settings) -> None:
    (kafka,) = of_kind(docs, "Kafka")
    listener = kafka["spec"]["kafka"]["listeners"][0]
    assert (
        settings.kafka_bootstrap
        == f"{kafka['metadata']['name']}-kafka-bootstrap:{listener['port']}"
    )


# --- newsradar workloads -------------------------------------------------------------------


def test_newsradar_environment_names_are_settings_fields(
    docs: list[Doc], config: dict[str, str]
) -> None:
    fields = {f"NEWSRADAR_{name.upper()}" for name in Settings.model_fields}
    names = set(config)
    for _, pod in pod_specs(docs):
        for container in containers(pod):
            names |= {e["name"] for e in container.get("env", [])}
    unknown = {n for n in names if n.startswith("NEWSRADAR_")} - fields
    assert not unknown, f"not Settings fields: {sorted(unknown)}"


def test_references_resolve(docs: list[Doc], kustomization: Doc) -> None:
    config_maps = {d["metadata"]["name"] for d in of_kind(docs, "ConfigMap")}
    config_maps |= {g["name"] for g in kustomization.get("configMapGenerator", [])}
    secrets = {d["metadata"]["name"] for d in of_kind(docs, "Secret")} | EXTERNAL_SECRETS
    for where, pod in pod_specs(docs):
        for volume in pod.get("volumes", []):
            if "configMap" in volume:
                assert volume["configMap"]["name"] in config_maps, where
            if "secret" in volume:
                assert volume["secret"]["secretName"] in secrets, where
        mounted = {v["name"] for v in pod.get("volumes", [])}
        for container in containers(pod):
            for source in container.get("envFrom", []):
                assert source["configMapRef"]["name"] in config_maps, where
            for env in container.get("env", []):
                ref = env.get("valueFrom", {}).get("secretKeyRef")
                if ref:
                    assert ref["name"] in secrets, f"{where}: secret {ref['name']}"
            for mount in container.get("volumeMounts", []):
                assert mount["name"] in mounted, where
    (es,) = of_kind(docs, "Elasticsearch")
    for realm in es["spec"]["auth"]["fileRealm"]:
        assert realm["secretName"] in secrets


def test_containers_are_restricted_and_bounded(docs: list[Doc]) -> None:
    for where, pod in pod_specs(docs):
        assert pod["securityContext"]["runAsNonRoot"] is True, where
        assert pod["securityContext"]["runAsUser"] != 0, where
        assert pod.get("automountServiceAccountToken") is False, where
        for container in containers(pod):
            context = container["securityContext"]
            assert context["allowPrivilegeEscalation"] is False, where
            assert context["readOnlyRootFilesystem"] is True, where
            assert context["capabilities"]["drop"] == ["ALL"], where
            resources = container["resources"]
            assert resources["requests"]["cpu"] and resources["requests"]["memory"], where
            assert resources["limits"]["memory"], where


def test_long_running_containers_have_probes(docs: list[Doc]) -> None:
    for deployment in of_kind(docs, "Deployment"):
        for container in deployment["spec"]["template"]["spec"]["containers"]:
            assert "livenessProbe" in container, deployment["metadata"]["name"]


def test_worker_scales_within_the_partitions(docs: list[Doc], settings: Settings) -> None:
    worker = named(docs, "Deployment", "newsradar-worker")
    partitions = next(
        s.partitions for s in topic_specs(settings) if s.name.endswith("articles.raw")
    )
    assert 1 <= worker["spec"]["replicas"] <= partitions
    (hpa,) = [
        h
        for h in of_kind(docs, "HorizontalPodAutoscaler")
        if h["spec"]["scaleTargetRef"]["name"] == "newsradar-worker"
    ]
    assert hpa["spec"]["minReplicas"] <= worker["spec"]["replicas"] <= hpa["spec"]["maxReplicas"]
    assert hpa["spec"]["maxReplicas"] <= partitions, "idle consumers beyond the partitions"
    labels = worker["spec"]["template"]["metadata"]["labels"]
    pdbs = [
        p
        for p in of_kind(docs, "PodDisruptionBudget")
        if p["spec"]["selector"]["matchLabels"].items() <= labels.items()
    ]
    assert len(pdbs) == 1
    pod = worker["spec"]["template"]["spec"]
    init_steps = [c["name"] for c in pod["initContainers"]]
    assert init_steps == ["wait-for-topics", "init"], "topics by Strimzi first, then init"


def test_ingest_is_a_single_replica_replaced_on_update(docs: list[Doc]) -> None:
    """Recreate also keeps the ReadWriteOnce state volume attached to one pod at a time."""
    ingest = named(docs, "Deployment", "newsradar-ingest")
    assert ingest["spec"]["replicas"] == 1
    assert ingest["spec"]["strategy"]["type"] == "Recreate"
    (container,) = ingest["spec"]["template"]["spec"]["containers"]
    feeds = container["args"][container["args"].index("--feeds-file") + 1]
    mounts = {m["mountPath"]: m["name"] for m in container["volumeMounts"]}
    assert str(Path(feeds).parent) in mounts
    volumes = {v["name"]: v for v in ingest["spec"]["template"]["spec"]["volumes"]}
    home = volumes[mounts["/var/lib/newsradar"]]
    claim = home["persistentVolumeClaim"]["claimName"]
    assert named(docs, "PersistentVolumeClaim", claim), "poller state survives restarts"


def only_container(docs: list[Doc], deployment: str) -> Doc:
    (container,) = named(docs, "Deployment", deployment)["spec"]["template"]["spec"]["containers"]
    return dict(container)


def test_notifier_is_a_single_replica_with_its_state_on_a_volume(
    docs: list[Doc], settings: Settings
) -> None:
    """Its SQLite file holds held digests and quiet periods: one process, one volume."""
    from processors.notify.consumer import state_path

    notify = named(docs, "Deployment", "newsradar-notify")
    assert notify["spec"]["replicas"] == 1
    assert notify["spec"]["strategy"]["type"] == "Recreate", "never two at once"
    targets = {
        h["spec"]["scaleTargetRef"]["name"] for h in of_kind(docs, "HorizontalPodAutoscaler")
    }
    assert "newsradar-notify" not in targets
    container = only_container(docs, "newsradar-notify")
    mounts = {m["mountPath"]: m["name"] for m in container["volumeMounts"]}
    volumes = {v["name"]: v for v in notify["spec"]["template"]["spec"]["volumes"]}
    home = volumes[mounts[str(settings.home)]]
    claim = named(docs, "PersistentVolumeClaim", home["persistentVolumeClaim"]["claimName"])
    assert claim["spec"]["accessModes"] == ["ReadWriteOnce"]
    assert state_path(settings).is_relative_to(settings.home)
    init_steps = [c["name"] for c in notify["spec"]["template"]["spec"]["initContainers"]]
    assert init_steps == ["wait-for-topics"]


def test_metrics_are_served_on_the_port_the_probes_ask(docs: list[Doc]) -> None:
    for deployment in ("newsradar-worker", "newsradar-notify"):
        container = only_container(docs, deployment)
        args = container["args"]
        port = int(args[args.index("--metrics-port") + 1])
        assert args[args.index("--metrics-addr") + 1] == "0.0.0.0", "scrapable by Prometheus"
        assert {"name": "metrics", "containerPort": port} in container["ports"]
        probe = container["livenessProbe"]["exec"]["command"]
        assert probe[:3] == ["python", "/opt/newsradar/healthcheck.py", "http"], deployment
        assert port == 9108, "healthcheck.py http's default URL"


def test_api_is_replicated_behind_a_service_and_probed_on_healthz(docs: list[Doc]) -> None:
    api = named(docs, "Deployment", "newsradar-api")
    assert api["spec"]["replicas"] >= 2, "stateless: more than one for availability"
    assert api["spec"]["strategy"]["rollingUpdate"]["maxUnavailable"] == 0
    container = only_container(docs, "newsradar-api")
    args = container["args"]
    assert args[args.index("--host") + 1] == "0.0.0.0"
    port = int(args[args.index("--port") + 1])
    ports = {p["name"]: p["containerPort"] for p in container["ports"]}
    assert ports == {"http": port}
    for probe in ("startupProbe", "livenessProbe", "readinessProbe"):
        get = container[probe]["httpGet"]
        assert get["path"] == "/healthz", "the one route without a token"
        assert get["port"] in ("http", port), probe
    service = named(docs, "Service", "newsradar-api")
    pod_labels = api["spec"]["template"]["metadata"]["labels"]
    assert service["spec"]["selector"].items() <= pod_labels.items()
    assert service["spec"].get("type", "ClusterIP") == "ClusterIP", "TLS belongs in front"
    (service_port,) = service["spec"]["ports"]
    assert service_port["targetPort"] in ("http", port)
    pdbs = [
        p
        for p in of_kind(docs, "PodDisruptionBudget")
        if p["spec"]["selector"]["matchLabels"].items() <= pod_labels.items()
    ]
    assert len(pdbs) == 1 and pdbs[0]["spec"]["maxUnavailable"] < api["spec"]["replicas"]


def test_secrets_are_referenced_not_configured(docs: list[Doc], config: dict[str, str]) -> None:
    secret_settings = {"NEWSRADAR_API_TOKENS", "NEWSRADAR_SMTP_USERNAME", "NEWSRADAR_SMTP_PASSWORD"}
    assert not secret_settings & set(config), "credentials in the ConfigMap"
    from_secrets = {}
    for _, pod in pod_specs(docs):
        for container in containers(pod):
            for env in container.get("env", []):
                if env["name"] in secret_settings:
                    assert "value" not in env, env["name"]
                    from_secrets[env["name"]] = env["valueFrom"]["secretKeyRef"]
    assert set(from_secrets) == secret_settings
    assert from_secrets["NEWSRADAR_API_TOKENS"].get("optional", False) is False
    assert from_secrets["NEWSRADAR_SMTP_PASSWORD"]["optional"] is True, "email is optional"


def test_secret_examples_match_what_the_pods_read(docs: list[Doc], kustomization: Doc) -> None:
    wanted: dict[str, set[str]] = {}
    for _, pod in pod_specs(docs):
        for container in containers(pod):
            for env in container.get("env", []):
                ref = env.get("valueFrom", {}).get("secretKeyRef")
                if ref and ref["name"] in SECRET_EXAMPLES:
                    wanted.setdefault(ref["name"], set()).add(ref["key"])
    assert set(wanted) == set(SECRET_EXAMPLES)
    listed = set(kustomization["resources"])
    for name, path in SECRET_EXAMPLES.items():
        assert str(path.relative_to(K8S)) not in listed, "apply would overwrite the real one"
        (secret,) = [d for d in yaml.safe_load_all(path.read_text()) if d]
        assert (secret["kind"], secret["metadata"]["name"]) == ("Secret", name)
        data = secret["stringData"]
        assert set(data) == wanted[name], path.name
        assert all("REPLACE" in value for value in data.values()), "placeholders only"
    tokens = yaml.safe_load(SECRET_EXAMPLES["newsradar-api-tokens"].read_text())["stringData"]
    parsed = Settings.model_validate({"api_tokens": json.loads(tokens["tokens"])})
    assert len(parsed.api_tokens) == 1, "NEWSRADAR_API_TOKENS is a JSON list"


def test_selectors_match_pod_labels(docs: list[Doc]) -> None:
    for deployment in of_kind(docs, "Deployment"):
        selector = deployment["spec"]["selector"]["matchLabels"]
        labels = deployment["spec"]["template"]["metadata"]["labels"]
        assert selector.items() <= labels.items(), deployment["metadata"]["name"]


def test_newsradar_image_is_set_once_by_the_kustomization(
    docs: list[Doc], kustomization: Doc
) -> None:
    images = {i["name"] for i in kustomization["images"]}
    for where, pod in pod_specs(docs):
        for container in containers(pod):
            assert container["image"] in images, f"{where}: {container['image']}"


KUSTOMIZE = shutil.which("kustomize") or shutil.which("kubectl")


@pytest.mark.skipif(KUSTOMIZE is None, reason="neither kustomize nor kubectl on PATH")
def test_kustomize_builds() -> None:
    assert KUSTOMIZE
    argv = (
        [KUSTOMIZE, "build", str(K8S)]
        if KUSTOMIZE.endswith("kustomize")
        else [KUSTOMIZE, "kustomize", str(K8S)]
    )
    result = subprocess.run(argv, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    built = [d for d in yaml.safe_load_all(result.stdout) if d]
    assert all(
        d["metadata"].get("namespace") == "newsradar" for d in built if d["kind"] != "Namespace"
    )
