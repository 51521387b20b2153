"""The seed article travels feed → ingest → Kafka → tag → index → Elasticsearch for real."""

from __future__ import annotations

from elasticsearch import Elasticsearch

from ingest.normalise import article_id, canonical_url
from ingest.samples import sample_feeds, serve_directory
from newsradar.lag import topic_lags, topic_total
from newsradar.settings import Settings
from newsradar.topology import ARTICLES_RAW, ARTICLES_TAGGED, topic_name
from tests.integration.conftest import Worker, index_count, ingest_samples, newsradar, wait_for

SEED_LINK = (
    "https://www.ukrinform.ua/rubric-world/"
    "3762812-kim-cen-in-nakazav-poglibluvati-vidnosini-z-rosieu.html"
)
SAMPLE_ITEMS = 8  # items in the bundled sample feeds


def test_seed_article_lands_tagged_kp_ru_us(
    pipeline: Settings, worker: Worker, es: Elasticsearch
) -> None:
    done = ingest_samples(pipeline)
    assert done.returncode == 0, done.stderr

    worker.start()
    seed_id = article_id(canonical_url(SEED_LINK))

    def seed_doc() -> dict[str, object] | None:
        found = es.options(ignore_status=404).get(index=pipeline.index_alias, id=seed_id)
        return found["_source"] if found.get("found") else None

    doc = wait_for(seed_doc, 120, "the seed article in Elasticsearch", worker)
    assert doc["title"] == (
        "Кім Чен Ин після візиту до Росії наказав поглиблювати відносини з Москвою"
    )
    assert doc["url"] == SEED_LINK  # tracking parameters removed
    assert doc["published_at"].startswith("2023-09-19T07:32:00")  # 10:32 +03:00 in UTC
    assert doc["countries"] == ["KP", "RU", "US"]
    assert doc["lang"] == "uk"
    assert "зброя" in doc["lemmas"].split()  # the text says only «зброї» and «зброю»
    assert "Північної Кореї" in {m["surface"] for m in doc["mentions"]}

    wait_for(lambda: index_count(es, pipeline) == SAMPLE_ITEMS, 60, "all sample items", worker)

    # `newsradar status` sees the worker group caught up on both of its topics
    def caught_up() -> bool:
        lags = {lag.topic: lag for lag in topic_lags(pipeline)}
        mine = [lags[topic_name(pipeline, t)] for t in (ARTICLES_RAW, ARTICLES_TAGGED)]
        return all(lag.lag == 0 and lag.messages >= SAMPLE_ITEMS for lag in mine)

    wait_for(caught_up, 30, "the worker group's lag to reach 0", worker)

    # a second poll of the same feeds creates no second document
    assert ingest_samples(pipeline).returncode == 0
    wait_for(
        lambda: topic_total(pipeline, topic_name(pipeline, ARTICLES_TAGGED)) >= 2 * SAMPLE_ITEMS,
        60,
        "re-tagged items",
        worker,
    )
    assert index_count(es, pipeline) == SAMPLE_ITEMS


def test_private_feed_addresses_are_refused_by_default(pipeline: Settings) -> None:
    with serve_directory() as base:
        done = newsradar(pipeline, "ingest", "--once", f"{base}/{sample_feeds()[0]}")
    assert done.returncode != 0
    assert "private" in done.stderr.lower() or "loopback" in done.stderr.lower()
