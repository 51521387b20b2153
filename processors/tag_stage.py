"""articles.raw → articles.tagged: decode, tag, build the tagged record. Pure logic."""

from __future__ import annotations

from datetime import UTC, datetime

from newsradar.records import Article, Mention, TaggedArticle, decode
from processors.tagging import TAGGER_VERSION, Tagger


def tag_article(tagger: Tagger, article: Article) -> TaggedArticle:
    result = tagger.tag(article.text, title=article.title, lang=article.lang)
    return TaggedArticle(
        id=article.id,
        url=article.url,
        title=article.title,
        text=article.text,
        source=article.source,
        feed_url=article.feed_url,
        published_at=article.published_at,
        fetched_at=article.fetched_at,
        tagged_at=datetime.now(UTC),
        lang=result.lang,
        countries=list(result.countries),
        topics=list(result.topics),
        mentions=[
            Mention(country=m.country, start=m.start, end=m.end, surface=m.surface, field=m.field)
            for m in result.mentions
        ],
        lemmas=result.lemmas,
        authors=list(article.authors),
        source_country=article.source_country,
        tags=list(article.tags),
        tagger=TAGGER_VERSION,
    )


def tag_raw(tagger: Tagger, raw: bytes | None) -> TaggedArticle:
    """Decode one ``articles.raw`` message and tag it; raises RecordError on bad input."""
    return tag_article(tagger, decode(Article, raw))
