"""Fetch feed documents with httpx, safely.

- Every host (including every redirect target) is resolved when connecting and refused
  when it resolves to a private, loopback, link-local or otherwise non-global address,
  unless private addresses are allowed; the connection goes to the vetted address.
- Redirects are followed by hand (at most :data:`MAX_REDIRECTS`) so each hop is checked;
  a chain of only permanent redirects (301/308) is reported so the caller can update
  the stored URL.
- The body is streamed: a cap on the bytes on the wire and a cap on the decompressed
  bytes (gzip and deflate are decoded here, nothing else is accepted).
- Connect, read and overall timeouts. Conditional GET with ETag / Last-Modified.

:meth:`Fetcher.fetch` never raises for network or HTTP trouble: the reason is in
:attr:`FetchResult.error`.
"""

from __future__ import annotations

import asyncio
import time
import zlib
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from http.cookiejar import CookieJar, DefaultCookiePolicy
from types import TracebackType
from urllib.parse import urljoin, urlsplit

import httpx

from newsradar import netguard

MAX_REDIRECTS = 5
USER_AGENT = "newsradar/0.1 (feed monitor; +https://github.com/newsradar/newsradar)"
ACCEPT = (
    "application/rss+xml, application/atom+xml, application/rdf+xml, application/xml;q=0.9, "
    "text/xml;q=0.9, */*;q=0.5"
)
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_PERMANENT = frozenset({301, 308})


class FetchError(Exception):
    """A fetch failed for a reason worth recording (the message is the reason)."""


class TooLarge(FetchError):
    """The response is larger than the cap (on the wire or decompressed)."""


@dataclass
class FetchResult:
    url: str
    final_url: str
    status: int | None = None
    content: bytes | None = None
    content_type: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    retry_after_s: float | None = None
    permanent_url: str | None = None  # where a chain of only 301/308 redirects ended
    error: str | None = None
    elapsed_s: float = 0.0

    @property
    def ok(self) -> bool:
        return self.error is None and self.status == 200 and self.content is not None

    @property
    def not_modified(self) -> bool:
        return self.error is None and self.status == 304


def _transport(limits: httpx.Limits, allow_private: bool) -> httpx.AsyncHTTPTransport:
    transport = httpx.AsyncHTTPTransport(limits=limits)
    return transport if allow_private else netguard.guard(transport)


def _no_cookies() -> CookieJar:
    """Feeds are fetched anonymously: a jar whose policy accepts no cookie at all."""
    return CookieJar(policy=DefaultCookiePolicy(allowed_domains=[]))


def retry_after_seconds(value: str | None, now: float | None = None) -> float | None:
    """``Retry-After`` as seconds from now (delta-seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    now = time.time() if now is None else now
    return max(0.0, when.timestamp() - now)


class _Decoder:
    """Content-Encoding decoder with a cap on the decoded size."""

    def __init__(self, encoding: str, limit: int) -> None:
        self.encoding = encoding
        self.limit = limit
        self.size = 0
        self._z: zlib._Decompress | None = None
        self._first = True
        if encoding in ("gzip", "x-gzip"):
            self._z = zlib.decompressobj(wbits=47)  # gzip or zlib header, detected
        elif encoding == "deflate":
            self._z = zlib.decompressobj(wbits=15)
        elif encoding not in ("", "identity"):
            raise FetchError(f"unsupported Content-Encoding {encoding!r}")

    def feed(self, chunk: bytes) -> bytes:
        out = chunk if self._z is None else self._inflate(chunk)
        self.size += len(out)
        if self.size > self.limit:
            raise TooLarge(f"decompressed body exceeds {self.limit} bytes")
        return out

    def _inflate(self, chunk: bytes) -> bytes:
        assert self._z is not None
        try:
            out = self._z.decompress(chunk, self.limit - self.size + 1)
        except zlib.error as exc:
            if not (self._first and self.encoding == "deflate"):
                raise FetchError(f"corrupt {self.encoding} body: {exc}") from exc
            # Some servers send raw deflate without the zlib header.
            self._z = zlib.decompressobj(wbits=-15)
            out = self._z.decompress(chunk, self.limit - self.size + 1)
        self._first = False
        if self._z.unconsumed_tail:
            raise TooLarge(f"decompressed body exceeds {self.limit} bytes")
        return out

    def flush(self) -> bytes:
        out = b"" if self._z is None else self._z.flush()
        self.size += len(out)
        if self.size > self.limit:
            raise TooLarge(f"decompressed body exceeds {self.limit} bytes")
        return out


class Fetcher:
    """An async HTTP client for feeds; use as ``async with Fetcher(...) as f``."""

    def __init__(
        self,
        *,
        timeout_s: float = 20.0,
        connect_timeout_s: float = 10.0,
        max_bytes: int = 10 * 1024 * 1024,
        max_decoded_bytes: int | None = None,
        allow_private: bool = False,
        user_agent: str = USER_AGENT,
        max_connections: int = 100,
    ) -> None:
        self.timeout_s = timeout_s
        self.max_bytes = max_bytes
        self.max_decoded_bytes = max_decoded_bytes or 4 * max_bytes
        self.allow_private = allow_private
        limits = httpx.Limits(
            max_connections=max_connections, max_keepalive_connections=max_connections
        )
        self._client = httpx.AsyncClient(
            timeout=httpx.Timeout(timeout_s, connect=min(connect_timeout_s, timeout_s)),
            follow_redirects=False,
            trust_env=False,  # no proxies from the environment: the address guard sees all
            transport=_transport(limits, allow_private),
            cookies=_no_cookies(),
            headers={
                "User-Agent": user_agent,
                "Accept": ACCEPT,
                "Accept-Encoding": "gzip, deflate",
            },
        )

    async def __aenter__(self) -> Fetcher:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._client.aclose()

    async def fetch(
        self, url: str, *, etag: str | None = None, last_modified: str | None = None
    ) -> FetchResult:
        """GET ``url`` (conditionally when a validator is given)."""
        result = FetchResult(url=url, final_url=url)
        started = time.monotonic()
        try:
            async with asyncio.timeout(self.timeout_s * 1.5):
                await self._fetch(result, etag, last_modified)
        except FetchError as exc:
            result.error = str(exc)
        except netguard.AddressRefused as exc:
            result.error = f"{exc} (allow with --allow-private-addresses)"
        except netguard.Unresolvable as exc:
            result.error = str(exc)
        except TimeoutError:
            result.error = f"timed out after {self.timeout_s * 1.5:.0f} s"
        except httpx.TimeoutException as exc:
            result.error = f"timeout: {type(exc).__name__}"
        except httpx.HTTPError as exc:
            result.error = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
        result.elapsed_s = time.monotonic() - started
        return result

    async def _fetch(self, result: FetchResult, etag: str | None, modified: str | None) -> None:
        headers: dict[str, str] = {}
        if etag:
            headers["If-None-Match"] = etag
        if modified:
            headers["If-Modified-Since"] = modified
        url = result.url
        permanent = True
        for _hop in range(MAX_REDIRECTS + 1):
            self._check_url(url)
            async with self._client.stream("GET", url, headers=headers) as response:
                location = response.headers.get("location")
                if response.status_code in _REDIRECTS and location:
                    permanent = permanent and response.status_code in _PERMANENT
                    url = urljoin(url, location.strip())
                    result.final_url = url
                    if permanent:
                        result.permanent_url = url
                    continue
                result.status = response.status_code
                result.content_type = response.headers.get("content-type")
                result.etag = response.headers.get("etag")
                result.last_modified = response.headers.get("last-modified")
                result.retry_after_s = retry_after_seconds(response.headers.get("retry-after"))
                if response.status_code == 304:
                    return
                if response.status_code != 200:
                    raise FetchError(f"HTTP {response.status_code}")
                result.content = await self._read_body(response)
                return
        raise FetchError(f"more than {MAX_REDIRECTS} redirects")

    def _check_url(self, url: str) -> None:
        # Addresses are vetted when connecting (newsradar.netguard), every hop included.
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise FetchError(f"refusing non-http(s) URL {url!r}")

    async def _read_body(self, response: httpx.Response) -> bytes:
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self.max_bytes:
            raise TooLarge(f"Content-Length {declared} exceeds {self.max_bytes} bytes")
        encoding = response.headers.get("content-encoding", "").strip().lower()
        decoder = _Decoder(encoding, self.max_decoded_bytes)
        chunks: list[bytes] = []
        wire = 0
        async for raw in response.aiter_raw():
            wire += len(raw)
            if wire > self.max_bytes:
                raise TooLarge(f"body exceeds {self.max_bytes} bytes")
            chunks.append(decoder.feed(raw))
        chunks.append(decoder.flush())
        return b"".join(chunks)
