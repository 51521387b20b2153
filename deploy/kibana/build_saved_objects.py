"""Generate ``newsradar.ndjson``: the Kibana saved objects for the articles index.

    python deploy/kibana/build_saved_objects.py            # rewrite newsradar.ndjson
    python deploy/kibana/build_saved_objects.py --check    # exit 1 if the file is stale

The objects are declared here once, as data, and written in the export format that
Kibana's saved-objects import accepts (Kibana 8.8 and later, including 9.x; each object
carries the migration version it is written in, so Kibana migrates it forward on import).
Ids are stable: re-importing with ``overwrite=true`` updates the objects in place, and
links to the dashboard keep working. Visualisations are Lens objects referenced by the
dashboard (by reference, so they also appear in the Visualize library).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
OUTPUT = HERE / "newsradar.ndjson"

INDEX_ALIAS = "newsradar-articles"
TIME_FIELD = "published_at"
DATA_VIEW_ID = "newsradar-articles"
SEARCH_ID = "newsradar-latest-articles"
DASHBOARD_ID = "newsradar-overview"

CORE_MIGRATION_VERSION = "8.8.0"
TYPE_MIGRATION_VERSION = {
    "index-pattern": "8.0.0",
    "search": "8.0.0",
    "lens": "8.9.0",
    "dashboard": "8.7.0",
}

LAYER = "layer-main"
COUNT = "col-count"
KUERY_ALL = {"query": "", "language": "kuery"}

Obj = dict[str, Any]


def _saved_object(type_: str, id_: str, attributes: Obj, references: list[Obj]) -> Obj:
    return {
        "id": id_,
        "type": type_,
        "attributes": attributes,
        "references": references,
        "managed": False,
        "coreMigrationVersion": CORE_MIGRATION_VERSION,
        "typeMigrationVersion": TYPE_MIGRATION_VERSION[type_],
    }


def data_view() -> Obj:
    return _saved_object(
        "index-pattern",
        DATA_VIEW_ID,
        {
            "title": INDEX_ALIAS,
            "name": "newsradar articles",
            "timeFieldName": TIME_FIELD,
            "fields": "[]",
            "fieldFormatMap": json.dumps({"url": {"id": "url", "params": {}}}),
            "runtimeFieldMap": "{}",
            "typeMeta": "{}",
        },
        [],
    )


def saved_search() -> Obj:
    search_source = {
        "query": KUERY_ALL,
        "filter": [],
        "highlightAll": True,
        "indexRefName": "kibanaSavedObjectMeta.searchSourceJSON.index",
    }
    return _saved_object(
        "search",
        SEARCH_ID,
        {
            "title": "newsradar: latest articles",
            "description": "Newest articles first, with their countries and topics.",
            "columns": ["title", "source", "lang", "countries", "topics", "url"],
            "sort": [[TIME_FIELD, "desc"]],
            "hits": 0,
            "version": 1,
            "kibanaSavedObjectMeta": {"searchSourceJSON": json.dumps(search_source)},
        },
        [
            {
                "id": DATA_VIEW_ID,
                "name": "kibanaSavedObjectMeta.searchSourceJSON.index",
                "type": "index-pattern",
            }
        ],
    )


# --- Lens columns --------------------------------------------------------------------


def count_column(label: str = "Articles") -> Obj:
    return {
        "label": label,
        "customLabel": True,
        "dataType": "number",
        "operationType": "count",
        "sourceField": "___records___",
        "isBucketed": False,
        "scale": "ratio",
        "params": {"emptyAsNull": True},
    }


def date_column() -> Obj:
    return {
        "label": TIME_FIELD,
        "dataType": "date",
        "operationType": "date_histogram",
        "sourceField": TIME_FIELD,
        "isBucketed": True,
        "scale": "interval",
        "params": {"interval": "auto", "includeEmptyRows": True, "dropPartials": False},
    }


def terms_column(field: str, label: str, size: int, other_bucket: bool = False) -> Obj:
    return {
        "label": label,
        "customLabel": True,
        "dataType": "string",
        "operationType": "terms",
        "sourceField": field,
        "isBucketed": True,
        "scale": "ordinal",
        "params": {
            "size": size,
            "orderBy": {"type": "column", "columnId": COUNT},
            "orderDirection": "desc",
            "otherBucket": other_bucket,
            "missingBucket": False,
            "parentFormat": {"id": "terms"},
        },
    }


# --- Lens visualisations ------------------------------------------------------------


def lens(
    id_: str,
    title: str,
    description: str,
    vis_type: str,
    columns: dict[str, Obj],
    visualization: Obj,
) -> Obj:
    state = {
        "visualization": visualization,
        "query": KUERY_ALL,
        "filters": [],
        "datasourceStates": {
            "formBased": {
                "layers": {
                    LAYER: {
                        "columns": columns,
                        "columnOrder": list(columns),
                        "incompleteColumns": {},
                    }
                }
            }
        },
        "internalReferences": [],
        "adHocDataViews": {},
    }
    return _saved_object(
        "lens",
        id_,
        {"title": title, "description": description, "visualizationType": vis_type, "state": state},
        [
            {
                "type": "index-pattern",
                "id": DATA_VIEW_ID,
                "name": f"indexpattern-datasource-layer-{LAYER}",
            }
        ],
    )


def _xy(series: str, x: str, split: str | None = None) -> Obj:
    layer: Obj = {
        "layerId": LAYER,
        "layerType": "data",
        "seriesType": series,
        "xAccessor": x,
        "accessors": [COUNT],
    }
    if split:
        layer["splitAccessor"] = split
    return {
        "preferredSeriesType": series,
        "layers": [layer],
        "legend": {"isVisible": split is not None, "position": "right"},
        "valueLabels": "hide",
        "fittingFunction": "None",
        "axisTitlesVisibilitySettings": {"x": False, "yLeft": False, "yRight": False},
    }


def _bars(field: str, label: str, size: int) -> tuple[dict[str, Obj], Obj]:
    column = f"col-{field}"
    columns = {column: terms_column(field, label, size), COUNT: count_column()}
    return columns, _xy("bar_horizontal", column)


def visualisations() -> list[Obj]:
    countries_cols, countries_vis = _bars("countries", "Country", 20)
    topics_cols, topics_vis = _bars("topics", "Topic", 20)
    return [
        lens(
            "newsradar-articles-count",
            "Articles",
            "Articles in the time range.",
            "lnsMetric",
            {COUNT: count_column()},
            {"layerId": LAYER, "layerType": "data", "metricAccessor": COUNT},
        ),
        lens(
            "newsradar-articles-over-time",
            "Articles over time",
            "Articles by publication time, split by language.",
            "lnsXY",
            {
                "col-date": date_column(),
                "col-lang": terms_column("lang", "Language", 7, True),
                COUNT: count_column(),
            },
            _xy("bar_stacked", "col-date", split="col-lang"),
        ),
        lens(
            "newsradar-top-countries",
            "Top countries",
            "Countries (ISO 3166-1 alpha-2) the articles are about.",
            "lnsXY",
            countries_cols,
            countries_vis,
        ),
        lens(
            "newsradar-top-topics",
            "Top topics",
            "Topics the tagger assigned.",
            "lnsXY",
            topics_cols,
            topics_vis,
        ),
        lens(
            "newsradar-by-language",
            "Articles by language",
            "Detected or declared language.",
            "lnsPie",
            {"col-lang": terms_column("lang", "Language", 10, True), COUNT: count_column()},
            {
                "shape": "donut",
                "layers": [
                    {
                        "layerId": LAYER,
                        "layerType": "data",
                        "primaryGroups": ["col-lang"],
                        "metrics": [COUNT],
                        "numberDisplay": "percent",
                        "categoryDisplay": "default",
                        "legendDisplay": "default",
                        "nestedLegend": False,
                    }
                ],
            },
        ),
        lens(
            "newsradar-by-source",
            "Top sources",
            "Articles per source (feed publisher).",
            "lnsDatatable",
            {"col-source": terms_column("source", "Source", 25), COUNT: count_column()},
            {
                "layerId": LAYER,
                "layerType": "data",
                "columns": [{"columnId": "col-source"}, {"columnId": COUNT}],
            },
        ),
    ]


# --- the dashboard -------------------------------------------------------------------

# (saved object id, type, x, y, w, h) on Kibana's 48-column grid.
LAYOUT: list[tuple[str, str, int, int, int, int]] = [
    ("newsradar-articles-count", "lens", 0, 0, 12, 10),
    ("newsradar-articles-over-time", "lens", 12, 0, 36, 10),
    ("newsradar-top-countries", "lens", 0, 10, 16, 16),
    ("newsradar-top-topics", "lens", 16, 10, 16, 16),
    ("newsradar-by-language", "lens", 32, 10, 16, 16),
    ("newsradar-by-source", "lens", 0, 26, 16, 18),
    (SEARCH_ID, "search", 16, 26, 32, 18),
]


def dashboard() -> Obj:
    panels: list[Obj] = []
    references: list[Obj] = []
    for n, (ref_id, ref_type, x, y, w, h) in enumerate(LAYOUT, start=1):
        index = f"p{n}"
        panels.append(
            {
                "type": ref_type,
                "gridData": {"x": x, "y": y, "w": w, "h": h, "i": index},
                "panelIndex": index,
                "embeddableConfig": {"enhancements": {}},
                "panelRefName": f"panel_{index}",
            }
        )
        references.append({"name": f"{index}:panel_{index}", "type": ref_type, "id": ref_id})
    options = {
        "useMargins": True,
        "syncColors": True,
        "syncCursor": True,
        "syncTooltips": False,
        "hidePanelTitles": False,
    }
    return _saved_object(
        "dashboard",
        DASHBOARD_ID,
        {
            "title": "newsradar: overview",
            "description": "What the monitored media publish: volume, countries, topics, "
            "languages and sources. Click a bar to filter the whole dashboard.",
            "panelsJSON": json.dumps(panels),
            "optionsJSON": json.dumps(options),
            "timeRestore": True,
            "timeFrom": "now-7d",
            "timeTo": "now",
            "refreshInterval": {"pause": False, "value": 60_000},
            "version": 1,
            "kibanaSavedObjectMeta": {
                "searchSourceJSON": json.dumps({"query": KUERY_ALL, "filter": []}),
            },
        },
        references,
    )


def saved_objects() -> list[Obj]:
    """Dependencies first: the data view, then what uses it, the dashboard last."""
    return [data_view(), saved_search(), *visualisations(), dashboard()]


def render(objects: list[Obj]) -> str:
    return "".join(
        json.dumps(o, ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n"
        for o in objects
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write or check newsradar.ndjson.")
    parser.add_argument("--check", action="store_true", help="exit 1 if the file is stale")
    parser.add_argument("--output", type=Path, default=OUTPUT)
    args = parser.parse_args(argv)
    text = render(saved_objects())
    if args.check:
        current = args.output.read_text(encoding="utf-8") if args.output.exists() else ""
        if current != text:
            print(f"{args.output} is stale: run {Path(__file__).name}", file=sys.stderr)
            return 1
        return 0
    args.output.write_text(text, encoding="utf-8")
    print(f"wrote {len(text.splitlines())} objects to {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
