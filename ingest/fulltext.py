"""Optional full-text extraction of article pages (per feed: ``full_text: true``).

Many feeds carry only a teaser. For such feeds the poller fetches each new article's page
with the same polite fetcher (address guard, size caps, per-host limits) and extracts the
main text with trafilatura. The longer of the extracted text and the feed's own text wins;
any failure keeps the feed's text, so full text never costs an article.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass

from ingest.fetch import Fetcher
from newsradar.records import Article

_HTML_TYPES = ("text/html", "application/xhtml+xml")


@dataclass
class FullTextReport:
    extracted: int = 0
    failed: int = 0


def extract_text(page: bytes, url: str) -> str | None:
    """The main text of an HTML page, or None when trafilatura finds none."""
    import trafilatura

    text = trafilatura.extract(
        page,
        url=url,
        include_comments=False,
        include_tables=False,
        favor_precision=True,
        deduplicate=True,
    )
    return text.strip() if text and text.strip() else None


async def enrich(
    articles: list[Article],
    fetcher: Fetcher,
    slot: Callable[[str], AbstractAsyncContextManager[None]],
) -> FullTextReport:
    """Replace each article's text by its page's extracted text where that is longer.

    ``slot(host)`` is the caller's politeness gate, entered around every page fetch.
    """
    report = FullTextReport()

    async def one(article: Article) -> None:
        from urllib.parse import urlsplit

        async with slot(urlsplit(article.url).hostname or article.url):
            page = await fetcher.fetch(article.url)
        content_type = (page.content_type or "").split(";")[0].strip().lower()
        if not page.ok or page.content is None or content_type not in _HTML_TYPES:
            report.failed += 1
            return
        try:
            text = await asyncio.to_thread(extract_text, page.content, page.final_url)
        except Exception:  # an extractor bug must not cost the article
            text = None
        if text is None:
            report.failed += 1
            return
        report.extracted += 1
        if len(text) > len(article.text):
            article.text = text

    await asyncio.gather(*(one(a) for a in articles))
    return report
