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
  word), ``exact`` (no inflection), ``ctx`` (a second reading of a name that has another
  one, taken only when the text backs it: Georgia the US state, see ``countries.find``).
  Kind ``club`` (code ``-``) lists words that, written just so right before a city or town,
  make it a sports club (Spanish "al Valencia", "del Barcelona").
  Kind ``cue`` (code ``-``) lists words such as "in",
  "president", "посол" that, right before an ``amb``/``person`` name, show it is the country.

Case is taken from the data: an all-capitals phrase (``США``, ``US``) matches only in
capitals, a capitalised one only capitalised, a lower-case one in any case.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import ahocorasick

from newsradar.lang import normalize_word
from processors.tagging import cache
from processors.tagging.inflect import forms, other_word

DATA_DIR = Path(__file__).parent / "data"
# What a compiled gazetteer depends on besides its data files: this code and the morphology.
_CODE = (Path(__file__), Path(__file__).with_name("inflect.py"))
_PACKAGES = ("pymorphy3", "pymorphy3-dicts-uk", "pymorphy3-dicts-ru", "pyahocorasick")
KINDS = frozenset(
    {
        "name",
        "abbr",
        "adj",
        "demonym",
        "capital",
        "metonym",
        "city",
        "region",
        "block",
        "cue",
        "club",
    }
)
PLACE = "place"  # the kind of a generated town or city (data/places)
_CASE_ORDER = ("any", "tail", "cap", "title", "upper")  # from the least demanding
BLOCK = ""


@dataclass(frozen=True)
class Entry:
    """What a matched key means: the country (``""`` for a blocker) and how to check it."""

    code: str
    kind: str
    case: str  # "upper", "title", "tail", "cap" or "any"
    amb: bool  # also a common word: not at a sentence start nor next to a capitalised word
    person: bool  # also a person's name: not next to another capitalised word
    ctx: bool = False  # a second reading, taken only when the text backs it


@dataclass(frozen=True)
class Gazetteer:
    lang: str
    automaton: ahocorasick.Automaton
    size: int
    cues: frozenset[str]  # words that, just before an ambiguous name, show it is a place
    club_cues: frozenset[str] = frozenset()  # words that, before a city, make it a club


def _case_of(phrase: str) -> str:
    """``upper`` (США), ``title`` (La Plata, Rio Grande: every word of three letters or more
    capitalised), ``tail`` (the same after a short lower-case first word: al Cairo), ``cap``
    (first letter), or ``any``."""
    letters = [c for c in phrase if c.isalpha()]
    if len(letters) >= 2 and all(c.isupper() for c in letters):
        return "upper"
    words = [w for w in phrase.split() if len(w) >= 3]
    if len(phrase.split()) > 1 and words and all(w[:1].isupper() for w in words):
        return "title" if phrase[:1].isupper() else "tail"
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


def read_places(lang: str) -> list[tuple[str, str, set[str]]]:
    """``(code, name, flags)`` of the generated towns and cities (``places/<lang>.tsv``)."""
    path = DATA_DIR / "places" / f"{lang}.tsv"
    if not path.is_file():
        return []
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            code, name, flags, *_ = line.split("\t")
            rows.append((code, name, set(flags.split(",")) if flags else set()))
    return rows


def read_place_exclusions() -> set[str]:
    """Words never read as a generated place, in any language or form (``places/exclude.txt``:
    GeoNames gives Hamas as a name of Hamm, and Hamas is also the genitive of Hama)."""
    path = DATA_DIR / "places" / "exclude.txt"
    if not path.is_file():
        return set()
    lines = (line.split("#")[0].strip() for line in path.read_text(encoding="utf-8").splitlines())
    return {normalize_word(line) for line in lines if line}


def build(lang: str) -> Gazetteer:
    """Inflect every row of ``lang`` and index the forms in one Aho-Corasick automaton."""
    table: dict[str, set[Entry]] = {}
    cues: set[str] = set()
    club_cues: set[str] = set()
    for code, kind, phrase, flags in read_rows(lang):
        if kind == "cue":
            cues.update(normalize_word(f) for f in forms(phrase, "name", lang))
            continue
        if kind == "club":
            club_cues.add(phrase)  # as written: "el Valencia" is a club, "El Cairo" a city
            continue
        entry = Entry(
            code, kind, _case_of(phrase), "amb" in flags, "person" in flags, "ctx" in flags
        )
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
                        e = Entry(e.code, e.kind, e.case, e.amb or amb, e.person or person, e.ctx)
                fixed.add(e)
            table[key] = fixed
    # Generated places come last: a key the country names or curated rows have keeps only
    # their reading (Lima is Peru, Georgia the country; a blocker stays a blocker).
    places: dict[str, set[Entry]] = {}
    excluded = read_place_exclusions()
    for code, name, flags in read_places(lang):
        entry = Entry(code, PLACE, _case_of(name), "amb" in flags, "person" in flags)
        for form in {name} if "exact" in flags else forms(name, "place", lang):
            if form != name and other_word(form, name, lang):
                continue  # Сталино's "Сталина", Советск's "Советском"
            key = normalize_word(form)
            if key and key not in table and key not in excluded:
                places.setdefault(key, set()).add(entry)
    table.update(places)
    automaton = ahocorasick.Automaton()
    for key, entries in table.items():
        automaton.add_word(key, (len(key), _resolve(entries)))
    automaton.make_automaton()
    return Gazetteer(lang, automaton, len(table), frozenset(cues), frozenset(club_cues))


def _resolve(entries: set[Entry]) -> tuple[Entry, ...]:
    """A blocker hides the other readings of its key wherever it matches itself: only a
    reading that asks less of the text's case than the blocker survives beside it (the
    blocker "Franco", capitalised, leaves "franco-allemand" its reading)."""
    blockers = [e for e in entries if e.code == BLOCK]
    if not blockers:
        return tuple(sorted(entries, key=lambda e: (e.code, e.kind, e.case)))
    blocker = min(blockers, key=lambda e: _CASE_ORDER.index(e.case))  # the least demanding
    laxer = [
        e
        for e in entries
        if e.code != BLOCK and _CASE_ORDER.index(e.case) < _CASE_ORDER.index(blocker.case)
    ]
    return (blocker, *sorted(laxer, key=lambda e: (e.code, e.kind, e.case)))


def load(lang: str, cache_dir: Path | None) -> Gazetteer:
    """``build(lang)``, or its compiled copy from ``cache_dir`` when the data, the code and the
    morphology it was built from are unchanged (the key is a hash of all of them). A cache that
    can't be read or written is rebuilt or skipped, never an error."""
    return cache.load(
        cache_dir, f"gazetteer-{lang}", lambda: _fingerprint(lang), lambda: build(lang), Gazetteer
    )


def _fingerprint(lang: str) -> str:
    files = [
        DATA_DIR / "names" / f"{lang}.tsv",
        DATA_DIR / "curated" / f"{lang}.tsv",
        DATA_DIR / "places" / f"{lang}.tsv",
        DATA_DIR / "places" / "exclude.txt",
        DATA_DIR / "inflection" / f"{lang}.yaml",
        Path(normalize_word.__code__.co_filename),
        *_CODE,
    ]
    return cache.fingerprint(lang, files, _PACKAGES)
