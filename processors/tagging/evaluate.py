"""Evaluate the tagger on a labelled set: per-language precision, recall and F1.

The set is JSON Lines files (``*.jsonl``, searched recursively) in a folder, one item a line:
``{"id": "...", "lang": "uk", "title": "...", "text": "...", "countries": ["KP"],
"topics": ["weapons"], "note": "why this item is hard"}``. ``countries`` and ``topics`` are
the gold labels (``topics`` may be left out to evaluate countries only). Scores are micro
averages over (item, label) pairs; language detection accuracy is reported alongside.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    def add(self, gold: set[str], predicted: set[str]) -> None:
        self.tp += len(gold & predicted)
        self.fp += len(predicted - gold)
        self.fn += len(gold - predicted)

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass
class LangReport:
    items: int = 0
    countries: Counts = field(default_factory=Counts)
    topics: Counts = field(default_factory=Counts)
    detected_right: int = 0
    errors: list[str] = field(default_factory=list)


def load_items(folder: Path | Sequence[Path]) -> list[dict[str, Any]]:
    folders = [folder] if isinstance(folder, Path) else list(folder)
    items: list[dict[str, Any]] = []
    for path in sorted(p for f in folders for p in f.rglob("*.jsonl")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if line.strip():
                item = json.loads(line)
                item.setdefault("id", f"{path.stem}:{number}")
                items.append(item)
    return items


def evaluate(folder: Path | Sequence[Path], tagger: Any) -> dict[str, LangReport]:
    reports: dict[str, LangReport] = {}
    for item in load_items(folder):
        lang = str(item["lang"])
        report = reports.setdefault(lang, LangReport())
        report.items += 1
        text, title = str(item.get("text", "")), str(item.get("title", ""))
        result = tagger.tag(text, title=title, lang=lang)
        gold_c, pred_c = set(item.get("countries", [])), set(result.countries)
        report.countries.add(gold_c, pred_c)
        if gold_c != pred_c:
            report.errors.append(
                f"{item['id']} countries gold={sorted(gold_c)} got={sorted(pred_c)}: {text[:90]}"
            )
        if "topics" in item:
            gold_t, pred_t = set(item["topics"]), set(result.topics)
            report.topics.add(gold_t, pred_t)
            if gold_t != pred_t:
                report.errors.append(
                    f"{item['id']} topics gold={sorted(gold_t)} got={sorted(pred_t)}: {text[:90]}"
                )
        detected = tagger.tag(text, title=title).lang
        report.detected_right += detected == lang
    return reports


def format_report(reports: dict[str, LangReport], show_errors: bool = False) -> str:
    lines = [
        f"{'lang':<6}{'items':>6}  {'countries P':>11} {'R':>6} {'F1':>6}"
        f"  {'topics P':>9} {'R':>6} {'F1':>6}  {'lang-id':>7}"
    ]
    total = LangReport()
    for lang in sorted(reports):
        r = reports[lang]
        lines.append(_row(lang, r))
        total.items += r.items
        total.detected_right += r.detected_right
        for name in ("countries", "topics"):
            mine, all_ = getattr(r, name), getattr(total, name)
            all_.tp, all_.fp, all_.fn = all_.tp + mine.tp, all_.fp + mine.fp, all_.fn + mine.fn
    lines.append(_row("all", total))
    if show_errors:
        for lang in sorted(reports):
            lines.extend(f"  {e}" for e in reports[lang].errors)
    return "\n".join(lines) + "\n"


def _row(lang: str, r: LangReport) -> str:
    c, t = r.countries, r.topics
    accuracy = r.detected_right / r.items if r.items else 0.0
    return (
        f"{lang:<6}{r.items:>6}  {c.precision:>11.3f} {c.recall:>6.3f} {c.f1:>6.3f}"
        f"  {t.precision:>9.3f} {t.recall:>6.3f} {t.f1:>6.3f}  {accuracy:>7.3f}"
    )
