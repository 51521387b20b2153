"""Per-feed fetch state and the ids already produced, in one SQLite file.

The state survives restarts: validators (ETag, Last-Modified, content hash), schedule,
health counters and the ids of articles already produced, so a restart neither re-emits
old items nor hammers publishers. The store lives in a directory the caller chooses.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from dataclasses import asdict, dataclass, fields
from pathlib import Path

STATE_FILE = "ingest-state.sqlite3"
SEEN_RETENTION_S = 60 * 24 * 3600.0  # forget produced ids after 60 days

_SCHEMA = """
CREATE TABLE IF NOT EXISTS feeds (key TEXT PRIMARY KEY, state TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS seen (id TEXT PRIMARY KEY, feed TEXT NOT NULL, seen_at REAL NOT NULL);
CREATE INDEX IF NOT EXISTS seen_at ON seen (seen_at);
"""


@dataclass
class FeedState:
    key: str  # the URL as registered
    url: str  # where it is fetched now (a permanent redirect moves it)
    etag: str | None = None
    last_modified: str | None = None
    content_hash: str | None = None
    interval_s: float = 0.0
    next_poll_at: float = 0.0
    last_attempt_at: float | None = None
    last_success_at: float | None = None
    last_error: str | None = None
    last_error_at: float | None = None
    last_status: int | None = None
    consecutive_errors: int = 0
    failing_since: float | None = None
    dead: bool = False
    rate_per_h: float | None = None
    fetches: int = 0
    not_modified: int = 0
    unchanged: int = 0
    errors: int = 0
    articles_new: int = 0
    moved_from: str | None = None

    def to_json(self) -> str:
        return json.dumps(asdict(self), separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str) -> FeedState:
        data = json.loads(text)
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})


class StateStore:
    """SQLite (WAL) store; one writer (the poller), readers such as ``feeds status``."""

    def __init__(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self.path = directory / STATE_FILE
        self._db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(_SCHEMA)

    def close(self) -> None:
        self._db.close()

    def load(self) -> dict[str, FeedState]:
        rows = self._db.execute("SELECT state FROM feeds").fetchall()
        states = (FeedState.from_json(text) for (text,) in rows)
        return {s.key: s for s in states}

    def unseen(self, ids: Iterable[str]) -> set[str]:
        """The ids never produced before."""
        wanted = list(dict.fromkeys(ids))
        found: set[str] = set()
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            marks = ",".join("?" * len(chunk))
            rows = self._db.execute(f"SELECT id FROM seen WHERE id IN ({marks})", chunk)
            found.update(row[0] for row in rows)
        return set(wanted) - found

    def commit(
        self, states: Iterable[FeedState], seen: Iterable[tuple[str, str]], now: float
    ) -> None:
        """Save feed states and mark (id, feed) pairs produced, in one transaction."""
        with self._transaction():
            self._db.executemany(
                "INSERT INTO feeds (key, state) VALUES (?, ?) "
                "ON CONFLICT (key) DO UPDATE SET state = excluded.state",
                [(s.key, s.to_json()) for s in states],
            )
            self._db.executemany(
                "INSERT OR IGNORE INTO seen (id, feed, seen_at) VALUES (?, ?, ?)",
                [(article_id, feed, now) for article_id, feed in seen],
            )

    def forget(self, keys: Iterable[str]) -> None:
        with self._transaction():
            self._db.executemany("DELETE FROM feeds WHERE key = ?", [(k,) for k in keys])

    def prune_seen(self, now: float, retention_s: float = SEEN_RETENTION_S) -> int:
        cursor = self._db.execute("DELETE FROM seen WHERE seen_at < ?", (now - retention_s,))
        return cursor.rowcount

    def _transaction(self) -> _Transaction:
        return _Transaction(self._db)


class _Transaction:
    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db

    def __enter__(self) -> None:
        self._db.execute("BEGIN IMMEDIATE")

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        self._db.execute("COMMIT" if exc_type is None else "ROLLBACK")
