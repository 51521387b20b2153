"""Generated towns and cities (data/places) and the on-disk cache of compiled gazetteers."""

from __future__ import annotations

from pathlib import Path

import pycountry
import pytest

from newsradar.lang import SUPPORTED_LANGUAGES
from processors.tagging import gazetteer, get_tagger

CODES = {c.alpha_2 for c in pycountry.countries} | {"XK"}


@pytest.mark.parametrize("lang", SUPPORTED_LANGUAGES)
def test_place_rows_are_well_formed(lang: str) -> None:
    rows = gazetteer.read_places(lang)
    assert len(rows) > 1000
    for code, name, flags in rows:
        assert code in CODES, (lang, code, name)
        assert name[:1].isupper(), (lang, name)
        assert flags <= {"amb", "person", "exact"}, (lang, name, flags)


@pytest.mark.parametrize(
    ("lang", "text", "countries"),
    [
        # towns of the language's own country, inflected
        ("pl", "Prezydent Bytomia spotkał się w Rybniku z mieszkańcami.", ["PL"]),
        ("uk", "У Житомирі відкрили новий міст.", ["UA"]),
        ("ru", "В Твери прошёл митинг.", ["RU"]),
        ("de", "In Bochum streiken die Busfahrer.", ["DE"]),
        ("fr", "Le festival d'Angoulême ouvre jeudi.", ["FR"]),
        ("es", "El ayuntamiento de Getafe aprobó el presupuesto.", ["ES"]),
        # a big city abroad under its native name
        ("en", "Floods hit Porto Alegre again.", ["BR"]),
        # a generated name never overrides a curated or country reading
        ("es", "Lima amaneció con protestas.", ["PE"]),
        # an alternate name that is really something else (places/exclude.txt)
        ("de", "Die Hamas lehnte den Vorschlag ab.", []),
        # an inflected form of an ordinary word is not generated (Tours, Siegen)
        ("de", "Nach drei Siegen in Folge verlor die Mannschaft.", []),
        # a town that is only part of a longer name: hyphenated, or before a capitalised word
        ("de", "Die Corona-Testzentren schließen.", []),
        ("ru", "Землетрясение у Петропавловска-Камчатского.", ["RU"]),
        ("en", "Chelsea lost at Stamford Bridge again.", ["GB"]),
        ("en", "The Houston Rockets won at home.", []),
        ("en", "Officials in Fulton County finished the recount.", ["US"]),
        # every capitalised word of a multi-word name must be capitalised in the text
        ("es", "El precio de la plata subió.", []),
        ("es", "Protestas en La Plata y en Rosario.", ["AR"]),
    ],
)
def test_generated_places(lang: str, text: str, countries: list[str]) -> None:
    assert get_tagger().tag(text, lang=lang).countries == countries


def test_cache_is_written_then_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    built = gazetteer.load("fr", tmp_path)
    files = list(tmp_path.glob("gazetteer-fr-*.pickle"))
    assert len(files) == 1

    def no_build(lang: str) -> gazetteer.Gazetteer:
        raise AssertionError("rebuilt although the cache is fresh")

    monkeypatch.setattr(gazetteer, "build", no_build)
    cached = gazetteer.load("fr", tmp_path)
    assert cached.size == built.size
    assert cached.automaton.get("angoulême") == built.automaton.get("angoulême")


def test_stale_or_broken_cache_is_rebuilt(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    gazetteer.load("es", tmp_path)
    (path,) = tmp_path.glob("gazetteer-es-*.pickle")
    path.write_bytes(b"not a pickle")
    assert gazetteer.load("es", tmp_path).size > 1000
    # A change of the data changes the key: the old file is replaced, not read.
    monkeypatch.setattr(gazetteer, "_fingerprint", lambda lang: "0000000000000000")
    gazetteer.load("es", tmp_path)
    assert [p.name for p in tmp_path.glob("gazetteer-es-*.pickle")] == [
        "gazetteer-es-0000000000000000.pickle"
    ]


def test_unwritable_cache_dir_is_not_an_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("a file where the cache folder should be")
    assert gazetteer.load("en", blocker / "cache").size > 1000
