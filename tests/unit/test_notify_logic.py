"""Pure notifier logic: digest scheduling, quiet period, signing, rendering, retries."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from processors.notify.channels import channel_classes, check_targets
from processors.notify.deliver import RetryPolicy
from processors.notify.message import render
from processors.notify.model import ChannelTarget, Mode, SubscriptionDelivery, target_key
from processors.notify.schedule import due_at, is_due, next_boundary
from processors.notify.signing import sign, signed_headers, verify
from tests.unit.test_notify_support import T0, make_alert, make_subscription


def at(hour: int, minute: int = 0, day: int = 26) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=UTC)


# --- schedule -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("mode", "after", "expected"),
    [
        (Mode.IMMEDIATE, at(10, 17), at(10, 17)),
        (Mode.HOURLY, at(10, 17), at(11)),
        (Mode.HOURLY, at(10, 0), at(11)),  # strictly after
        (Mode.HOURLY, at(23, 30), at(0, day=27)),
        (Mode.DAILY, at(7, 59), at(8)),
        (Mode.DAILY, at(8, 0), at(8, day=27)),
        (Mode.DAILY, at(20, 0), at(8, day=27)),
    ],
)
def test_next_boundary(mode: Mode, after: datetime, expected: datetime) -> None:
    assert next_boundary(mode, after, daily_hour=8) == expected


def test_next_boundary_treats_naive_times_as_utc() -> None:
    assert next_boundary(Mode.HOURLY, datetime(2026, 11, 26, 10, 17)) == at(11)


def test_immediate_without_quiet_period_is_due_at_once() -> None:
    assert due_at(Mode.IMMEDIATE, 0, at(10, 5), last_sent=at(10, 4)) == at(10, 5)


def test_quiet_period_holds_until_the_window_ends() -> None:
    # a message went out at 10:00; with 15 quiet minutes an alert at 10:05 waits to 10:15
    assert due_at(Mode.IMMEDIATE, 15, at(10, 5), last_sent=at(10)) == at(10, 15)
    assert not is_due(Mode.IMMEDIATE, 15, at(10, 5), at(10), now=at(10, 14))
    assert is_due(Mode.IMMEDIATE, 15, at(10, 5), at(10), now=at(10, 15))
    # after the window, alerts go at once
    assert due_at(Mode.IMMEDIATE, 15, at(10, 40), last_sent=at(10)) == at(10, 40)


def test_digest_waits_for_the_boundary_and_the_quiet_period() -> None:
    assert due_at(Mode.HOURLY, 0, at(10, 20), last_sent=None) == at(11)
    assert due_at(Mode.DAILY, 0, at(10, 20), last_sent=None, daily_hour=6) == at(6, day=27)
    assert due_at(Mode.HOURLY, 90, at(10, 20), last_sent=at(10)) == at(11, 30)


# --- signing --------------------------------------------------------------------


def test_signature_is_hmac_sha256_of_timestamp_and_body() -> None:
    import hashlib
    import hmac

    body = b'{"a": 1}'
    expected = hmac.new(b"k", b"1700000000." + body, hashlib.sha256).hexdigest()
    assert sign(body, "k", 1_700_000_000) == f"sha256={expected}"
    headers = signed_headers(body, "k", 1_700_000_000)
    assert headers["X-Newsradar-Timestamp"] == "1700000000"


def test_verify_refuses_tampering_wrong_secret_and_old_timestamps() -> None:
    body, ts = b'{"a": 1}', 1_700_000_000
    good = sign(body, "k", ts)
    assert verify(body, "k", str(ts), good, now=ts + 10)
    assert not verify(b'{"a": 2}', "k", str(ts), good, now=ts)
    assert not verify(body, "other", str(ts), good, now=ts)
    assert not verify(body, "k", str(ts), good, now=ts + 3600)
    assert not verify(body, "k", "not-a-number", good, now=ts)


# --- rendering ------------------------------------------------------------------


def delivery(mode: str = "immediate") -> SubscriptionDelivery:
    return SubscriptionDelivery.from_record(make_subscription(mode=mode))


def test_single_alert_message_names_the_article_and_the_matched_term() -> None:
    msg = render(delivery(), [make_alert(title="КНДР і Росія")], T0)
    assert msg.subject == "[newsradar] name of s1: КНДР і Росія"
    assert "matched: зброя" in msg.text
    assert "https://news.example/a1" in msg.text
    assert msg.alert_ids == ("s1:a1",)
    payload = msg.payload()
    assert payload["subscription"] == {"id": "s1", "name": "name of s1", "query": "зброя"}
    assert payload["alerts"][0]["matched_terms"] == [{"term": "зброя", "positions": [3, 17]}]
    assert "__faust" not in payload["alerts"][0]


def test_folded_and_digest_subjects_count_the_articles() -> None:
    alerts = [make_alert(article="a1"), make_alert(article="a2")]
    assert render(delivery(), alerts, T0).subject == "[newsradar] name of s1: 2 new articles"
    digest = render(delivery("hourly"), alerts, T0)
    assert digest.subject == "[newsradar] name of s1: hourly digest, 2 articles"
    assert digest.text.count("* Title") == 2


def test_render_needs_an_alert_and_body_is_deterministic() -> None:
    with pytest.raises(ValueError):
        render(delivery(), [], T0)
    alerts = [make_alert(article="a2"), make_alert(article="a1")]
    assert render(delivery(), alerts, T0).body() == render(delivery(), alerts[::-1], T0).body()


# --- retries, targets, registry ---------------------------------------------------


def test_backoff_is_exponential_and_capped() -> None:
    assert RetryPolicy(5, 1.0, 5.0).delays() == [1.0, 2.0, 4.0, 5.0]
    assert RetryPolicy(1, 1.0, 5.0).delays() == []


def test_target_key_is_stable_and_tells_targets_apart() -> None:
    a = ChannelTarget("webhook", {"url": "http://a", "secret": "s"})
    b = ChannelTarget("webhook", {"secret": "s", "url": "http://a"})
    c = ChannelTarget("webhook", {"url": "http://b", "secret": "s"})
    assert a.key == b.key == target_key("webhook", {"url": "http://a", "secret": "s"})
    assert a.key != c.key
    assert a.key.startswith("webhook:")


def test_registry_lists_every_channel_once() -> None:
    assert set(channel_classes()) == {"webhook", "email", "apprise"}


def test_check_targets_names_unknown_channels_and_missing_options() -> None:
    problems = check_targets(
        [
            ChannelTarget("pigeon", {}),
            ChannelTarget("webhook", {"url": "ftp://x"}),
            ChannelTarget("email", {"to": "nobody", "cc": "x@y"}),
            ChannelTarget("apprise", {"url": "json://127.0.0.1/x"}),
        ]
    )
    assert problems == [
        "unknown channel 'pigeon' (known: apprise, email, webhook)",
        "webhook: missing option 'secret'",
        "webhook: url must be http(s), got 'ftp://x'",
        "email: unknown option 'cc'",
        "email: not an address: nobody",
    ]


def test_unknown_mode_is_refused() -> None:
    with pytest.raises(ValueError):
        SubscriptionDelivery.from_record(make_subscription(mode="weekly"))
    assert delivery("daily").mode is Mode.DAILY
