"""The labelled evaluation set meets the issue's targets (a regression guard, not a timing)."""

from __future__ import annotations

from pathlib import Path

import pytest

from processors.tagging import get_tagger
from processors.tagging.evaluate import LangReport, evaluate, format_report

EVAL = Path(__file__).parent.parent / "data" / "eval"


@pytest.fixture(scope="module")
def reports() -> dict[str, LangReport]:
    return evaluate(EVAL, get_tagger())


def test_covers_seven_languages_and_300_items(reports: dict[str, LangReport]) -> None:
    assert sorted(reports) == ["de", "en", "es", "fr", "pl", "ru", "uk"]
    assert sum(r.items for r in reports.values()) >= 300


@pytest.mark.parametrize("lang", ["de", "en", "es", "fr", "pl", "ru", "uk"])
def test_targets(reports: dict[str, LangReport], lang: str) -> None:
    report = reports[lang]
    assert report.countries.f1 >= 0.97, format_report({lang: report}, show_errors=True)
    assert report.topics.f1 >= 0.90, format_report({lang: report}, show_errors=True)
