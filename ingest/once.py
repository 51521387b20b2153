"""``newsradar ingest --once``: one :class:`~ingest.poller.Poller` round over a throwaway
state, so every feed is due and fetched without validators, and each article is produced
once (the same article in two feeds is counted in ``articles_seen``, the duplicates)."""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path

from ingest.poller import Poller, RoundReport
from ingest.produce import ArticleSink, KafkaSink
from ingest.registry import FeedSpec
from newsradar.settings import Settings

DEFAULT_CONCURRENCY = 20
# A single pass has nobody to wait for: with no broker, fail in seconds (kafka-python's
# default bootstrap wait is 30 s), before any feed is fetched.
BOOTSTRAP_TIMEOUT_MS = 5_000


async def _one_round(poller: Poller) -> RoundReport:
    try:
        return await poller.poll_due()
    finally:
        await poller.aclose()


def run_once(
    urls: list[str],
    settings: Settings,
    *,
    allow_private: bool,
    sink: ArticleSink | None = None,
    concurrency: int = DEFAULT_CONCURRENCY,
) -> RoundReport:
    """Fetch every feed once, produce each article once, flush, report (per feed in
    ``report.feeds``, in the order given).

    Up to ``concurrency`` requests in flight, with no per-host limit or spacing: a single
    pass, not a poller that returns. With no ``sink`` a :class:`KafkaSink` on
    ``settings.kafka_bootstrap`` is created and closed here.
    """
    own = sink is None
    target: ArticleSink = (
        KafkaSink(settings, bootstrap_timeout_ms=BOOTSTRAP_TIMEOUT_MS) if sink is None else sink
    )
    feeds = [FeedSpec(url=url) for url in urls]  # the poller keeps a repeated URL once
    try:
        with tempfile.TemporaryDirectory(prefix="newsradar-once-") as state_dir:
            poller = Poller(
                settings,
                feeds,
                target,
                allow_private=allow_private,
                state_dir=Path(state_dir),
                concurrency=concurrency,
                per_host=concurrency,
                host_spacing_s=0.0,
            )
            return asyncio.run(_one_round(poller))
    finally:
        if own:
            target.close()
