"""The notifier's typed view of a subscription's delivery settings.

Subscriptions are ``newsradar.records.Subscription`` records (the compacted
``subscriptions`` topic, through ``newsradar.subscriptions``); each ``Channel`` there names
a plugin (``type``) and its options. This module turns one into the frozen
:class:`SubscriptionDelivery` the delivery logic works on.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol

from newsradar.records import Subscription


class Mode(StrEnum):
    IMMEDIATE = "immediate"
    HOURLY = "hourly"
    DAILY = "daily"


def target_key(channel: str, options: Mapping[str, str]) -> str:
    """A stable name for one target: the channel and a hash of its options.

    Delivery records are keyed by (alert id, target key), so two webhooks of one
    subscription are told apart and a replay finds what each already received.
    """
    blob = json.dumps(dict(options), sort_keys=True, ensure_ascii=False).encode()
    return f"{channel}:{hashlib.sha256(blob).hexdigest()[:12]}"


@dataclass(frozen=True)
class ChannelTarget:
    """One place to deliver to: a registered channel and its options."""

    channel: str
    options: Mapping[str, str] = field(default_factory=dict)

    @property
    def key(self) -> str:
        return target_key(self.channel, self.options)


@dataclass(frozen=True)
class SubscriptionDelivery:
    subscription_id: str
    name: str = ""
    query: str = ""
    active: bool = True
    mode: Mode = Mode.IMMEDIATE
    quiet_minutes: int = 0
    targets: tuple[ChannelTarget, ...] = ()

    @classmethod
    def from_record(cls, sub: Subscription) -> SubscriptionDelivery:
        """Raises ValueError on a mode this build does not know."""
        return cls(
            subscription_id=sub.id,
            name=sub.name,
            query=sub.query,
            active=not sub.paused,
            mode=Mode(sub.mode),
            quiet_minutes=max(0, int(sub.quiet_minutes)),
            targets=tuple(ChannelTarget(c.type, dict(c.options)) for c in sub.channels),
        )


class DeliveryLookup(Protocol):
    """Where the notifier finds a subscription's delivery settings (``None``: unknown)."""

    def delivery(self, subscription_id: str) -> SubscriptionDelivery | None: ...


class RecordLookup:
    """Delivery settings from a mapping of subscription records (id → record)."""

    def __init__(self, subscriptions: Mapping[str, Subscription]) -> None:
        self.subscriptions = subscriptions

    def delivery(self, subscription_id: str) -> SubscriptionDelivery | None:
        sub = self.subscriptions.get(subscription_id)
        return SubscriptionDelivery.from_record(sub) if sub is not None else None
