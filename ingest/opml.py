"""OPML import and export of the feed registry.

Import reads every ``<outline>`` with an ``xmlUrl``: ``text``/``title`` become the source
name, ``category`` (comma or slash separated) and the titles of enclosing folder outlines
become tags, ``language`` and ``country`` (non-standard attributes, written by our
export) the source's language and country. Documents with a DTD are refused: OPML never
needs one, and refusing it rules out entity expansion.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from email.utils import format_datetime

from ingest.registry import FeedSpec, RegistryError, validate


def parse_opml(data: bytes) -> list[FeedSpec]:
    head = data[:4096].lower()
    if b"<!doctype" in head or b"<!entity" in data.lower():
        raise RegistryError("OPML with a DTD or entity declarations is refused")
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        raise RegistryError(f"not valid OPML/XML: {exc}") from exc
    if root.tag.lower() != "opml":
        raise RegistryError(f"not OPML: root element is <{root.tag}>")
    body = root.find("body")
    if body is None:
        raise RegistryError("OPML without <body>")
    feeds: list[FeedSpec] = []
    seen: set[str] = set()
    _walk(body, [], feeds, seen)
    return feeds


def _walk(node: ET.Element, folders: list[str], out: list[FeedSpec], seen: set[str]) -> None:
    for outline in node.findall("outline"):
        url = (outline.get("xmlUrl") or outline.get("xmlurl") or "").strip()
        label = (outline.get("text") or outline.get("title") or "").strip()
        if not url:
            _walk(outline, [*folders, label] if label else folders, out, seen)
            continue
        categories = re.split(r"[,/]", outline.get("category") or "")
        tags = [t.strip() for t in [*folders, *categories] if t.strip()]
        try:
            spec = validate(
                FeedSpec(
                    url=url,
                    source=label if label and label != url else None,
                    country=outline.get("country"),
                    lang=outline.get("language"),
                    tags=tags,
                    full_text=(outline.get("fullText") or "").lower() in ("1", "true", "yes"),
                )
            )
        except RegistryError as exc:
            raise RegistryError(f"outline {label or url!r}: {exc}") from exc
        if spec.url not in seen:
            seen.add(spec.url)
            out.append(spec)


def to_opml(feeds: list[FeedSpec], title: str = "newsradar feeds") -> bytes:
    root = ET.Element("opml", version="2.0")
    head = ET.SubElement(root, "head")
    ET.SubElement(head, "title").text = title
    ET.SubElement(head, "dateCreated").text = format_datetime(datetime.now(UTC), usegmt=True)
    body = ET.SubElement(root, "body")
    for feed in feeds:
        attrs = {"type": "rss", "text": feed.source or feed.url, "xmlUrl": feed.url}
        if feed.source:
            attrs["title"] = feed.source
        if feed.lang:
            attrs["language"] = feed.lang
        if feed.country:
            attrs["country"] = feed.country
        if feed.tags:
            attrs["category"] = ",".join(feed.tags)
        if feed.full_text:
            attrs["fullText"] = "true"
        ET.SubElement(body, "outline", attrs)
    ET.indent(root)
    text: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return text + b"\n"
