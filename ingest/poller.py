"""The polite poller behind ``newsradar ingest`` (continuous, also under ``newsradar run``)
and ``newsradar ingest --once`` (one round over a throwaway state, see :mod:`ingest.once`).

One :meth:`Poller.poll_due` round fetches every feed that is due (conditional GET, per-host
concurrency and spacing), parses what changed, sends the articles never produced before
to the sink, flushes, and only then saves the feeds' new validators and the produced ids.
A delivery failure therefore leaves the old validators in place and the items come again
on the next poll: at-least-once, with the article id making repeats harmless downstream.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import hashlib
import logging
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

from ingest import fulltext, schedule
from ingest.fetch import Fetcher, FetchResult
from ingest.metrics import ARTICLES, FETCHES, FULL_TEXT, ROUNDS, Counters
from ingest.parse import ParsedFeed, parse_feed
from ingest.produce import ArticleSink, deliver
from ingest.registry import FeedSpec
from ingest.state import FeedState, StateStore
from newsradar.records import Article
from newsradar.settings import Settings

log = logging.getLogger(__name__)


class HostGate:
    """At most ``per_host`` requests in flight per host, starts ``spacing_s`` apart."""

    @dataclass
    class _Host:
        slots: asyncio.Semaphore
        lock: asyncio.Lock = field(default_factory=asyncio.Lock)
        last_start: float = float("-inf")

    def __init__(self, per_host: int, spacing_s: float) -> None:
        self.per_host = per_host
        self.spacing_s = spacing_s
        self._hosts: dict[str, HostGate._Host] = {}

    @contextlib.asynccontextmanager
    async def slot(self, host: str) -> AsyncIterator[None]:
        entry = self._hosts.get(host)
        if entry is None:
            entry = self._hosts[host] = self._Host(asyncio.Semaphore(self.per_host))
        async with entry.slots:
            async with entry.lock:
                wait = entry.last_start + self.spacing_s - time.monotonic()
                if wait > 0:
                    await asyncio.sleep(wait)
                entry.last_start = time.monotonic()
            yield


@dataclass
class FeedOutcome:
    """One feed's poll in a round."""

    url: str  # as registered
    ok: bool
    reason: str | None = None  # why it failed, or a warning (malformed but usable)
    status: int | None = None
    articles: int = 0  # items parsed (new or not)


@dataclass
class RoundReport:
    due: int = 0
    ok: int = 0
    not_modified: int = 0
    unchanged: int = 0  # 200 with the same bytes as last time (content-hash fallback)
    errors: int = 0
    articles_new: int = 0  # delivered and committed: never sent again
    articles_seen: int = 0  # produced in an earlier round, or a repeat in this one
    articles_sent: int = 0  # acknowledged by the sink, a batch that failed in part included
    delivery_failed: int = 0
    delivery_errors: list[str] = field(default_factory=list)
    feeds: list[FeedOutcome] = field(default_factory=list)  # in polling order

    @property
    def feeds_ok(self) -> int:
        return sum(1 for f in self.feeds if f.ok)

    @property
    def feeds_failed(self) -> dict[str, str]:
        return {f.url: f.reason or "failed" for f in self.feeds if not f.ok}


@dataclass
class _Polled:
    spec: FeedSpec
    state: FeedState
    result: FetchResult
    parsed: ParsedFeed | None = None
    digest: str | None = None
    error: str | None = None
    new_items: int = 0


class Poller:
    def __init__(
        self,
        settings: Settings,
        feeds: list[FeedSpec],
        sink: ArticleSink,
        *,
        allow_private: bool = False,
        state_dir: Path | None = None,
        concurrency: int = 20,
        batch_size: int = 200,
        per_host: int = 2,
        host_spacing_s: float = 1.0,
        limits: schedule.Limits | None = None,
        counters: Counters | None = None,
        parse_in_thread: bool = True,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.settings = settings
        self.sink = sink
        self.limits = limits or schedule.Limits()
        self.counters = counters or Counters()
        self.store = StateStore(state_dir or settings.home / "ingest")
        self.states = self.store.load()
        self._fetcher_options = {
            "timeout_s": settings.fetch_timeout_s,
            "max_bytes": settings.max_feed_bytes,
            "allow_private": allow_private or settings.allow_private_addresses,
            "max_connections": concurrency,
        }
        self._concurrency = concurrency
        self._batch_size = max(1, batch_size)
        self._politeness = (per_host, host_spacing_s)
        # httpx clients and asyncio primitives belong to one event loop: made on first use.
        self._loop: asyncio.AbstractEventLoop | None = None
        self._fetcher: Fetcher | None = None
        self._gate = HostGate(per_host, host_spacing_s)
        self._slots = asyncio.Semaphore(concurrency)
        self._parse_in_thread = parse_in_thread
        self._clock = clock
        self.feeds: dict[str, FeedSpec] = {}
        self.set_feeds(feeds)

    def set_feeds(self, feeds: list[FeedSpec]) -> None:
        """Adopt a (re-read) registry: new feeds are due at once, removed ones forgotten."""
        self.feeds = {f.url: f for f in feeds}
        initial = self.limits.clamp(self.settings.poll_interval_s)
        for url in self.feeds:
            if url not in self.states:
                self.states[url] = FeedState(key=url, url=url, interval_s=initial)
        gone = [key for key in self.states if key not in self.feeds]
        for key in gone:
            del self.states[key]
        if gone:
            self.store.forget(gone)

    async def aclose(self) -> None:
        await self.release_connections()
        self.store.close()

    async def release_connections(self) -> None:
        """Close the HTTP connections (state stays open): call before the event loop ends
        when this poller will poll again from another loop."""
        if self._fetcher is not None:
            await self._fetcher.aclose()
            self._fetcher = None

    async def _bind_loop(self) -> Fetcher:
        loop = asyncio.get_running_loop()
        if self._fetcher is None or self._loop is not loop:
            if self._fetcher is not None and self._loop is not None and not self._loop.is_closed():
                await self._fetcher.aclose()
            self._fetcher = Fetcher(**self._fetcher_options)  # type: ignore[arg-type]
            self._gate = HostGate(*self._politeness)
            self._slots = asyncio.Semaphore(self._concurrency)
            self._loop = loop
        return self._fetcher

    def next_due_at(self) -> float | None:
        return min((s.next_poll_at for s in self.states.values()), default=None)

    async def run_forever(
        self,
        stop: asyncio.Event | None = None,
        on_round: Callable[[RoundReport], None] | None = None,
        reload: Callable[[], list[FeedSpec] | None] | None = None,
        idle_s: float = 60.0,
    ) -> None:
        """Poll until ``stop`` is set (or the task is cancelled); report each busy round.

        ``reload`` is asked before every round for a changed registry (None: unchanged);
        between rounds the loop sleeps until the next feed is due, at most ``idle_s``.
        """
        stop = stop or asyncio.Event()
        last_prune = 0.0
        while not stop.is_set():
            changed = reload() if reload is not None else None
            if changed is not None:
                self.set_feeds(changed)
            report = await self.poll_due()
            if on_round is not None and report.due:
                on_round(report)
            now = self._clock()
            if now - last_prune > 24 * 3600:
                self.store.prune_seen(now)
                last_prune = now
            due = self.next_due_at()
            wait = idle_s if due is None else min(idle_s, max(0.05, due - now))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=wait)

    async def poll_due(self) -> RoundReport:
        """Poll every due feed (most overdue first), in batches of ``batch_size``: each
        batch is fetched concurrently, delivered, then committed, so memory stays bounded
        and articles flow while a long round (a cold start) is still going."""
        now = self._clock()
        due = [(spec, self.states[url]) for url, spec in self.feeds.items()]
        due = sorted(
            ((spec, st) for spec, st in due if st.next_poll_at <= now),
            key=lambda pair: pair[1].next_poll_at,
        )
        report = RoundReport(due=len(due))
        if not due:
            return report
        fetcher = await self._bind_loop()
        for start in range(0, len(due), self._batch_size):
            await self._poll_batch(fetcher, due[start : start + self._batch_size], report)
        self.counters.inc(ROUNDS)
        return report

    async def _poll_batch(
        self, fetcher: Fetcher, batch: list[tuple[FeedSpec, FeedState]], report: RoundReport
    ) -> None:
        polled = await asyncio.gather(*(self._poll(fetcher, spec, st) for spec, st in batch))
        fresh, pairs = self._select_new(polled, report)
        await self._full_text(fresh, pairs, fetcher)
        delivered = True
        if fresh:
            delivery = await asyncio.to_thread(deliver, self.sink, fresh)
            report.articles_sent += delivery.sent
            if delivery.failed:
                delivered = False
                report.delivery_failed += delivery.failed
                report.delivery_errors.extend(delivery.errors)
                self.counters.inc(ARTICLES, delivery.failed, outcome="delivery_failed")
                log.warning("ingest: %d article(s) not delivered: %s", delivery.failed,
                            "; ".join(delivery.errors[:3]))  # fmt: skip
        if delivered:
            report.articles_new += len(fresh)
            self.counters.inc(ARTICLES, len(fresh), outcome="new")
        done = self._clock()
        for item in polled:
            self._update(item, done, delivered, report)
        self.store.commit((item.state for item in polled), pairs if delivered else [], done)

    @contextlib.asynccontextmanager
    async def _slot(self, host: str) -> AsyncIterator[None]:
        """Politeness for one request: a global slot, then the host's slot and spacing."""
        async with self._slots, self._gate.slot(host):
            yield

    async def _full_text(
        self, fresh: list[Article], pairs: list[tuple[str, str]], fetcher: Fetcher
    ) -> None:
        feed_of = dict(pairs)
        wanted = [a for a in fresh if self.feeds[feed_of[a.id]].full_text]
        if wanted:
            done = await fulltext.enrich(wanted, fetcher, self._slot)
            self.counters.inc(FULL_TEXT, done.extracted, outcome="ok")
            self.counters.inc(FULL_TEXT, done.failed, outcome="failed")

    async def _poll(self, fetcher: Fetcher, spec: FeedSpec, st: FeedState) -> _Polled:
        host = urlsplit(st.url).hostname or st.url
        async with self._slot(host):
            result = await fetcher.fetch(st.url, etag=st.etag, last_modified=st.last_modified)
        item = _Polled(spec, st, result)
        if not result.ok or result.content is None:
            return item
        item.digest = hashlib.sha256(result.content).hexdigest()
        if item.digest == st.content_hash:
            return item
        parse = functools.partial(
            parse_feed,
            result.content,
            result.final_url,
            source=spec.source,
            lang=spec.lang,
            fetched_at=datetime.now(UTC),
            content_type=result.content_type,
            source_country=spec.country,
            tags=spec.tags,
        )
        try:
            parsed = await asyncio.to_thread(parse) if self._parse_in_thread else parse()
        except Exception as exc:  # a parser bug must not stop the other feeds
            item.error = f"parser error: {type(exc).__name__}: {exc}"
            return item
        item.parsed = parsed
        if not parsed.ok:
            item.error = f"not a feed: {parsed.error or 'no feed element and no entries'}"
        return item

    def _select_new(
        self, polled: list[_Polled], report: RoundReport
    ) -> tuple[list[Article], list[tuple[str, str]]]:
        candidates: dict[str, tuple[Article, str]] = {}
        occurrences = 0
        for item in polled:
            if item.parsed is None or item.error:
                continue
            occurrences += len(item.parsed.articles)
            for article in item.parsed.articles:
                candidates.setdefault(article.id, (article, item.spec.url))
        unseen = self.store.unseen(candidates)
        fresh = [candidates[i][0] for i in candidates if i in unseen]
        seen = occurrences - len(fresh)  # produced before, or a repeat within this batch
        report.articles_seen += seen
        self.counters.inc(ARTICLES, seen, outcome="seen")
        by_feed = {item.spec.url: item for item in polled}
        for article_id in unseen:
            by_feed[candidates[article_id][1]].new_items += 1
        return fresh, [(i, candidates[i][1]) for i in unseen]

    def _update(self, item: _Polled, now: float, delivered: bool, report: RoundReport) -> None:
        st, result = item.state, item.result
        st.fetches += 1
        st.last_attempt_at = now
        st.last_status = result.status
        error = result.error or item.error
        report.feeds.append(_outcome(item, error))
        if error is not None:
            outcome = "blocked" if "non-public address" in error else "error"
            self.counters.inc(FETCHES, outcome=outcome)
            report.errors += 1
            self._failed(st, error, result.retry_after_s, now)
            return
        if result.permanent_url and result.permanent_url != st.url:
            st.moved_from, st.url = st.url, result.permanent_url
        new_items = item.new_items
        if item.parsed is not None and not delivered:
            # Keep the old validators so the same items come again next time, soon.
            st.next_poll_at = now + self.limits.min_interval_s
            return
        if result.not_modified:
            outcome = "not_modified"
            report.not_modified += 1
            st.not_modified += 1
        elif item.parsed is None:
            outcome = "unchanged"
            report.unchanged += 1
            st.unchanged += 1
        else:
            outcome = "ok"
            report.ok += 1
        self.counters.inc(FETCHES, outcome=outcome)
        if result.status == 200:  # the validators of this very body, or none
            st.etag, st.last_modified = result.etag, result.last_modified
        else:  # 304 may repeat or refresh them
            st.etag = result.etag or st.etag
            st.last_modified = result.last_modified or st.last_modified
        if item.digest is not None:
            st.content_hash = item.digest
        if st.last_success_at is not None:
            st.rate_per_h = schedule.update_rate(st.rate_per_h, new_items, now - st.last_success_at)
            st.interval_s = schedule.success_interval(st.rate_per_h, st.interval_s, self.limits)
        st.articles_new += new_items
        st.last_success_at = now
        st.consecutive_errors = 0
        st.failing_since = None
        st.dead = False
        st.next_poll_at = now + schedule.jittered(st.interval_s)

    def _failed(self, st: FeedState, error: str, retry_after: float | None, now: float) -> None:
        st.errors += 1
        st.consecutive_errors += 1
        st.failing_since = st.failing_since or now
        st.last_error, st.last_error_at = error, now
        if schedule.is_dead(st.consecutive_errors, now - st.failing_since, st.last_status):
            st.dead = True
            st.next_poll_at = now + schedule.DEAD_RETRY_S
            return
        delay = schedule.backoff_interval(
            st.consecutive_errors, retry_after, st.interval_s, self.limits
        )
        st.next_poll_at = now + schedule.jittered(delay)


def _outcome(item: _Polled, error: str | None) -> FeedOutcome:
    parsed = item.parsed if error is None else None
    reason = error
    if parsed is not None and parsed.bozo:
        reason = f"malformed, kept {len(parsed.articles)} item(s): {parsed.error}"
    articles = len(parsed.articles) if parsed is not None else 0
    return FeedOutcome(item.spec.url, error is None, reason, item.result.status, articles)
