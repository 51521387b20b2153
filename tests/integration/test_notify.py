"""The notifier on the real broker: the seed article's alert reaches a signed webhook
once; a replayed alert is not sent again; undecodable alerts go to alerts.dlq."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from newsradar.records import Channel, DeadLetter, encode
from newsradar.settings import Settings
from newsradar.subscriptions import SubscriptionStore, new_subscription
from newsradar.topology import ALERTS, dlq, topic_name
from processors.notify.signing import SIGNATURE_HEADER, TIMESTAMP_HEADER, verify
from tests.integration.conftest import Worker, env_for, ingest_samples, wait_for
from tests.integration.test_alerts import alerts_on_topic
from tests.integration.test_worker_recovery import produce, read_all
from tests.loopback import serving

SECRET = "s3cret-for-tests"


class Receiver(BaseHTTPRequestHandler):
    posts: list[tuple[dict[str, str], bytes]] = []  # noqa: RUF012 - shared with the test

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        Receiver.posts.append((dict(self.headers), body))
        self.send_response(204)
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        return


@pytest.fixture
def webhook() -> Iterator[str]:
    Receiver.posts = []
    with serving(ThreadingHTTPServer(("127.0.0.1", 0), Receiver)) as base:
        yield f"{base}/hook"


def start_notifier(settings: Settings, log: Path) -> subprocess.Popen[bytes]:
    env = env_for(settings) | {"NEWSRADAR_NOTIFY_ALLOW_PRIVATE_WEBHOOKS": "true"}
    with log.open("ab") as out:
        return subprocess.Popen([sys.executable, "-m", "newsradar", "notify"], env=env,
                                stdout=out, stderr=subprocess.STDOUT)  # fmt: skip


def test_alert_reaches_the_webhook_once(
    pipeline: Settings, worker: Worker, webhook: str, tmp_path: Path
) -> None:
    store = SubscriptionStore(pipeline)
    store.create(new_subscription(
        "зброя AND country:KP", sub_id="kp-weapons",
        channels=[Channel(type="webhook", options={"url": webhook, "secret": SECRET})],
    ))  # fmt: skip
    store.close()
    assert ingest_samples(pipeline).returncode == 0
    worker.start()
    alert = alerts_on_topic(pipeline, 1)[0]

    notifier = start_notifier(pipeline, tmp_path / "notify.log")
    try:
        wait_for(lambda: Receiver.posts, 60, "the webhook POST")
        headers, body = Receiver.posts[0]
        assert verify(body, SECRET, headers[TIMESTAMP_HEADER], headers[SIGNATURE_HEADER],
                      now=time.time())  # fmt: skip
        payload = json.dumps(json.loads(body), ensure_ascii=False)
        assert alert.id in payload and "kp-weapons" in payload

        # the same alert again (a replay upstream) and a poison message
        produce(pipeline, ALERTS, [(b"kp-weapons", encode(alert)), (b"x", b"not an alert")])
        poison = read_all(pipeline, topic_name(pipeline, dlq(ALERTS)), 1)
        assert isinstance(poison[0], DeadLetter) and poison[0].value == "not an alert"
        time.sleep(3)
        assert len(Receiver.posts) == 1
    finally:
        notifier.send_signal(signal.SIGTERM)
        notifier.wait(timeout=60)

    # a restarted notifier resumes from its committed offsets: nothing is sent again
    notifier = start_notifier(pipeline, tmp_path / "notify.log")
    try:
        time.sleep(8)
        assert len(Receiver.posts) == 1, (tmp_path / "notify.log").read_text()
    finally:
        notifier.send_signal(signal.SIGTERM)
        notifier.wait(timeout=60)
