"""What a delivery says: one message for one or more alerts of one subscription.

Rendering is pure: the same alerts give the same subject, text and JSON payload, so
``--dry-run`` shows exactly what the channels would send.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from newsradar.records import Alert, encode
from processors.notify.model import Mode, SubscriptionDelivery

PAYLOAD_TYPE = "newsradar.alerts"
PAYLOAD_VERSION = 1
MAX_SUBJECT_CHARS = 150


@dataclass(frozen=True)
class Message:
    subscription_id: str
    subscription_name: str
    query: str
    mode: Mode
    subject: str
    text: str
    alerts: tuple[Alert, ...]
    created_at: datetime

    @property
    def alert_ids(self) -> tuple[str, ...]:
        return tuple(a.id for a in self.alerts)

    def payload(self) -> dict[str, Any]:
        """The webhook body: the subscription, the mode and every alert in full."""
        return {
            "type": PAYLOAD_TYPE,
            "version": PAYLOAD_VERSION,
            "subscription": {
                "id": self.subscription_id,
                "name": self.subscription_name,
                "query": self.query,
            },
            "mode": self.mode.value,
            "created_at": self.created_at.isoformat(),
            "subject": self.subject,
            "alerts": [alert_json(a) for a in self.alerts],
        }

    def body(self) -> bytes:
        """The exact bytes a webhook receives (and the signature covers)."""
        return json.dumps(self.payload(), ensure_ascii=False, sort_keys=True).encode()


def alert_json(alert: Alert) -> dict[str, Any]:
    """The alert as plain JSON (what ``newsradar.records.encode`` writes, minus faust's tag)."""
    data: dict[str, Any] = _untagged(json.loads(encode(alert)))
    return data


def _untagged(value: Any) -> Any:
    """Drop faust's ``__faust`` type tags at every level: receivers need plain JSON."""
    if isinstance(value, dict):
        return {k: _untagged(v) for k, v in value.items() if k != "__faust"}
    if isinstance(value, list):
        return [_untagged(v) for v in value]
    return value


def _when(moment: datetime) -> str:
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%d %H:%M UTC")


def _clip(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def render_subject(sub: SubscriptionDelivery, alerts: Sequence[Alert]) -> str:
    label = sub.name or sub.query or sub.subscription_id
    if sub.mode is not Mode.IMMEDIATE:
        noun = "article" if len(alerts) == 1 else "articles"
        subject = f"[newsradar] {label}: {sub.mode.value} digest, {len(alerts)} {noun}"
    elif len(alerts) == 1:
        subject = f"[newsradar] {label}: {alerts[0].title}"
    else:
        subject = f"[newsradar] {label}: {len(alerts)} new articles"
    return _clip(subject, MAX_SUBJECT_CHARS)


def render_alert_text(alert: Alert) -> str:
    terms = ", ".join(dict.fromkeys(t.term for t in alert.matched_terms))
    lines = [
        f"* {_clip(alert.title, 200) or alert.url}",
        f"  {alert.source} · {_when(alert.published_at)}"
        + (f" · {', '.join(alert.countries)}" if alert.countries else ""),
        f"  {alert.url}",
    ]
    if terms:
        lines.append(f"  matched: {terms}")
    if alert.snippet:
        lines.append(f"  {_clip(alert.snippet, 300)}")
    return "\n".join(lines)


def render(sub: SubscriptionDelivery, alerts: Sequence[Alert], now: datetime) -> Message:
    """One message for ``alerts`` (oldest first), all of subscription ``sub``."""
    if not alerts:
        raise ValueError("a message needs at least one alert")
    ordered = tuple(sorted(alerts, key=lambda a: (a.published_at, a.id)))
    header = f"Subscription: {sub.name or sub.subscription_id}"
    if sub.query:
        header += f"\nQuery: {sub.query}"
    count = f"{len(ordered)} matching article" + ("" if len(ordered) == 1 else "s")
    text = "\n\n".join([header + f"\n{count}", *(render_alert_text(a) for a in ordered)])
    return Message(
        subscription_id=sub.subscription_id,
        subscription_name=sub.name,
        query=sub.query,
        mode=sub.mode,
        subject=render_subject(sub, ordered),
        text=text + "\n",
        alerts=ordered,
        created_at=now,
    )
