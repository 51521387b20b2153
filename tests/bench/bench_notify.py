"""Notifier throughput: alerts delivered per second to a webhook, ``deliver_batch`` (one
message per subscription and batch, targets delivered 16 at a time, outcomes recorded in
the SQLite state) side by side with the naive loop (one signed POST per alert, one after
the other, nothing recorded).

The webhook is a threaded HTTP server on 127.0.0.1 that answers after ``latency_ms``
(0, or 20 ms like a nearby real endpoint). Cases: 1,000 alerts over 100 subscriptions
(folding applies), 1,000 alerts over 1,000 subscriptions (concurrency only), and a replay
of already delivered alerts (the dedupe check alone).
Run: ``.venv/bin/python -m tests.bench.bench_notify`` (``--quick`` for a short run).
"""

from __future__ import annotations

import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx

from newsradar.records import Alert, Channel, MatchedTerm, Subscription
from newsradar.settings import Settings
from processors.notify import NotifyState, RecordLookup, RetryPolicy, deliver_batch
from processors.notify.channels import build_channels
from processors.notify.message import render
from processors.notify.model import SubscriptionDelivery
from processors.notify.signing import signed_headers
from tests.loopback import serving

NOW = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)


@contextmanager
def receiver(latency_ms: float) -> Iterator[str]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length", "0")))
            if latency_ms:
                time.sleep(latency_ms / 1000)
            self.send_response(204)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            pass

    class Server(ThreadingHTTPServer):
        daemon_threads = True
        request_queue_size = 128  # the default 5 drops concurrent connects (1 s SYN retry)

    with serving(Server(("127.0.0.1", 0), Handler)) as base:
        yield f"{base}/hook"


def subscriptions(count: int, url: str) -> dict[str, Subscription]:
    hook = Channel(type="webhook", options={"url": url, "secret": "bench"})
    return {
        f"s{i}": Subscription(
            id=f"s{i}",
            name=f"sub {i}",
            query="зброя",
            created_at=NOW,
            updated_at=NOW,
            channels=[hook],
        )
        for i in range(count)
    }


def alerts(count: int, subs: int) -> list[Alert]:
    return [
        Alert(
            id=f"alert-{i}",
            subscription_id=f"s{i % subs}",
            query="зброя",
            article_id=f"a{i}",
            url=f"https://news.example/{i}",
            title=f"Article {i}",
            source="bench",
            lang="uk",
            countries=["KP"],
            topics=["weapons"],
            published_at=NOW,
            matched_at=NOW,
            matched_terms=[MatchedTerm(term="зброя", positions=[3])],
            snippet="…",
        )
        for i in range(count)
    ]


def naive(batch: list[Alert], subs: dict[str, Subscription], url: str) -> float:
    """One signed POST per alert, sequentially, with one keep-alive client."""
    start = time.perf_counter()
    with httpx.Client(timeout=10) as client:
        for alert in batch:
            sub = SubscriptionDelivery.from_record(subs[alert.subscription_id])
            body = render(sub, [alert], NOW).body()
            headers = signed_headers(body, "bench", int(time.time()))
            client.post(url, content=body, headers=headers).raise_for_status()
    return time.perf_counter() - start


def ours(batch: list[Alert], subs: dict[str, Subscription], home: Path) -> tuple[float, int, float]:
    settings = Settings(home=home, notify_allow_private_webhooks=True)
    state = NotifyState.open(home / f"state-{time.monotonic_ns()}.sqlite3")
    channels = build_channels(settings)
    lookup = RecordLookup(subs)
    start = time.perf_counter()
    report = deliver_batch(
        batch, state, channels, NOW, subscriptions=lookup, policy=RetryPolicy(1), max_workers=16
    )
    elapsed = time.perf_counter() - start
    delivered = report.alerts("delivered")
    # a replay of the same batch: every alert is a known duplicate
    start = time.perf_counter()
    replay = deliver_batch(batch, state, channels, NOW, subscriptions=lookup, max_workers=16)
    replay_s = time.perf_counter() - start
    assert replay.alerts("duplicate") == len(batch), "replay re-sent something"
    state.close()
    return elapsed, delivered, replay_s


def run(quick: bool = False) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    n = 300 if quick else 1000
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        for latency in (0, 20):
            with receiver(latency) as url:
                for sub_count in (n // 10, n):
                    subs = subscriptions(sub_count, url)
                    batch = alerts(n, sub_count)
                    baseline_s = naive(batch, subs, url)
                    elapsed, delivered, replay_s = ours(batch, subs, home)
                    if delivered != n:
                        raise RuntimeError("not every alert was delivered")
                    case = f"{n} alerts, {sub_count} subs, webhook {latency} ms"
                    rate, base = n / elapsed, n / baseline_s
                    rows.append({
                        "bench": "notify", "case": case, "value": round(rate, 1),
                        "unit": "alerts/s", "baseline": round(base, 1),
                        "ratio": round(rate / base, 2),
                    })  # fmt: skip
                    if latency == 0 and sub_count == n:
                        rows.append({
                            "bench": "notify", "case": f"replay of {n} delivered alerts",
                            "value": round(n / replay_s, 1), "unit": "alerts/s",
                        })  # fmt: skip
    return rows


if __name__ == "__main__":
    for row in run(quick="--quick" in sys.argv):
        print(row)
