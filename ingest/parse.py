"""Feed bytes → typed articles, at the edge.

feedparser only ever sees bytes wrapped in a stream: it is never given a URL or a path,
so it cannot fetch or open anything itself. Its dict is turned into
:class:`newsradar.records.Article` at once; a malformed (``bozo``) feed is data to
record, not an exception: whatever entries it has are kept.
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

import feedparser

from ingest.normalise import (
    article_id,
    canonical_url,
    html_to_text,
    language_tag,
    one_line,
    published_time,
)
from newsradar.lang import detect_language
from newsradar.records import Article

_XML_DECLARED_ENCODING = re.compile(
    rb"""^(?:\xef\xbb\xbf)?\s*<\?xml[^>]*?\bencoding\s*=\s*["'][A-Za-z0-9._-]+["']"""
)

# Where an entry's page URL may hide, after its rel="alternate" links.
_ENTRY_URL_KEYS = ("link", "id", "guid")


@dataclass
class ParsedFeed:
    """What one feed document yielded."""

    feed_url: str
    title: str = ""
    link: str = ""
    lang: str | None = None
    version: str = ""
    articles: list[Article] = field(default_factory=list)
    skipped: int = 0  # entries with no usable article URL
    bozo: bool = False
    error: str | None = None  # feedparser's complaint on a malformed feed
    entries_seen: int = 0

    @property
    def ok(self) -> bool:
        """Usable: it parsed as a feed (perhaps malformed) or yielded articles."""
        return bool(self.articles) or bool(self.version) or self.entries_seen > 0


def parse_feed(
    data: bytes,
    feed_url: str,
    *,
    source: str | None = None,
    lang: str | None = None,
    fetched_at: datetime,
    content_type: str | None = None,
    source_country: str | None = None,
    tags: Sequence[str] = (),
) -> ParsedFeed:
    """Parse feed ``data`` fetched from ``feed_url`` into articles.

    ``source`` names the publisher (default: the feed's title, else its host); ``lang``
    overrides the feed's declared language; ``content_type`` is the HTTP header, which
    may carry the charset; ``source_country`` and ``tags`` (from the feeds file) go on
    every article.
    """
    # Without a header (a local file) there is no HTTP claim to check the XML against.
    # A charset in the header loses to the document's own XML declaration: servers label
    # cp1251/KOI8 feeds with a default charset far more often than feeds lie about
    # themselves, and a wrong single-byte label decodes silently into mojibake.
    declared = bool(_XML_DECLARED_ENCODING.match(data[:256]))
    if content_type and declared:
        content_type = content_type.split(";", 1)[0]
    elif not declared and "charset=" not in (content_type or "").lower():
        guess = guess_encoding(data)
        if guess is not None:
            media = (content_type or "application/xml").split(";", 1)[0]
            content_type = f"{media}; charset={guess}"
    headers = {"content-type": content_type or "application/xml"}
    parsed = feedparser.parse(
        io.BytesIO(data),
        response_headers=headers,
        resolve_relative_uris=False,
        sanitize_html=False,
    )
    feed: Mapping[str, Any] = parsed.get("feed") or {}
    result = ParsedFeed(
        feed_url=feed_url,
        title=one_line(html_to_text(_str(feed.get("title")))),
        link=_str(feed.get("link")),
        lang=language_tag(lang) or language_tag(_str(feed.get("language"))),
        version=_str(parsed.get("version")),
        bozo=bool(parsed.get("bozo")),
    )
    if result.bozo:
        exc = parsed.get("bozo_exception")
        result.error = f"{type(exc).__name__}: {exc}" if exc is not None else "malformed feed"
    name = source or result.title or (urlsplit(feed_url).hostname or feed_url)
    base = result.link if result.link.startswith(("http://", "https://")) else feed_url
    for entry in parsed.get("entries") or []:
        result.entries_seen += 1
        plain = dict.copy(entry) if isinstance(entry, dict) else dict(entry)
        article = entry_to_article(
            plain, result, source=name, base=base, fetched_at=fetched_at,
            source_country=source_country, tags=tags,
        )  # fmt: skip
        if article is None:
            result.skipped += 1
        else:
            result.articles.append(article)
    return result


def guess_encoding(data: bytes) -> str | None:
    """For a document that names no encoding anywhere and is not UTF-8: the most likely
    encoding (charset-normalizer), so an undeclared cp1251 or KOI8 feed is not read as
    windows-1252 mojibake. None when it is UTF-8 (or ASCII) or no guess is possible."""
    try:
        data.decode("utf-8")
        return None
    except UnicodeDecodeError:
        pass
    import charset_normalizer

    best = charset_normalizer.from_bytes(data[:65536]).best()
    return best.encoding if best is not None else None


def entry_to_article(
    entry: Mapping[str, Any],
    feed: ParsedFeed,
    *,
    source: str,
    base: str,
    fetched_at: datetime,
    source_country: str | None = None,
    tags: Sequence[str] = (),
) -> Article | None:
    """One feedparser entry as an Article, or None if it has no http(s) URL."""
    url = _entry_url(entry, base)
    if url is None:
        return None
    title = one_line(html_to_text(_str(_get(entry, "title"))))
    text = html_to_text(_entry_body(entry))
    if not title and not text:
        return None
    published = published_time(
        [_get(entry, key) for key in ("published_parsed", "updated_parsed", "created_parsed")],
        fetched_at,
    )
    return Article(
        id=article_id(url),
        url=url,
        title=title,
        text=text,
        source=source,
        feed_url=feed.feed_url,
        published_at=published,
        fetched_at=fetched_at,
        # the entry's or feed's declared language, else detected offline from the text
        lang=_entry_lang(entry) or feed.lang or detect_language(f"{title}\n{text}"),
        authors=_authors(entry),
        source_country=source_country,
        tags=list(tags),
    )


def _entry_url(entry: Mapping[str, Any], base: str) -> str | None:
    candidates: list[str] = []
    for link in entry.get("links") or []:
        if isinstance(link, Mapping) and (_get(link, "rel") or "alternate") == "alternate":
            candidates.append(_str(_get(link, "href")))
    candidates += [_str(_get(entry, key)) for key in _ENTRY_URL_KEYS]
    for raw in candidates:
        raw = raw.strip()
        if not raw:
            continue
        try:
            absolute = urljoin(base, raw)
            if absolute.startswith(("http://", "https://")):
                return canonical_url(absolute)
        except ValueError:
            continue
    return None


def _entry_body(entry: Mapping[str, Any]) -> str:
    """The longest of the entry's content blocks and its summary (HTML or text)."""
    contents = _get(entry, "content") or []
    bodies = [_str(_get(c, "value")) for c in contents if isinstance(c, Mapping)]
    bodies.append(_str(_get(entry, "summary")))
    return max(bodies, key=len)


def _entry_lang(entry: Mapping[str, Any]) -> str | None:
    for key in ("title_detail", "summary_detail"):
        detail = _get(entry, key)
        if isinstance(detail, Mapping):
            tag = language_tag(_str(_get(detail, "language")))
            if tag:
                return tag
    return None


def _authors(entry: Mapping[str, Any]) -> list[str]:
    names: list[str] = []
    for author in _get(entry, "authors") or []:
        if isinstance(author, Mapping):
            name = one_line(html_to_text(_str(_get(author, "name") or _get(author, "email"))))
            if name and name not in names:
                names.append(name)
    if not names:
        single = one_line(html_to_text(_str(_get(entry, "author"))))
        if single:
            names.append(single)
    return names


def _get(mapping: Mapping[str, Any], key: str) -> Any:
    """Read a stored key directly: FeedParserDict's own lookup is slow and aliases keys
    (``updated_parsed`` → ``published_parsed`` with a DeprecationWarning)."""
    return dict.get(mapping, key) if isinstance(mapping, dict) else mapping.get(key)


def _str(value: object) -> str:
    return value if isinstance(value, str) else ""
