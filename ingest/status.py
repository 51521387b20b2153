"""Feed health as rows: what ``newsradar feeds status`` prints (pure functions)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from ingest.registry import FeedSpec
from ingest.state import FeedState


def health(state: FeedState | None) -> str:
    if state is None or state.fetches == 0:
        return "new"
    if state.dead:
        return "dead"
    if state.consecutive_errors:
        return "failing"
    return "ok"


def status_rows(feeds: list[FeedSpec], states: dict[str, FeedState]) -> list[dict[str, Any]]:
    """One row per registered feed (and per stored state of a feed no longer registered)."""
    keys = [f.url for f in feeds] + sorted(set(states) - {f.url for f in feeds})
    rows = []
    for key in keys:
        st = states.get(key)
        rows.append(
            {
                "feed": key,
                "url": st.url if st else key,
                "health": health(st),
                "last_success": _iso(st.last_success_at if st else None),
                "last_error": st.last_error if st else None,
                "last_error_at": _iso(st.last_error_at if st else None),
                "items_per_hour": round(st.rate_per_h, 3) if st and st.rate_per_h else 0.0,
                "next_poll": _iso(st.next_poll_at if st and st.fetches else None),
                "interval_s": round(st.interval_s) if st else None,
                "fetches": st.fetches if st else 0,
                "not_modified": st.not_modified if st else 0,
                "errors": st.errors if st else 0,
                "articles": st.articles_new if st else 0,
                "registered": key in {f.url for f in feeds},
            }
        )
    return rows


def ago(iso: str | None, now: datetime | None = None) -> str:
    """``2026-01-01T10:00:00+00:00`` → ``5m ago`` / ``in 3h``; None → ``-``."""
    if not iso:
        return "-"
    now = now or datetime.now(UTC)
    delta = (datetime.fromisoformat(iso) - now).total_seconds()
    text = _span(abs(delta))
    return f"in {text}" if delta > 0 else f"{text} ago"


def _span(seconds: float) -> str:
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{seconds / size:.0f}{unit}"
    return f"{seconds:.0f}s"


def _iso(ts: float | None) -> str | None:
    return datetime.fromtimestamp(ts, UTC).isoformat(timespec="seconds") if ts else None
