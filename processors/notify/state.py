"""The notifier's durable state, one SQLite file (``<home>/notify/state.sqlite3``).

- ``pending``: alerts received and not yet settled — held for a digest or a quiet period,
  or waiting for their delivery. They survive a restart, so the Kafka offset can be
  committed once an alert is here.
- ``deliveries``: per alert and channel target, the status (``delivered``, ``failed``,
  ``skipped``), the number of attempts and the last error. An alert already
  ``delivered`` on a target is never sent there again: replays are safe.
- ``retries``: alerts whose delivery to a target failed with a temporary error, with the
  rounds tried and when the next round is due (the alert is kept here, so a later round
  needs nothing from Kafka).
- ``sent``: when each subscription last got a message (the quiet period's clock).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from newsradar.records import Alert, decode, encode

DELIVERED = "delivered"
FAILED = "failed"
SKIPPED = "skipped"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS pending (
    alert_id TEXT PRIMARY KEY,
    subscription_id TEXT NOT NULL,
    received_at REAL NOT NULL,
    alert TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS pending_by_subscription ON pending (subscription_id, received_at);
CREATE TABLE IF NOT EXISTS deliveries (
    alert_id TEXT NOT NULL,
    target TEXT NOT NULL,
    subscription_id TEXT NOT NULL,
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL,
    last_error TEXT NOT NULL DEFAULT '',
    updated_at REAL NOT NULL,
    PRIMARY KEY (alert_id, target)
);
CREATE INDEX IF NOT EXISTS deliveries_by_status ON deliveries (status, updated_at);
CREATE TABLE IF NOT EXISTS retries (
    alert_id TEXT NOT NULL,
    target TEXT NOT NULL,
    subscription_id TEXT NOT NULL,
    alert TEXT NOT NULL,
    rounds INTEGER NOT NULL,
    next_at REAL NOT NULL,
    PRIMARY KEY (alert_id, target)
);
CREATE INDEX IF NOT EXISTS retries_by_time ON retries (next_at);
CREATE TABLE IF NOT EXISTS sent (
    subscription_id TEXT PRIMARY KEY,
    sent_at REAL NOT NULL
);
"""


def _ts(moment: datetime) -> float:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()


def _dt(ts: float) -> datetime:
    return datetime.fromtimestamp(ts, UTC)


@dataclass(frozen=True)
class DeliveryRow:
    alert_id: str
    target: str
    subscription_id: str
    status: str
    attempts: int
    last_error: str
    updated_at: datetime


class NotifyState:
    def __init__(self, connection: sqlite3.Connection) -> None:
        self.db = connection
        self.db.executescript(_SCHEMA)

    @classmethod
    def open(cls, path: Path | str) -> NotifyState:
        """Open (creating) the state file; ``":memory:"`` for a throwaway state."""
        if str(path) != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        connection = sqlite3.connect(str(path), isolation_level=None)
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=FULL")
        connection.execute("PRAGMA busy_timeout=5000")
        return cls(connection)

    @classmethod
    def snapshot(cls, path: Path | str) -> NotifyState:
        """An in-memory copy of the state file (for ``--dry-run``: it sees what was
        already delivered or held, and changes nothing on disk)."""
        copy = sqlite3.connect(":memory:", isolation_level=None)
        if Path(path).exists():
            source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
            try:
                source.backup(copy)
            finally:
                source.close()
        return cls(copy)

    def close(self) -> None:
        self.db.close()

    # --- pending ---------------------------------------------------------------

    def enqueue(self, alert: Alert, received_at: datetime) -> bool:
        """Hold ``alert`` until it is settled; False if it is already held."""
        cursor = self.db.execute(
            "INSERT OR IGNORE INTO pending VALUES (?, ?, ?, ?)",
            (alert.id, alert.subscription_id, _ts(received_at), encode(alert).decode()),
        )
        return cursor.rowcount == 1

    def pending_subscriptions(self) -> list[tuple[str, datetime]]:
        """Subscriptions with held alerts and when the oldest of them arrived."""
        rows = self.db.execute(
            "SELECT subscription_id, MIN(received_at) FROM pending "
            "GROUP BY subscription_id ORDER BY 2"
        ).fetchall()
        return [(sid, _dt(ts)) for sid, ts in rows]

    def pending_alerts(self, subscription_id: str) -> list[Alert]:
        rows = self.db.execute(
            "SELECT alert FROM pending WHERE subscription_id = ? ORDER BY received_at, alert_id",
            (subscription_id,),
        ).fetchall()
        return [decode(Alert, raw) for (raw,) in rows]

    def pending_ids(self, subscription_id: str) -> list[str]:
        rows = self.db.execute(
            "SELECT alert_id FROM pending WHERE subscription_id = ? ORDER BY received_at, alert_id",
            (subscription_id,),
        ).fetchall()
        return [alert_id for (alert_id,) in rows]

    def drop_pending(self, alert_ids: Iterable[str]) -> None:
        self.db.executemany("DELETE FROM pending WHERE alert_id = ?", [(i,) for i in alert_ids])

    # --- deliveries ------------------------------------------------------------

    def delivered(self, alert_ids: Iterable[str], target: str) -> set[str]:
        """Those of ``alert_ids`` already delivered on ``target``."""
        ids = list(alert_ids)
        found: set[str] = set()
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            marks = ",".join("?" * len(chunk))
            rows = self.db.execute(
                f"SELECT alert_id FROM deliveries WHERE target = ? AND status = ? "
                f"AND alert_id IN ({marks})",
                (target, DELIVERED, *chunk),
            ).fetchall()
            found.update(r[0] for r in rows)
        return found

    def record(
        self,
        alert_ids: Iterable[str],
        subscription_id: str,
        target: str,
        status: str,
        attempts: int,
        error: str,
        now: datetime,
    ) -> None:
        """Record one delivery's outcome for each of its alerts (attempts add up)."""
        self.db.executemany(
            "INSERT INTO deliveries VALUES (?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (alert_id, target) DO UPDATE SET status = excluded.status, "
            "attempts = deliveries.attempts + excluded.attempts, "
            "last_error = excluded.last_error, updated_at = excluded.updated_at",
            [(i, target, subscription_id, status, attempts, error, _ts(now)) for i in alert_ids],
        )

    def deliveries(
        self, status: str | None = None, alert_id: str | None = None, limit: int = 100
    ) -> list[DeliveryRow]:
        clauses, params = [], []
        if status:
            clauses.append("status = ?")
            params.append(status)
        if alert_id:
            clauses.append("alert_id = ?")
            params.append(alert_id)
        where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
        rows = self.db.execute(
            f"SELECT * FROM deliveries {where} ORDER BY updated_at DESC LIMIT ?",
            (*params, limit),
        ).fetchall()
        return [
            DeliveryRow(
                alert_id=row[0],
                target=row[1],
                subscription_id=row[2],
                status=row[3],
                attempts=row[4],
                last_error=row[5],
                updated_at=_dt(row[6]),
            )
            for row in rows
        ]

    def counts(self) -> dict[str, int]:
        rows = self.db.execute("SELECT status, COUNT(*) FROM deliveries GROUP BY status")
        counts = {status: n for status, n in rows}
        counts["pending"] = self.db.execute("SELECT COUNT(*) FROM pending").fetchone()[0]
        counts["retrying"] = self.db.execute("SELECT COUNT(*) FROM retries").fetchone()[0]
        return counts

    # --- later delivery rounds for targets that failed ----------------------------

    def schedule_retry(
        self, alerts: Iterable[Alert], target: str, rounds: int, next_at: datetime
    ) -> None:
        """Try ``alerts`` on ``target`` again at ``next_at``; ``rounds`` tried so far."""
        self.db.executemany(
            "INSERT INTO retries VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (alert_id, target) "
            "DO UPDATE SET rounds = excluded.rounds, next_at = excluded.next_at",
            [
                (a.id, target, a.subscription_id, encode(a).decode(), rounds, _ts(next_at))
                for a in alerts
            ],
        )

    def due_retries(self, now: datetime) -> list[tuple[str, str, int, list[Alert]]]:
        """``(subscription_id, target, rounds, alerts)`` whose next round is due."""
        rows = self.db.execute(
            "SELECT subscription_id, target, rounds, alert FROM retries WHERE next_at <= ? "
            "ORDER BY subscription_id, target, next_at, alert_id",
            (_ts(now),),
        ).fetchall()
        groups: dict[tuple[str, str], tuple[int, list[Alert]]] = {}
        for sub_id, target, rounds, raw in rows:
            done, alerts = groups.setdefault((sub_id, target), (rounds, []))
            alerts.append(decode(Alert, raw))
            groups[(sub_id, target)] = (max(done, rounds), alerts)
        return [(sub, target, n, alerts) for (sub, target), (n, alerts) in groups.items()]

    def drop_retries(self, alert_ids: Iterable[str], target: str) -> None:
        self.db.executemany(
            "DELETE FROM retries WHERE alert_id = ? AND target = ?",
            [(i, target) for i in alert_ids],
        )

    # --- quiet period clock ----------------------------------------------------

    def last_sent(self, subscription_id: str) -> datetime | None:
        row = self.db.execute(
            "SELECT sent_at FROM sent WHERE subscription_id = ?", (subscription_id,)
        ).fetchone()
        return _dt(row[0]) if row else None

    def mark_sent(self, subscription_id: str, now: datetime) -> None:
        self.db.execute(
            "INSERT INTO sent VALUES (?, ?) ON CONFLICT (subscription_id) "
            "DO UPDATE SET sent_at = excluded.sent_at",
            (subscription_id, _ts(now)),
        )

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """``with state.transaction(): ...`` groups writes into one commit."""
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")
