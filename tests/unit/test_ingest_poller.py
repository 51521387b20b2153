"""The continuous poller against a loopback server, with a fake clock and an in-memory sink."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest

from ingest import schedule
from ingest.metrics import ARTICLES, FETCHES, Counters
from ingest.poller import Poller, RoundReport
from ingest.produce import Delivery, ListSink
from ingest.registry import FeedSpec
from newsradar.records import Article
from newsradar.settings import Settings
from tests.unit import test_ingest_support as support
from tests.unit.test_ingest_support import LoopbackServer, Reply

loopback = support.loopback  # the fixture


def rss(*links: str) -> bytes:
    items = "".join(f"<item><title>t {u}</title><link>{u}</link></item>" for u in links)
    return f"<rss version='2.0'><channel><title>T</title>{items}</channel></rss>".encode()


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


class FailingSink(ListSink):
    def flush(self) -> Delivery:
        sent = super().flush()
        self.articles.clear()
        return Delivery(sent=0, failed=sent.sent, errors=["broker down"])


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(home=tmp_path, fetch_timeout_s=5, poll_interval_s=600)


def make(
    settings: Settings,
    tmp_path: Path,
    urls: list[str],
    sink: ListSink,
    clock: Clock,
    **kw: object,
) -> Poller:
    options: dict[str, object] = {"host_spacing_s": 0.0, "per_host": 8, "parse_in_thread": False}
    options.update(kw)
    return Poller(
        settings,
        [FeedSpec(url=u, source="Src") for u in urls],
        sink,
        allow_private=True,
        state_dir=tmp_path / "state",
        clock=clock,
        **options,  # type: ignore[arg-type]
    )


def poll_round(poller: Poller) -> RoundReport:
    async def go() -> RoundReport:
        try:
            return await poller.poll_due()
        finally:
            await poller.release_connections()

    return asyncio.run(go())


def etag_route(body: bytes, etag: str = '"1"') -> support.Route:
    def route(headers: dict[str, str]) -> Reply:
        if headers.get("if-none-match") == etag:
            return Reply(304)
        return Reply(body=body, headers={"ETag": etag})

    return route


def test_conditional_get_state_restart_and_no_reemit(
    loopback: LoopbackServer, settings: Settings, tmp_path: Path
) -> None:
    loopback.routes["/a"] = etag_route(rss("https://n.example/1", "https://n.example/2"))
    clock, sink = Clock(), ListSink()
    counters = Counters()
    poller = make(settings, tmp_path, [loopback.url("/a")], sink, clock, counters=counters)
    first = poll_round(poller)
    assert (first.ok, first.articles_new) == (1, 2)
    assert [a.source for a in sink.articles] == ["Src", "Src"]
    assert poll_round(poller).due == 0  # not due yet
    clock.now += 3600
    second = poll_round(poller)
    assert second.not_modified == 1 and second.articles_new == 0
    assert loopback.requests[-1][1]["if-none-match"] == '"1"'
    assert counters.get(FETCHES, outcome="not_modified") == 1
    assert counters.get(ARTICLES, outcome="new") == 2
    poller.store.close()

    # Restart: a new poller on the same state directory; the feed gains one item.
    loopback.routes["/a"] = etag_route(
        rss("https://n.example/3", "https://n.example/1", "https://n.example/2"), etag='"2"'
    )
    clock.now += 3600
    sink2 = ListSink()
    again = make(settings, tmp_path, [loopback.url("/a")], sink2, clock)
    third = poll_round(again)
    assert [a.url for a in sink2.articles] == ["https://n.example/3"]
    assert third.articles_seen == 2
    state = again.states[loopback.url("/a")]
    assert state.etag == '"2"' and state.articles_new == 3 and state.rate_per_h
    again.store.close()


def test_content_hash_fallback_when_server_ignores_validators(
    loopback: LoopbackServer, settings: Settings, tmp_path: Path
) -> None:
    loopback.routes["/lies"] = Reply(body=rss("https://n.example/1"))
    clock, sink = Clock(), ListSink()
    poller = make(settings, tmp_path, [loopback.url("/lies")], sink, clock)
    poll_round(poller)
    clock.now += 3600
    assert poll_round(poller).unchanged == 1
    assert len(sink.articles) == 1
    poller.store.close()


def test_dedupe_across_feeds_in_one_round(
    loopback: LoopbackServer, settings: Settings, tmp_path: Path
) -> None:
    loopback.routes["/a"] = Reply(body=rss("https://n.example/x?utm_source=a"))
    loopback.routes["/b"] = Reply(body=rss("https://n.example/x#frag"))
    sink = ListSink()
    poller = make(settings, tmp_path, [loopback.url("/a"), loopback.url("/b")], sink, Clock())
    report = poll_round(poller)
    assert report.articles_new == 1 and [a.url for a in sink.articles] == ["https://n.example/x"]
    poller.store.close()


def test_errors_back_off_honour_retry_after_and_gone_is_dead(
    loopback: LoopbackServer, settings: Settings, tmp_path: Path
) -> None:
    loopback.routes["/busy"] = Reply(503, headers={"Retry-After": "7200"})
    loopback.routes["/gone"] = Reply(410)
    clock = Clock()
    urls = [loopback.url("/busy"), loopback.url("/missing"), loopback.url("/gone")]
    poller = make(settings, tmp_path, urls, ListSink(), clock)
    report = poll_round(poller)
    assert report.errors == 3
    busy, missing, gone = (poller.states[u] for u in urls)
    assert busy.next_poll_at >= clock.now + 7200 * (1 - schedule.JITTER)
    assert busy.last_error == "HTTP 503" and busy.consecutive_errors == 1
    first_delay = missing.next_poll_at - clock.now
    clock.now = missing.next_poll_at + 1
    poll_round(poller)
    assert missing.consecutive_errors == 2
    assert missing.next_poll_at - clock.now > 1.5 * first_delay
    assert gone.dead and gone.next_poll_at >= clock.now - 1 + schedule.DEAD_RETRY_S * 0.89
    poller.store.close()


def test_permanent_redirect_moves_the_feed(
    loopback: LoopbackServer, settings: Settings, tmp_path: Path
) -> None:
    loopback.routes["/old"] = Reply(301, headers={"Location": "/new"})
    loopback.routes["/new"] = Reply(body=rss("https://n.example/1"))
    clock = Clock()
    poller = make(settings, tmp_path, [loopback.url("/old")], ListSink(), clock)
    poll_round(poller)
    state = poller.states[loopback.url("/old")]
    assert state.url == loopback.url("/new") and state.moved_from == loopback.url("/old")
    clock.now += 3600
    poll_round(poller)
    assert [p for p, _ in loopback.requests] == ["/old", "/new", "/new"]
    poller.store.close()


def test_delivery_failure_keeps_items_for_the_next_round(
    loopback: LoopbackServer, settings: Settings, tmp_path: Path
) -> None:
    loopback.routes["/a"] = etag_route(rss("https://n.example/1"))
    clock = Clock()
    poller = make(settings, tmp_path, [loopback.url("/a")], FailingSink(), clock)
    report = poll_round(poller)
    assert report.delivery_failed == 1 and report.articles_new == 0
    assert report.articles_sent == 0 and report.delivery_errors == ["broker down"]
    assert report.feeds_ok == 1  # the feed itself was fine
    state = poller.states[loopback.url("/a")]
    assert state.etag is None  # validators not advanced
    poller.sink = good = ListSink()
    clock.now = state.next_poll_at + 1
    assert poll_round(poller).articles_new == 1
    assert [a.url for a in good.articles] == ["https://n.example/1"]
    poller.store.close()


def test_per_host_spacing(loopback: LoopbackServer, settings: Settings, tmp_path: Path) -> None:
    for n in range(3):
        loopback.routes[f"/{n}"] = Reply(body=rss(f"https://n.example/{n}"))
    urls = [loopback.url(f"/{n}") for n in range(3)]
    poller = make(settings, tmp_path, urls, ListSink(), Clock(), host_spacing_s=0.15, per_host=1)
    started = time.monotonic()
    poll_round(poller)
    assert time.monotonic() - started >= 0.3
    poller.store.close()


def test_blocked_private_address_is_an_error(
    loopback: LoopbackServer, settings: Settings, tmp_path: Path
) -> None:
    loopback.routes["/a"] = Reply(body=rss("https://n.example/1"))
    poller = Poller(
        settings,
        [FeedSpec(url=loopback.url("/a"))],
        ListSink(),
        allow_private=False,
        state_dir=tmp_path / "s",
        counters=(counters := Counters()),
    )
    assert poll_round(poller).errors == 1
    assert counters.get(FETCHES, outcome="blocked") == 1 and loopback.requests == []
    poller.store.close()


def test_set_feeds_adds_and_forgets(settings: Settings, tmp_path: Path) -> None:
    poller = make(settings, tmp_path, ["https://a.example/f"], ListSink(), Clock())
    poller.set_feeds([FeedSpec(url="https://b.example/f")])
    assert list(poller.states) == ["https://b.example/f"]
    poller.store.close()


def test_run_forever_stops(loopback: LoopbackServer, settings: Settings, tmp_path: Path) -> None:
    loopback.routes["/a"] = Reply(body=rss("https://n.example/1"))
    seen: list[RoundReport] = []
    poller = make(settings, tmp_path, [loopback.url("/a")], ListSink(), Clock())

    async def go() -> None:
        stop = asyncio.Event()
        task = asyncio.create_task(poller.run_forever(stop, on_round=seen.append))
        while not seen:
            await asyncio.sleep(0.01)
        stop.set()
        await asyncio.wait_for(task, 5)
        await poller.aclose()

    asyncio.run(go())
    assert seen[0].articles_new == 1


def test_schedule_adapts_to_item_rate() -> None:
    limits = schedule.Limits()
    busy = schedule.update_rate(None, 12, 3600)  # 12 items an hour
    assert schedule.success_interval(busy, 600, limits) == limits.min_interval_s
    quiet = schedule.update_rate(0.5, 0, 3600 * 6)
    assert 600 < schedule.success_interval(quiet, 600, limits) <= 1200  # grows at most 2x
    assert schedule.success_interval(0.0, 80_000, limits) == limits.max_interval_s
    assert schedule.backoff_interval(1, None, 600, limits) == 600
    assert schedule.backoff_interval(3, None, 600, limits) == 2400
    assert schedule.backoff_interval(30, None, 600, limits) == limits.max_interval_s
    assert schedule.backoff_interval(1, 5000, 600, limits) == 5000
    assert schedule.is_dead(1, 0, 410)
    assert not schedule.is_dead(schedule.DEAD_AFTER_ERRORS, 3600, 500)
    assert schedule.is_dead(schedule.DEAD_AFTER_ERRORS, schedule.DEAD_AFTER_S, 500)


def test_articles_have_the_record_type(
    loopback: LoopbackServer, settings: Settings, tmp_path: Path
) -> None:
    loopback.routes["/a"] = Reply(body=rss("https://n.example/1"))
    sink = ListSink()
    poller = make(settings, tmp_path, [loopback.url("/a")], sink, Clock(), parse_in_thread=True)
    poll_round(poller)
    assert isinstance(sink.articles[0], Article)
    poller.store.close()


def test_run_forever_reloads_the_registry(
    loopback: LoopbackServer, settings: Settings, tmp_path: Path
) -> None:
    loopback.routes["/a"] = Reply(body=rss("https://n.example/1"))
    loopback.routes["/b"] = Reply(body=rss("https://n.example/2"))
    sink, seen = ListSink(), []
    poller = make(settings, tmp_path, [loopback.url("/a")], sink, Clock())
    registries = [[FeedSpec(url=loopback.url("/b"))]]

    async def go() -> None:
        stop = asyncio.Event()

        def on_round(report: RoundReport) -> None:
            seen.append(report)
            if len(seen) == 2:
                stop.set()

        def reload() -> list[FeedSpec] | None:
            return registries.pop() if seen and registries else None

        polling = poller.run_forever(stop, on_round=on_round, reload=reload, idle_s=0.05)
        await asyncio.wait_for(polling, 10)
        await poller.aclose()

    asyncio.run(go())
    assert [a.url for a in sink.articles] == ["https://n.example/1", "https://n.example/2"]
    assert list(poller.states) == [loopback.url("/b")]


ARTICLE_PAGE = (
    "<html><head><title>Page</title></head><body><nav>Home | World | Sport</nav>"
    "<article><h1>Kim meets Putin</h1>"
    + "<p>North Korea's leader Kim Jong Un ordered officials to deepen relations with Russia "
    "after his visit to the Russian Far East, the state agency KCNA reported.</p>"
    * 4
    + "</article><footer>Copyright 2023 Example News</footer></body></html>"
).encode()


def test_full_text_feeds_get_the_article_page_text(
    loopback: LoopbackServer, settings: Settings, tmp_path: Path
) -> None:
    page, missing = loopback.url("/art/1"), loopback.url("/art/404")
    loopback.routes["/art/1"] = Reply(
        body=ARTICLE_PAGE, headers={"Content-Type": "text/html; charset=utf-8"}
    )
    items = "".join(
        f"<item><title>t</title><link>{u}</link><description>Teaser.</description></item>"
        for u in (page, missing)
    )
    loopback.routes["/f"] = Reply(body=f"<rss><channel>{items}</channel></rss>".encode())
    counters, sink = Counters(), ListSink()
    poller = Poller(
        settings,
        [FeedSpec(url=loopback.url("/f"), full_text=True)],
        sink,
        allow_private=True,
        state_dir=tmp_path / "s",
        counters=counters,
        host_spacing_s=0.0,
    )
    poll_round(poller)
    texts = {a.url: a.text for a in sink.articles}
    assert "deepen relations with Russia" in texts[page]
    assert "Home | World" not in texts[page] and "Copyright" not in texts[page]
    assert texts[missing] == "Teaser."
    assert counters.get("newsradar_ingest_full_text_total", outcome="ok") == 1
    assert counters.get("newsradar_ingest_full_text_total", outcome="failed") == 1
    poller.store.close()


def test_prometheus_collector_exports_counters_and_feed_gauges() -> None:
    from prometheus_client import CollectorRegistry, generate_latest

    from ingest.metrics import PrometheusCollector
    from ingest.state import FeedState

    counters = Counters()
    counters.inc(FETCHES, 3, outcome="ok")
    counters.inc(ARTICLES, 7, outcome="new")
    state = FeedState(key="https://a/f", url="https://a/f", rate_per_h=1.5, last_success_at=1e9)
    registry = CollectorRegistry()
    registry.register(PrometheusCollector(counters, lambda: [state]))
    text = generate_latest(registry).decode()
    assert 'newsradar_ingest_fetches_total{outcome="ok"} 3.0' in text
    assert 'newsradar_ingest_articles_total{outcome="new"} 7.0' in text
    assert 'newsradar_feed_items_per_hour{feed="https://a/f"} 1.5' in text
    assert 'newsradar_feed_last_success_timestamp{feed="https://a/f"} 1e+09' in text


def test_a_round_goes_in_batches(
    loopback: LoopbackServer, settings: Settings, tmp_path: Path
) -> None:
    flushes: list[int] = []

    class Recording(ListSink):
        def flush(self) -> Delivery:
            done = super().flush()
            flushes.append(done.sent)
            return done

    for n in range(5):
        loopback.routes[f"/{n}"] = Reply(body=rss(f"https://n.example/{n}", "https://n.example/x"))
    urls = [loopback.url(f"/{n}") for n in range(5)]
    sink = Recording()
    poller = make(settings, tmp_path, urls, sink, Clock(), batch_size=2)
    report = poll_round(poller)
    assert flushes == [3, 2, 1]  # the shared item goes out once, in the first batch
    assert report.articles_new == 6 and report.articles_seen == 4 and report.ok == 5
    poller.store.close()
