"""Shared helpers of the notifier and API tests: alerts, subscriptions, local servers."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from newsradar.records import Alert, Channel, MatchedTerm, Subscription
from newsradar.settings import Settings
from processors.notify.channels.base import Channel as ChannelPlugin
from processors.notify.channels.base import DeliveryError
from processors.notify.message import Message
from tests.loopback import serving

T0 = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)


def make_alert(sub_id: str = "s1", article: str = "a1", title: str = "Title") -> Alert:
    return Alert(
        id=f"{sub_id}:{article}",
        subscription_id=sub_id,
        subscription_name=f"name of {sub_id}",
        query="зброя",
        article_id=article,
        url=f"https://news.example/{article}",
        title=title,
        source="ukrinform",
        lang="uk",
        countries=["KP", "RU"],
        topics=["weapons"],
        published_at=T0,
        matched_at=T0,
        matched_terms=[MatchedTerm(term="зброя", positions=[3, 17])],
        snippet="КНДР поглиблює співпрацю з Росією у сфері зброї",
    )


def make_subscription(
    sub_id: str = "s1",
    channels: list[tuple[str, dict[str, str]]] | None = None,
    mode: str = "immediate",
    quiet_minutes: int = 0,
    paused: bool = False,
) -> Subscription:
    return Subscription(
        id=sub_id,
        name=f"name of {sub_id}",
        query="зброя",
        created_at=T0,
        updated_at=T0,
        paused=paused,
        channels=[
            Channel(type=t, options=o)
            for t, o in (channels if channels is not None else [("memory", {})])
        ],
        mode=mode,
        quiet_minutes=quiet_minutes,
    )


class MemoryChannel(ChannelPlugin):
    """A test plugin that keeps what it is given; ``fail`` makes the next N sends fail."""

    name = "memory"
    optional_options = frozenset({"box"})

    def __init__(self, settings: Settings, fail: int = 0, permanent: bool = False) -> None:
        super().__init__(settings)
        self.sent: list[Message] = []
        self.fail = fail
        self.calls = 0
        self.permanent = permanent

    def send(self, message: Message, options: Mapping[str, str]) -> None:
        self.calls += 1
        if self.fail > 0:
            self.fail -= 1
            if self.permanent:
                from processors.notify.channels.base import PermanentDeliveryError

                raise PermanentDeliveryError("refused")
            raise DeliveryError("temporarily down")
        self.sent.append(message)


class Received:
    def __init__(self) -> None:
        self.requests: list[tuple[str, dict[str, str], bytes]] = []
        self.status = 200
        self.event = threading.Event()


@contextmanager
def http_receiver(status: int = 200) -> Iterator[tuple[str, Received]]:
    """A real HTTP server on 127.0.0.1 keeping every POST (path, headers, body)."""
    received = Received()
    received.status = status

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length)
            received.requests.append((self.path, dict(self.headers.items()), body))
            self.send_response(received.status)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(b"{}")
            received.event.set()

        def log_message(self, format: str, *args: Any) -> None:
            pass

    with serving(ThreadingHTTPServer(("127.0.0.1", 0), Handler), poll_s=0.02) as base:
        yield base, received


def body_json(raw: bytes) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(raw)
    return data
