"""``apprise``: chat and push services (Telegram, Slack, Matrix, Discord, ntfy, …) through
the apprise library. Option ``url``: an apprise URL such as ``tgram://bottoken/ChatID``.

apprise reports only success or failure, not why; its own log says more.
"""

from __future__ import annotations

from collections.abc import Mapping

from processors.notify.channels.base import Channel, DeliveryError, PermanentDeliveryError
from processors.notify.message import Message


class AppriseChannel(Channel):
    name = "apprise"
    required_options = frozenset({"url"})
    secret_options = frozenset({"url"})  # apprise URLs carry the service's credentials

    def send(self, message: Message, options: Mapping[str, str]) -> None:
        import apprise

        asset = apprise.AppriseAsset(async_mode=False)
        notifier = apprise.Apprise(asset=asset)
        if not notifier.add(_with_timeout(options["url"], self.timeout_s)):
            raise PermanentDeliveryError("apprise does not understand this URL")
        try:
            sent = notifier.notify(title=message.subject, body=message.text)
        except Exception as exc:  # apprise plugins may raise anything
            raise DeliveryError(f"{type(exc).__name__}: {exc}") from exc
        if not sent:
            raise DeliveryError("apprise: the service did not accept the message")


def _with_timeout(url: str, timeout_s: float) -> str:
    """Add apprise's connect/read timeouts (``cto``/``rto``) unless the URL sets them."""
    if "cto=" in url or "rto=" in url:
        return url
    sep = "&" if "?" in url else "?"
    return f"{url}{sep}cto={timeout_s:g}&rto={timeout_s:g}"


CHANNEL = AppriseChannel
