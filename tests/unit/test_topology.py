"""Topic layout and settings."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from newsradar.bootstrap import alerts_template, articles_template, first_index
from newsradar.settings import Settings
from newsradar.topology import topic_specs


def test_every_input_topic_has_a_dead_letter_topic() -> None:
    names = {spec.name for spec in topic_specs(Settings())}
    for base in ("articles.raw", "articles.tagged", "alerts"):
        assert base in names
        assert f"{base}.dlq" in names


def test_topics_have_explicit_partitions_and_retention() -> None:
    specs = topic_specs(Settings(topic_partitions=6, topic_retention_hours=2))
    raw = next(s for s in specs if s.name == "articles.raw")
    assert raw.partitions == 6
    assert raw.configs["retention.ms"] == str(2 * 3_600_000)


def test_prefix_moves_every_topic() -> None:
    specs = topic_specs(Settings(topic_prefix="team-a."))
    assert all(s.name.startswith("team-a.") for s in specs)


def test_mistyped_setting_fails_fast(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSRADAR_TOPIC_PARTITIONS", "many")
    with pytest.raises(ValidationError, match="topic_partitions"):
        Settings()


def test_index_template_follows_the_alias_setting() -> None:
    s = Settings(index_alias="radar-test", index_shards=2)
    template = articles_template(s)
    assert template["index_patterns"] == ["radar-test-*"]
    assert template["template"]["settings"]["number_of_shards"] == 2
    assert first_index(s.index_alias).startswith("radar-test-")


def test_alerts_template_follows_its_alias() -> None:
    template = alerts_template(Settings(alerts_index_alias="alerts-x"))
    assert template["index_patterns"] == ["alerts-x-*"]
    assert template["template"]["mappings"]["dynamic"] == "strict"
