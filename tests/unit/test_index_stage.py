"""Documents for Elasticsearch and the triage of bulk responses."""

from __future__ import annotations

import json

from newsradar.bootstrap import ARTICLES_TEMPLATE
from newsradar.records import Mention, TaggedArticle
from processors.index_stage import bulk_operations, to_document, triage_bulk_response
from tests.factories import make_tagged


def tagged() -> TaggedArticle:
    return make_tagged(
        id="abc",
        title="t",
        text="x",
        countries=["KP", "RU"],
        topics=["weapons"],
        mentions=[Mention(country="KP", start=0, end=3, surface="КНДР")],
        lemmas="кндр",
        authors=["a"],
        tagger="t1",
    )


def test_document_fields_all_exist_in_the_strict_mapping() -> None:
    # The index template is strict: a field the mapping lacks would be refused at bulk time.
    mapping = json.loads(ARTICLES_TEMPLATE.read_text())["template"]["mappings"]
    doc = to_document(tagged())
    assert set(doc) <= set(mapping["properties"])
    assert set(doc["mentions"][0]) <= set(mapping["properties"]["mentions"]["properties"])
    for required in (
        "id",
        "url",
        "title",
        "text",
        "lang",
        "published_at",
        "source",
        "countries",
        "topics",
        "lemmas",
    ):
        assert required in doc


def test_bulk_operations_use_the_article_id_so_rewrites_replace() -> None:
    doc = to_document(tagged())
    ops = bulk_operations("newsradar-articles", [doc, doc])
    assert ops[0] == {"index": {"_index": "newsradar-articles", "_id": "abc"}}
    assert ops[2] == ops[0]
    assert ops[1] is doc


def test_triage_splits_indexed_retry_and_rejected() -> None:
    response = {
        "errors": True,
        "items": [
            {"index": {"_id": "a", "status": 201}},
            {"index": {"_id": "b", "status": 429, "error": {"type": "es_rejected_execution"}}},
            {
                "index": {
                    "_id": "c",
                    "status": 400,
                    "error": {
                        "type": "strict_dynamic_mapping_exception",
                        "reason": "mapping set to strict",
                    },
                }
            },
            {"index": {"_id": "d", "status": 200}},
        ],
    }
    outcome = triage_bulk_response(response)
    assert outcome.indexed == [0, 3]
    assert outcome.retry == [1]
    assert list(outcome.rejected) == [2]
    assert "strict_dynamic_mapping_exception" in outcome.rejected[2]
