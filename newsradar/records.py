"""Every record that crosses a Kafka topic, declared once.

Records are faust Records serialised as JSON, each carrying ``schema_version``. Readers
accept the versions they know and send anything else to the dead-letter topic.
Producers outside faust (the ingest uses kafka-python) encode with :func:`encode`,
so both sides agree byte for byte.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, TypeVar

import faust

SCHEMA_VERSION = 1

R = TypeVar("R", bound=faust.Record)


class Article(faust.Record, serializer="json", isodates=True, coerce=True):
    """A normalised feed item: topic ``articles.raw``; key = ``id``."""

    id: str
    url: str
    title: str
    text: str
    source: str
    feed_url: str
    published_at: datetime
    fetched_at: datetime
    lang: str | None = None
    authors: list[str] = []  # noqa: RUF012 - faust copies field defaults
    source_country: str | None = None  # the publisher's country (feeds file)
    tags: list[str] = []  # noqa: RUF012 - the feed's tags (feeds file)
    schema_version: int = SCHEMA_VERSION


class Mention(faust.Record, serializer="json"):
    """One country mention: ``start``/``end`` are character offsets into ``field``."""

    country: str
    start: int
    end: int
    surface: str
    field: str = "text"


class TaggedArticle(faust.Record, serializer="json", isodates=True, coerce=True):
    """An article with what the tagger found: topic ``articles.tagged``; key = ``id``."""

    id: str
    url: str
    title: str
    text: str
    source: str
    feed_url: str
    published_at: datetime
    fetched_at: datetime
    tagged_at: datetime
    lang: str | None
    countries: list[str]
    topics: list[str]
    mentions: list[Mention]
    lemmas: str
    authors: list[str] = []  # noqa: RUF012
    source_country: str | None = None
    tags: list[str] = []  # noqa: RUF012
    tagger: str = ""
    schema_version: int = SCHEMA_VERSION


class MatchedTerm(faust.Record, serializer="json"):
    """A query term that matched: positions are token indexes into the article's lemmas."""

    term: str
    positions: list[int]


class Alert(faust.Record, serializer="json", isodates=True, coerce=True):
    """A subscription matched an article: topic ``alerts``; key = ``subscription_id``.

    ``id`` is a stable hash of (subscription_id, article_id): replays and restarts
    rewrite the same alert instead of sending a second one.
    """

    id: str
    subscription_id: str
    query: str
    article_id: str
    url: str
    title: str
    source: str
    lang: str | None
    countries: list[str]
    topics: list[str]
    published_at: datetime
    matched_at: datetime
    matched_terms: list[MatchedTerm]
    snippet: str = ""
    subscription_name: str = ""
    schema_version: int = SCHEMA_VERSION


class Channel(faust.Record, serializer="json"):
    """Where a subscription's alerts go: ``type`` names a notifier plugin."""

    type: str
    options: dict[str, str] = {}  # noqa: RUF012


class Subscription(faust.Record, serializer="json", isodates=True, coerce=True):
    """A saved query: compacted topic ``subscriptions``; key = ``id``; a null value
    (tombstone) deletes it. Every worker reads the whole topic."""

    id: str
    name: str
    query: str
    created_at: datetime
    updated_at: datetime
    owner: str = ""
    paused: bool = False
    channels: list[Channel] = []  # noqa: RUF012
    mode: str = "immediate"  # immediate | hourly | daily
    quiet_minutes: int = 0
    schema_version: int = SCHEMA_VERSION


class DeadLetter(faust.Record, serializer="json", isodates=True, coerce=True):
    """A message a stage could not process: topic ``<input topic>.dlq``."""

    stage: str
    reason: str
    error_type: str
    topic: str
    partition: int
    offset: int
    key: str | None
    value: str
    failed_at: datetime
    schema_version: int = SCHEMA_VERSION


class RecordError(ValueError):
    """The bytes do not hold a valid record of the expected type and version."""


def encode(record: faust.Record) -> bytes:
    return json.dumps(record.to_representation(), default=_json_default).encode()


def decode(cls: type[R], raw: bytes | str | None) -> R:
    """Decode and validate; raise :class:`RecordError` with a readable reason."""
    if raw is None:
        raise RecordError("empty message (tombstone)")
    try:
        data = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise RecordError(f"not JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise RecordError(f"expected a JSON object, got {type(data).__name__}")
    version = data.get("schema_version", SCHEMA_VERSION)
    if version != SCHEMA_VERSION:
        raise RecordError(f"unsupported schema_version {version!r} (this build reads 1)")
    data.pop("__faust", None)
    fields = set(cls._options.fields)
    defaults = set(cls._options.defaults)
    missing = sorted(fields - defaults - set(data))
    if missing:
        raise RecordError(f"missing field(s): {', '.join(missing)}")
    unknown = set(data) - fields
    for name in unknown:
        data.pop(name)
    try:
        record = cls.from_data(data)
    except (TypeError, ValueError) as exc:
        raise RecordError(f"invalid field value: {exc}") from exc
    if "id" in fields and not str(getattr(record, "id", "")).strip():
        raise RecordError("empty id")
    return record


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, faust.Record):
        return value.to_representation()
    raise TypeError(f"cannot serialise {type(value).__name__}")
