"""The stream matcher and the translated Elasticsearch query agree on the same articles.

Articles in several languages are lemmatised with the real language layer, indexed into a
throwaway index built from the production template (``deploy/elasticsearch``), and every
query is run both ways: through :func:`newsradar.query.matches` and as
:func:`newsradar.query.to_es` against the real Elasticsearch.
"""

from __future__ import annotations

import random
import re
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from elasticsearch import Elasticsearch

from newsradar.bootstrap import BootstrapReport, ensure_index, first_index
from newsradar.es import es_client
from newsradar.lang import lemma_stream
from newsradar.query import Analyzer, MatchDoc, matches, to_es
from newsradar.settings import Settings

pytestmark = pytest.mark.integration

SEED = Path(__file__).resolve().parents[1] / "data" / "seed_article_uk.txt"

ARTICLES: list[dict[str, Any]] = [
    {"id": "uk-1", "lang": "uk", "countries": ["KP", "RU"], "topics": ["weapons"],
     "source": "Ukrinform", "text": "Пхеньян заперечує продаж зброї Росії. Угода про зброю."},
    {"id": "uk-2", "lang": "uk", "countries": ["KP"], "topics": [], "source": "Ukrinform",
     "text": "Технології для атомних підводних човнів і супутників."},
    {"id": "ru-1", "lang": "ru", "countries": ["RU"], "topics": ["weapons"], "source": "TASS",
     "text": "Поставки оружия и ракет обсуждались в Москве."},
    {"id": "en-1", "lang": "en", "countries": ["RU", "US"], "topics": ["energy"],
     "source": "Reuters", "text": "New sanctions on Russian oil exports were announced today."},
    {"id": "en-2", "lang": "en", "countries": ["CN"], "topics": [], "source": "AP",
     "text": "Oil prices fell; the sanctioned tanker sailed on."},
    {"id": "de-1", "lang": "de", "countries": ["DE", "RU"], "topics": ["energy"],
     "source": "DW", "text": "Neue Sanktionen gegen russisches Öl und Gas."},
    {"id": "pl-1", "lang": "pl", "countries": ["PL"], "topics": ["elections"], "source": "PAP",
     "text": "Wybory parlamentarne i sankcje wobec Rosji."},
    {"id": "xx-1", "lang": None, "countries": [], "topics": [], "source": "unknown",
     "text": "sanctions oil зброї"},
]  # fmt: skip

QUERIES = [
    "зброя",
    '"підводний човен"',
    "зброя AND country:CN",
    "зброя AND country:KP",
    "sanction* NEAR/5 oil",
    "sanction NEAR/3 oil",
    "sanctions",
    "topic:elections AND lang:pl",
    "(oil OR gas) AND NOT country:CN",
    "NOT topic:weapons",
    "source:reuters OR source:ukrinform",
    "Sanktion OR sankcja OR санкція",
    '"russian oil" OR оружие',
    "ракета NEAR/2 оружие",
]


@pytest.fixture(scope="module")
def index(stack: Settings) -> Iterator[tuple[Elasticsearch, str]]:
    settings = stack.model_copy(
        update={
            "index_alias": f"nr-it-query-{uuid.uuid4().hex[:8]}",
            "alerts_index_alias": f"nr-it-query-alerts-{uuid.uuid4().hex[:8]}",
        }
    )
    ensure_index(settings, BootstrapReport())
    es = es_client(settings)
    articles = list(ARTICLES)
    if SEED.is_file():
        seed = SEED.read_text(encoding="utf-8")
        articles.append({"id": "seed", "lang": "uk", "countries": ["KP", "RU", "US"],
                         "topics": ["weapons"], "source": "Ukrinform", "text": seed})  # fmt: skip
    now = datetime.now(UTC).isoformat()
    for article in articles:
        doc = {key: article[key] for key in ("id", "countries", "topics", "source", "text")}
        if article["lang"]:
            doc["lang"] = article["lang"]
        doc.update(
            url=f"https://example.org/{article['id']}",
            title="",
            lemmas=" ".join(lemma_stream(article["text"], article["lang"])),
            published_at=now,
        )
        es.index(index=settings.index_alias, id=article["id"], document=doc)
    es.indices.refresh(index=settings.index_alias)
    yield es, settings.index_alias
    for alias in (settings.index_alias, settings.alerts_index_alias):
        es.indices.delete(index=first_index(alias), ignore_unavailable=True)
        es.indices.delete_index_template(name=f"{alias}-template")
    es.close()


@pytest.mark.parametrize("query", QUERIES)
def test_stream_matcher_and_elasticsearch_agree(
    index: tuple[Elasticsearch, str], query: str
) -> None:
    es, alias = index
    analyzer = Analyzer.default()
    found = es.search(index=alias, query=to_es(query, analyzer), size=100, source=False)
    from_es = {hit["_id"] for hit in found["hits"]["hits"]}
    docs = es.search(index=alias, query={"match_all": {}}, size=100)["hits"]["hits"]
    from_stream = {
        hit["_id"]
        for hit in docs
        if matches(query, MatchDoc.from_article(_Stored(hit["_source"])), analyzer)
    }
    assert from_es == from_stream


def test_seed_article_fires_the_issue_queries(index: tuple[Elasticsearch, str]) -> None:
    es, alias = index
    analyzer = Analyzer.default()
    for query, expected in [("зброя", True), ('"підводний човен"', True),
                            ("зброя AND country:CN", False)]:  # fmt: skip
        body = {
            "bool": {"must": [to_es(query, analyzer)], "filter": [{"ids": {"values": ["seed"]}}]}
        }
        assert (es.count(index=alias, query=body)["count"] == 1) is expected, query


class _Stored:
    """An indexed document seen through the matcher's ArticleLike protocol."""

    def __init__(self, source: dict[str, Any]) -> None:
        self.lemmas: str = source["lemmas"]
        self.lang: str | None = source.get("lang")
        self.countries: list[str] = source.get("countries", [])
        self.topics: list[str] = source.get("topics", [])
        self.source: str = source.get("source", "")


def _random_query(rng: random.Random, words: list[str], depth: int = 0) -> str:
    roll = rng.random()
    if depth > 2 or roll < 0.3:
        word = rng.choice(words)
        return f"{word[:4]}*" if len(word) > 5 and rng.random() < 0.2 else word
    if roll < 0.4:
        return f'"{rng.choice(words)} {rng.choice(words)}"'
    if roll < 0.5:
        field, value = rng.choice(
            [("country", "RU"), ("country", "KP"), ("lang", "uk"), ("lang", "en"),
             ("topic", "energy"), ("topic", "weapons"), ("source", "reuters")]
        )  # fmt: skip
        return f"{field}:{value}"
    if roll < 0.6:
        return f"{rng.choice(words)} NEAR/{rng.randint(0, 4)} {rng.choice(words)}"
    if roll < 0.75:
        return (
            f"({_random_query(rng, words, depth + 1)} AND {_random_query(rng, words, depth + 1)})"
        )
    if roll < 0.9:
        return f"({_random_query(rng, words, depth + 1)} OR {_random_query(rng, words, depth + 1)})"
    return f"NOT {_random_query(rng, words, depth + 1)}"


def test_generated_queries_agree(index: tuple[Elasticsearch, str]) -> None:
    es, alias = index
    analyzer = Analyzer.default()
    rng = random.Random(7)
    words = sorted({w for a in ARTICLES for w in re.findall(r"[^\W\d_]{3,}", a["text"])})
    docs = es.search(index=alias, query={"match_all": {}}, size=100)["hits"]["hits"]
    views = {hit["_id"]: MatchDoc.from_article(_Stored(hit["_source"])) for hit in docs}
    sizes = []
    for _ in range(150):
        query = _random_query(rng, words)
        found = es.search(index=alias, query=to_es(query, analyzer), size=100, source=False)
        from_es = {hit["_id"] for hit in found["hits"]["hits"]}
        from_stream = {i for i, view in views.items() if matches(query, view, analyzer)}
        assert from_es == from_stream, query
        sizes.append(len(from_stream))
    # The generated queries are not all trivially empty or all-matching.
    assert sum(0 < n < len(views) for n in sizes) >= 40, sizes
