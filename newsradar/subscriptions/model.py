"""Creating and validating subscriptions (pure)."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime

from newsradar.query import QuerySyntaxError, parse_query
from newsradar.records import Channel, Subscription

MODES = ("immediate", "hourly", "daily")
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


class SubscriptionError(ValueError):
    """A subscription (or a change to it) is invalid; the message says why."""


def validate_query(query: str) -> None:
    """Raise :class:`SubscriptionError` naming the position when the query does not parse."""
    try:
        parse_query(query)
    except QuerySyntaxError as exc:
        raise SubscriptionError(f"query does not parse: {exc}") from exc


def new_subscription(
    query: str,
    *,
    name: str = "",
    sub_id: str | None = None,
    owner: str = "",
    channels: list[Channel] | None = None,
    mode: str = "immediate",
    quiet_minutes: int = 0,
    now: datetime | None = None,
) -> Subscription:
    validate_query(query)
    if sub_id is not None and not _ID.match(sub_id):
        raise SubscriptionError(
            f"id {sub_id!r}: use 1-64 letters, digits, '.', '_' or '-', starting with a letter "
            "or digit"
        )
    check_delivery(mode, quiet_minutes)
    now = now or datetime.now(UTC)
    return Subscription(
        id=sub_id or uuid.uuid4().hex[:16],
        name=name or query[:80],
        query=query,
        created_at=now,
        updated_at=now,
        owner=owner,
        channels=channels or [],
        mode=mode,
        quiet_minutes=quiet_minutes,
    )


def check_delivery(mode: str, quiet_minutes: int) -> None:
    if mode not in MODES:
        raise SubscriptionError(f"mode {mode!r}: expected one of {', '.join(MODES)}")
    if quiet_minutes < 0:
        raise SubscriptionError("quiet_minutes must be 0 or more")
