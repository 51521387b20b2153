"""``newsradar ingest --once``: fetch every feed once, produce its articles, report."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import UTC, datetime

from ingest.fetch import Fetcher
from ingest.parse import ParsedFeed, parse_feed
from ingest.produce import ArticleSink, KafkaSink, deliver
from newsradar.records import Article
from newsradar.settings import Settings

DEFAULT_CONCURRENCY = 20


@dataclass
class FeedOutcome:
    url: str
    ok: bool
    reason: str | None = None  # why it failed, or a warning (malformed but usable)
    status: int | None = None
    articles: int = 0


@dataclass
class IngestReport:
    feeds: list[FeedOutcome] = field(default_factory=list)
    articles_produced: int = 0
    duplicates: int = 0  # the same article id seen again (another feed, same page)
    delivery_failures: int = 0
    delivery_errors: list[str] = field(default_factory=list)

    @property
    def feeds_ok(self) -> int:
        return sum(1 for f in self.feeds if f.ok)

    @property
    def feeds_failed(self) -> dict[str, str]:
        return {f.url: f.reason or "failed" for f in self.feeds if not f.ok}


def make_fetcher(settings: Settings, *, allow_private: bool) -> Fetcher:
    return Fetcher(
        timeout_s=settings.fetch_timeout_s,
        max_bytes=settings.max_feed_bytes,
        allow_private=allow_private or settings.allow_private_addresses,
    )


async def fetch_and_parse(
    fetcher: Fetcher, url: str, *, source: str | None = None, lang: str | None = None
) -> tuple[FeedOutcome, ParsedFeed | None]:
    """Fetch one feed and parse it; the outcome says what went wrong, if anything."""
    fetched = await fetcher.fetch(url)
    outcome = FeedOutcome(url=url, ok=False, status=fetched.status)
    if not fetched.ok or fetched.content is None:
        outcome.reason = fetched.error or f"HTTP {fetched.status}"
        return outcome, None
    parsed = await asyncio.to_thread(
        parse_feed,
        fetched.content,
        fetched.final_url,
        source=source,
        lang=lang,
        fetched_at=datetime.now(UTC),
        content_type=fetched.content_type,
    )
    if not parsed.ok:
        outcome.reason = f"not a feed: {parsed.error or 'no feed element and no entries'}"
        return outcome, parsed
    outcome.ok = True
    outcome.articles = len(parsed.articles)
    if parsed.bozo:
        outcome.reason = f"malformed, kept {len(parsed.articles)} item(s): {parsed.error}"
    return outcome, parsed


async def ingest_once(
    urls: list[str],
    settings: Settings,
    sink: ArticleSink,
    *,
    allow_private: bool,
    concurrency: int = DEFAULT_CONCURRENCY,
) -> IngestReport:
    report = IngestReport()
    gate = asyncio.Semaphore(concurrency)
    async with make_fetcher(settings, allow_private=allow_private) as fetcher:

        async def one(url: str) -> tuple[FeedOutcome, ParsedFeed | None]:
            async with gate:
                return await fetch_and_parse(fetcher, url)

        results = await asyncio.gather(*(one(url) for url in dict.fromkeys(urls)))
    unique: dict[str, Article] = {}
    for outcome, parsed in results:
        report.feeds.append(outcome)
        for article in parsed.articles if parsed and outcome.ok else []:
            if article.id in unique:
                report.duplicates += 1
            else:
                unique[article.id] = article
    delivery = await asyncio.to_thread(deliver, sink, list(unique.values()))
    report.articles_produced = delivery.sent
    report.delivery_failures = delivery.failed
    report.delivery_errors = delivery.errors
    return report


def run_once(
    urls: list[str],
    settings: Settings,
    *,
    allow_private: bool,
    sink: ArticleSink | None = None,
) -> IngestReport:
    """Fetch every feed once, produce each new article once, flush, report.

    With no ``sink`` a :class:`KafkaSink` on ``settings.kafka_bootstrap`` is created and
    closed here.
    """
    own = sink is None
    target: ArticleSink = KafkaSink(settings) if sink is None else sink
    try:
        return asyncio.run(ingest_once(urls, settings, target, allow_private=allow_private))
    finally:
        if own:
            target.close()
