"""Matching tagged articles against subscriptions (the alert agent's pure logic)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from newsradar.records import Subscription, TaggedArticle, encode
from newsradar.subscriptions import SubscriptionError, new_subscription
from processors.alert_stage import SubscriptionIndex, alert_document, alert_id
from processors.tag_stage import tag_article
from processors.tagging import get_tagger
from tests.factories import make_article

SEED = (Path(__file__).parent.parent / "data" / "seed_article_uk.txt").read_text()
NOW = datetime(2023, 9, 19, 7, 32, tzinfo=UTC)


@pytest.fixture(scope="module")
def seed() -> TaggedArticle:
    article = make_article(
        id="seed", url="https://www.ukrinform.ua/x.html", title="", text=SEED, published_at=NOW
    )
    return tag_article(get_tagger(), article)


def index_of(*subs: Subscription) -> SubscriptionIndex:
    index = SubscriptionIndex()
    for sub in subs:
        index.apply(sub.id.encode(), encode(sub))
    return index


def sub(query: str, sub_id: str) -> Subscription:
    return new_subscription(query, sub_id=sub_id, now=NOW)


def test_the_seed_fires_the_issue_subscriptions(seed: TaggedArticle) -> None:
    index = index_of(
        sub("зброя", "weapons"),
        sub('"підводний човен"', "submarine"),
        sub("зброя AND country:CN", "weapons-cn"),
        sub("зброя AND country:KP AND lang:uk", "weapons-kp"),
    )
    alerts = {a.subscription_id: a for a in index.alerts_for(seed, now=NOW)}
    assert set(alerts) == {"weapons", "submarine", "weapons-kp"}
    weapons = alerts["weapons"]
    assert weapons.id == alert_id("weapons", "seed")
    assert weapons.matched_terms[0].term == "зброя"
    assert len(weapons.matched_terms[0].positions) == 3  # зброю, зброї, зброї
    lemmas = seed.lemmas.split()
    assert all(lemmas[p] == "зброя" for p in weapons.matched_terms[0].positions)


def test_pause_update_and_delete_take_effect(seed: TaggedArticle) -> None:
    weapons = sub("зброя", "w")
    index = index_of(weapons)
    assert len(index.alerts_for(seed)) == 1
    paused = Subscription(**{**weapons.asdict(), "paused": True})
    index.apply(b"w", encode(paused))
    assert index.alerts_for(seed) == []
    changed = Subscription(**{**weapons.asdict(), "query": "country:CN"})
    index.apply(b"w", encode(changed))
    assert index.alerts_for(seed) == []
    index.apply(b"w", encode(weapons))
    assert len(index.alerts_for(seed)) == 1
    index.apply(b"w", None)  # tombstone
    assert index.alerts_for(seed) == [] and len(index) == 0


def test_a_stored_query_that_no_longer_parses_is_set_aside() -> None:
    broken = Subscription(**{**sub("x", "b").asdict(), "query": "(unclosed"})
    index = index_of(broken)
    assert "b" in index.rejected and len(index) == 0


def test_invalid_queries_are_refused_with_the_position() -> None:
    with pytest.raises(SubscriptionError, match="does not parse"):
        new_subscription("зброя AND (", sub_id="x")


def test_alert_document_fields(seed: TaggedArticle) -> None:
    import json

    from newsradar.bootstrap import ALERTS_TEMPLATE

    mapping = json.loads(ALERTS_TEMPLATE.read_text())["template"]["mappings"]["properties"]
    alert = index_of(sub("зброя", "w")).alerts_for(seed)[0]
    assert set(alert_document(alert)) <= set(mapping)
