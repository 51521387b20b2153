"""The notifier's edges without Kafka: decoding a polled batch, ``notify-status``."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from kafka.consumer.fetcher import ConsumerRecord
from prometheus_client import REGISTRY
from typer.testing import CliRunner

from newsradar.cli import build_app
from newsradar.records import DeadLetter, decode, encode
from processors.notify.consumer import _decode_batch, state_path
from processors.notify.state import DELIVERED, FAILED, NotifyState
from tests.unit.test_notify_support import T0, make_alert


def record(offset: int, value: bytes | None) -> ConsumerRecord:
    return ConsumerRecord(
        "alerts", 2, None, offset, 0, 0, b"s1", value, [], None, 2, len(value or b""), 0
    )


class Producer:
    """Keeps what would go to the dead-letter topic."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, Any, bytes]] = []

    def send(self, topic: str, key: Any = None, value: bytes = b"") -> None:
        self.sent.append((topic, key, value))


def dead_letters() -> float:
    labels = {"stage": "notify", "outcome": "dead_letter"}
    return REGISTRY.get_sample_value("newsradar_events_total", labels) or 0.0


def test_undecodable_alerts_go_to_the_dead_letter_topic() -> None:
    batch = {"tp": [record(7, encode(make_alert())), record(8, b"{not json"), record(9, None)]}
    producer = Producer()
    before = dead_letters()
    alerts = _decode_batch(batch, "alerts", producer, io.StringIO())
    assert dead_letters() == before + 2
    assert [a.id for a in alerts] == ["s1:a1"]
    assert [(topic, key) for topic, key, _ in producer.sent] == [
        ("alerts.dlq", b"s1"), ("alerts.dlq", b"s1")
    ]  # fmt: skip
    letter = decode(DeadLetter, producer.sent[0][2])
    assert (letter.stage, letter.partition, letter.offset) == ("notify", 2, 8)
    assert letter.reason.startswith("not JSON")
    out = io.StringIO()
    _decode_batch(batch, "alerts", None, out)  # dry run: printed, not produced
    assert out.getvalue().count("would dead-letter") == 2


def test_notify_status_shows_counts_and_failures(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from newsradar.settings import Settings, get_settings

    monkeypatch.setenv("NEWSRADAR_HOME", str(tmp_path))
    get_settings.cache_clear()
    try:
        runner = CliRunner()
        empty = runner.invoke(build_app(), ["notify-status"])
        assert empty.exit_code == 0 and "no notifier state yet" in empty.output
        state = NotifyState.open(state_path(Settings(home=tmp_path)))
        state.record(["x1"], "s1", "webhook:abc", DELIVERED, 1, "", T0)
        state.record(["x2"], "s1", "email:def", FAILED, 4, "ConnectError: refused", T0)
        state.close()
        result = runner.invoke(build_app(), ["notify-status", "--status", "failed"])
        assert result.exit_code == 0, result.output
        lines = result.output.splitlines()
        assert lines[0] == "delivered: 1  failed: 1  pending: 0  retrying: 0"
        assert lines[1:] == [
            "2026-11-26 10:00:00  failed    x2  s1  email:def  attempts=4  ConnectError: refused"
        ]
    finally:
        get_settings.cache_clear()
