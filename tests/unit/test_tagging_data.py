"""The gazetteer and taxonomy files are well-formed and complete."""

from __future__ import annotations

from pathlib import Path

import pycountry
import pytest
import yaml

from newsradar.lang import SUPPORTED_LANGUAGES
from processors.tagging import gazetteer
from processors.tagging.topics import DEFAULT_TAXONOMY, TopicClassifier, read_taxonomy

CODES = {c.alpha_2 for c in pycountry.countries} | {"XK", ""}
REQUIRED_TOPICS = {
    "weapons", "military_cooperation", "nuclear", "space", "sanctions", "diplomacy",
    "elections", "energy", "food_security", "cyber", "terrorism", "natural_disasters",
    "public_health", "trade_economy", "human_rights", "migration",
}  # fmt: skip


@pytest.mark.parametrize("lang", SUPPORTED_LANGUAGES)
def test_rows_use_iso_codes_and_known_kinds(lang: str) -> None:
    rows = gazetteer.read_rows(lang)
    assert len(rows) > 400
    for code, kind, phrase, flags in rows:
        assert kind in gazetteer.KINDS
        assert code in CODES or kind in ("cue", "club"), (code, phrase)
        assert phrase == phrase.strip() and phrase
        assert flags <= {"amb", "person", "exact", "ctx"}


@pytest.mark.parametrize("lang", SUPPORTED_LANGUAGES)
def test_curated_file_exists(lang: str) -> None:
    assert (gazetteer.DATA_DIR / "curated" / f"{lang}.tsv").is_file()


def test_taxonomy_has_the_required_topics_in_every_language() -> None:
    raw = read_taxonomy(DEFAULT_TAXONOMY)
    ids = {t["id"] for t in raw["topics"]}
    assert len(ids) >= 15 and ids >= REQUIRED_TOPICS
    for topic in raw["topics"]:
        assert set(topic["languages"]) == set(SUPPORTED_LANGUAGES), topic["id"]
        assert topic["threshold"] > 0
        for block in topic["languages"].values():
            assert block["terms"]


def test_a_user_taxonomy_replaces_the_default(tmp_path: Path) -> None:
    path = tmp_path / "mine.yaml"
    path.write_text(
        "name: mine\ntopics:\n  - id: ships\n    threshold: 2\n    languages:\n"
        "      en: {terms: {submarine: 2}, excluded: [sandwich]}\n"
        '      uk: {terms: {"підводний човен": 2}}\n',
        encoding="utf-8",
    )
    classifier = TopicClassifier.from_file(path)
    from newsradar.lang import lemma_stream

    assert classifier.classify(lemma_stream("Two submarines sailed.", "en"), "en") == ["ships"]
    assert classifier.classify(lemma_stream("A submarine sandwich.", "en"), "en") == []
    assert classifier.classify(lemma_stream("атомних підводних човнів", "uk"), "uk") == ["ships"]


def test_a_taxonomy_reads_its_language_blocks_from_a_folder(tmp_path: Path) -> None:
    (tmp_path / "mine.yaml").write_text(
        "name: mine\nlanguage_files: mine\ntopics:\n  - id: ships\n    threshold: 2\n",
        encoding="utf-8",
    )
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "en.yaml").write_text(
        "ships:\n  terms: {submarine: 2}\n", encoding="utf-8"
    )
    from newsradar.lang import lemma_stream

    classifier = TopicClassifier.from_file(tmp_path / "mine.yaml")
    assert classifier.languages == ["en"]
    assert classifier.classify(lemma_stream("Two submarines sailed.", "en"), "en") == ["ships"]

    (tmp_path / "mine" / "de.yaml").write_text("boats:\n  terms: {U-Boot: 2}\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"de\.yaml: topic 'boats' is not in mine\.yaml"):
        TopicClassifier.from_file(tmp_path / "mine.yaml")


def _duplicate_keys(node: yaml.Node, path: str = "") -> list[str]:
    """Keys given twice in one mapping: YAML keeps the last silently."""
    found: list[str] = []
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key, value in node.value:
            name = str(key.value)
            if name in seen:
                found.append(f"{path}/{name} (line {key.start_mark.line + 1})")
            seen.add(name)
            found.extend(_duplicate_keys(value, f"{path}/{name}"))
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            found.extend(_duplicate_keys(item, path))
    return found


@pytest.mark.parametrize("path", sorted((DEFAULT_TAXONOMY.parent / "default").glob("*.yaml")))
def test_taxonomy_files_give_no_key_twice(path: Path) -> None:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    node = yaml.compose(path.read_text(encoding="utf-8"), Loader=loader)
    assert node is not None
    assert _duplicate_keys(node) == [], path.name
