"""The subscriptions HTTP API through FastAPI's test client, in process.

The store is the real ``SubscriptionStore`` (validation, record encoding, the log fold)
with its Kafka transport swapped for an append-only log file in a tmp dir: same messages,
same keys, same tombstones. Against the real broker it is the lead's integration test.
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.routing import APIRoute
from pydantic import SecretStr

from newsradar.api import app as api_module
from newsradar.api import create_app
from newsradar.records import Subscription, decode
from newsradar.settings import Settings
from newsradar.subscriptions import SubscriptionStore

with warnings.catch_warnings():
    # starlette 1.x prefers the httpx2 package for its test client; httpx works the same
    warnings.filterwarnings("ignore", "Using `httpx` with `starlette.testclient`")
    from fastapi.testclient import TestClient

TOKEN = "t0ken-for-tests"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
HOOK = {"type": "webhook", "options": {"url": "https://hooks.example/x", "secret": "s3cret"}}


class FileLogStore(SubscriptionStore):
    """SubscriptionStore whose topic is a JSON Lines file: one message (key, value) a line."""

    def __init__(self, settings: Settings, path: Path) -> None:
        super().__init__(settings)
        self.path = path

    def messages(self, timeout_s: float = 15.0) -> Iterator[tuple[bytes | None, bytes | None]]:
        if not self.path.exists():
            return
        for line in self.path.read_text().splitlines():
            key, value = json.loads(line)
            yield key.encode(), (value.encode() if value is not None else None)

    def _send(self, key: str, value: bytes | None) -> None:
        with self.path.open("a") as log:
            log.write(json.dumps([key, value.decode() if value else None]) + "\n")


@pytest.fixture
def store(tmp_path: Path) -> FileLogStore:
    return FileLogStore(Settings(home=tmp_path), tmp_path / "subscriptions.log")


@pytest.fixture
def client(tmp_path: Path, store: FileLogStore) -> Iterator[TestClient]:
    settings = Settings(home=tmp_path, api_tokens=[SecretStr(TOKEN), SecretStr("other")])
    with TestClient(create_app(settings, store, store_errors=())) as test_client:
        yield test_client


def create(client: TestClient, **body: Any) -> dict[str, Any]:
    response = client.post("/subscriptions", json=body, headers=AUTH)
    assert response.status_code == 201, response.text
    data: dict[str, Any] = response.json()
    return data


def test_every_route_needs_a_valid_bearer_token(client: TestClient) -> None:
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": "Basic eDp5"}):
        response = client.get("/subscriptions", headers=headers)
        assert response.status_code == 401
        assert response.headers["WWW-Authenticate"] == "Bearer"
    assert client.get("/subscriptions", headers={"Authorization": "Bearer other"}).is_success
    assert client.post("/queries/validate", json={"query": "x"}).status_code == 401
    assert client.get("/healthz").json() == {"status": "ok"}


def test_no_configured_token_refuses_everything(tmp_path: Path, store: FileLogStore) -> None:
    with TestClient(create_app(Settings(home=tmp_path), store, store_errors=())) as c:
        assert c.get("/subscriptions", headers={"Authorization": "Bearer "}).status_code == 401
        assert c.get("/subscriptions", headers=AUTH).status_code == 401


def test_create_show_and_list(client: TestClient, store: FileLogStore) -> None:
    made = create(
        client, query='"підводний човен" AND country:KP', name="subs", id="kp-subs",
        owner="desk", channels=[HOOK], mode="hourly", quiet_minutes=30,
    )  # fmt: skip
    assert made["id"] == "kp-subs"
    assert made["channels"] == [
        {"type": "webhook", "options": {"url": "https://hooks.example/x", "secret": "***"}}
    ]
    assert (made["mode"], made["quiet_minutes"], made["paused"]) == ("hourly", 30, False)
    # stored through the store, secret and all
    stored = store.load()["kp-subs"]
    assert stored.channels[0].options["secret"] == "s3cret"
    assert stored.query == '"підводний човен" AND country:KP'

    shown = client.get("/subscriptions/kp-subs", headers=AUTH)
    assert shown.status_code == 200
    assert shown.json() == made
    second = create(client, query="зброя")
    assert len(second["id"]) == 16 and second["name"] == "зброя"
    listed = client.get("/subscriptions", headers=AUTH).json()
    assert listed["total"] == 2
    assert [s["id"] for s in listed["items"]] == ["kp-subs", second["id"]]
    only_desk = client.get("/subscriptions", params={"owner": "desk"}, headers=AUTH).json()
    assert [s["id"] for s in only_desk["items"]] == ["kp-subs"]
    page = client.get("/subscriptions", params={"limit": 1, "offset": 1}, headers=AUTH).json()
    assert (page["total"], [s["id"] for s in page["items"]]) == (2, [second["id"]])


def test_a_query_that_does_not_parse_is_refused_with_its_position(
    client: TestClient, store: FileLogStore
) -> None:
    response = client.post("/subscriptions", json={"query": "зброя AND (KP"}, headers=AUTH)
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert detail["error"] == "query_syntax"
    assert detail["column"] == 14 and detail["offset"] == 13
    assert detail["expected"]
    assert detail["pointer"].endswith("\n" + " " * 13 + "^")
    assert store.load() == {}
    check = client.post("/queries/validate", json={"query": "a AND"}, headers=AUTH)
    assert check.status_code == 422 and check.json()["detail"]["column"] == 6
    ok = client.post("/queries/validate", json={"query": "sanction* NEAR/5 oil"}, headers=AUTH)
    assert ok.json() == {"query": "sanction* NEAR/5 oil", "valid": True}


def test_invalid_channels_modes_and_ids_are_refused(client: TestClient) -> None:
    bad_channels = [{"type": "pigeon"}, {"type": "webhook", "options": {"url": "x"}}]
    response = client.post(
        "/subscriptions", json={"query": "x", "channels": bad_channels}, headers=AUTH
    )
    assert response.status_code == 422
    assert response.json()["detail"]["problems"] == [
        "unknown channel 'pigeon' (known: apprise, email, webhook)",
        "webhook: missing option 'secret'",
        "webhook: url must be http(s), got 'x'",
    ]
    weekly = client.post("/subscriptions", json={"query": "x", "mode": "weekly"}, headers=AUTH)
    assert weekly.status_code == 422
    bad_id = client.post("/subscriptions", json={"query": "x", "id": "../etc"}, headers=AUTH)
    assert bad_id.status_code == 422 and "id '../etc'" in bad_id.json()["detail"]["message"]


def test_duplicate_id_is_a_conflict(client: TestClient) -> None:
    create(client, query="x", id="one")
    again = client.post("/subscriptions", json={"query": "y", "id": "one"}, headers=AUTH)
    assert again.status_code == 409


def test_update_changes_only_the_given_fields(client: TestClient, store: FileLogStore) -> None:
    made = create(client, query="зброя", id="w", channels=[HOOK], quiet_minutes=5)
    response = client.patch(
        "/subscriptions/w", json={"query": "зброя AND country:KP", "mode": "daily"}, headers=AUTH
    )
    assert response.status_code == 200, response.text
    updated = response.json()
    assert (updated["query"], updated["mode"], updated["quiet_minutes"]) == (
        "зброя AND country:KP", "daily", 5,
    )  # fmt: skip
    assert updated["created_at"] == made["created_at"]
    assert updated["updated_at"] > made["updated_at"]
    assert store.load()["w"].channels[0].options["secret"] == "s3cret"
    email = {"type": "email", "options": {"to": "desk@example.org"}}
    replaced = client.patch("/subscriptions/w", json={"channels": [email]}, headers=AUTH).json()
    assert replaced["channels"] == [email]
    broken = client.patch("/subscriptions/w", json={"query": "AND"}, headers=AUTH)
    assert broken.status_code == 422 and broken.json()["detail"]["column"] == 1
    assert store.load()["w"].query == "зброя AND country:KP"
    missing = client.patch("/subscriptions/nope", json={"name": "x"}, headers=AUTH)
    assert missing.status_code == 404


def test_pause_resume_and_delete(client: TestClient, store: FileLogStore) -> None:
    create(client, query="x", id="p")
    paused = client.post("/subscriptions/p/pause", headers=AUTH)
    assert paused.json()["paused"] is True
    assert store.load()["p"].paused is True
    assert client.get("/subscriptions", params={"paused": True}, headers=AUTH).json()["total"] == 1
    assert client.post("/subscriptions/p/resume", headers=AUTH).json()["paused"] is False
    assert client.delete("/subscriptions/p", headers=AUTH).status_code == 204
    assert "p" not in store.load()
    assert client.get("/subscriptions/p", headers=AUTH).status_code == 404
    assert client.delete("/subscriptions/p", headers=AUTH).status_code == 404
    assert client.post("/subscriptions/p/pause", headers=AUTH).status_code == 404
    # the log holds what a worker follows: puts, then a tombstone
    lines = [json.loads(line) for line in store.path.read_text().splitlines()]
    assert [key for key, _ in lines] == ["p", "p", "p", "p"]
    assert lines[-1][1] is None
    assert decode(Subscription, lines[1][1]).paused is True


def test_openapi_lists_every_route(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    routes = {
        (method.upper(), path)
        for path, operations in spec["paths"].items()
        for method in operations
    }
    # every route the app serves: its own and those of the routers it includes
    served = [*client.app.routes, *api_module.router.routes, *api_module.queries.routes]  # type: ignore[attr-defined]
    app_routes = {
        (method, route.path)
        for route in served
        if isinstance(route, APIRoute)
        for method in route.methods or ()
    }
    expected = {
        ("POST", "/subscriptions"),
        ("GET", "/subscriptions"),
        ("GET", "/subscriptions/{sub_id}"),
        ("PATCH", "/subscriptions/{sub_id}"),
        ("POST", "/subscriptions/{sub_id}/pause"),
        ("POST", "/subscriptions/{sub_id}/resume"),
        ("DELETE", "/subscriptions/{sub_id}"),
        ("POST", "/queries/validate"),
        ("POST", "/queries/preview"),
        ("GET", "/healthz"),
    }
    assert routes == expected == app_routes
    assert "HTTPBearer" in spec["components"]["securitySchemes"]
    secured = spec["paths"]["/subscriptions"]["post"]["security"]
    assert secured == [{"HTTPBearer": []}]


def test_an_unreachable_store_is_a_503(tmp_path: Path) -> None:
    from kafka.errors import KafkaTimeoutError

    class DownStore(FileLogStore):
        def messages(self, timeout_s: float = 15.0) -> Iterator[tuple[bytes | None, bytes | None]]:
            raise KafkaTimeoutError("Unable to bootstrap")

    settings = Settings(home=tmp_path, api_tokens=[SecretStr(TOKEN)])
    store = DownStore(settings, tmp_path / "log")
    with TestClient(create_app(settings, store)) as down:
        response = down.get("/subscriptions", headers=AUTH)
    assert response.status_code == 503
    assert response.json()["detail"]["error"] == "store_unavailable"


def test_preview_translates_the_query_and_lists_the_hits(
    tmp_path: Path, store: FileLogStore
) -> None:
    bodies: list[dict[str, Any]] = []

    def search(body: dict[str, Any]) -> dict[str, Any]:
        bodies.append(body)
        source = {"title": "КНДР", "url": "https://u", "countries": ["KP"], "text": "…"}
        return {"hits": {"total": {"value": 41}, "hits": [{"_id": "a1", "_source": source}]}}

    settings = Settings(home=tmp_path, api_tokens=[SecretStr(TOKEN)])
    with TestClient(create_app(settings, store, store_errors=(), search=search)) as c:
        since = "2026-11-19T00:00:00Z"
        response = c.post(
            "/queries/preview", json={"query": "зброя", "since": since, "size": 5}, headers=AUTH
        )
        assert response.status_code == 200, response.text
        result = response.json()
        assert (result["total"], result["since"]) == (41, since)
        assert result["items"] == [
            {"id": "a1", "title": "КНДР", "url": "https://u", "source": "", "lang": None,
             "published_at": None, "countries": ["KP"]}
        ]  # fmt: skip
        [body] = bodies
        assert body["size"] == 5
        assert body["query"]["bool"]["filter"] == [
            {"range": {"published_at": {"gte": "2026-11-19T00:00:00+00:00"}}}
        ]
        bad = c.post("/queries/preview", json={"query": "(зброя"}, headers=AUTH)
        assert bad.status_code == 422 and bad.json()["detail"]["error"] == "query_syntax"
        assert len(bodies) == 1
