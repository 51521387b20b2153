"""One typed settings object, read from ``NEWSRADAR_*`` environment variables.

Nothing is read at import time: call :func:`get_settings` at start-up. A mistyped
value fails fast with pydantic's message naming the variable.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


def _default_home() -> Path:
    # Elasticsearch runs as a dedicated non-root user when we are root, so its files must
    # not live under root's (mode 700) home directory.
    if os.geteuid() == 0:
        return Path("/var/lib/newsradar")
    xdg = os.environ.get("XDG_STATE_HOME")
    return Path(xdg) / "newsradar" if xdg else Path.home() / ".local" / "state" / "newsradar"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="NEWSRADAR_", extra="ignore")

    # --- where things live --------------------------------------------------------
    home: Path = Field(default_factory=_default_home, description="services' data and logs")
    cache_dir: Path | None = Field(
        default=None,
        description="downloaded artifacts and compiled gazetteers; default <home>/cache",
    )

    # --- Kafka ----------------------------------------------------------------
    kafka_bootstrap: str = "127.0.0.1:9092"
    kafka_controller_port: int = 9093
    kafka_version: str = "4.1.1"
    kafka_heap: str = "512m"
    topic_prefix: str = Field(default="", pattern=r"^[A-Za-z0-9._-]*$")
    topic_partitions: int = Field(default=4, ge=1)
    topic_replication_factor: int = Field(default=1, ge=1)
    topic_retention_hours: int = Field(default=24 * 7, ge=1)
    dlq_retention_hours: int = Field(default=24 * 30, ge=1)

    # --- Elasticsearch --------------------------------------------------------
    es_url: str = "http://127.0.0.1:9200"
    es_transport_port: int = 9300
    es_version: str = "9.2.0"
    es_heap: str = "768m"
    es_user: str = "newsradar"
    es_java_home: Path | None = None
    index_alias: str = "newsradar-articles"
    alerts_index_alias: str = "newsradar-alerts"
    templates_dir: Path = Field(
        default_factory=lambda: Path(__file__).resolve().parent.parent / "deploy" / "elasticsearch",
        description="index templates (deploy/elasticsearch in the repository)",
    )
    index_shards: int = Field(default=1, ge=1)
    index_replicas: int = Field(default=0, ge=0)

    # --- worker ----------------------------------------------------------------
    # topic taxonomy files (YAML) the tag agent uses instead of the default one; list the
    # default (processors/tagging/data/topics/default.yaml) too to extend rather than replace
    taxonomies: list[Path] = Field(default_factory=list)
    app_id: str = "newsradar"
    bulk_size: int = Field(default=500, ge=1)
    bulk_within_s: float = Field(default=0.5, gt=0)
    # how soon a crashed worker's partitions move to the others (Kafka group session)
    worker_session_timeout_s: float = Field(default=10.0, ge=6.0)

    # --- ingest ----------------------------------------------------------------
    feeds_file: Path = Path("feeds.yaml")
    poll_interval_s: float = Field(default=300.0, gt=0)
    allow_private_addresses: bool = False
    fetch_timeout_s: float = Field(default=20.0, gt=0)
    max_feed_bytes: int = Field(default=10 * 1024 * 1024, gt=0)

    # --- notifier and subscriptions API ---------------------------------------------
    smtp_host: str = "127.0.0.1"
    smtp_port: int = Field(default=25, ge=1, le=65535)
    smtp_from: str = "newsradar@localhost"
    smtp_starttls: bool = False
    smtp_username: str = ""
    smtp_password: SecretStr = SecretStr("")
    notify_timeout_s: float = Field(default=10.0, gt=0, description="one delivery attempt")
    notify_max_attempts: int = Field(default=4, ge=1, le=20)
    notify_backoff_s: float = Field(default=1.0, ge=0, description="first retry delay, doubled")
    notify_backoff_max_s: float = Field(default=30.0, ge=0)
    notify_retry_rounds_s: list[float] = Field(
        default=[60, 300, 1800, 7200, 21600],
        description="later rounds for a target that failed with a temporary error",
    )
    notify_daily_hour: int = Field(default=8, ge=0, le=23, description="UTC hour of daily digests")
    notify_allow_private_webhooks: bool = Field(
        default=False, description="let webhooks reach loopback/private/link-local addresses"
    )
    api_tokens: list[SecretStr] = Field(
        default_factory=list, description="bearer tokens of the API (JSON list)"
    )

    # --- readiness -------------------------------------------------------------
    start_timeout_s: float = Field(default=180.0, gt=0)

    @property
    def cache(self) -> Path:
        return self.cache_dir or self.home / "cache"

    @property
    def logs(self) -> Path:
        return self.home / "logs"

    @property
    def kafka_host_port(self) -> tuple[str, int]:
        host, _, port = self.kafka_bootstrap.split(",")[0].rpartition(":")
        return host or "127.0.0.1", int(port)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
