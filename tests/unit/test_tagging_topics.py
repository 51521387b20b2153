"""Topic scoring rules and a few inflected forms the default taxonomy must catch."""

from __future__ import annotations

from pathlib import Path

import pytest

from newsradar.lang import lemma_stream
from processors.tagging.topics import TopicClassifier

RAW = {
    "name": "t",
    "topics": [
        {
            "id": "storms",
            "threshold": 3,
            "languages": {
                "en": {
                    "terms": {"storm": 1, "rain": 0.5, "hail": 2, "tea storm": -3, "*quake": 3},
                    "near": [{"a": "heavy", "b": "rain", "within": 2, "weight": 1}],
                }
            },
        },
        {
            "id": "needs_required",
            "threshold": 1,
            "languages": {"en": {"terms": {"flood": 1}, "required": ["river"]}},
        },
    ],
}


@pytest.fixture(scope="module")
def classifier() -> TopicClassifier:
    return TopicClassifier(RAW)


def topics(classifier: TopicClassifier, text: str) -> list[str]:
    return classifier.classify(lemma_stream(text, "en"), "en")


def test_weights_add_up_and_each_term_counts_at_most_three_times(
    classifier: TopicClassifier,
) -> None:
    assert topics(classifier, "A storm and hail.") == ["storms"]  # 1 + 2
    assert topics(classifier, "Storm, storm.") == []  # 2
    assert topics(classifier, "Storm, storm, storm, storm, storm.") == ["storms"]  # capped at 3


def test_negative_weight_near_bonus_wildcard_and_required(classifier: TopicClassifier) -> None:
    assert topics(classifier, "A tea storm and hail.") == []  # 1 + 2 - 3
    assert topics(classifier, "Heavy rain and hail.") == ["storms"]  # 0.5 + 2 + near 1
    assert topics(classifier, "Rain, and later heavy hail.") == []  # 0.5 + 2, not near
    assert topics(classifier, "An earthquake.") == ["storms"]
    assert topics(classifier, "A flood.") == []
    assert topics(classifier, "The river flood.") == ["needs_required"]


def test_long_texts_need_more_unless_a_decisive_term_occurs() -> None:
    raw = {
        "name": "t",
        "scoring": {"reference_words": 10, "length_power": 1.0, "relative": 0.5},
        "topics": [
            {"id": "storms", "threshold": 3, "languages": {"en": {"terms": {"storm": 3}}}},
            {"id": "floods", "threshold": 3, "languages": {"en": {"terms": {"flood": 3}}}},
            {
                "id": "quakes",
                "threshold": 3,
                "scoring": {"decisive": 3},
                "languages": {"en": {"terms": {"quake": 3, "tremor": 1}}},
            },
        ],
    }
    classifier = TopicClassifier(raw)
    filler = " and then" * 9  # 18 more words

    def tagged(text: str) -> list[str]:
        return classifier.classify(lemma_stream(text, "en"), "en")

    assert tagged("A storm, a flood, a quake.") == ["floods", "quakes", "storms"]
    # 24 words: the bar is 3 * 24/10 = 7.2; one mention (3) is not enough, three (9) are.
    assert tagged(f"A storm, a flood, a quake{filler}.") == ["quakes"]
    assert tagged(f"A storm, storm, storm{filler}, a quake.") == ["quakes", "storms"]
    assert tagged(f"A tremor, tremor, tremor{filler}.") == []  # 3, but no decisive term
    assert tagged("A tremor, tremor, tremor.") == ["quakes"]
    # Short text, relative bar 0.5 of the best: storms 9, floods 3 -> floods is dropped; so
    # are quakes by tremors alone, but not by a decisive quake.
    assert tagged("Storm, storm, storm, a flood, a quake.") == ["quakes", "storms"]
    assert tagged("Storm, storm, storm, a flood, tremor, tremor, tremor.") == ["storms"]
    assert classifier.topics[2].scoring.length_power == 1.0  # unset keys come from the file
    raw["topics"][2]["scoring"] = {"decisve": 3}
    with pytest.raises(ValueError, match=r"topic 'quakes': unknown scoring key\(s\) decisve"):
        TopicClassifier(raw)


@pytest.mark.parametrize(
    ("lang", "text", "topic"),
    [
        ("uk", "Литва отримала перші танки, а Польща купить ще сорок танків.", "weapons"),
        ("de", "Nach heftigen Unwettern stehen Dörfer unter Wasser.", "natural_disasters"),
        ("de", "Die Polizei nahm mehrere Schleuser fest.", "migration"),
        ("es", "Confirmado un brote de dengue en la isla.", "public_health"),
        ("pl", "Polska kupi od Turcji drony bojowe.", "weapons"),
    ],
)
def test_default_taxonomy_catches_inflected_forms(lang: str, text: str, topic: str) -> None:
    from processors.tagging import Tagger

    assert topic in Tagger().tag(text, lang=lang).topics


def test_lemma_corrections_keep_a_word_one_lemma() -> None:
    assert lemma_stream("танків танками", "uk") == ["танк", "танк"]  # not танок (dance)
    assert lemma_stream("Unwetter Unwettern", "de") == ["unwetter", "unwetter"]


def test_a_compiled_taxonomy_is_cached_and_a_changed_term_file_recompiles(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "mine.yaml").write_text(
        "name: mine\nlanguage_files: mine\ntopics:\n  - id: ships\n    threshold: 2\n",
        encoding="utf-8",
    )
    (tmp_path / "mine").mkdir()
    terms = tmp_path / "mine" / "en.yaml"
    terms.write_text("ships:\n  terms: {submarine: 2}\n", encoding="utf-8")
    cache_dir = tmp_path / "cache"
    paths = [tmp_path / "mine.yaml"]
    TopicClassifier.load(paths, cache_dir)
    assert len(list(cache_dir.glob("taxonomy-*.pickle"))) == 1

    def no_compile(paths: list[Path]) -> TopicClassifier:
        raise AssertionError("compiled although the cache is fresh")

    with monkeypatch.context() as patch:
        patch.setattr(TopicClassifier, "from_files", no_compile)
        cached = TopicClassifier.load(paths, cache_dir)
    assert cached.classify(lemma_stream("Two submarines.", "en"), "en") == ["ships"]

    terms.write_text("ships:\n  terms: {frigate: 2}\n", encoding="utf-8")
    fresh = TopicClassifier.load(paths, cache_dir)
    assert fresh.classify(lemma_stream("Two frigates.", "en"), "en") == ["ships"]
    assert len(list(cache_dir.glob("taxonomy-*.pickle"))) == 1  # the stale file is gone


def test_near_counts_words_alike_for_exact_and_wildcard_patterns() -> None:
    raw = {
        "name": "t",
        "topics": [
            {
                "id": "quakes",
                "threshold": 2,
                "languages": {
                    "en": {
                        "terms": {"aftershock": 1},
                        "near": [{"a": "strong", "b": "*quake", "within": 1, "weight": 1}],
                    }
                },
            }
        ],
    }
    classifier = TopicClassifier(raw)

    def found(text: str) -> list[str]:
        return classifier.classify(lemma_stream(text, "en"), "en")

    assert found("A strong earthquake and an aftershock.") == ["quakes"]  # adjacent: 1 word
    assert found("A strong, deep earthquake and an aftershock.") == []  # 2 words apart


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("pl", "Rosja wystrzeliła w nocy drony."),
        ("en", "Russia launched dozens of drones overnight; most were shot down."),
        ("uk", "Уночі росіяни атакували Київ дронами, ППО збила більшість."),
        ("uk", "Росія скинула на місто кілька керованих авіабомб."),
    ],
)
def test_a_war_report_is_no_weapons_story(lang: str, text: str) -> None:
    # CONVENTIONS.md: a war report is no topic by itself; weapons when the weapons are the news.
    from processors.tagging import get_tagger

    assert "weapons" not in get_tagger().tag(text, lang=lang).topics
