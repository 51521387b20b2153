"""``webhook``: the message's JSON POSTed to a URL, HMAC-signed with the target's secret.

Headers: ``X-Newsradar-Timestamp`` (Unix seconds) and ``X-Newsradar-Signature``
(``sha256=`` + HMAC-SHA256 of ``<timestamp>.<body>``); see :mod:`processors.notify.signing`.

Subscriptions come from API users, so a webhook must not become a way into the internal
network: hosts resolving to loopback, private, link-local or reserved addresses are
refused unless ``NEWSRADAR_NOTIFY_ALLOW_PRIVATE_WEBHOOKS`` is set. (The check resolves the
name before the request; it does not pin the address, so DNS rebinding is not covered.)
"""

from __future__ import annotations

import ipaddress
import socket
import threading
import time
from collections.abc import Mapping
from urllib.parse import urlsplit

import httpx

from newsradar.settings import Settings
from processors.notify.channels.base import Channel, DeliveryError, PermanentDeliveryError
from processors.notify.message import Message
from processors.notify.signing import signed_headers

# Client errors that are worth another try: timeouts and rate limits.
_RETRYABLE_4XX = frozenset({408, 409, 425, 429})


class WebhookChannel(Channel):
    name = "webhook"
    required_options = frozenset({"url", "secret"})
    secret_options = frozenset({"secret"})

    @classmethod
    def check_options(cls, options: Mapping[str, str]) -> list[str]:
        problems = super().check_options(options)
        url = options.get("url", "")
        if url and not url.startswith(("http://", "https://")):
            problems.append(f"webhook: url must be http(s), got {url!r}")
        return problems

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        self._http: httpx.Client | None = None
        self._lock = threading.Lock()

    def _client(self) -> httpx.Client:
        # One client for every delivery: building one (its TLS context) costs more than a
        # local POST, and its pool keeps connections to busy endpoints alive. It is safe
        # to share between the delivery threads.
        with self._lock:
            if self._http is None:
                self._http = httpx.Client(
                    timeout=self.timeout_s,
                    follow_redirects=False,
                    limits=httpx.Limits(max_connections=64, max_keepalive_connections=32),
                )
            return self._http

    def close(self) -> None:
        with self._lock:
            if self._http is not None:
                self._http.close()
                self._http = None

    def send(self, message: Message, options: Mapping[str, str]) -> None:
        if not self.settings.notify_allow_private_webhooks:
            refuse_private(options["url"])
        body = message.body()
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": "newsradar-notifier",
            **signed_headers(body, options["secret"], int(time.time())),
        }
        try:
            response = self._client().post(options["url"], content=body, headers=headers)
        except httpx.HTTPError as exc:
            raise DeliveryError(f"{type(exc).__name__}: {exc}") from exc
        if response.is_success:
            return
        reason = f"HTTP {response.status_code} from {options['url']}"
        if 400 <= response.status_code < 500 and response.status_code not in _RETRYABLE_4XX:
            raise PermanentDeliveryError(reason)
        raise DeliveryError(reason)


def refuse_private(url: str) -> None:
    """Raise unless every address ``url``'s host resolves to is a public one."""
    parts = urlsplit(url)
    if not parts.hostname:
        raise PermanentDeliveryError(f"webhook: no host in {url!r}")
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        infos = socket.getaddrinfo(parts.hostname, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise DeliveryError(f"webhook: cannot resolve {parts.hostname}: {exc}") from exc
    for info in infos:
        address = ipaddress.ip_address(str(info[4][0]).split("%")[0])
        if not address.is_global:
            raise PermanentDeliveryError(
                f"webhook: {parts.hostname} resolves to non-public address {address} "
                "(set NEWSRADAR_NOTIFY_ALLOW_PRIVATE_WEBHOOKS to allow)"
            )


CHANNEL = WebhookChannel
