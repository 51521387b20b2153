"""When a subscription's held alerts are due: digest boundaries and the quiet period.

Pure functions on UTC datetimes. Alerts are held per subscription; they are sent as one
message when :func:`due_at` has passed, so a burst inside the quiet period folds into the
next message instead of flooding anyone.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from processors.notify.model import Mode


def as_utc(moment: datetime) -> datetime:
    """``moment`` in UTC; a naive datetime is taken to be UTC already."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def next_boundary(mode: Mode, after: datetime, daily_hour: int = 8) -> datetime:
    """The first digest boundary strictly after ``after`` (immediate: ``after`` itself)."""
    after = as_utc(after)
    if mode is Mode.IMMEDIATE:
        return after
    if mode is Mode.HOURLY:
        return after.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    boundary = after.replace(hour=daily_hour, minute=0, second=0, microsecond=0)
    return boundary if boundary > after else boundary + timedelta(days=1)


def due_at(
    mode: Mode,
    quiet_minutes: int,
    oldest_pending: datetime,
    last_sent: datetime | None,
    daily_hour: int = 8,
) -> datetime:
    """When the held alerts (the oldest received at ``oldest_pending``) go out.

    Immediate alerts go at once, unless a message went out less than ``quiet_minutes``
    ago: then they wait for the end of that window. Digests go at the first boundary
    after the oldest held alert; the quiet period applies to them too.
    """
    due = next_boundary(mode, oldest_pending, daily_hour)
    if last_sent is not None and quiet_minutes > 0:
        due = max(due, as_utc(last_sent) + timedelta(minutes=quiet_minutes))
    return due


def is_due(
    mode: Mode,
    quiet_minutes: int,
    oldest_pending: datetime,
    last_sent: datetime | None,
    now: datetime,
    daily_hour: int = 8,
) -> bool:
    return as_utc(now) >= due_at(mode, quiet_minutes, oldest_pending, last_sent, daily_hour)
