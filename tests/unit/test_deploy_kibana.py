"""deploy/kibana: the saved objects are consistent, fresh, and importable by the importer."""

from __future__ import annotations

import importlib.util
import json
from collections.abc import Iterator
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import ModuleType
from typing import Any, ClassVar

import pytest

from newsradar.settings import Settings
from tests.loopback import serving

ROOT = Path(__file__).resolve().parents[2]
KIBANA = ROOT / "deploy" / "kibana"
NDJSON = KIBANA / "newsradar.ndjson"
TEMPLATES = ROOT / "deploy" / "elasticsearch"
# Data view title (an index alias) -> the index template that maps its fields.
TEMPLATE_OF_VIEW = {
    Settings().index_alias: TEMPLATES / "articles-template.json",
    Settings().alerts_index_alias: TEMPLATES / "alerts-template.json",
}

Obj = dict[str, Any]


def load_script(path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"deploy_{path.stem}", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


builder = load_script(KIBANA / "build_saved_objects.py")
importer = load_script(KIBANA / "import_saved_objects.py")


@pytest.fixture(scope="module")
def objects() -> list[Obj]:
    return [json.loads(line) for line in NDJSON.read_text(encoding="utf-8").splitlines()]


@pytest.fixture(scope="module")
def by_id(objects: list[Obj]) -> dict[str, Obj]:
    return {o["id"]: o for o in objects}


def mapping_types(view_title: str = "newsradar-articles") -> dict[str, str]:
    """Field path -> Elasticsearch type, from the index template behind a data view."""
    template = json.loads(TEMPLATE_OF_VIEW[view_title].read_text())
    props = template["template"]["mappings"]["properties"]
    types: dict[str, str] = {}

    def walk(prefix: str, properties: dict[str, Any]) -> None:
        for name, spec in properties.items():
            path = prefix + name
            if "properties" in spec:
                walk(path + ".", spec["properties"])
            else:
                types[path] = spec["type"]
            for sub, sub_spec in spec.get("fields", {}).items():
                types[f"{path}.{sub}"] = sub_spec["type"]

    walk("", props)
    return types


def view_of(obj: Obj, by_id: dict[str, Obj]) -> Obj:
    """The one data view a lens or saved search reads."""
    (view_id,) = {r["id"] for r in obj["references"] if r["type"] == "index-pattern"}
    return by_id[view_id]


def lens_columns(obj: Obj) -> list[Obj]:
    layers = obj["attributes"]["state"]["datasourceStates"]["formBased"]["layers"]
    return [c for layer in layers.values() for c in layer["columns"].values()]


def dashboards(objects: list[Obj]) -> dict[str, Obj]:
    return {o["id"]: o for o in objects if o["type"] == "dashboard"}


def panel_ids(dashboard: Obj) -> list[str]:
    refs = {r["name"]: r["id"] for r in dashboard["references"]}
    panels = json.loads(dashboard["attributes"]["panelsJSON"])
    return [refs[f"{p['panelIndex']}:{p['panelRefName']}"] for p in panels]


def test_the_file_is_what_the_generator_writes() -> None:
    assert builder.main(["--check"]) == 0, "run deploy/kibana/build_saved_objects.py"


def test_every_object_has_id_type_and_attributes(objects: list[Obj]) -> None:
    assert len(objects) >= 14
    for obj in objects:
        assert obj["id"] and obj["type"] and isinstance(obj["attributes"], dict), obj
        assert obj["attributes"].get("title"), obj["id"]
        assert obj["typeMigrationVersion"] and obj["coreMigrationVersion"], obj["id"]
    ids = [o["id"] for o in objects]
    assert len(ids) == len(set(ids)), "ids are unique"


def test_references_point_to_existing_objects(objects: list[Obj], by_id: dict[str, Obj]) -> None:
    for obj in objects:
        for ref in obj.get("references", []):
            assert ref["id"] in by_id, f"{obj['id']} -> missing {ref['id']}"
            assert by_id[ref["id"]]["type"] == ref["type"], f"{obj['id']} -> {ref}"
            assert ref["name"], obj["id"]
    order = [o["id"] for o in objects]
    for obj in objects:  # dependencies come first in the file
        for ref in obj.get("references", []):
            assert order.index(ref["id"]) < order.index(obj["id"])


def test_the_data_views(objects: list[Obj]) -> None:
    views = {o["attributes"]["title"]: o for o in objects if o["type"] == "index-pattern"}
    settings = Settings()
    assert set(views) == {settings.index_alias, settings.alerts_index_alias}
    assert set(views) == {"newsradar-articles", "newsradar-alerts"}
    assert views["newsradar-articles"]["attributes"]["timeFieldName"] == "published_at"
    assert views["newsradar-alerts"]["attributes"]["timeFieldName"] == "matched_at"
    for title, view in views.items():
        assert mapping_types(title)[view["attributes"]["timeFieldName"]] == "date", title


def test_kinds_of_visualisation(objects: list[Obj], by_id: dict[str, Obj]) -> None:
    types = {o["type"] for o in objects}
    assert {"index-pattern", "search", "lens", "dashboard"} <= types
    lens_types = {o["attributes"]["visualizationType"] for o in objects if o["type"] == "lens"}
    assert {"lnsXY", "lnsPie", "lnsMetric", "lnsDatatable"} <= lens_types
    fields: dict[str, set[str]] = {}
    for obj in (o for o in objects if o["type"] == "lens"):
        title = view_of(obj, by_id)["attributes"]["title"]
        fields.setdefault(title, set()).update(c["sourceField"] for c in lens_columns(obj))
    assert {"published_at", "countries", "topics", "lang", "source"} <= fields["newsradar-articles"]
    assert {"matched_at", "subscription_id", "countries"} <= fields["newsradar-alerts"]


def test_lens_layers_reference_the_data_view(objects: list[Obj]) -> None:
    for obj in (o for o in objects if o["type"] == "lens"):
        state = obj["attributes"]["state"]
        layers = state["datasourceStates"]["formBased"]["layers"]
        refs = {r["name"]: r for r in obj["references"]}
        for layer_id, layer in layers.items():
            assert refs[f"indexpattern-datasource-layer-{layer_id}"]["type"] == "index-pattern"
            assert set(layer["columnOrder"]) == set(layer["columns"]), obj["id"]
            for column in layer["columns"].values():
                order_by = column.get("params", {}).get("orderBy", {})
                if order_by.get("type") == "column":
                    assert order_by["columnId"] in layer["columns"], obj["id"]
        accessors = json.dumps(state["visualization"])
        for layer in layers.values():
            for column_id in layer["columns"]:
                assert f'"{column_id}"' in accessors, f"{obj['id']}: {column_id} not shown"


def test_aggregated_fields_are_aggregatable_in_the_template(
    objects: list[Obj], by_id: dict[str, Obj]
) -> None:
    for obj in (o for o in objects if o["type"] == "lens"):
        types = mapping_types(view_of(obj, by_id)["attributes"]["title"])
        for column in lens_columns(obj):
            field, operation = column["sourceField"], column["operationType"]
            if operation == "count":
                continue
            assert field in types, f"{obj['id']}: {field} is not mapped"
            wanted = {"terms": {"keyword"}, "date_histogram": {"date"}}[operation]
            assert types[field] in wanted, f"{obj['id']}: {operation} on {types[field]}"


def test_the_saved_searches(objects: list[Obj], by_id: dict[str, Obj]) -> None:
    searches = [o for o in objects if o["type"] == "search"]
    assert len(searches) == 2, "latest articles, latest alerts"
    for search in searches:
        view = view_of(search, by_id)["attributes"]
        types = mapping_types(view["title"])
        assert all(c in types for c in search["attributes"]["columns"]), search["id"]
        source = json.loads(search["attributes"]["kibanaSavedObjectMeta"]["searchSourceJSON"])
        ref_names = {r["name"] for r in search["references"]}
        assert source["indexRefName"] in ref_names
        assert search["attributes"]["sort"] == [[view["timeFieldName"], "desc"]]


def test_every_visualisation_is_on_a_dashboard_of_its_data_view(
    objects: list[Obj], by_id: dict[str, Obj]
) -> None:
    boards = dashboards(objects)
    assert set(boards) == {"newsradar-overview", "newsradar-alerts-overview"}
    shown: list[str] = []
    for board_id, board in boards.items():
        ids = panel_ids(board)
        views = {view_of(by_id[i], by_id)["id"] for i in ids}
        assert len(views) == 1, f"{board_id}: one data view per dashboard, so filters apply"
        shown += ids
    visualisations = [o["id"] for o in objects if o["type"] in ("lens", "search")]
    assert sorted(shown) == sorted(visualisations), "each visualisation on one dashboard"


def test_the_alerts_dashboard(objects: list[Obj], by_id: dict[str, Obj]) -> None:
    """Alerts over time, top subscriptions, top countries of alerted articles."""
    board = dashboards(objects)["newsradar-alerts-overview"]
    operations = {
        (c["operationType"], c["sourceField"])
        for i in panel_ids(board)
        if by_id[i]["type"] == "lens"
        for c in lens_columns(by_id[i])
    }
    assert ("date_histogram", "matched_at") in operations
    assert ("terms", "subscription_id") in operations
    assert ("terms", "countries") in operations


@pytest.mark.parametrize("dashboard_id", ["newsradar-overview", "newsradar-alerts-overview"])
def test_dashboard_panels_resolve(
    dashboard_id: str, objects: list[Obj], by_id: dict[str, Obj]
) -> None:
    dashboard = by_id[dashboard_id]
    attributes = dashboard["attributes"]
    panels = json.loads(attributes["panelsJSON"])
    json.loads(attributes["optionsJSON"])
    json.loads(attributes["kibanaSavedObjectMeta"]["searchSourceJSON"])
    refs = {r["name"]: r for r in dashboard["references"]}
    shown = set()
    for panel in panels:
        assert panel["gridData"]["i"] == panel["panelIndex"]
        grid = panel["gridData"]
        assert grid["x"] >= 0 and grid["x"] + grid["w"] <= 48, "Kibana's grid is 48 wide"
        ref = refs[f"{panel['panelIndex']}:{panel['panelRefName']}"]
        assert ref["type"] == panel["type"] == by_id[ref["id"]]["type"]
        shown.add(ref["id"])
    assert len(shown) == len(panels), "no visualisation twice"
    cells: set[tuple[int, int]] = set()
    for panel in panels:  # panels do not overlap
        g = panel["gridData"]
        area = {
            (x, y) for x in range(g["x"], g["x"] + g["w"]) for y in range(g["y"], g["y"] + g["h"])
        }
        assert not cells & area, panel["panelIndex"]
        cells |= area


# --- the importer, against a fake Kibana on loopback ------------------------------------


def test_summarise_reports_every_error() -> None:
    ok, problems = importer.summarise({"success": True, "successCount": 9, "errors": []})
    assert ok and problems == []
    ok, problems = importer.summarise(
        {
            "success": False,
            "errors": [
                {
                    "id": "x",
                    "type": "lens",
                    "error": {
                        "type": "missing_references",
                        "references": [{"type": "index-pattern", "id": "dv"}],
                    },
                },
                {"id": "y", "type": "dashboard", "error": {"type": "unknown", "message": "bad"}},
            ],
        }
    )
    assert not ok
    assert problems == [
        "lens/x: missing_references (missing: index-pattern/dv)",
        "dashboard/y: unknown: bad",
    ]


def test_credentials_come_from_the_url_or_the_environment() -> None:
    url, auth = importer.split_credentials("https://elastic:p%40ss@kb:5601/", {})
    assert url == "https://kb:5601"
    assert auth == "Basic ZWxhc3RpYzpwQHNz"  # elastic:p@ss
    url, auth = importer.split_credentials(
        "http://kb:5601", {"KIBANA_USERNAME": "elastic", "KIBANA_PASSWORD": "p@ss"}
    )
    assert (url, auth) == ("http://kb:5601", "Basic ZWxhc3RpYzpwQHNz")
    assert importer.split_credentials("http://kb:5601", {}) == ("http://kb:5601", None)


def test_space_prefix() -> None:
    assert importer.api_url("http://kb", "/api/status") == "http://kb/api/status"
    assert (
        importer.api_url("http://kb", "/api/saved_objects/_import", "ops", overwrite="true")
        == "http://kb/s/ops/api/saved_objects/_import?overwrite=true"
    )


class FakeKibana(BaseHTTPRequestHandler):
    """GET /api/status is available; POST _import parses the multipart body like Kibana."""

    imported: ClassVar[list[tuple[str, dict[str, str], list[Obj]]]] = []

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _reply(self, status: int, body: Obj) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        assert self.path == "/api/status"
        self._reply(200, {"status": {"overall": {"level": "available"}}})

    def do_POST(self) -> None:
        if self.headers.get("kbn-xsrf") != "true":
            self._reply(400, {"message": "missing kbn-xsrf"})
            return
        body = self.rfile.read(int(self.headers["Content-Length"]))
        message = BytesParser(policy=HTTP).parsebytes(
            f"Content-Type: {self.headers['Content-Type']}\r\n\r\n".encode() + body
        )
        (part,) = list(message.iter_parts())
        assert part.get_param("name", header="content-disposition") == "file"
        payload = part.get_payload(decode=True)
        assert isinstance(payload, bytes)
        objs = [json.loads(line) for line in payload.decode().splitlines()]
        headers = {k.lower(): v for k, v in self.headers.items()}
        self.imported.append((self.path, headers, objs))
        ids = {o["id"] for o in objs}
        errors = [
            {"id": o["id"], "type": o["type"], "error": {"type": "missing_references"}}
            for o in objs
            if any(r["id"] not in ids for r in o.get("references", []))
        ]
        self._reply(
            200, {"success": not errors, "successCount": len(objs) - len(errors), "errors": errors}
        )


@pytest.fixture
def kibana_url() -> Iterator[str]:
    FakeKibana.imported = []
    with serving(ThreadingHTTPServer(("127.0.0.1", 0), FakeKibana)) as base:
        yield base


def test_import_posts_every_object(kibana_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    env = {"KIBANA_USERNAME": "elastic", "KIBANA_PASSWORD": "secret"}
    status = importer.main(["--kibana-url", kibana_url, "--wait", "5", str(NDJSON)], env)
    assert status == 0, capsys.readouterr().err
    ((path, headers, objs),) = FakeKibana.imported
    assert path == "/api/saved_objects/_import?overwrite=true"
    assert headers["authorization"].startswith("Basic ")
    assert [o["id"] for o in objs] == [
        json.loads(line)["id"] for line in NDJSON.read_text().splitlines()
    ]
    assert f"imported {len(objs)} object(s)" in capsys.readouterr().out
    assert len(objs) == 16


def test_import_fails_on_object_errors(kibana_url: str, tmp_path: Path) -> None:
    lonely = tmp_path / "dashboard-only.ndjson"
    dashboard = [line for line in NDJSON.read_text().splitlines() if '"type":"dashboard"' in line]
    lonely.write_text("\n".join(dashboard) + "\n")
    status = importer.main(
        ["--kibana-url", kibana_url, "--wait", "5", "--space", "ops", str(lonely)], {}
    )
    assert status == 1
    ((path, _, _),) = FakeKibana.imported
    assert path.startswith("/s/ops/api/saved_objects/_import")


def test_import_gives_up_when_kibana_never_answers(tmp_path: Path) -> None:
    with ThreadingHTTPServer(("127.0.0.1", 0), FakeKibana) as server:
        port = server.server_address[1]  # bound, then closed: nothing listens there
    status = importer.main(
        ["--kibana-url", f"http://127.0.0.1:{port}", "--wait", "0", str(NDJSON)], {}
    )
    assert status == 2
