"""Ingest throughput against a loopback server holding N feeds (N = 5,000; 500 when quick).

The server (aiohttp, 127.0.0.1, its own process, bounded to the N generated feeds, each
with an ETag) answers ``If-None-Match`` with 304. Measured in this process, one event
loop, parsing on the loop thread (so one core):

- round 1: every feed fetched and parsed by :class:`ingest.poller.Poller` → feeds/s
  (wall clock) and feeds per CPU-second of this process;
- round 2: the same feeds again, conditional GET → share answered 304, feeds/s;
- baseline: a naive sequential ``feedparser.parse(url)`` loop over a subset (it sends no
  validators, so its second round costs what its first did);
- the same on routes that answer after 50 ms, like publishers across the internet, where
  concurrency rather than CPU decides.

All feeds live on one host (127.0.0.1), so the per-host politeness limits are opened up
(50 connections, no spacing) for the bench; on real feeds they stay at 2 and 1 s.
"""

from __future__ import annotations

import asyncio
import hashlib
import multiprocessing as mp
import tempfile
import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Any

from ingest.produce import Delivery

FEEDS = 5000
QUICK_FEEDS = 500
BASELINE_FEEDS = 300
QUICK_BASELINE_FEEDS = 60
ITEMS_PER_FEED = 15
CONCURRENCY = 20
LATENCY_S = 0.05  # the "slow" routes answer after this, like a publisher across the internet
SLOW_FEEDS = 1000
QUICK_SLOW_FEEDS = 200
SLOW_BASELINE_FEEDS = 40
QUICK_SLOW_BASELINE_FEEDS = 20

_WORDS = [
    *[
        "Північної",
        "Кореї",
        "Росією",
        "співпраці",
        "візит",
        "лідер",
        "засідання",
        "політбюро",
        "відносин",
    ],
    *[
        "Kim",
        "Jong",
        "Un",
        "Russia",
        "cooperation",
        "visit",
        "summit",
        "sanctions",
        "weapons",
        "satellite",
    ],
    *["Москва", "Пхеньян", "оборони", "ракети", "зброї", "угоди", "Вашингтон"],
]


def feed_body(n: int) -> bytes:
    """A realistic RSS 2.0 document for feed ``n`` (deterministic, about 6 KB)."""
    base = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(minutes=n)
    items = []
    for i in range(ITEMS_PER_FEED):
        words = [_WORDS[(n * 7 + i * 3 + k) % len(_WORDS)] for k in range(40)]
        title = " ".join(words[:8]).capitalize()
        text = " ".join(words)
        when = format_datetime(base - timedelta(hours=i))
        items.append(
            f"<item><title>{title}</title>"
            f"<link>https://news{n % 97}.example.net/{n}/{i}.html?utm_source=rss</link>"
            f"<guid isPermaLink='false'>feed{n}-item{i}</guid>"
            f"<description>&lt;p&gt;{text}&lt;/p&gt;&lt;p&gt;{text[:120]}&lt;/p&gt;</description>"
            f"<pubDate>{when}</pubDate></item>"
        )
    doc = (
        "<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel>"
        f"<title>Feed {n}</title><link>https://news{n % 97}.example.net/</link>"
        f"<language>uk</language>{''.join(items)}</channel></rss>"
    )
    return doc.encode()


def _serve(feeds: int, ready: Any) -> None:
    from aiohttp import web

    cache: dict[int, tuple[bytes, str]] = {}

    async def handler(request: web.Request) -> web.Response:
        if request.match_info["kind"] == "slow":
            await asyncio.sleep(LATENCY_S)
        try:
            n = int(request.match_info["n"])
        except ValueError:
            raise web.HTTPNotFound() from None
        if not 0 <= n < feeds:
            raise web.HTTPNotFound()
        if n not in cache:
            body = feed_body(n)
            cache[n] = (body, '"' + hashlib.sha1(body).hexdigest()[:16] + '"')
        body, etag = cache[n]
        if request.headers.get("If-None-Match") == etag:
            return web.Response(status=304, headers={"ETag": etag})
        return web.Response(
            body=body, headers={"ETag": etag, "Content-Type": "application/rss+xml"}
        )

    async def main() -> None:
        app = web.Application()
        app.router.add_get("/{kind:feed|slow}/{n}.xml", handler)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0, backlog=1024)
        await site.start()
        port = runner.addresses[0][1]
        ready.put(port)
        await asyncio.Event().wait()

    asyncio.run(main())


class _Counting:
    """A sink that only counts (the bench measures ingest, not Kafka)."""

    def __init__(self) -> None:
        self.count = 0

    def send(self, article: Any) -> None:
        self.count += 1

    def flush(self) -> Delivery:
        done, self.count = self.count, 0
        return Delivery(sent=done)

    def close(self) -> None:
        pass


async def _rounds(urls: list[str], state_dir: Path) -> dict[str, float]:
    from ingest.poller import Poller
    from ingest.registry import FeedSpec
    from newsradar.settings import Settings

    now = [time.time()]
    settings = Settings(home=state_dir, fetch_timeout_s=30)
    sink = _Counting()
    poller = Poller(
        settings,
        [FeedSpec(url=u) for u in urls],
        sink,
        allow_private=True,
        state_dir=state_dir,
        concurrency=CONCURRENCY,
        per_host=CONCURRENCY,
        host_spacing_s=0.0,
        parse_in_thread=False,
        clock=lambda: now[0],
    )
    try:
        wall, cpu = time.perf_counter(), time.process_time()
        first = await poller.poll_due()
        wall1, cpu1 = time.perf_counter() - wall, time.process_time() - cpu
        now[0] += 3 * 24 * 3600  # every feed due again
        wall, cpu = time.perf_counter(), time.process_time()
        second = await poller.poll_due()
        wall2, cpu2 = time.perf_counter() - wall, time.process_time() - cpu
    finally:
        await poller.aclose()
    assert first.ok == len(urls), f"round 1: {first}"
    return {
        "r1_wall": wall1,
        "r1_cpu": cpu1,
        "articles": first.articles_new,
        "r2_wall": wall2,
        "r2_cpu": cpu2,
        "r2_304": second.not_modified / max(1, second.due),
    }


def _baseline(urls: list[str]) -> float:
    import warnings

    import feedparser

    started = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for url in urls:
            parsed = feedparser.parse(url)
            assert parsed.entries, url
    return len(urls) / (time.perf_counter() - started)


def run(quick: bool = False) -> list[dict[str, Any]]:
    feeds = QUICK_FEEDS if quick else FEEDS
    subset = QUICK_BASELINE_FEEDS if quick else BASELINE_FEEDS
    slow = QUICK_SLOW_FEEDS if quick else SLOW_FEEDS
    slow_subset = QUICK_SLOW_BASELINE_FEEDS if quick else SLOW_BASELINE_FEEDS
    ctx = mp.get_context("spawn")
    ready = ctx.Queue()
    server = ctx.Process(target=_serve, args=(feeds, ready), daemon=True)
    server.start()
    try:
        port = ready.get(timeout=60)
        urls = [f"http://127.0.0.1:{port}/feed/{n}.xml" for n in range(feeds)]
        slow_urls = [f"http://127.0.0.1:{port}/slow/{n}.xml" for n in range(slow)]
        baseline = _baseline(urls[:subset])
        slow_baseline = _baseline(slow_urls[:slow_subset])
        with tempfile.TemporaryDirectory(prefix="bench-ingest-") as tmp:
            m = asyncio.run(_rounds(urls, Path(tmp) / "fast"))
            s = asyncio.run(_rounds(slow_urls, Path(tmp) / "slow"))
    finally:
        server.terminate()
        server.join(10)
    r1, r2, s1 = feeds / m["r1_wall"], feeds / m["r2_wall"], slow / s["r1_wall"]
    case = f"{feeds} feeds x {ITEMS_PER_FEED} items, loopback"
    lag = f"{slow} feeds, {LATENCY_S * 1000:.0f} ms server latency"
    return [
        {"bench": "ingest", "case": f"round 1 fetch+parse, {case}", "value": r1,
         "unit": "feeds/s", "baseline": baseline, "ratio": r1 / baseline},
        {"bench": "ingest", "case": f"round 1 per CPU-second of the ingest process, {case}",
         "value": feeds / m["r1_cpu"], "unit": "feeds/cpu-s"},
        {"bench": "ingest", "case": f"round 1 articles, {case}",
         "value": m["articles"] / m["r1_wall"], "unit": "articles/s"},
        {"bench": "ingest", "case": f"round 2 conditional GET (naive loop re-fetches), {case}",
         "value": r2, "unit": "feeds/s", "baseline": baseline, "ratio": r2 / baseline},
        {"bench": "ingest", "case": f"round 2 share answered 304, {case}",
         "value": 100.0 * m["r2_304"], "unit": "%"},
        {"bench": "ingest", "case": f"round 1 fetch+parse, {lag}", "value": s1,
         "unit": "feeds/s", "baseline": slow_baseline, "ratio": s1 / slow_baseline},
        {"bench": "ingest", "case": f"naive sequential feedparser.parse(url), {subset} feeds",
         "value": baseline, "unit": "feeds/s"},
        {"bench": "ingest",
         "case": f"naive sequential feedparser.parse(url), {slow_subset} feeds, "
                 f"{LATENCY_S * 1000:.0f} ms server latency",
         "value": slow_baseline, "unit": "feeds/s"},
    ]  # fmt: skip


if __name__ == "__main__":
    import sys

    for row in run(quick="--quick" in sys.argv):
        print(row)
