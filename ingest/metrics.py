"""Counters per outcome, and per-feed health gauges, for whoever exports metrics.

The poller counts into a :class:`Counters`; pass a ``hook`` to forward every increment
(for example to a Prometheus client) or read :meth:`Counters.snapshot`.
:func:`feed_gauges` turns feed states into the numbers ``feeds status`` shows.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from ingest.state import FeedState

# name, increment, labels
CounterHook = Callable[[str, int, dict[str, str]], None]

FETCHES = "newsradar_ingest_fetches_total"  # outcome: ok|not_modified|unchanged|error|blocked
ARTICLES = "newsradar_ingest_articles_total"  # outcome: new|seen|duplicate|delivery_failed
ROUNDS = "newsradar_ingest_poll_rounds_total"
FULL_TEXT = "newsradar_ingest_full_text_total"  # outcome: ok|failed


class Counters:
    def __init__(self, hook: CounterHook | None = None) -> None:
        self._hook = hook
        self._values: dict[tuple[str, tuple[tuple[str, str], ...]], int] = {}
        self._lock = threading.Lock()

    def inc(self, name: str, n: int = 1, **labels: str) -> None:
        if n == 0:
            return
        key = (name, tuple(sorted(labels.items())))
        with self._lock:
            self._values[key] = self._values.get(key, 0) + n
        if self._hook is not None:
            self._hook(name, n, dict(labels))

    def get(self, name: str, **labels: str) -> int:
        return self._values.get((name, tuple(sorted(labels.items()))), 0)

    def items(self) -> list[tuple[str, tuple[tuple[str, str], ...], int]]:
        """(name, sorted label pairs, value), sorted."""
        with self._lock:
            return sorted((name, labels, v) for (name, labels), v in self._values.items())

    def snapshot(self) -> dict[str, int]:
        """``name{label="value",...}`` → value, Prometheus text style keys."""
        out: dict[str, int] = {}
        for name, labels, value in self.items():
            inner = ",".join(f'{k}="{v}"' for k, v in labels)
            out[f"{name}{{{inner}}}" if inner else name] = value
        return out


@dataclass(frozen=True)
class Gauge:
    name: str
    feed: str
    value: float


def feed_gauges(states: Iterable[FeedState]) -> list[Gauge]:
    """Per-feed health as gauges (timestamps in Unix seconds, rate in items per hour)."""
    gauges: list[Gauge] = []
    for s in states:
        gauges += [
            Gauge("newsradar_feed_last_success_timestamp", s.key, s.last_success_at or 0.0),
            Gauge("newsradar_feed_next_poll_timestamp", s.key, s.next_poll_at),
            Gauge("newsradar_feed_items_per_hour", s.key, s.rate_per_h or 0.0),
            Gauge("newsradar_feed_consecutive_errors", s.key, float(s.consecutive_errors)),
            Gauge("newsradar_feed_dead", s.key, 1.0 if s.dead else 0.0),
        ]
    return gauges


class PrometheusCollector:
    """A prometheus_client collector of the ingest counters and per-feed gauges.

    ``prometheus_client.REGISTRY.register(PrometheusCollector(poller.counters,
    lambda: poller.states.values()))``; values are read at scrape time.
    """

    def __init__(self, counters: Counters, states: Callable[[], Iterable[FeedState]]) -> None:
        self._counters = counters
        self._states = states

    def collect(self) -> Iterator[Any]:
        from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily

        families: dict[str, Any] = {}
        for name, labels, value in self._counters.items():
            base = name.removesuffix("_total")
            family = families.get(base)
            if family is None:
                family = families[base] = CounterMetricFamily(
                    base, f"ingest {base}", labels=[k for k, _ in labels]
                )
            family.add_metric([v for _, v in labels], value)
        yield from families.values()
        gauges: dict[str, Any] = {}
        for gauge in feed_gauges(self._states()):
            family = gauges.get(gauge.name)
            if family is None:
                family = gauges[gauge.name] = GaugeMetricFamily(
                    gauge.name, f"per-feed {gauge.name}", labels=["feed"]
                )
            family.add_metric([gauge.feed], gauge.value)
        yield from gauges.values()
