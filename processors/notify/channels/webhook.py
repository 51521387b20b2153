"""``webhook``: the message's JSON POSTed to a URL, HMAC-signed with the target's secret.

Headers: ``X-Newsradar-Timestamp`` (Unix seconds) and ``X-Newsradar-Signature``
(``sha256=`` + HMAC-SHA256 of ``<timestamp>.<body>``); see :mod:`processors.notify.signing`.

Subscriptions come from API users, so a webhook must not become a way into the internal
network: hosts resolving to loopback, private, link-local or reserved addresses are
refused unless ``NEWSRADAR_NOTIFY_ALLOW_PRIVATE_WEBHOOKS`` is set. The address is vetted
when connecting and the connection goes to that very address (:mod:`newsradar.netguard`),
so DNS rebinding cannot slip past the check.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping

import httpx

from newsradar.netguard import AddressRefused, Unresolvable, guard
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
                transport = httpx.HTTPTransport(
                    limits=httpx.Limits(max_connections=64, max_keepalive_connections=32)
                )
                if not self.settings.notify_allow_private_webhooks:
                    transport = guard(transport)
                self._http = httpx.Client(
                    timeout=self.timeout_s, follow_redirects=False, transport=transport
                )
            return self._http

    def close(self) -> None:
        with self._lock:
            if self._http is not None:
                self._http.close()
                self._http = None

    def send(self, message: Message, options: Mapping[str, str]) -> None:
        body = message.body()
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": "newsradar-notifier",
            **signed_headers(body, options["secret"], int(time.time())),
        }
        try:
            response = self._client().post(options["url"], content=body, headers=headers)
        except AddressRefused as exc:
            raise PermanentDeliveryError(
                f"webhook: {exc} (set NEWSRADAR_NOTIFY_ALLOW_PRIVATE_WEBHOOKS to allow)"
            ) from exc
        except Unresolvable as exc:
            raise DeliveryError(f"webhook: {exc}") from exc
        except httpx.HTTPError as exc:
            raise DeliveryError(f"{type(exc).__name__}: {exc}") from exc
        if response.is_success:
            return
        reason = f"HTTP {response.status_code} from {options['url']}"
        if 400 <= response.status_code < 500 and response.status_code not in _RETRYABLE_4XX:
            raise PermanentDeliveryError(reason)
        raise DeliveryError(reason)


CHANNEL = WebhookChannel
