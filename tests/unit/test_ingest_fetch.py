"""ingest.fetch against a loopback server: caps, encodings, redirects, safety, validators."""

from __future__ import annotations

import asyncio
import gzip
import zlib

import pytest

from ingest.fetch import Fetcher, FetchResult, retry_after_seconds
from newsradar.netguard import is_public_address
from tests.unit import test_ingest_support as support
from tests.unit.test_ingest_support import LoopbackServer, Reply

loopback = support.loopback  # the fixture
FEED = b"<rss version='2.0'><channel><title>t</title></channel></rss>"


def fetch(url: str, **kwargs: object) -> FetchResult:
    options: dict[str, object] = {"allow_private": True, "timeout_s": 5.0}
    validators = {k: kwargs.pop(k) for k in ("etag", "last_modified") if k in kwargs}
    options.update(kwargs)

    async def go() -> FetchResult:
        async with Fetcher(**options) as fetcher:  # type: ignore[arg-type]
            return await fetcher.fetch(url, **validators)  # type: ignore[arg-type]

    return asyncio.run(go())


def test_plain_200(loopback: LoopbackServer) -> None:
    loopback.routes["/f"] = Reply(
        body=FEED, headers={"Content-Type": "application/rss+xml", "ETag": '"v1"'}
    )
    result = fetch(loopback.url("/f"))
    assert result.ok and result.content == FEED
    assert result.etag == '"v1"' and result.content_type == "application/rss+xml"
    assert "gzip" in loopback.requests[0][1]["accept-encoding"]
    assert "newsradar" in loopback.requests[0][1]["user-agent"]


@pytest.mark.parametrize(
    ("encoding", "encode"),
    [
        ("gzip", gzip.compress),
        ("deflate", zlib.compress),
        ("deflate", lambda b: zlib.compress(b)[2:-4]),  # raw deflate, no zlib header
    ],
)
def test_compressed_bodies(loopback: LoopbackServer, encoding: str, encode: object) -> None:
    body = FEED * 50
    loopback.routes["/z"] = Reply(body=encode(body), headers={"Content-Encoding": encoding})  # type: ignore[operator]
    result = fetch(loopback.url("/z"))
    assert result.ok, result.error
    assert result.content == body


def test_size_cap_on_declared_length(loopback: LoopbackServer) -> None:
    loopback.routes["/big"] = Reply(body=b"x" * 5000)
    result = fetch(loopback.url("/big"), max_bytes=1000)
    assert not result.ok and result.error and "exceeds 1000" in result.error


def test_size_cap_without_content_length(loopback: LoopbackServer) -> None:
    # No Content-Length to check up front: the streamed byte count trips the cap.
    loopback.routes["/lie"] = Reply(body=b"x" * 5000, send_length=False)
    result = fetch(loopback.url("/lie"), max_bytes=1000)
    assert result.error and "exceeds" in result.error


def test_decompression_bomb_is_capped(loopback: LoopbackServer) -> None:
    bomb = gzip.compress(b"\0" * 5_000_000)  # ~5 KB on the wire
    loopback.routes["/bomb"] = Reply(body=bomb, headers={"Content-Encoding": "gzip"})
    result = fetch(loopback.url("/bomb"), max_bytes=100_000, max_decoded_bytes=200_000)
    assert not result.ok and result.error and "decompressed" in result.error


def test_unknown_content_encoding_is_an_error(loopback: LoopbackServer) -> None:
    loopback.routes["/br"] = Reply(body=b"??", headers={"Content-Encoding": "br"})
    assert "unsupported Content-Encoding" in (fetch(loopback.url("/br")).error or "")


def test_conditional_get_304(loopback: LoopbackServer) -> None:
    def route(headers: dict[str, str]) -> Reply:
        if headers.get("if-none-match") == '"v1"':
            return Reply(304)
        return Reply(body=FEED, headers={"ETag": '"v1"', "Last-Modified": "Mon, 18 Sep 2023"})

    loopback.routes["/c"] = route
    first = fetch(loopback.url("/c"))
    second = fetch(loopback.url("/c"), etag=first.etag, last_modified=first.last_modified)
    assert first.ok and second.not_modified and second.content is None
    assert loopback.requests[1][1]["if-modified-since"] == "Mon, 18 Sep 2023"


def test_permanent_redirects_are_reported(loopback: LoopbackServer) -> None:
    loopback.routes["/old"] = Reply(301, headers={"Location": "/newer"})
    loopback.routes["/newer"] = Reply(308, headers={"Location": loopback.url("/new")})
    loopback.routes["/new"] = Reply(body=FEED)
    result = fetch(loopback.url("/old"))
    assert result.ok
    assert result.final_url == result.permanent_url == loopback.url("/new")


def test_temporary_redirect_is_not_permanent(loopback: LoopbackServer) -> None:
    loopback.routes["/a"] = Reply(301, headers={"Location": "/b"})
    loopback.routes["/b"] = Reply(302, headers={"Location": "/c"})
    loopback.routes["/c"] = Reply(body=FEED)
    result = fetch(loopback.url("/a"))
    assert result.ok and result.final_url == loopback.url("/c")
    assert result.permanent_url == loopback.url("/b")


def test_redirect_loop_stops(loopback: LoopbackServer) -> None:
    loopback.routes["/loop"] = Reply(302, headers={"Location": "/loop"})
    assert "redirects" in (fetch(loopback.url("/loop")).error or "")


def test_redirect_to_other_scheme_refused(loopback: LoopbackServer) -> None:
    loopback.routes["/f"] = Reply(302, headers={"Location": "file:///etc/passwd"})
    assert "non-http" in (fetch(loopback.url("/f")).error or "")


def test_loopback_refused_unless_allowed(loopback: LoopbackServer) -> None:
    loopback.routes["/f"] = Reply(body=FEED)
    refused = fetch(loopback.url("/f"), allow_private=False)
    assert refused.error and "non-public address 127.0.0.1" in refused.error
    assert loopback.requests == []  # never contacted
    assert fetch(loopback.url("/f"), allow_private=True).ok


def test_localhost_name_refused() -> None:
    result = fetch("http://localhost:1/feed", allow_private=False)
    assert result.error and "non-public" in result.error


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("127.0.0.1", False),
        ("10.1.2.3", False),
        ("192.168.0.1", False),
        ("172.16.5.4", False),
        ("169.254.169.254", False),
        ("100.64.0.1", False),
        ("0.0.0.0", False),
        ("::1", False),
        ("fe80::1%eth0", False),
        ("fc00::1", False),
        ("::ffff:127.0.0.1", False),
        ("224.0.0.1", False),
        ("8.8.8.8", True),
        ("2606:4700:4700::1111", True),
    ],
)
def test_is_public_address(address: str, public: bool) -> None:
    assert is_public_address(address) is public


def test_http_errors_and_retry_after(loopback: LoopbackServer) -> None:
    loopback.routes["/busy"] = Reply(429, headers={"Retry-After": "120"})
    result = fetch(loopback.url("/busy"))
    assert result.status == 429 and result.error == "HTTP 429" and result.retry_after_s == 120


def test_retry_after_http_date() -> None:
    assert retry_after_seconds("Wed, 21 Oct 2015 07:28:00 GMT", now=1445412480.0 - 60) == 60
    assert retry_after_seconds("garbage") is None
    assert retry_after_seconds(None) is None


def test_read_timeout(loopback: LoopbackServer) -> None:
    loopback.routes["/slow"] = Reply(body=FEED, delay_s=1.5)
    result = fetch(loopback.url("/slow"), timeout_s=0.3)
    assert not result.ok and result.error and "tim" in result.error.lower()


def test_connection_refused() -> None:
    result = fetch("http://127.0.0.1:9/feed")
    assert not result.ok and result.error


def test_connection_goes_to_the_vetted_address(
    loopback: LoopbackServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The guard's answer is what the socket connects to: a second DNS lookup (which a
    # rebinding attacker could answer differently) never happens.
    vetted: list[str] = []

    async def fake_public_address(host: str, port: int) -> str:
        vetted.append(host)
        return "127.0.0.1"

    monkeypatch.setattr("newsradar.netguard.public_address", fake_public_address)
    loopback.routes["/f"] = Reply(body=FEED)
    port = loopback.base.rsplit(":", 1)[1]
    result = fetch(f"http://feeds.rebind.invalid:{port}/f", allow_private=False)
    assert result.ok, result.error
    assert vetted == ["feeds.rebind.invalid"]
    assert loopback.requests[0][1]["host"] == f"feeds.rebind.invalid:{port}"


def test_cookies_are_not_kept(loopback: LoopbackServer) -> None:
    loopback.routes["/c"] = Reply(body=FEED, headers={"Set-Cookie": "track=1; Path=/"})

    async def go() -> None:
        async with Fetcher(allow_private=True) as fetcher:
            await fetcher.fetch(loopback.url("/c"))
            await fetcher.fetch(loopback.url("/c"))

    asyncio.run(go())
    assert "cookie" not in loopback.requests[1][1]


@pytest.mark.parametrize(
    "url",
    ["http://[::1]:1/x", "http://0x7f000001:1/x", "http://2130706433:1/x", "http://127.1:1/x"],
)
def test_numeric_spellings_of_loopback_are_refused(url: str) -> None:
    result = fetch(url, allow_private=False)
    assert result.error and "non-public address" in result.error
