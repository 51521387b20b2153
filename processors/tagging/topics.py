"""Topic classification in the style of Europe Media Monitor's categories.

A taxonomy file (YAML, ``data/topics/default.yaml`` by default) lists topics; each has a
``threshold`` and, per language, weighted ``terms``, optional ``required`` terms (at least one
must occur), ``excluded`` terms (none may occur) and ``near`` pairs (two terms within a number
of words add a weight). The language blocks sit in each topic's ``languages`` mapping, or, when
the file names a ``language_files`` folder (relative to it), in ``<folder>/<lang>.yaml`` files
mapping topic ids to blocks: the default taxonomy keeps one file per language.

Terms are matched on lemmas, so every inflected form counts: a term's
words are lemmatised with the same function as the text. ``word*`` matches lemmas starting
with ``word``, ``*word`` lemmas ending with it, ``*word*`` lemmas containing it (German
compounds). A topic is assigned when the weighted count (each term counted at most
``max_count`` times) plus the near bonuses reaches the threshold.

Long articles mention much in passing, so the taxonomy's ``scoring`` block scales the bar
with length: a text of ``n`` words (lemmas) needs ``threshold * max(1, (n /
reference_words) ** length_power)``, and a topic also needs ``relative`` times the score of
the best topic of the text, unless one of its terms weighs at least ``decisive`` (0: none
does). A topic may override any of these keys in a ``scoring`` block of its own: satellites and
launches are not named in passing, so one decisive mention makes a space story.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

import ahocorasick
import yaml

from newsradar.lang import lemma, normalize_word, tokens
from processors.tagging import cache

DEFAULT_TAXONOMY = Path(__file__).parent / "data" / "topics" / "default.yaml"
# Packages a compiled taxonomy depends on besides our code: the lemmatisers (a new version
# may change a lemma) and the automaton's own pickle format.
_PACKAGES = ("pymorphy3", "pymorphy3-dicts-uk", "pymorphy3-dicts-ru", "lemmagen3", "pyahocorasick")
MAX_COUNT = 3


@dataclass
class _Rules:
    weights: dict[str, float] = field(default_factory=dict)
    required: set[str] = field(default_factory=set)
    excluded: set[str] = field(default_factory=set)
    # Near pairs by their first term: a text checks only the pairs whose first term it has.
    near_by_a: dict[str, list[tuple[str, int, float]]] = field(default_factory=dict)


@dataclass(frozen=True)
class Scoring:
    """How the bar rises for long texts (see the module doc); the defaults change nothing."""

    reference_words: int = 0  # 0: the threshold does not grow with length
    length_power: float = 0.5
    relative: float = 0.0
    # A text with a term of at least this weight needs only the threshold: neither bar
    # (0: no term is decisive).
    decisive: float = 0.0

    @classmethod
    def from_raw(cls, raw: dict[str, Any] | None) -> Scoring:
        raw = raw or {}
        unknown = sorted(set(raw) - {f.name for f in fields(cls)})
        if unknown:  # a misspelt key would silently change nothing
            raise ValueError(f"unknown scoring key(s) {', '.join(unknown)}")
        return cls(
            int(raw.get("reference_words", 0)),
            float(raw.get("length_power", 0.5)),
            float(raw.get("relative", 0.0)),
            float(raw.get("decisive", 0.0)),
        )

    def factor(self, words: int) -> float:
        if self.reference_words <= 0 or words <= self.reference_words:
            return 1.0
        return float((words / self.reference_words) ** self.length_power)


@dataclass(frozen=True)
class Topic:
    id: str
    label: str
    threshold: float
    scoring: Scoring = Scoring()


def _pattern(term: str, lang: str) -> str:
    """The lemma-string pattern of a term: ``" l1 l2 "`` with wildcards opening a side.

    Words are split like the text is (hyphens split, apostrophes stay), so a term's lemmas
    line up with the article's lemma stream.
    """
    words = normalize_word(term).split()
    out = []
    for word in words:
        if "*" in word:
            out.append(word.strip("*"))
        else:
            out.extend(lemma(token, lang) for token in tokens(word))
    text = " ".join(out)
    left = "" if words[0].startswith("*") else " "
    right = "" if words[-1].endswith("*") else " "
    return f"{left}{text}{right}"


class TopicClassifier:
    """Compiled taxonomy: one automaton per language over the lemma string."""

    def __init__(self, raw: dict[str, Any]) -> None:
        self.name = str(raw.get("name", "taxonomy"))
        try:
            self.scoring = Scoring.from_raw(raw.get("scoring"))
        except ValueError as err:
            raise ValueError(f"taxonomy {self.name!r}: {err}") from None
        self.topics: list[Topic] = []
        # The distinct scorings and each topic's index among them: a text computes its length
        # factor once per scoring, not once per topic.
        self._scorings: list[Scoring] = []
        self._scoring_of: list[int] = []
        self._rules: dict[str, list[_Rules]] = {}
        patterns: dict[str, dict[str, list[tuple[int, str]]]] = {}
        for index, spec in enumerate(raw["topics"]):
            scoring = self.scoring
            if spec.get("scoring"):
                try:
                    scoring = Scoring.from_raw({**(raw.get("scoring") or {}), **spec["scoring"]})
                except ValueError as err:
                    raise ValueError(f"topic {spec['id']!r}: {err}") from None
            topic = Topic(
                str(spec["id"]),
                str(spec.get("label", spec["id"])),
                float(spec["threshold"]),
                scoring,
            )
            self.topics.append(topic)
            if scoring not in self._scorings:
                self._scorings.append(scoring)
            self._scoring_of.append(self._scorings.index(scoring))
            for lang, block in (spec.get("languages") or {}).items():
                rules = _Rules()
                by_lang = patterns.setdefault(lang, {})
                rule_list = self._rules.setdefault(lang, [])
                while len(rule_list) < index:
                    rule_list.append(_Rules())

                def add(
                    term: str,
                    by_lang: dict[str, list[tuple[int, str]]] = by_lang,
                    index: int = index,
                    lang: str = lang,
                ) -> str:
                    """Register a term; return its id (the lemma pattern)."""
                    key = _pattern(term, lang)
                    keys = {key}
                    if "*" not in term:
                        # The written form too: the lemmatiser may not map a base form to itself.
                        keys.add(" " + " ".join(tokens(normalize_word(term))) + " ")
                    for k in keys:
                        refs = by_lang.setdefault(k, [])
                        # Once per topic, whatever the term's roles there (weighted, near...).
                        if (index, key) not in refs:
                            refs.append((index, key))
                    return key

                for term, weight in (block.get("terms") or {}).items():
                    rules.weights[add(str(term))] = float(weight)
                for term in block.get("required") or []:
                    rules.required.add(add(str(term)))
                for term in block.get("excluded") or []:
                    rules.excluded.add(add(str(term)))
                for near in block.get("near") or []:
                    a, b = add(str(near["a"])), add(str(near["b"]))
                    rules.near_by_a.setdefault(a, []).append(
                        (b, int(near.get("within", 5)), float(near["weight"]))
                    )
                rule_list.append(rules)
        for rule_list in self._rules.values():
            while len(rule_list) < len(self.topics):
                rule_list.append(_Rules())
        self._automata: dict[str, ahocorasick.Automaton] = {}
        for lang, table in patterns.items():
            automaton = ahocorasick.Automaton()
            for word_id, (key, refs) in enumerate(table.items()):
                automaton.add_word(key, (len(key), word_id, tuple(refs)))
            automaton.make_automaton()
            self._automata[lang] = automaton

    @classmethod
    def from_file(cls, path: Path = DEFAULT_TAXONOMY) -> TopicClassifier:
        return cls(read_taxonomy(path))

    @classmethod
    def load(cls, paths: Sequence[Path], cache_dir: Path | None) -> TopicClassifier:
        """``from_files(paths)``, or its compiled copy from ``cache_dir`` (lemmatising every
        term is most of the start-up otherwise), keyed by the files, the lemmatiser and this
        code."""
        paths = list(paths)
        ident = hashlib.sha256("\0".join(str(p.resolve()) for p in paths).encode()).hexdigest()
        return cache.load(
            cache_dir,
            f"taxonomy-{ident[:12]}",
            lambda: cache.fingerprint("taxonomy", _sources(paths), _PACKAGES),
            lambda: cls.from_files(paths),
            TopicClassifier,
        )

    @classmethod
    def from_files(cls, paths: Sequence[Path]) -> TopicClassifier:
        """Several taxonomies as one; a later file's topic replaces an earlier one's same id."""
        topics: dict[str, dict[str, Any]] = {}
        names = []
        scoring = None
        for path in paths:
            raw = read_taxonomy(path)
            names.append(str(raw.get("name", path.stem)))
            scoring = raw.get("scoring", scoring)  # the last file that sets it
            for spec in raw["topics"]:
                topics[str(spec["id"])] = spec
        merged = {"name": "+".join(names), "topics": list(topics.values()), "scoring": scoring}
        return cls(merged)

    @property
    def languages(self) -> list[str]:
        return sorted(self._automata)

    def classify(self, lemmas: list[str], lang: str | None, joined: str | None = None) -> list[str]:
        """Topic ids (sorted) of a text given its lemma stream (``joined``: the same lemmas
        joined by spaces, when the caller has it already)."""
        automaton = self._automata.get(lang or "")
        if automaton is None or not lemmas:
            return []
        joined = " " + (" ".join(lemmas) if joined is None else joined) + " "
        # Where each automaton word occurs, then which topics' terms it is: a word shared by
        # several topics (or found many times) is handled once per text, not once per hit.
        starts_of: dict[int, list[int]] = {}
        refs_of: dict[int, tuple[tuple[int, str], ...]] = {}
        for end_index, (size, word_id, refs) in automaton.iter(joined):
            starts = starts_of.get(word_id)
            if starts is None:
                starts_of[word_id] = [end_index - size + 1]
                refs_of[word_id] = refs
            else:
                starts.append(end_index - size + 1)
        if not starts_of:
            return []
        hits: dict[int, dict[str, list[int]]] = {}
        for word_id, starts in starts_of.items():
            for topic_index, key in refs_of[word_id]:
                found = hits.setdefault(topic_index, {})
                # Two forms of one term (written and lemmatised) may match at the same place.
                found[key] = sorted({*found[key], *starts}) if key in found else starts
        rules = self._rules[lang or ""]
        factors = [scoring.factor(len(lemmas)) for scoring in self._scorings]
        scoring_of = self._scoring_of
        words = _Words(joined)
        scores: dict[int, float] = {}  # topics over the length bar
        sure: list[int] = []  # topics in the result
        for topic_index, found in hits.items():
            rule = rules[topic_index]
            if rule.excluded and not rule.excluded.isdisjoint(found):
                continue
            if rule.required and rule.required.isdisjoint(found):
                continue
            # Over the terms found (few), not the topic's whole term list (many).
            weights = rule.weights
            score = 0.0
            near_by_a = rule.near_by_a
            for key, starts in found.items():
                weight = weights.get(key)
                if weight is not None:
                    count = len(starts)
                    score += weight * (count if count < MAX_COUNT else MAX_COUNT)
                pairs = near_by_a.get(key)  # few terms found, a topic's pairs many
                if pairs is not None:
                    for b, within, bonus in pairs:
                        starts_b = found.get(b)
                        if starts_b is not None and _near(starts, starts_b, within, words):
                            score += bonus
            topic = self.topics[topic_index]
            if score >= topic.threshold * factors[scoring_of[topic_index]]:
                scores[topic_index] = score
            elif score >= topic.threshold and _has_decisive(found, weights, topic.scoring):
                sure.append(topic_index)
        if scores:
            best = max(scores.values())
            relative = [scoring.relative * best for scoring in self._scorings]
            for i, score in scores.items():
                if score >= relative[scoring_of[i]] or _has_decisive(
                    hits[i], rules[i].weights, self.topics[i].scoring
                ):
                    sure.append(i)
        return sorted(self.topics[i].id for i in sure)


def _has_decisive(found: dict[str, list[int]], weights: dict[str, float], scoring: Scoring) -> bool:
    """Whether a term found weighs enough to decide its topic alone (see ``Scoring``)."""
    return scoring.decisive > 0 and any(
        weights[key] >= scoring.decisive for key in found if key in weights
    )


class _Words:
    """Word positions in the joined lemma string, found once per text and only if asked."""

    __slots__ = ("joined", "known")

    def __init__(self, joined: str) -> None:
        self.joined = joined
        self.known: dict[int, int] = {}  # offset -> word number

    def of(self, starts: list[int]) -> list[int]:
        """The word numbers of ``starts``: the spaces up to each offset (inclusive). A pattern
        starts at the space before its word (" rain ") or, with a wildcard on the left
        ("*quake"), inside it, and both give the same word."""
        known = self.known
        positions = []
        for start in starts:
            position = known.get(start)
            if position is None:
                # Counting in C beats listing every space of a text that asks for a few.
                position = known[start] = self.joined.count(" ", 0, start + 1)
            positions.append(position)
        return positions


def _near(a: list[int], b: list[int], within: int, words: _Words) -> bool:
    """Two terms within ``within`` words."""
    pos_b = words.of(b)
    return any(-within <= x - y <= within for x in words.of(a) for y in pos_b)


def _sources(paths: Sequence[Path]) -> list[Path]:
    """Every file a compiled taxonomy depends on: the taxonomy files with their language
    files, the lemma overrides, and the code that lemmatises and compiles."""
    files: list[Path] = []
    for path in paths:
        files.append(path)
        files.extend(_language_files(path, (_read_yaml(path) or {}).get("language_files")))
    lang_code = Path(lemma.__code__.co_filename).parent
    files.extend(sorted((lang_code / "data" / "lemma_overrides").glob("*.tsv")))
    files.extend(sorted(lang_code.glob("*.py")))
    files.append(Path(__file__))
    return files


def _language_files(path: Path, folder: object) -> list[Path]:
    """The ``<lang>.yaml`` files of a taxonomy's ``language_files`` folder (none without one)."""
    return [] if folder is None else sorted((path.parent / str(folder)).glob("*.yaml"))


def read_taxonomy(path: Path) -> dict[str, Any]:
    """A taxonomy file with its ``language_files`` folder, if any, merged into its topics."""
    raw = _read_yaml(path)
    if not isinstance(raw, dict) or not isinstance(raw.get("topics"), list):
        raise ValueError(f"{path}: a taxonomy needs a 'topics' list")
    folder = raw.pop("language_files", None)
    if folder is None:
        return raw
    by_id = {str(spec["id"]): spec for spec in raw["topics"]}
    files = _language_files(path, folder)
    if not files:
        raise ValueError(f"{path}: language_files {folder!r} holds no <lang>.yaml file")
    for file in files:
        blocks = _read_yaml(file) or {}
        for topic_id, block in blocks.items():
            if str(topic_id) not in by_id:
                raise ValueError(f"{file}: topic {topic_id!r} is not in {path.name}")
            by_id[str(topic_id)].setdefault("languages", {})[file.stem] = block
    return raw


def _read_yaml(path: Path) -> Any:
    """Parse with libyaml when PyYAML has it: the default taxonomy takes 1.3 s in pure Python."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return yaml.load(path.read_text(encoding="utf-8"), Loader=loader)
