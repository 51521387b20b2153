"""``newsradar reindex``: the articles index moves to its next version behind the alias while
documents keep arriving, nothing is lost or doubled, and an interrupted move is finished."""

from __future__ import annotations

import threading

from elasticsearch import Elasticsearch

from newsradar.bootstrap import BootstrapReport, ensure_index
from newsradar.reindex import migrate, versions
from newsradar.settings import Settings
from processors.index_stage import bulk_operations, to_document
from tests.factories import make_tagged
from tests.integration.conftest import index_count, newsradar


def write(es: Elasticsearch, settings: Settings, ids: range) -> None:
    docs = [to_document(make_tagged(id=f"doc-{i}", countries=["UA"])) for i in ids]
    es.bulk(operations=bulk_operations(settings.index_alias, docs), refresh=True)


def test_reindex_while_writing_loses_nothing(pipeline: Settings, es: Elasticsearch) -> None:
    alias = pipeline.index_alias
    write(es, pipeline, range(0, 500))
    stop = threading.Event()
    later: list[int] = []

    def writer() -> None:  # the worker, still indexing during the move
        start = 500
        while not stop.is_set() and start < 1000:
            write(es, pipeline, range(start, start + 20))
            later.append(20)
            start += 20

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        report = migrate(pipeline)
    finally:
        stop.set()
        thread.join()
    assert later, "the writer wrote nothing during the move"
    written = index_count(es, pipeline)
    assert report.sources == [f"{alias}-v1"] and report.target == f"{alias}-v2"
    assert report.failures == 0 and report.created + report.kept >= 500
    assert versions(es, alias) == [f"{alias}-v2"]  # the old index is out of the alias
    assert es.indices.exists(index=f"{alias}-v1")  # and kept, unless asked
    # every document once: the first 500 copied, the rest written by the "worker"
    assert written == 500 + sum(later)
    ids = {h["_id"] for h in es.search(index=alias, size=2000, source=False)["hits"]["hits"]}
    assert len(ids) == written
    # `init` afterwards keeps the new version; it does not bring v1 back
    report_init = BootstrapReport()
    ensure_index(pipeline, report_init)
    assert report_init.index == f"{alias}-v2" and versions(es, alias) == [f"{alias}-v2"]


def test_interrupted_move_is_finished_and_cli_deletes_the_old(
    pipeline: Settings, es: Elasticsearch
) -> None:
    alias = pipeline.index_alias
    write(es, pipeline, range(0, 100))
    # a move cut short after step 2: v2 is the write index, v1 still in the alias
    es.indices.create(index=f"{alias}-v2")
    es.indices.update_aliases(
        actions=[
            {"add": {"index": f"{alias}-v1", "alias": alias, "is_write_index": False}},
            {"add": {"index": f"{alias}-v2", "alias": alias, "is_write_index": True}},
        ]
    )
    write(es, pipeline, range(100, 120))
    done = newsradar(pipeline, "reindex", "--delete-old")
    assert done.returncode == 0, done.stderr
    assert f"{alias}-v1 -> {alias}-v2" in done.stderr
    assert versions(es, alias) == [f"{alias}-v2"]
    assert not es.indices.exists(index=f"{alias}-v1")
    assert index_count(es, pipeline) == 120
