"""The feed registry: a YAML feeds file with per-feed metadata.

```yaml
feeds:
  - url: https://www.ukrinform.ua/rss/block-lastnews
    source: Ukrinform          # publisher name on every article (default: feed title)
    country: UA                # the source's country, ISO 3166-1 alpha-2
    lang: uk                   # the source's language (default: the feed's own)
    tags: [news, ukraine]
    full_text: false           # fetch each new article's page, extract its text (trafilatura)
```

A bare list of URLs (strings) is accepted too. Unknown keys are an error, so a typo does
not silently change behaviour.
"""

from __future__ import annotations

import os
import re
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from ingest.normalise import language_tag


class RegistryError(ValueError):
    """The feeds file or a feed entry is invalid (the message says where and why)."""


@dataclass
class FeedSpec:
    url: str
    source: str | None = None
    country: str | None = None
    lang: str | None = None
    tags: list[str] = field(default_factory=list)
    full_text: bool = False

    def to_yaml(self) -> dict[str, Any]:
        """Only the keys that differ from the defaults, in a stable order."""
        data = {k: v for k, v in asdict(self).items() if v not in (None, [], False)}
        return {"url": self.url, **{k: v for k, v in data.items() if k != "url"}}


_FIELDS = frozenset(FeedSpec.__dataclass_fields__)
_COUNTRY = re.compile(r"[A-Z]{2}")


def validate(spec: FeedSpec) -> FeedSpec:
    """Normalise and check one entry; raise :class:`RegistryError` when it is unusable."""
    url = spec.url.strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise RegistryError(f"feed URL must be absolute http(s): {spec.url!r}")
    country = spec.country.strip().upper() if spec.country else None
    if country is not None and not _COUNTRY.fullmatch(country):
        raise RegistryError(f"{url}: country must be ISO 3166-1 alpha-2, got {spec.country!r}")
    lang = language_tag(spec.lang) if spec.lang else None
    if spec.lang and lang is None:
        raise RegistryError(f"{url}: unrecognised language {spec.lang!r}")
    tags = sorted({str(t).strip() for t in spec.tags if str(t).strip()})
    source = spec.source.strip() if spec.source and spec.source.strip() else None
    return FeedSpec(url, source, country, lang, tags, bool(spec.full_text))


def from_mapping(item: object, where: str) -> FeedSpec:
    if isinstance(item, str):
        return validate(FeedSpec(url=item))
    if not isinstance(item, dict):
        raise RegistryError(f"{where}: expected a URL or a mapping, got {type(item).__name__}")
    unknown = set(item) - _FIELDS
    if unknown:
        raise RegistryError(f"{where}: unknown key(s) {', '.join(sorted(map(str, unknown)))}")
    if not isinstance(item.get("url"), str):
        raise RegistryError(f"{where}: 'url' is required")
    tags = item.get("tags") or []
    if isinstance(tags, str):
        tags = [t for t in re.split(r"[,\s]+", tags) if t]
    if not isinstance(tags, list):
        raise RegistryError(f"{where}: 'tags' must be a list")
    try:
        return validate(FeedSpec(**{**item, "tags": tags}))
    except TypeError as exc:  # a non-string value where a string belongs
        raise RegistryError(f"{where}: {exc}") from exc
    except RegistryError as exc:
        raise RegistryError(f"{where}: {exc}") from exc


def load_feeds(path: Path) -> list[FeedSpec]:
    """Read the feeds file; a missing file is an empty registry."""
    if not path.exists():
        return []
    try:
        data = yaml.safe_load(path.read_text("utf-8"))
    except yaml.YAMLError as exc:
        raise RegistryError(f"{path}: not valid YAML: {exc}") from exc
    if data is None:
        return []
    items = data.get("feeds", []) if isinstance(data, dict) else data
    if not isinstance(items, list):
        raise RegistryError(f"{path}: expected a list under 'feeds'")
    feeds: list[FeedSpec] = []
    seen: set[str] = set()
    for n, item in enumerate(items, 1):
        spec = from_mapping(item, f"{path}: feed #{n}")
        if spec.url in seen:
            raise RegistryError(f"{path}: feed #{n}: duplicate URL {spec.url}")
        seen.add(spec.url)
        feeds.append(spec)
    return feeds


def save_feeds(path: Path, feeds: list[FeedSpec]) -> None:
    """Write the feeds file atomically (temporary file + rename)."""
    text = yaml.safe_dump(
        {"feeds": [f.to_yaml() for f in feeds]}, allow_unicode=True, sort_keys=False
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def add_feed(feeds: list[FeedSpec], spec: FeedSpec) -> tuple[list[FeedSpec], bool]:
    """Add or replace (same URL) a feed; returns the new list and whether it was new."""
    spec = validate(spec)
    out = [f for f in feeds if f.url != spec.url]
    return [*out, spec], len(out) == len(feeds)


def remove_feed(feeds: list[FeedSpec], url: str) -> tuple[list[FeedSpec], bool]:
    out = [f for f in feeds if f.url != url.strip()]
    return out, len(out) != len(feeds)


def merge(feeds: list[FeedSpec], new: list[FeedSpec]) -> tuple[list[FeedSpec], int]:
    """Append the feeds of ``new`` whose URL is not registered yet; returns (list, added)."""
    known = {f.url for f in feeds}
    added: list[FeedSpec] = []
    for spec in new:
        if spec.url not in known:
            known.add(spec.url)
            added.append(spec)
    return [*feeds, *added], len(added)
