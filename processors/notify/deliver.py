"""Deliver a batch of alerts: hold, fold, render, send to every target, record.

:func:`deliver_batch` is the whole notifier minus Kafka. Each alert is first held in the
durable state; then every subscription whose held alerts are due (immediate, end of the
quiet period, digest boundary) gets ONE message per channel target listing them. Targets
are delivered concurrently, each with its own bounded retries and timeouts, so a failing
channel never delays or blocks the others. Every outcome is recorded; an alert already
delivered on a target is not sent there again. A target that still fails with a temporary
error (timeout, 5xx, 429, connection refused) gets later rounds on a slower schedule
(``RetryPolicy.rounds_s``: minutes to hours), on its own, so an endpoint that is down for an
hour still gets its alerts; a permanent error (4xx, bad options) is not retried.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import NamedTuple

from newsradar.records import Alert
from newsradar.settings import Settings
from processors.notify.channels.base import Channel, DeliveryError
from processors.notify.message import Message, render
from processors.notify.model import ChannelTarget, DeliveryLookup, SubscriptionDelivery
from processors.notify.schedule import as_utc, due_at
from processors.notify.state import DELIVERED, FAILED, SKIPPED, NotifyState

log = logging.getLogger("newsradar.notify")

HELD = "held"
DUPLICATE = "duplicate"


@dataclass(frozen=True)
class RetryPolicy:
    """Bounded exponential backoff: ``backoff_s``, doubled each retry, capped; then, for a
    temporary failure, later rounds ``rounds_s`` seconds apart (none: give up at once)."""

    max_attempts: int = 4
    backoff_s: float = 1.0
    backoff_max_s: float = 30.0
    rounds_s: tuple[float, ...] = ()

    def delays(self) -> list[float]:
        """The waits between attempts (``max_attempts - 1`` of them)."""
        return [
            min(self.backoff_max_s, self.backoff_s * 2**n) for n in range(self.max_attempts - 1)
        ]

    @classmethod
    def from_settings(cls, settings: Settings) -> RetryPolicy:
        return cls(
            settings.notify_max_attempts,
            settings.notify_backoff_s,
            settings.notify_backoff_max_s,
            tuple(settings.notify_retry_rounds_s),
        )


@dataclass(frozen=True)
class Outcome:
    """What happened to some alerts of one subscription on one target (or all targets)."""

    subscription_id: str
    status: str  # delivered | failed | skipped | held | duplicate
    alert_ids: tuple[str, ...]
    channel: str = ""
    target: str = ""
    attempts: int = 0
    error: str = ""
    due_at: datetime | None = None
    message: Message | None = None


@dataclass
class BatchReport:
    received: int = 0
    outcomes: list[Outcome] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(1 for o in self.outcomes if o.status == status)

    def alerts(self, status: str) -> int:
        return sum(len(o.alert_ids) for o in self.outcomes if o.status == status)


@dataclass(frozen=True)
class _Job:
    sub: SubscriptionDelivery
    target: ChannelTarget
    channel: Channel
    message: Message
    alerts: tuple[Alert, ...]
    rounds: int = 0  # later rounds tried before this one


class Attempt(NamedTuple):
    status: str  # delivered | failed
    attempts: int
    error: str
    temporary: bool = False  # failed, but a later round may succeed


def attempt_delivery(
    channel: Channel,
    message: Message,
    options: Mapping[str, str],
    policy: RetryPolicy,
    sleep: Callable[[float], None] = time.sleep,
) -> Attempt:
    """Send with retries. Never raises."""
    delays = policy.delays()
    error = ""
    for attempt in range(1, policy.max_attempts + 1):
        try:
            channel.send(message, options)
            return Attempt(DELIVERED, attempt, "")
        except DeliveryError as exc:
            error = str(exc) or type(exc).__name__
            if not exc.retryable:
                return Attempt(FAILED, attempt, error)
        except Exception as exc:  # a bug in a plugin must not stop the others
            error = f"{type(exc).__name__}: {exc}"
        if attempt < policy.max_attempts:
            sleep(delays[attempt - 1])
    return Attempt(FAILED, policy.max_attempts, error, temporary=True)


def deliver_batch(
    alerts: Sequence[Alert],
    store: NotifyState,
    channels: Mapping[str, Channel],
    now: datetime,
    *,
    subscriptions: DeliveryLookup,
    policy: RetryPolicy | None = None,
    daily_hour: int = 8,
    sleep: Callable[[float], None] = time.sleep,
    max_workers: int = 8,
) -> BatchReport:
    """Hold ``alerts``, then send every subscription's due alerts; returns what happened.

    When it returns, every alert of the batch is settled: delivered, recorded as failed
    or skipped, or held durably in ``store`` for a digest or a quiet period — so the
    caller may commit the offsets. Call it with an empty batch to send what became due.
    """
    policy = policy or RetryPolicy()
    now = as_utc(now)
    report = BatchReport(received=len(alerts))
    batch_ids = {a.id for a in alerts}
    with store.transaction():  # one commit (one fsync) for the whole batch
        for alert in alerts:
            _hold(alert, store, subscriptions, now, report)

    jobs: list[_Job] = []
    flushed: list[tuple[str, list[str]]] = []
    for sub_id, oldest in store.pending_subscriptions():
        ids = store.pending_ids(sub_id)
        sub = subscriptions.delivery(sub_id)
        reason = _skip_reason(sub)
        if sub is None or reason:
            with store.transaction():
                store.record(ids, sub_id, "-", SKIPPED, 0, reason, now)
                store.drop_pending(ids)
            report.outcomes.append(Outcome(sub_id, SKIPPED, tuple(ids), error=reason))
            continue
        due = due_at(sub.mode, sub.quiet_minutes, oldest, store.last_sent(sub_id), daily_hour)
        if now < due:
            if batch_ids.intersection(ids):
                report.outcomes.append(Outcome(sub_id, HELD, tuple(ids), due_at=due))
            continue
        pending = store.pending_alerts(sub_id)  # decoded only when due
        ids = [a.id for a in pending]
        flushed.append((sub_id, ids))
        for target in sub.targets:
            job = _job(sub, target, pending, store, channels, now, report)
            if job is not None:
                jobs.append(job)

    jobs += _due_rounds(store, channels, now, subscriptions, report)
    results = _run(jobs, policy, sleep, max_workers)
    with store.transaction():
        for job, result in zip(jobs, results, strict=True):
            _settle(job, result, store, policy, now, report)
        sent = {job.sub.subscription_id for job in jobs if not job.rounds}
        for sub_id, ids in flushed:
            store.drop_pending(ids)
            if sub_id in sent:
                store.mark_sent(sub_id, now)
    return report


def _settle(
    job: _Job,
    result: Attempt,
    store: NotifyState,
    policy: RetryPolicy,
    now: datetime,
    report: BatchReport,
) -> None:
    """Record one job's outcome; a temporary failure gets a later round while some are left."""
    sub_id, target = job.sub.subscription_id, job.target.key
    sent_ids = job.message.alert_ids
    status, error, due = result.status, result.error, None
    if job.rounds:
        store.drop_retries(sent_ids, target)
    if status == FAILED and result.temporary and job.rounds < len(policy.rounds_s):
        due = now + timedelta(seconds=policy.rounds_s[job.rounds])
        store.schedule_retry(job.alerts, target, job.rounds + 1, due)
    store.record(sent_ids, sub_id, target, status, result.attempts, error, now)
    report.outcomes.append(
        Outcome(
            sub_id,
            status,
            sent_ids,
            channel=job.target.channel,
            target=target,
            attempts=result.attempts,
            error=error,
            due_at=due,
            message=job.message,
        )
    )
    if status == FAILED:
        later = f"; next round at {due:%Y-%m-%d %H:%M:%S}Z" if due else "; giving up"
        log.warning(
            "notify: %s to %s failed after %d attempt(s)%s (round %d): %s",
            sub_id,
            target,
            result.attempts,
            later,
            job.rounds,
            error,
        )


def _due_rounds(
    store: NotifyState,
    channels: Mapping[str, Channel],
    now: datetime,
    subscriptions: DeliveryLookup,
    report: BatchReport,
) -> list[_Job]:
    """Jobs for the later rounds that are due; a target or subscription that is gone, paused
    or changed its channels drops its retries (recorded as skipped)."""
    jobs: list[_Job] = []
    for sub_id, target_key, rounds, alerts in store.due_retries(now):
        sub = subscriptions.delivery(sub_id)
        reason = _skip_reason(sub)
        target = None
        if sub is not None and not reason:
            target = next((t for t in sub.targets if t.key == target_key), None)
            reason = "" if target is not None else "channel removed from the subscription"
        ids = [a.id for a in alerts]
        if sub is None or target is None:
            with store.transaction():
                store.drop_retries(ids, target_key)
                store.record(ids, sub_id, target_key, SKIPPED, 0, reason, now)
            report.outcomes.append(Outcome(sub_id, SKIPPED, tuple(ids), error=reason))
            continue
        job = _job(sub, target, alerts, store, channels, now, report, rounds)
        if job is None:  # delivered meanwhile (a replay) or the channel is unusable now
            with store.transaction():
                store.drop_retries(ids, target_key)
        else:
            jobs.append(job)
    return jobs


def _skip_reason(sub: SubscriptionDelivery | None) -> str:
    if sub is None:
        return "unknown subscription (deleted?)"
    if not sub.active:
        return "subscription paused"
    if not sub.targets:
        return "subscription has no channels"
    return ""


def _hold(
    alert: Alert,
    store: NotifyState,
    subscriptions: DeliveryLookup,
    now: datetime,
    report: BatchReport,
) -> None:
    sub = subscriptions.delivery(alert.subscription_id)
    if sub is not None and sub.targets:
        done = all(store.delivered([alert.id], t.key) for t in sub.targets)
        if done:  # a replay: every target already has it
            report.outcomes.append(Outcome(alert.subscription_id, DUPLICATE, (alert.id,)))
            return
    store.enqueue(alert, now)


def _job(
    sub: SubscriptionDelivery,
    target: ChannelTarget,
    pending: list[Alert],
    store: NotifyState,
    channels: Mapping[str, Channel],
    now: datetime,
    report: BatchReport,
    rounds: int = 0,
) -> _Job | None:
    already = store.delivered([a.id for a in pending], target.key)
    todo = [a for a in pending if a.id not in already]
    if already:
        dup = tuple(sorted(already))
        report.outcomes.append(
            Outcome(sub.subscription_id, DUPLICATE, dup, target.channel, target.key)
        )
    if not todo:
        return None
    ids = [a.id for a in todo]
    channel = channels.get(target.channel)
    problems = (
        [f"unknown channel {target.channel!r}"]
        if channel is None
        else channel.check_options(target.options)
    )
    if channel is None or problems:
        error = "; ".join(problems)
        store.record(ids, sub.subscription_id, target.key, FAILED, 0, error, now)
        report.outcomes.append(
            Outcome(sub.subscription_id, FAILED, tuple(ids), target.channel, target.key, 0, error)
        )
        return None
    return _Job(sub, target, channel, render(sub, todo, now), tuple(todo), rounds)


def _run(
    jobs: list[_Job],
    policy: RetryPolicy,
    sleep: Callable[[float], None],
    max_workers: int,
) -> list[Attempt]:
    if not jobs:
        return []
    if len(jobs) == 1:
        job = jobs[0]
        return [attempt_delivery(job.channel, job.message, job.target.options, policy, sleep)]
    with ThreadPoolExecutor(max_workers=min(max_workers, len(jobs))) as pool:
        futures = [
            pool.submit(attempt_delivery, j.channel, j.message, j.target.options, policy, sleep)
            for j in jobs
        ]
        return [f.result() for f in futures]
