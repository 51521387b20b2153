"""deliver_batch: holding, folding, digests, retries, dedupe on replay, recorded outcomes."""

from __future__ import annotations

import socket
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest

from newsradar.records import Subscription
from newsradar.settings import Settings
from processors.notify import NotifyState, RecordLookup, RetryPolicy, deliver_batch
from processors.notify.channels.webhook import WebhookChannel
from processors.notify.dryrun import print_outcomes
from processors.notify.state import DELIVERED, FAILED, SKIPPED
from tests.unit.test_notify_support import (
    T0,
    MemoryChannel,
    http_receiver,
    make_alert,
    make_subscription,
)

NO_WAIT = RetryPolicy(max_attempts=3, backoff_s=0.0, backoff_max_s=0.0)
ROUNDS = RetryPolicy(max_attempts=2, backoff_s=0.0, backoff_max_s=0.0, rounds_s=(60, 300))


def settings(tmp_path: Path) -> Settings:
    return Settings(home=tmp_path, notify_timeout_s=2.0, notify_allow_private_webhooks=True)


def lookup(*subs: Subscription) -> RecordLookup:
    return RecordLookup({s.id: s for s in subs})


def test_immediate_alert_is_delivered_and_recorded(tmp_path: Path) -> None:
    state = NotifyState.open(tmp_path / "state.sqlite3")
    memory = MemoryChannel(settings(tmp_path))
    report = deliver_batch(
        [make_alert()], state, {"memory": memory}, T0,
        subscriptions=lookup(make_subscription()), policy=NO_WAIT,
    )  # fmt: skip
    assert [m.alert_ids for m in memory.sent] == [("s1:a1",)]
    assert report.alerts(DELIVERED) == 1
    [row] = state.deliveries()
    assert (row.alert_id, row.status, row.attempts, row.last_error) == ("s1:a1", DELIVERED, 1, "")
    assert state.counts() == {DELIVERED: 1, "pending": 0, "retrying": 0}
    assert state.last_sent("s1") == T0


def test_replayed_alert_is_never_sent_twice(tmp_path: Path) -> None:
    state = NotifyState.open(tmp_path / "state.sqlite3")
    memory = MemoryChannel(settings(tmp_path))
    subs = lookup(make_subscription())
    for minute in range(3):
        deliver_batch(
            [make_alert()], state, {"memory": memory}, T0 + timedelta(minutes=minute),
            subscriptions=subs, policy=NO_WAIT,
        )  # fmt: skip
    assert len(memory.sent) == 1
    # even after a restart (a new state object on the same file)
    state.close()
    again = NotifyState.open(tmp_path / "state.sqlite3")
    report = deliver_batch(
        [make_alert()], again, {"memory": memory}, T0, subscriptions=subs, policy=NO_WAIT
    )
    assert len(memory.sent) == 1
    assert report.alerts("duplicate") == 1


def test_retries_with_backoff_then_succeeds(tmp_path: Path) -> None:
    state = NotifyState.open(":memory:")
    memory = MemoryChannel(settings(tmp_path), fail=2)
    waits: list[float] = []
    report = deliver_batch(
        [make_alert()], state, {"memory": memory}, T0,
        subscriptions=lookup(make_subscription()),
        policy=RetryPolicy(max_attempts=4, backoff_s=0.5, backoff_max_s=10), sleep=waits.append,
    )  # fmt: skip
    assert waits == [0.5, 1.0]
    assert report.alerts(DELIVERED) == 1
    assert state.deliveries()[0].attempts == 3


def test_exhausted_retries_are_recorded_as_failed_with_the_error(tmp_path: Path) -> None:
    state = NotifyState.open(":memory:")
    memory = MemoryChannel(settings(tmp_path), fail=10)
    report = deliver_batch(
        [make_alert()], state, {"memory": memory}, T0,
        subscriptions=lookup(make_subscription()), policy=NO_WAIT,
    )  # fmt: skip
    assert memory.calls == 3
    [row] = state.deliveries(status=FAILED)
    assert (row.attempts, row.last_error) == (3, "temporarily down")
    assert report.alerts(FAILED) == 1
    assert state.counts()["pending"] == 0  # settled: recorded, not silently dropped


@pytest.mark.parametrize("policy", [NO_WAIT, ROUNDS], ids=["no-wait", "later-rounds"])
def test_permanent_error_is_not_retried(tmp_path: Path, policy: RetryPolicy) -> None:
    state = NotifyState.open(":memory:")
    memory = MemoryChannel(settings(tmp_path), fail=10, permanent=True)
    deliver_batch(
        [make_alert()], state, {"memory": memory}, T0,
        subscriptions=lookup(make_subscription()), policy=policy,
    )  # fmt: skip
    assert memory.calls == 1
    assert state.deliveries()[0].status == FAILED
    assert state.counts()["retrying"] == 0  # and no later round either


def test_temporary_failure_gets_a_later_round_on_the_failing_target_only(
    tmp_path: Path,
) -> None:
    state = NotifyState.open(":memory:")
    good, flaky = MemoryChannel(settings(tmp_path)), MemoryChannel(settings(tmp_path), fail=2)
    channels = {"memory": good, "flaky": flaky}
    subs = lookup(make_subscription(channels=[("memory", {}), ("flaky", {})]))
    first = deliver_batch([make_alert()], state, channels, T0, subscriptions=subs, policy=ROUNDS)
    [failed] = [o for o in first.outcomes if o.status == FAILED]
    assert failed.due_at == T0 + timedelta(seconds=60)
    assert state.counts()["retrying"] == 1
    # not before the round is due
    deliver_batch(
        [], state, channels, T0 + timedelta(seconds=59), subscriptions=subs, policy=ROUNDS
    )
    assert (good.calls, flaky.calls) == (1, 2)
    later = deliver_batch(
        [], state, channels, T0 + timedelta(seconds=61), subscriptions=subs, policy=ROUNDS
    )
    assert (good.calls, flaky.calls) == (1, 3)  # only the target that failed
    assert later.alerts(DELIVERED) == 1
    assert [m.alert_ids for m in flaky.sent] == [("s1:a1",)]
    assert state.counts() == {DELIVERED: 2, "pending": 0, "retrying": 0}
    assert {r.attempts for r in state.deliveries() if r.target.startswith("flaky")} == {3}


def test_later_rounds_end_and_the_failure_stays_recorded(tmp_path: Path) -> None:
    state = NotifyState.open(":memory:")
    down = MemoryChannel(settings(tmp_path), fail=100)
    subs = lookup(make_subscription())
    moments = [T0, T0 + timedelta(seconds=61), T0 + timedelta(seconds=400), T0 + timedelta(days=1)]
    for moment in moments:
        deliver_batch(
            [make_alert()] if moment == T0 else [], state, {"memory": down}, moment,
            subscriptions=subs, policy=ROUNDS,
        )  # fmt: skip
    assert down.calls == 2 * 3  # the first round and the two later ones
    [row] = state.deliveries(status=FAILED)
    assert (row.attempts, row.last_error) == (6, "temporarily down")
    assert state.counts()["retrying"] == 0


def test_paused_subscription_drops_its_later_rounds(tmp_path: Path) -> None:
    state = NotifyState.open(":memory:")
    memory = MemoryChannel(settings(tmp_path), fail=2)
    deliver_batch(
        [make_alert()], state, {"memory": memory}, T0,
        subscriptions=lookup(make_subscription()), policy=ROUNDS,
    )  # fmt: skip
    report = deliver_batch(
        [], state, {"memory": memory}, T0 + timedelta(seconds=61),
        subscriptions=lookup(make_subscription(paused=True)), policy=ROUNDS,
    )  # fmt: skip
    assert memory.calls == 2
    assert report.alerts(SKIPPED) == 1
    assert state.counts()["retrying"] == 0


def _dead_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_a_failing_channel_does_not_block_the_others(tmp_path: Path) -> None:
    cfg = settings(tmp_path)
    memory = MemoryChannel(cfg)
    dead = {"url": f"http://127.0.0.1:{_dead_port()}/hook", "secret": "k"}
    with http_receiver() as (url, received):
        live = {"url": f"{url}/hook", "secret": "k"}
        sub = make_subscription(
            channels=[("webhook", dead), ("webhook", live), ("memory", {}), ("pigeon", {})]
        )
        state = NotifyState.open(":memory:")
        slept: list[float] = []
        report = deliver_batch(
            [make_alert()], state, {"memory": memory, "webhook": WebhookChannel(cfg)}, T0,
            subscriptions=lookup(sub), policy=RetryPolicy(3, 0.2, 1.0), sleep=slept.append,
        )  # fmt: skip
        assert len(received.requests) == 1
    assert len(memory.sent) == 1
    by_channel = {(o.channel, o.status) for o in report.outcomes}
    assert by_channel == {
        ("webhook", DELIVERED), ("webhook", FAILED), ("memory", DELIVERED), ("pigeon", FAILED)
    }  # fmt: skip
    failed = {r.target.split(":")[0]: r for r in state.deliveries(status=FAILED)}
    assert "ConnectError" in failed["webhook"].last_error
    assert failed["webhook"].attempts == 3
    assert failed["pigeon"].last_error == "unknown channel 'pigeon'"


def test_slow_channels_are_delivered_concurrently(tmp_path: Path) -> None:
    class Slow(MemoryChannel):
        def send(self, message: object, options: object) -> None:
            time.sleep(0.3)

    subs = [make_subscription(f"s{i}", channels=[("slow", {})]) for i in range(4)]
    start = time.monotonic()
    report = deliver_batch(
        [make_alert(f"s{i}") for i in range(4)], NotifyState.open(":memory:"),
        {"slow": Slow(settings(tmp_path))}, T0, subscriptions=lookup(*subs), policy=NO_WAIT,
    )  # fmt: skip
    assert report.alerts(DELIVERED) == 4
    assert time.monotonic() - start < 0.9


def test_quiet_period_folds_a_burst_into_the_next_message(tmp_path: Path) -> None:
    state = NotifyState.open(":memory:")
    memory = MemoryChannel(settings(tmp_path))
    subs = lookup(make_subscription(quiet_minutes=10))

    def batch(articles: list[str], minute: int) -> None:
        alerts = [make_alert(article=a) for a in articles]
        now = T0 + timedelta(minutes=minute)
        deliver_batch(alerts, state, {"memory": memory}, now, subscriptions=subs, policy=NO_WAIT)

    batch(["a1"], 0)  # first one goes at once
    batch(["a2", "a3"], 2)  # held: quiet until 10:10
    batch(["a4"], 7)
    batch([], 9)
    assert [m.alert_ids for m in memory.sent] == [("s1:a1",)]
    batch([], 10)  # the window ended: one message with the three held alerts
    assert [len(m.alerts) for m in memory.sent] == [1, 3]
    assert memory.sent[1].subject == "[newsradar] name of s1: 3 new articles"
    batch(["a5"], 21)  # next window passed too
    assert [len(m.alerts) for m in memory.sent] == [1, 3, 1]


def test_hourly_digest_accumulates_and_survives_a_restart(tmp_path: Path) -> None:
    path = tmp_path / "state.sqlite3"
    memory = MemoryChannel(settings(tmp_path))
    subs = lookup(make_subscription(mode="hourly"))
    state = NotifyState.open(path)
    report = deliver_batch(
        [make_alert(article="a1")], state, {"memory": memory}, T0 + timedelta(minutes=5),
        subscriptions=subs, policy=NO_WAIT,
    )  # fmt: skip
    [held] = report.outcomes
    assert (held.status, held.due_at) == ("held", T0 + timedelta(hours=1))
    state.close()
    state = NotifyState.open(path)  # the process restarted
    deliver_batch(
        [make_alert(article="a2")], state, {"memory": memory}, T0 + timedelta(minutes=50),
        subscriptions=subs, policy=NO_WAIT,
    )  # fmt: skip
    assert memory.sent == []
    deliver_batch(
        [], state, {"memory": memory}, T0 + timedelta(hours=1),
        subscriptions=subs, policy=NO_WAIT,
    )  # fmt: skip
    [digest] = memory.sent
    assert digest.alert_ids == ("s1:a1", "s1:a2")
    assert "hourly digest, 2 articles" in digest.subject
    assert state.counts() == {DELIVERED: 2, "pending": 0, "retrying": 0}


def test_paused_and_unknown_subscriptions_are_skipped_and_recorded(tmp_path: Path) -> None:
    state = NotifyState.open(":memory:")
    memory = MemoryChannel(settings(tmp_path))
    report = deliver_batch(
        [make_alert("paused"), make_alert("gone"), make_alert("nochan")], state,
        {"memory": memory}, T0,
        subscriptions=lookup(
            make_subscription("paused", paused=True), make_subscription("nochan", channels=[])
        ),
        policy=NO_WAIT,
    )  # fmt: skip
    assert memory.sent == []
    reasons = {o.subscription_id: o.error for o in report.outcomes if o.status == SKIPPED}
    assert reasons["paused"] == "subscription paused"
    assert reasons["gone"] == "unknown subscription (deleted?)"
    assert reasons["nochan"] == "subscription has no channels"
    assert {r.status for r in state.deliveries()} == {SKIPPED}


def test_dry_run_state_is_a_snapshot_and_prints_what_sends_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "state.sqlite3"
    real = NotifyState.open(path)
    memory = MemoryChannel(settings(tmp_path))
    subs = lookup(make_subscription(), make_subscription("h", mode="hourly"))
    deliver_batch([make_alert()], real, {"memory": memory}, T0, subscriptions=subs)
    real.close()

    dry = NotifyState.snapshot(path)
    report = deliver_batch(
        [make_alert(), make_alert("h"), make_alert("gone")], dry, {"memory": memory}, T0,
        subscriptions=subs, policy=NO_WAIT,
    )  # fmt: skip
    print_outcomes(report, sys.stdout)
    out = capsys.readouterr().out.splitlines()
    assert out == [
        "--- s1: already delivered: s1:a1",
        "--- gone: skipped (unknown subscription (deleted?)): gone:a1",
        "--- h: held until 2026-11-26 11:00 UTC: h:a1",
    ]
    assert len(memory.sent) == 1
    dry.close()
    after = NotifyState.open(path)  # the file did not change
    assert after.counts() == {DELIVERED: 1, "pending": 0, "retrying": 0}
    assert NotifyState.snapshot(tmp_path / "absent.sqlite3").counts() == {
        "pending": 0,
        "retrying": 0,
    }
