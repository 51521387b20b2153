"""Subscriptions from the CLI on the real Kafka store; preview over the real index agrees
with the stream matcher on the same articles."""

from __future__ import annotations

import json
import subprocess
from datetime import UTC, datetime, timedelta

import pytest
from elasticsearch import Elasticsearch

from newsradar.query.es import search_body
from newsradar.query.index import QueryIndex, match_article
from newsradar.records import TaggedArticle
from newsradar.settings import Settings
from processors.index_stage import bulk_operations, to_document
from processors.tag_stage import tag_article
from processors.tagging import get_tagger
from tests.factories import make_article
from tests.integration.conftest import newsradar

NOW = datetime.now(UTC).replace(microsecond=0)

TEXTS = [
    ("uk", "Північна Корея передала Росії артилерійські снаряди та ракети, кажуть у Сеулі."),
    ("uk", "Підводних човнів у флоті КНДР стає більше, повідомила розвідка."),
    ("ru", "Россия и Китай провели совместные учения подводных лодок в Японском море."),
    ("ru", "Москва ввела ответные санкции против Польши."),
    ("en", "The EU adopted new sanctions on Russian oil and gas exports."),
    ("en", "North Korea launched a spy satellite on a new rocket, Japan said."),
    ("pl", "Polska kupi nowe czołgi i rakiety od Korei Południowej."),
    ("de", "Deutschland liefert weitere Waffen an die Ukraine, sagte der Kanzler."),
    ("fr", "La France et l'Allemagne discutent de nouvelles sanctions contre l'Iran."),
    ("es", "España envió ayuda humanitaria a Marruecos tras el terremoto."),
    ("uk", "Уряд Польщі обговорив з Литвою постачання зброї Україні."),
    ("en", "Elections in Poland: the opposition won a majority in the Sejm."),
]
QUERIES = [
    "зброя",
    '"підводний човен"',
    "ракета",
    "sanction*",
    "санкция OR sanction",
    "country:KP",
    "country:RU AND NOT country:CN",
    "satellite NEAR/3 rocket",
    "lang:pl OR lang:de",
    "topic:elections",
    "(зброя OR Waffe) AND country:UA",
    "North Korea",
]


@pytest.fixture
def tagged_articles() -> list[TaggedArticle]:
    tagger = get_tagger()
    out = []
    for i, (lang, text) in enumerate(TEXTS):
        article = make_article(
            id=f"agree-{i}", title="", text=text, lang=lang,
            published_at=NOW - timedelta(hours=i), fetched_at=NOW,
        )  # fmt: skip
        out.append(tag_article(tagger, article))
    return out


def test_stream_matcher_and_elasticsearch_agree(
    pipeline: Settings, es: Elasticsearch, tagged_articles: list[TaggedArticle]
) -> None:
    docs = [to_document(a) for a in tagged_articles]
    es.bulk(operations=bulk_operations(pipeline.index_alias, docs), refresh=True)
    index: QueryIndex[str] = QueryIndex()
    for q in QUERIES:
        index.add(q, q)
    stream: dict[str, set[str]] = {q: set() for q in QUERIES}
    for article in tagged_articles:
        for q, _ in match_article(index, article, article.source):
            stream[q].add(article.id)
    fired_somewhere = 0
    for q in QUERIES:
        body = search_body(q, since=NOW - timedelta(days=7), size=100)
        hits = es.search(index=pipeline.index_alias, **body)["hits"]["hits"]
        assert {h["_id"] for h in hits} == stream[q], q
        fired_somewhere += bool(stream[q])
    assert fired_somewhere >= len(QUERIES) - 1  # the check is not vacuous


def test_subscription_lifecycle_from_the_cli(pipeline: Settings) -> None:
    def cli(*args: str) -> str:
        done = newsradar(pipeline, "subscriptions", *args)
        assert done.returncode == 0, done.stderr
        return done.stdout

    created = json.loads(
        cli(
            "create",
            "зброя AND country:KP",
            "--id",
            "kp-weapons",
            "--channel",
            "webhook:url=http://127.0.0.1:1/hook,secret=s",
        )
    )
    assert created["channels"] == [
        {"type": "webhook", "options": {"url": "http://127.0.0.1:1/hook", "secret": "s"}}
    ]
    assert json.loads(cli("pause", "kp-weapons"))["paused"] is True
    assert json.loads(cli("update", "kp-weapons", "--mode", "daily"))["mode"] == "daily"
    listed = [json.loads(line) for line in cli("list", "--json").splitlines()]
    assert [s["id"] for s in listed] == ["kp-weapons"]
    cli("delete", "kp-weapons")
    assert cli("list", "--json").strip() == ""

    bad = newsradar(pipeline, "subscriptions", "create", "зброя AND (country:KP")
    assert bad.returncode == 2
    assert "position" in bad.stderr.lower() or "column" in bad.stderr.lower()


def test_backfill_fires_what_the_stream_would_have(
    pipeline: Settings, es: Elasticsearch, tagged_articles: list[TaggedArticle]
) -> None:
    docs = [to_document(a) for a in tagged_articles]
    es.bulk(operations=bulk_operations(pipeline.index_alias, docs), refresh=True)

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return newsradar(pipeline, "subscriptions", *args)

    assert cli("create", "ракета OR rocket", "--id", "rockets").returncode == 0
    dry = cli("backfill", "rockets", "--since", "7d", "--dry-run")
    assert dry.returncode == 0, dry.stderr
    expected = {a.id for a in tagged_articles
                if match_article(_index_of("ракета OR rocket"), a, a.source)}  # fmt: skip
    assert {json.loads(line)["article"] for line in dry.stdout.splitlines()} == expected
    assert len(expected) >= 2
    for _ in range(2):  # twice: the same alert ids, no second document
        assert cli("backfill", "rockets", "--since", "7d").returncode == 0
    es.indices.refresh(index=pipeline.alerts_index_alias)
    assert es.count(index=pipeline.alerts_index_alias)["count"] == len(expected)
    assert "disagree" not in dry.stderr


def _index_of(query: str) -> QueryIndex[str]:
    index: QueryIndex[str] = QueryIndex()
    index.add(query, query)
    return index


def test_following_store_sees_every_change_and_reads_only_what_is_new(pipeline: Settings) -> None:
    from newsradar.records import Subscription
    from newsradar.subscriptions import SubscriptionStore

    def sub(sub_id: str, query: str) -> Subscription:
        return Subscription(
            id=sub_id, name=sub_id, query=query, created_at=NOW, updated_at=NOW, channels=[]
        )

    writer = SubscriptionStore(pipeline)
    follower = SubscriptionStore(pipeline, follow=True)
    try:
        assert follower.load() == {}
        writer.create(sub("a", "зброя"))
        writer.create(sub("b", "sanctions"))
        assert sorted(follower.load()) == ["a", "b"]
        follower.update("a", query="зброя AND country:KP")  # its own write, read back at once
        assert follower.load()["a"].query == "зброя AND country:KP"
        writer.delete("b")
        assert sorted(follower.load()) == ["a"]
        log = follower._log
        assert log is not None
        # the follower kept its position: nothing before it is read again
        positions = {tp: log.consumer.position(tp) for tp in log.partitions}
        assert sum(positions.values()) == 4  # a, b, a again, the tombstone of b
    finally:
        writer.close()
        follower.close()
