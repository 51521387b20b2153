"""The channel plugins against real servers started here on 127.0.0.1: an HTTP receiver
that verifies the HMAC, aiosmtpd as the SMTP server, apprise's json:// to the receiver."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from email import message_from_bytes
from email.message import Message as EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from newsradar.settings import Settings
from processors.notify.channels import build_channels
from processors.notify.channels.base import DeliveryError, PermanentDeliveryError
from processors.notify.deliver import RetryPolicy, attempt_delivery
from processors.notify.dryrun import dry_run_channels
from processors.notify.message import Message, render
from processors.notify.model import SubscriptionDelivery
from processors.notify.signing import SIGNATURE_HEADER, TIMESTAMP_HEADER, verify
from tests.unit.test_notify_support import T0, body_json, http_receiver, make_alert
from tests.unit.test_notify_support import make_subscription as subscription


def message(n: int = 1) -> Message:
    sub = SubscriptionDelivery.from_record(subscription())
    return render(sub, [make_alert(article=f"a{i}", title=f"Заголовок {i}") for i in range(n)], T0)


def local(tmp_path: Path, **changes: Any) -> Settings:
    """Settings that let webhooks reach the test's receiver on 127.0.0.1."""
    return Settings(home=tmp_path, notify_allow_private_webhooks=True, **changes)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# --- webhook --------------------------------------------------------------------


def test_webhook_posts_the_json_with_a_valid_signature(tmp_path: Path) -> None:
    channel = build_channels(local(tmp_path))["webhook"]
    msg = message(2)
    with http_receiver() as (url, received):
        channel.send(msg, {"url": f"{url}/hooks/newsradar", "secret": "per-sub-secret"})
    [(path, headers, body)] = received.requests
    assert path == "/hooks/newsradar"
    assert headers["Content-Type"] == "application/json; charset=utf-8"
    ts, signature = headers[TIMESTAMP_HEADER], headers[SIGNATURE_HEADER]
    assert verify(body, "per-sub-secret", ts, signature, now=time.time())
    assert not verify(body, "another-secret", ts, signature, now=time.time())
    assert body == msg.body()
    payload = body_json(body)
    assert payload["type"] == "newsradar.alerts"
    assert [a["id"] for a in payload["alerts"]] == ["s1:a0", "s1:a1"]


@pytest.mark.parametrize(("status", "permanent"), [(500, False), (429, False), (404, True)])
def test_webhook_errors_say_whether_a_retry_can_help(
    tmp_path: Path, status: int, permanent: bool
) -> None:
    channel = build_channels(local(tmp_path))["webhook"]
    with http_receiver(status=status) as (url, _), pytest.raises(DeliveryError) as caught:
        channel.send(message(), {"url": url, "secret": "k"})
    assert isinstance(caught.value, PermanentDeliveryError) is permanent
    assert f"HTTP {status}" in str(caught.value)


@pytest.mark.parametrize(
    "url",
    ["http://127.0.0.1:9200/_bulk", "http://10.1.2.3/", "http://[::1]/", "http://169.254.169.254/"],
)
def test_webhook_refuses_internal_addresses_by_default(tmp_path: Path, url: str) -> None:
    channel = build_channels(Settings(home=tmp_path))["webhook"]
    with pytest.raises(PermanentDeliveryError, match="non-public address"):
        channel.send(message(), {"url": url, "secret": "k"})


def test_webhook_times_out_on_a_silent_server(tmp_path: Path) -> None:
    channel = build_channels(local(tmp_path, notify_timeout_s=0.3))["webhook"]
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        port = silent.getsockname()[1]
        start = time.monotonic()
        with pytest.raises(DeliveryError, match="Timeout"):
            channel.send(message(), {"url": f"http://127.0.0.1:{port}/", "secret": "k"})
    assert time.monotonic() - start < 3


# --- email ----------------------------------------------------------------------


class Mailbox:
    def __init__(self, refuse: str = "") -> None:
        self.messages: list[tuple[str, list[str], EmailMessage]] = []
        self.refuse = refuse

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        if address == self.refuse:
            return "550 5.1.1 no such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        mail = message_from_bytes(envelope.original_content or envelope.content)
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), mail))
        return "250 Message accepted for delivery"


@contextmanager
def smtp_server(mailbox: Mailbox) -> Iterator[int]:
    port = free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield port
    finally:
        controller.stop()


def test_email_is_delivered_over_smtp(tmp_path: Path) -> None:
    mailbox = Mailbox()
    with smtp_server(mailbox) as port:
        settings = Settings(home=tmp_path, smtp_port=port, smtp_from="radar@example.org")
        channel = build_channels(settings)["email"]
        channel.send(message(2), {"to": "analyst@example.org; desk@example.org"})
    [(sender, recipients, mail)] = mailbox.messages
    assert sender == "radar@example.org"
    assert recipients == ["analyst@example.org", "desk@example.org"]
    assert mail["Subject"] == "[newsradar] name of s1: 2 new articles"
    assert mail["X-Newsradar-Subscription"] == "s1"
    raw = mail.get_payload(decode=True)
    assert isinstance(raw, bytes)
    text = raw.decode(mail.get_content_charset() or "utf-8")
    assert "Заголовок 1" in text and "matched: зброя" in text


def test_refused_recipient_is_a_permanent_failure(tmp_path: Path) -> None:
    with smtp_server(Mailbox(refuse="nobody@example.org")) as port:
        channel = build_channels(Settings(home=tmp_path, smtp_port=port))["email"]
        with pytest.raises(PermanentDeliveryError, match="Refused"):
            channel.send(message(), {"to": "nobody@example.org"})


def test_unreachable_smtp_server_is_retried_then_failed(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path, smtp_port=free_port(), notify_timeout_s=1)
    channel = build_channels(settings)["email"]
    waits: list[float] = []
    result = attempt_delivery(
        channel, message(), {"to": "a@example.org"}, RetryPolicy(3, 0.1, 1), waits.append
    )
    assert (result.status, result.attempts, waits) == ("failed", 3, [0.1, 0.2])
    assert "ConnectionRefused" in result.error
    assert result.temporary  # a later round may reach it


# --- apprise --------------------------------------------------------------------


def test_apprise_delivers_through_its_json_plugin(tmp_path: Path) -> None:
    channel = build_channels(Settings(home=tmp_path))["apprise"]
    with http_receiver() as (url, received):
        channel.send(message(), {"url": url.replace("http://", "json://") + "/chat"})
    [(path, _, body)] = received.requests
    assert path.startswith("/chat")
    payload = body_json(body)
    assert payload["title"] == "[newsradar] name of s1: Заголовок 0"
    assert "matched: зброя" in payload["message"]


def test_apprise_failures(tmp_path: Path) -> None:
    channel = build_channels(Settings(home=tmp_path, notify_timeout_s=1))["apprise"]
    with pytest.raises(PermanentDeliveryError):
        channel.send(message(), {"url": "no-such-scheme://x"})
    with http_receiver(status=500) as (url, _), pytest.raises(DeliveryError):
        channel.send(message(), {"url": url.replace("http://", "json://")})


# --- dry run --------------------------------------------------------------------


def test_dry_run_prints_and_sends_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import sys

    channels = dry_run_channels(build_channels(local(tmp_path)), sys.stdout)
    with http_receiver() as (url, received):
        channels["webhook"].send(message(), {"url": url, "secret": "hidden"})
        assert received.requests == []
    out = capsys.readouterr().out
    assert f"would send via webhook (secret=***, url={url})" in out
    assert "hidden" not in out
    assert "subject: [newsradar] name of s1: Заголовок 0" in out
