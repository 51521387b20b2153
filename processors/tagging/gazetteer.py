"""The country gazetteer: generated names plus curated files, inflected, in one automaton.

Files (all under ``data/``):

- ``names/<lang>.tsv`` — generated from CLDR and pycountry (``build_names.py``):
  ``CODE<TAB>name<TAB>source``.
- ``curated/<lang>.tsv`` — reviewed additions: ``CODE<TAB>kind<TAB>phrase[|phrase…][<TAB>flags]``.
  Kinds: ``name``, ``abbr``, ``adj``, ``demonym``, ``capital``, ``metonym``, ``city``,
  ``region`` map to the country; ``block`` (code ``-``) is a phrase that is *not* a country
  mention and hides every shorter or equal match it covers ("New Mexico", "Корейський
  півострів", a generated name that is too ambiguous). Flags: ``amb`` (also a common word or
  a person's name: not matched at a sentence start or next to another capitalised word),
  ``person`` (also a person's name, e.g. Washington, Jordan: not next to another capitalised
  word), ``exact`` (no inflection). Kind ``cue`` (code ``-``) lists words such as "in",
  "president", "посол" that, right before an ``amb``/``person`` name, show it is the country.

Case is taken from the data: an all-capitals phrase (``США``, ``US``) matches only in
capitals, a capitalised one only capitalised, a lower-case one in any case.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import ahocorasick

from newsradar.lang import normalize_word
from processors.tagging.inflect import forms

DATA_DIR = Path(__file__).parent / "data"
KINDS = frozenset(
    {"name", "abbr", "adj", "demonym", "capital", "metonym", "city", "region", "block", "cue"}
)
BLOCK = ""


@dataclass(frozen=True)
class Entry:
    """What a matched key means: the country (``""`` for a blocker) and how to check it."""

    code: str
    kind: str
    case: str  # "upper", "cap" or "any"
    amb: bool  # also a common word: not at a sentence start nor next to a capitalised word
    person: bool  # also a person's name: not next to another capitalised word


@dataclass(frozen=True)
class Gazetteer:
    lang: str
    automaton: ahocorasick.Automaton
    size: int
    cues: frozenset[str]  # words that, just before an ambiguous name, show it is a place


def _case_of(phrase: str) -> str:
    letters = [c for c in phrase if c.isalpha()]
    if len(letters) >= 2 and all(c.isupper() for c in letters):
        return "upper"
    if phrase[:1].isupper():
        return "cap"
    return "any"


def read_rows(lang: str) -> list[tuple[str, str, str, set[str]]]:
    """``(code, kind, phrase, flags)`` rows of the generated and curated files of ``lang``."""
    rows: list[tuple[str, str, str, set[str]]] = []
    names = DATA_DIR / "names" / f"{lang}.tsv"
    if names.is_file():
        for line in names.read_text(encoding="utf-8").splitlines():
            if line and not line.startswith("#"):
                code, name, *_ = line.split("\t")
                rows.append((code, "name", name, set()))
    curated = DATA_DIR / "curated" / f"{lang}.tsv"
    if curated.is_file():
        for number, line in enumerate(curated.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip() or line.startswith("#"):
                continue
            cols = line.split("\t")
            if len(cols) < 3 or cols[1] not in KINDS:
                raise ValueError(f"{curated}:{number}: expected CODE<TAB>kind<TAB>phrase")
            flags = set(cols[3].split(",")) if len(cols) > 3 and cols[3] else set()
            code = BLOCK if cols[1] == "block" else cols[0]
            for phrase in cols[2].split("|"):
                if phrase.strip():
                    rows.append((code, cols[1], phrase.strip(), flags))
    return rows


def build(lang: str) -> Gazetteer:
    """Inflect every row of ``lang`` and index the forms in one Aho-Corasick automaton."""
    table: dict[str, set[Entry]] = {}
    cues: set[str] = set()
    for code, kind, phrase, flags in read_rows(lang):
        if kind == "cue":
            cues.update(normalize_word(f) for f in forms(phrase, "name", lang))
            continue
        entry = Entry(code, kind, _case_of(phrase), "amb" in flags, "person" in flags)
        surface = {phrase} if "exact" in flags else forms(phrase, kind, lang)
        for form in surface:
            key = normalize_word(form)
            if key:
                table.setdefault(key, set()).add(entry)
    # A flag given in the curated file holds for the generated name with the same key too.
    for key, entries in table.items():
        flagged = {(e.code, e.amb, e.person) for e in entries if e.amb or e.person}
        if flagged:
            fixed = set()
            for e in entries:
                for code, amb, person in flagged:
                    if e.code == code:
                        e = Entry(e.code, e.kind, e.case, e.amb or amb, e.person or person)
                fixed.add(e)
            table[key] = fixed
    automaton = ahocorasick.Automaton()
    for key, entries in table.items():
        automaton.add_word(key, (len(key), _resolve(entries)))
    automaton.make_automaton()
    return Gazetteer(lang, automaton, len(table), frozenset(cues))


def _resolve(entries: set[Entry]) -> tuple[Entry, ...]:
    """A blocker hides everything else under the same key; otherwise keep all readings."""
    blockers = [e for e in entries if e.code == BLOCK]
    if blockers:
        return (blockers[0],)
    return tuple(sorted(entries, key=lambda e: (e.code, e.kind, e.case)))
