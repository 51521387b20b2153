"""Generate ``newsradar.ndjson``: the Kibana saved objects for the articles and alerts.

    python deploy/kibana/build_saved_objects.py            # rewrite newsradar.ndjson
    python deploy/kibana/build_saved_objects.py --check    # exit 1 if the file is stale

The objects are declared here once, as data, and written in the export format that
Kibana's saved-objects import accepts (Kibana 8.8 and later, including 9.x; each object
carries the migration version it is written in, so Kibana migrates it forward on import).
Ids are stable: re-importing with ``overwrite=true`` updates the objects in place, and
links to the dashboards keep working. Visualisations are Lens objects referenced by the
dashboards (by reference, so they also appear in the Visualize library).

Two data views, two dashboards: ``newsradar-articles`` (time field ``published_at``) behind
"newsradar: overview", and ``newsradar-alerts`` (``matched_at``, one document per
subscription and matched article) behind "newsradar: alerts".
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

ALERTS_INDEX_ALIAS = "newsradar-alerts"
ALERTS_TIME_FIELD = "matched_at"
ALERTS_DATA_VIEW_ID = "newsradar-alerts"
ALERTS_SEARCH_ID = "newsradar-latest-alerts"
ALERTS_DASHBOARD_ID = "newsradar-alerts-overview"

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


def data_view(
    id_: str = DATA_VIEW_ID,
    title: str = INDEX_ALIAS,
    name: str = "newsradar articles",
    time_field: str = TIME_FIELD,
) -> Obj:
    return _saved_object(
        "index-pattern",
        id_,
        {
            "title": title,
            "name": name,
            "timeFieldName": time_field,
            "fields": "[]",
            "fieldFormatMap": json.dumps({"url": {"id": "url", "params": {}}}),
            "runtimeFieldMap": "{}",
            "typeMeta": "{}",
        },
        [],
    )


def saved_search(
    id_: str = SEARCH_ID,
    title: str = "newsradar: latest articles",
    description: str = "Newest articles first, with their countries and topics.",
    columns: tuple[str, ...] = ("title", "source", "lang", "countries", "topics", "url"),
    data_view_id: str = DATA_VIEW_ID,
    time_field: str = TIME_FIELD,
) -> Obj:
    search_source = {
        "query": KUERY_ALL,
        "filter": [],
        "highlightAll": True,
        "indexRefName": "kibanaSavedObjectMeta.searchSourceJSON.index",
    }
    return _saved_object(
        "search",
        id_,
        {
            "title": title,
            "description": description,
            "columns": list(columns),
            "sort": [[time_field, "desc"]],
            "hits": 0,
            "version": 1,
            "kibanaSavedObjectMeta": {"searchSourceJSON": json.dumps(search_source)},
        },
        [
            {
                "id": data_view_id,
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


def date_column(field: str = TIME_FIELD) -> Obj:
    return {
        "label": field,
        "dataType": "date",
        "operationType": "date_histogram",
        "sourceField": field,
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
    data_view_id: str = DATA_VIEW_ID,
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
                "id": data_view_id,
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


def _bars(
    field: str, label: str, size: int, count_label: str = "Articles"
) -> tuple[dict[str, Obj], Obj]:
    column = f"col-{field}"
    columns = {column: terms_column(field, label, size), COUNT: count_column(count_label)}
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


def alert_visualisations() -> list[Obj]:
    """On the alerts data view: what fired, when, for which subscriptions and countries."""
    countries_cols, countries_vis = _bars("countries", "Country", 20, "Alerts")
    return [
        lens(
            "newsradar-alerts-count",
            "Alerts",
            "Alerts (subscription x article matches) in the time range.",
            "lnsMetric",
            {COUNT: count_column("Alerts")},
            {"layerId": LAYER, "layerType": "data", "metricAccessor": COUNT},
            ALERTS_DATA_VIEW_ID,
        ),
        lens(
            "newsradar-alerts-over-time",
            "Alerts over time",
            "Alerts by match time, split by the busiest subscriptions.",
            "lnsXY",
            {
                "col-date": date_column(ALERTS_TIME_FIELD),
                "col-subscription": terms_column("subscription_name", "Subscription", 5, True),
                COUNT: count_column("Alerts"),
            },
            _xy("bar_stacked", "col-date", split="col-subscription"),
            ALERTS_DATA_VIEW_ID,
        ),
        lens(
            "newsradar-alerts-top-subscriptions",
            "Top subscriptions",
            "Subscriptions with the most alerts (id, and its name when it has one).",
            "lnsDatatable",
            {
                "col-subscription-id": terms_column("subscription_id", "Subscription id", 20),
                "col-subscription-name": terms_column("subscription_name", "Name", 1),
                COUNT: count_column("Alerts"),
            },
            {
                "layerId": LAYER,
                "layerType": "data",
                "columns": [
                    {"columnId": "col-subscription-id"},
                    {"columnId": "col-subscription-name"},
                    {"columnId": COUNT},
                ],
            },
            ALERTS_DATA_VIEW_ID,
        ),
        lens(
            "newsradar-alerts-top-countries",
            "Top countries of alerted articles",
            "Countries (ISO 3166-1 alpha-2) of the articles that fired alerts.",
            "lnsXY",
            countries_cols,
            countries_vis,
            ALERTS_DATA_VIEW_ID,
        ),
    ]


# --- the dashboards ------------------------------------------------------------------

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

ALERTS_LAYOUT: list[tuple[str, str, int, int, int, int]] = [
    ("newsradar-alerts-count", "lens", 0, 0, 12, 10),
    ("newsradar-alerts-over-time", "lens", 12, 0, 36, 10),
    ("newsradar-alerts-top-subscriptions", "lens", 0, 10, 24, 16),
    ("newsradar-alerts-top-countries", "lens", 24, 10, 24, 16),
    (ALERTS_SEARCH_ID, "search", 0, 26, 48, 18),
]


def dashboard(
    id_: str = DASHBOARD_ID,
    title: str = "newsradar: overview",
    description: str = "What the monitored media publish: volume, countries, topics, "
    "languages and sources. Click a bar to filter the whole dashboard.",
    layout: list[tuple[str, str, int, int, int, int]] = LAYOUT,
) -> Obj:
    panels: list[Obj] = []
    references: list[Obj] = []
    for n, (ref_id, ref_type, x, y, w, h) in enumerate(layout, start=1):
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
        id_,
        {
            "title": title,
            "description": description,
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


def alerts_dashboard() -> Obj:
    return dashboard(
        ALERTS_DASHBOARD_ID,
        "newsradar: alerts",
        "What the alert subscriptions matched: alerts over time, the busiest "
        "subscriptions, the countries of alerted articles. Click a bar to filter.",
        ALERTS_LAYOUT,
    )


def alerts_objects() -> list[Obj]:
    return [
        data_view(ALERTS_DATA_VIEW_ID, ALERTS_INDEX_ALIAS, "newsradar alerts", ALERTS_TIME_FIELD),
        saved_search(
            ALERTS_SEARCH_ID,
            "newsradar: latest alerts",
            "Newest alerts first: the subscription, the article and what matched.",
            ("subscription_name", "subscription_id", "title", "source", "countries", "url"),
            ALERTS_DATA_VIEW_ID,
            ALERTS_TIME_FIELD,
        ),
        *alert_visualisations(),
        alerts_dashboard(),
    ]


def saved_objects() -> list[Obj]:
    """Dependencies first: each data view, then what uses it, its dashboard last."""
    articles = [data_view(), saved_search(), *visualisations(), dashboard()]
    return articles + alerts_objects()


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
