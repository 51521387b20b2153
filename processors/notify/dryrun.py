"""``--dry-run``: channels that print what they would send and send nothing."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import TextIO

from processors.notify.channels.base import Channel
from processors.notify.deliver import DUPLICATE, HELD, BatchReport
from processors.notify.message import Message
from processors.notify.state import FAILED, SKIPPED


class DryRunChannel(Channel):
    """Wraps a real channel: same name and option checks, ``send`` only prints."""

    _lock = threading.Lock()

    def __init__(self, inner: Channel, out: TextIO) -> None:
        super().__init__(inner.settings)
        self.inner = inner
        self.out = out
        self.name = inner.name  # type: ignore[misc]  # per instance: the wrapped channel's

    def check_options(self, options: Mapping[str, str]) -> list[str]:  # type: ignore[override]
        return self.inner.check_options(options)

    def send(self, message: Message, options: Mapping[str, str]) -> None:
        shown = ", ".join(f"{k}={v}" for k, v in sorted(self.inner.redact(options).items()))
        lines = [
            f"--- would send via {self.inner.name} ({shown}): {len(message.alerts)} alert(s)",
            f"subject: {message.subject}",
            *(f"  {line}" for line in message.text.rstrip().splitlines()),
        ]
        with self._lock:
            self.out.write("\n".join(lines) + "\n")
            self.out.flush()


def dry_run_channels(channels: Mapping[str, Channel], out: TextIO) -> dict[str, Channel]:
    return {name: DryRunChannel(channel, out) for name, channel in channels.items()}


def print_outcomes(report: BatchReport, out: TextIO) -> None:
    """The outcomes that sent nothing: held (with when), skipped, duplicates."""
    for o in report.outcomes:
        ids = ", ".join(o.alert_ids)
        if o.status == HELD and o.due_at is not None:
            out.write(f"--- {o.subscription_id}: held until {o.due_at:%Y-%m-%d %H:%M} UTC: {ids}\n")
        elif o.status == SKIPPED:
            out.write(f"--- {o.subscription_id}: skipped ({o.error}): {ids}\n")
        elif o.status == DUPLICATE:
            where = f" on {o.target}" if o.target else ""
            out.write(f"--- {o.subscription_id}: already delivered{where}: {ids}\n")
        elif o.status == FAILED and o.attempts == 0:
            out.write(f"--- {o.subscription_id}: would fail on {o.channel}: {o.error}\n")
    out.flush()
