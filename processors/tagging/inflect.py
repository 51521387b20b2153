"""Generate the inflected surface forms of gazetteer phrases.

Ukrainian and Russian: pymorphy3 inflects the head noun of a phrase and the adjectives before
it into every case (the words after the head, e.g. a genitive complement, stay as they are);
one-word adjectives and demonyms expand to their whole lexeme. Other languages: ending rules
from ``data/inflection/<lang>.yaml`` (see that file), applied to every word of a phrase.
Only readings whose dictionary form is the word itself (or that are tagged geographic) are
expanded, so «Того» is never read as «тот».
"""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml

from newsradar.lang import normalize_word

INFLECTION_DIR = Path(__file__).parent / "data" / "inflection"
MORPH_CASES: dict[str, tuple[str, ...]] = {
    "uk": ("nomn", "gent", "datv", "accs", "ablt", "loct", "voct"),
    "ru": ("nomn", "gent", "datv", "accs", "ablt", "loct", "loc2"),
}
# Which rule group inflects which gazetteer kind.
RULE_GROUP = {"adj": "adj", "demonym": "demonym", "place": "place"}
# A language without a rule group of its own for generated places inflects them as names.
_GROUP_FALLBACK = {"place": "name"}
MAX_PHRASE_FORMS = 400
# Adjectives have no second locative/genitive: «на Західному березі», «в Западном берегу».
_FALLBACK_CASE = {"loc2": "loct", "gen2": "gent"}
_SPLIT = re.compile(r"([ \-])")


@functools.cache
def _morph(lang: str) -> Any:
    import pymorphy3

    return pymorphy3.MorphAnalyzer(lang=lang)


@functools.cache
def _rules(lang: str) -> dict[str, list[tuple[str, tuple[str, ...]]]]:
    path = INFLECTION_DIR / f"{lang}.yaml"
    if not path.is_file():
        return {}
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    groups: dict[str, list[tuple[str, tuple[str, ...]]]] = {}
    for group, rules in (raw.get("groups") or {}).items():
        parsed = [(str(r["end"]), tuple(str(f) for f in r["forms"])) for r in rules]
        parsed.sort(key=lambda rule: -len(rule[0]))  # longest ending wins
        groups[str(group)] = parsed
    return groups


def forms(phrase: str, kind: str, lang: str) -> set[str]:
    """Every surface form of ``phrase`` (a gazetteer entry of ``kind``) in ``lang``."""
    if kind == "abbr":
        return {phrase}
    phrase = normalize_word(phrase)
    if lang in MORPH_CASES:
        if kind in ("adj", "demonym") and " " not in phrase:
            return _lexeme(phrase, lang) | {phrase}
        return _morph_phrase(phrase, lang) | {phrase}
    return _rule_phrase(phrase, RULE_GROUP.get(kind, "name"), lang) | {phrase}


def _lexeme(word: str, lang: str) -> set[str]:
    low = word.lower()
    out: set[str] = set()
    for parse in _morph(lang).parse(low):
        if _yo(parse.normal_form) != low:
            continue
        pos = parse.tag.POS
        out.update(f.word for f in parse.lexeme if pos == f.tag.POS)
    return out


def _yo(word: str) -> str:
    return str(word).replace("ё", "е")


def _noun_parse(word: str, lang: str) -> Any | None:
    low = word.lower()
    best = None
    for parse in _morph(lang).parse(low):
        if parse.tag.POS != "NOUN" or parse.tag.case != "nomn" or _yo(parse.word) != low:
            continue
        if "Geox" in parse.tag.grammemes:
            return parse
        if best is None:
            best = parse
    return best


def _adj_parse(word: str, lang: str) -> Any | None:
    low = word.lower()
    for parse in _morph(lang).parse(low):
        if (
            parse.tag.POS in ("ADJF", "PRTF")
            and parse.tag.case == "nomn"
            and _yo(parse.word) == low
        ):
            return parse
    return None


def _inflect(parse: Any, case: str) -> set[str]:
    """All forms of ``parse``'s lexeme in ``case``, same number (and gender when singular)."""
    return _by_case(parse).get(case, set())


_BY_CASE: dict[tuple[str, str], dict[str, set[str]]] = {}


def _by_case(parse: Any) -> dict[str, set[str]]:
    key = (str(parse.word), str(parse.tag))
    cached = _BY_CASE.get(key)
    if cached is not None:
        return cached
    tag = parse.tag
    out: dict[str, set[str]] = {}
    for form in parse.lexeme:
        ftag = form.tag
        if ftag.POS != tag.POS or ftag.number != tag.number or "Supr" in ftag.grammemes:
            continue
        if tag.number != "plur" and tag.gender and ftag.gender and ftag.gender != tag.gender:
            continue
        out.setdefault(str(ftag.case), set()).add(form.word)
    _BY_CASE[key] = out
    return out


def _morph_phrase(phrase: str, lang: str) -> set[str]:
    parts = _SPLIT.split(phrase)
    words = parts[0::2]
    seps = parts[1::2]
    nouns = [_noun_parse(w, lang) for w in words]
    adjs = [_adj_parse(w, lang) for w in words]
    head = None
    per_word: list[Any] = []
    for i, word in enumerate(words):
        if head is not None:
            per_word.append(None)
            continue
        noun = nouns[i]
        # An adjective reading wins when a noun follows ("Білий дім", "Сполучені Штати").
        before_noun = adjs[i] is not None and i + 1 < len(words) and nouns[i + 1] is not None
        if (
            noun is not None
            and not before_noun
            and (len(words) > 1 or _is_self_reading(noun, word))
        ):
            per_word.append(noun)
            head = i
            continue
        per_word.append(adjs[i])
    if head is None:
        return {phrase}
    out: set[str] = set()
    for case in MORPH_CASES[lang]:
        options: list[list[str]] = []
        ok = True
        for i, word in enumerate(words):
            parse = per_word[i]
            if parse is None or i > head:
                options.append([word])
                continue
            inflected = _inflect(parse, case) or _inflect(parse, _FALLBACK_CASE.get(case, case))
            if not inflected:
                ok = i != head
                options.append([word])
                if not ok:
                    break
                continue
            options.append(sorted(inflected))
        if not ok:
            continue
        out.update(_join(combo, seps) for combo in itertools.product(*options))
    return out


def _is_self_reading(parse: Any, word: str) -> bool:
    """A one-word name expands only if its reading is the name itself or geographic."""
    return "Geox" in parse.tag.grammemes or str(parse.normal_form) == word.lower()


def _join(words: Iterable[str], seps: list[str]) -> str:
    out = []
    for i, word in enumerate(words):
        if i:
            out.append(seps[i - 1])
        out.append(word)
    return "".join(out)


def _rule_word(word: str, group: list[tuple[str, tuple[str, ...]]]) -> list[str]:
    low = word.lower()
    for end, endings in group:
        if low.endswith(end):
            stem = word[: len(word) - len(end)] if end else word
            return [stem + e for e in endings] or [word]
    return [word]


def _rule_phrase(phrase: str, group_name: str, lang: str) -> set[str]:
    rules = _rules(lang)
    group = rules.get(group_name, rules.get(_GROUP_FALLBACK.get(group_name, group_name)))
    if not group:
        return {phrase}
    parts = _SPLIT.split(phrase)
    words = parts[0::2]
    seps = parts[1::2]
    options = [_rule_word(w, group) if len(w) > 2 else [w] for w in words]
    out: set[str] = set()
    for combo in itertools.islice(itertools.product(*options), MAX_PHRASE_FORMS):
        out.add(_join(combo, seps))
    return out


def other_word(form: str, name: str, lang: str) -> bool:
    """``form`` (generated from the place ``name``) is also a dictionary word of another
    lexeme: Пушкина (Пушкин), Советском (советский), Тоді (тоді). Only for uk/ru."""
    if lang not in MORPH_CASES or " " in form or "-" in form:
        return False
    base = _yo(name.lower())
    return any(p.is_known and _yo(p.normal_form) != base for p in _morph(lang).parse(form.lower()))
