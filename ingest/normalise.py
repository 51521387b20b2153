"""Pure normalisation: canonical URLs, stable ids, clean text, UTC times.

Nothing here does I/O except reading the bundled tracking-parameter list once.
"""

from __future__ import annotations

import calendar
import hashlib
import html
import re
import time
import unicodedata
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

DATA_DIR = Path(__file__).parent / "data"
_DEFAULT_PORTS = {"http": 80, "https": 443}
# Characters left as they are in a path; everything else is percent-encoded.
_PATH_SAFE = "/%:@!$&'()*+,;=-._~"
# A published time further in the future than this is a publisher's clock or time zone
# mistake; the fetch time is a better guess.
MAX_FUTURE_SKEW = timedelta(hours=2)
# Before this, a "published" time is a placeholder such as 1970-01-01.
EARLIEST_PLAUSIBLE = datetime(1995, 1, 1, tzinfo=UTC)


@lru_cache(maxsize=1)
def tracking_params() -> tuple[frozenset[str], tuple[str, ...]]:
    """(exact names, prefixes) of query parameters that never identify a page."""
    text = (DATA_DIR / "tracking_params.txt").read_text("utf-8")
    exact: set[str] = set()
    prefixes: list[str] = []
    for line in text.splitlines():
        name = line.split("#", 1)[0].strip().lower()
        if not name:
            continue
        if name.endswith("*"):
            prefixes.append(name[:-1])
        else:
            exact.add(name)
    return frozenset(exact), tuple(prefixes)


def is_tracking_param(name: str) -> bool:
    exact, prefixes = tracking_params()
    lowered = name.lower()
    return lowered in exact or lowered.startswith(prefixes)


def canonical_url(url: str) -> str:
    """The URL an article is known by: same page, same string.

    Lower-cases scheme and host, drops the default port, the fragment and tracking
    parameters, sorts the remaining query parameters and normalises percent-encoding.
    Raises ``ValueError`` for something that is not an absolute http(s) URL.
    """
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS:
        raise ValueError(f"not an http(s) URL: {url!r}")
    host = (parts.hostname or "").rstrip(".")
    if not host:
        raise ValueError(f"URL without a host: {url!r}")
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    try:
        port = parts.port
    except ValueError as exc:
        raise ValueError(f"bad port in URL {url!r}") from exc
    netloc = host if port in (None, _DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    path = quote(parts.path or "/", safe=_PATH_SAFE)
    pairs = [
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if not is_tracking_param(k)
    ]
    query = urlencode(sorted(pairs), quote_via=quote)
    return urlunsplit((scheme, netloc, path, query, ""))


def article_id(canonical: str) -> str:
    """Stable id of an article: sha256 of its canonical URL, 32 hex characters."""
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:32]


class _TextExtractor(HTMLParser):
    _SKIP = frozenset({"script", "style", "noscript", "template", "head", "title", "svg"})
    _BLOCK = frozenset(
        {
            "p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6",
            "blockquote", "pre", "tr", "table", "section", "article", "header", "footer",
            "figure", "figcaption", "hr", "dd", "dt", "dl",
        }
    )  # fmt: skip

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._SKIP:
            self._skipping += 1
        elif tag in self._BLOCK:
            self.parts.append("\n")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self._SKIP:
            self._skipping = max(0, self._skipping - 1)
        elif tag in self._BLOCK:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self.parts.append(data)


_SPACES = re.compile(r"[^\S\n]+")
_NEWLINES = re.compile(r"\n{3,}")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b\ufeff]")


def html_to_text(markup: str) -> str:
    """Visible text of an HTML fragment: tags stripped, entities decoded, whitespace tidied.

    Paragraph-like elements become line breaks; scripts and styles disappear. Plain text
    (no tags) comes back with its entities decoded and its whitespace tidied.
    """
    if not markup:
        return ""
    if "<" in markup:
        parser = _TextExtractor()
        parser.feed(markup)
        parser.close()
        text = "".join(parser.parts)
    else:
        text = html.unescape(markup) if "&" in markup else markup
    text = unicodedata.normalize("NFC", _CONTROL.sub("", text)).replace("\xa0", " ")
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    return _NEWLINES.sub("\n\n", "\n".join(lines)).strip()


def one_line(text: str) -> str:
    """Collapse all whitespace (a title is one line)."""
    return " ".join(text.split())


def to_utc(value: time.struct_time | datetime | None) -> datetime | None:
    """A feedparser ``*_parsed`` struct (always UTC) or a datetime, as an aware UTC datetime."""
    if value is None:
        return None
    if isinstance(value, datetime):
        aware = value if value.tzinfo else value.replace(tzinfo=UTC)
        return aware.astimezone(UTC)
    try:
        return datetime.fromtimestamp(calendar.timegm(value), tz=UTC)
    except (OverflowError, ValueError, OSError):
        return None


def published_time(
    candidates: list[time.struct_time | datetime | None], fetched_at: datetime
) -> datetime:
    """The first plausible candidate in UTC, else the fetch time.

    Implausible: before 1995, or more than :data:`MAX_FUTURE_SKEW` after the fetch.
    """
    fetched = to_utc(fetched_at) or datetime.now(UTC)
    for candidate in candidates:
        when = to_utc(candidate)
        if when is not None and EARLIEST_PLAUSIBLE <= when <= fetched + MAX_FUTURE_SKEW:
            return when
    return fetched


def language_tag(value: str | None) -> str | None:
    """``uk-UA`` / ``en_us`` / ``RU`` → ``uk`` / ``en`` / ``ru``; anything odd → None."""
    if not value:
        return None
    primary = re.split(r"[-_;,\s]", value.strip().lower(), maxsplit=1)[0]
    return primary if re.fullmatch(r"[a-z]{2,3}", primary) else None
