"""Building dead-letter records: what failed, where it was, and why."""

from __future__ import annotations

import base64
from datetime import UTC, datetime

from newsradar.records import DeadLetter


def _text(raw: bytes | None) -> str:
    if raw is None:
        return ""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return "base64:" + base64.b64encode(raw).decode("ascii")


def dead_letter(
    *,
    stage: str,
    reason: str,
    error: BaseException | None,
    topic: str,
    partition: int,
    offset: int,
    key: bytes | None,
    value: bytes | None,
) -> DeadLetter:
    return DeadLetter(
        stage=stage,
        reason=reason,
        error_type=type(error).__name__ if error else "Rejected",
        topic=topic,
        partition=partition,
        offset=offset,
        key=_text(key) if key is not None else None,
        value=_text(value),
        failed_at=datetime.now(UTC),
    )
