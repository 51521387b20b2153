"""Move an index to a new version behind its alias, while the pipeline keeps writing.

A changed field type (a keyword that becomes text, a new analyser) cannot be applied to an
existing index: it needs a new index and a copy of the documents. Steps, each safe to run
again if interrupted:

1. create ``<alias>-v<N+1>`` from the current template (``newsradar init`` has put it);
2. make it the alias's write index, the old one stays in the alias for reading: from here
   the worker writes new and re-tagged articles to the new index, and searches see both;
3. copy the old index into the new one: scroll + bulk ``create`` (a document the worker
   wrote meanwhile is newer and is kept), client-side, so it also runs on a cluster without
   the reindex module, with progress;
4. take the old index out of the alias (searches now see only the new one), and delete it
   when asked.

A second, short pass copies what the old index received since the switch (a bulk request
in flight when the alias moved). Ids are the same in both indices, so a document is never
counted twice once step 4 is done.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from newsradar.settings import Settings

_VERSION = re.compile(r"-v(\d+)$")
CATCH_UP = timedelta(minutes=5)  # margin for clocks and bulk requests in flight


class ReindexError(RuntimeError):
    pass


@dataclass
class ReindexReport:
    alias: str
    sources: list[str]
    target: str
    total: int = 0
    created: int = 0
    kept: int = 0  # already in the target (written by the worker during the move)
    failures: int = 0
    deleted_source: bool = False


def _members(es: Any, alias: str) -> dict[str, Any]:
    """``get_alias`` of ``alias``: index name -> its alias settings ({} without the alias)."""
    return dict(es.indices.get_alias(name=alias)) if es.indices.exists_alias(name=alias) else {}


def _by_version(members: dict[str, Any]) -> list[str]:
    return sorted(members, key=lambda n: int(m.group(1)) if (m := _VERSION.search(n)) else 0)


def _writer(members: dict[str, Any], alias: str) -> str | None:
    writers = [n for n, v in members.items() if v["aliases"][alias].get("is_write_index")]
    if writers:
        return str(writers[0])
    return str(next(iter(members))) if len(members) == 1 else None


def versions(es: Any, alias: str) -> list[str]:
    """The concrete indices behind ``alias``, oldest version first."""
    return _by_version(_members(es, alias))


def write_index(es: Any, alias: str) -> str | None:
    """The index ``alias`` writes to (its only index, or the one marked for writing)."""
    return _writer(_members(es, alias), alias)


def next_version(index: str, alias: str) -> str:
    match = _VERSION.search(index)
    if match is None:
        raise ReindexError(f"{index} is not named <alias>-v<N>")
    return f"{alias}-v{int(match.group(1)) + 1}"


def migrate(
    settings: Settings,
    alias: str | None = None,
    *,
    delete_source: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> ReindexReport:
    """Move ``alias`` (default: the articles alias) to its next index version."""
    from newsradar.es import es_client

    alias = alias or settings.index_alias
    es = es_client(settings)
    try:
        members = _members(es, alias)
        current, writer = _by_version(members), _writer(members, alias)
        if writer is None or not current:
            raise ReindexError(f"no index behind {alias}: run `newsradar init` first")
        if len(current) > 1:  # a move that was interrupted: finish it
            target, sources = writer, [n for n in current if n != writer]
        else:
            target, sources = next_version(writer, alias), [writer]
        report = ReindexReport(alias, sources, target)
        if not es.indices.exists(index=target):
            es.indices.create(index=target)  # settings and mappings from the template
        es.cluster.health(index=target, wait_for_status="yellow", timeout="30s")
        es.indices.update_aliases(
            actions=[
                *({"add": {"index": n, "alias": alias, "is_write_index": False}} for n in sources),
                {"add": {"index": target, "alias": alias, "is_write_index": True}},
            ]
        )
        switched = datetime.now(UTC)
        _copy(es, sources, target, report, progress)
        # A bulk request already on its way to the old index when the alias moved may land
        # after the copy's snapshot: copy what was indexed since the switch once more.
        since = (switched - CATCH_UP).isoformat()
        again = ReindexReport(alias, sources, target)
        _copy(es, sources, target, again, None, {"range": {"indexed_at": {"gte": since}}})
        report.created += again.created  # its conflicts are the first pass's copies
        report.failures += again.failures
        if report.failures:
            raise ReindexError(
                f"{report.failures} document(s) failed to copy; {', '.join(sources)} stay in "
                f"{alias}: run it again"
            )
        es.indices.update_aliases(
            actions=[{"remove": {"index": n, "alias": alias}} for n in sources]
        )
        if delete_source:
            es.indices.delete(index=",".join(sources))
            report.deleted_source = True
        return report
    finally:
        es.close()


def _copy(
    es: Any,
    sources: list[str],
    target: str,
    report: ReindexReport,
    progress: Callable[[int, int], None] | None,
    query: dict[str, Any] | None = None,
) -> None:
    """Scroll through ``sources`` and bulk-``create`` into ``target`` (a document already
    there was written by the worker during the move: newer, kept). Client-side, so it works
    on every distribution (the minimal one lacks the ``_reindex`` module)."""
    from elasticsearch.helpers import scan, streaming_bulk

    names = ",".join(sources)
    es.indices.refresh(index=names)
    body: dict[str, Any] = {"query": query or {"match_all": {}}, "sort": ["_doc"]}
    if query is None:
        report.total = int(es.count(index=names)["count"])
    actions = (
        {"_op_type": "create", "_index": target, "_id": hit["_id"], "_source": hit["_source"]}
        for hit in scan(es, index=names, query=body, size=1000)
    )
    for ok, item in streaming_bulk(
        es, actions, chunk_size=1000, raise_on_error=False, max_retries=5, yield_ok=True
    ):
        result = item.get("create", {})
        if ok:
            report.created += 1
        elif result.get("status") == 409:
            report.kept += 1
        else:
            report.failures += 1
        done = report.created + report.kept + report.failures
        if progress is not None and done % 1000 == 0:
            progress(done, report.total)
    es.indices.refresh(index=target)
    if progress is not None:
        progress(report.created + report.kept + report.failures, report.total)
