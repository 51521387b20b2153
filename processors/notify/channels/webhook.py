"""``webhook``: the message's JSON POSTed to a URL, HMAC-signed with the target's secret.

Headers: ``X-Newsradar-Timestamp`` (Unix seconds) and ``X-Newsradar-Signature``
(``sha256=`` + HMAC-SHA256 of ``<timestamp>.<body>``); see :mod:`processors.notify.signing`.
"""

from __future__ import annotations

import time
from collections.abc import Mapping

import httpx

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

    def send(self, message: Message, options: Mapping[str, str]) -> None:
        body = message.body()
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": "newsradar-notifier",
            **signed_headers(body, options["secret"], int(time.time())),
        }
        try:
            with httpx.Client(timeout=self.timeout_s, follow_redirects=False) as client:
                response = client.post(options["url"], content=body, headers=headers)
        except httpx.HTTPError as exc:
            raise DeliveryError(f"{type(exc).__name__}: {exc}") from exc
        if response.is_success:
            return
        reason = f"HTTP {response.status_code} from {options['url']}"
        if 400 <= response.status_code < 500 and response.status_code not in _RETRYABLE_4XX:
            raise PermanentDeliveryError(reason)
        raise DeliveryError(reason)


CHANNEL = WebhookChannel
