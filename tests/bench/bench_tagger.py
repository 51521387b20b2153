"""Tagger speed, start-up and memory, with a naive baseline run in the same process.

Corpus: ~2.5 KB articles per language assembled (fixed seed) from the labelled evaluation
sentences plus the seed article, so every language's gazetteer, lemmatiser and taxonomy is
exercised. Its vocabulary is smaller than real news, so the lemma cache hits more often than
in production; the "cold lemma cache" case clears the caches before every pass to bound that.

- ours: ``get_tagger().tag(text)`` with the language detected (and with it given), counted
  per CPU-second of this single-threaded process (one core), so other load on the machine
  does not distort it;
- baseline: one compiled regular expression per gazetteer name (alternation of its
  inflected forms, word boundaries, case-insensitive) searched over the text — countries
  only, so it does less work than ours;
- start-up: a fresh interpreter importing the tagger and loading all data (wall clock);
- RSS: the fresh interpreter's peak resident memory after loading and tagging the corpus.
"""

from __future__ import annotations

import json
import random
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
EVAL_DIR = ROOT / "tests" / "data" / "eval"
SEED = ROOT / "tests" / "data" / "tagging" / "seed_article_uk.txt"
ARTICLE_BYTES = 2500
ARTICLES_PER_LANG = 60
QUICK_ARTICLES_PER_LANG = 12


_SENTENCE = re.compile(r"(?<=[.!?…])\s+")


def corpus(per_lang: int) -> list[tuple[str, str]]:
    """``(lang, text)`` articles of about 2.5 KB (UTF-8) each."""
    by_lang: dict[str, list[str]] = {}
    for path in sorted(EVAL_DIR.rglob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                item = json.loads(line)
                # full articles go in sentence by sentence, so every article is ~2.5 KB
                by_lang.setdefault(item["lang"], []).extend(_SENTENCE.split(item["text"]))
    by_lang.setdefault("uk", []).extend(SEED.read_text(encoding="utf-8").split("\n"))
    rng = random.Random(20261126)
    out: list[tuple[str, str]] = []
    for lang in sorted(by_lang):
        sentences = [s for s in by_lang[lang] if s.strip()]
        for _ in range(per_lang):
            parts: list[str] = []
            while len(" ".join(parts).encode("utf-8")) < ARTICLE_BYTES:
                parts.append(rng.choice(sentences))
            out.append((lang, " ".join(parts)))
    return out


def naive_baseline(langs: list[str]) -> dict[str, list[tuple[str, re.Pattern[str]]]]:
    """One regex per gazetteer name: the alternation of its inflected forms."""
    from processors.tagging import gazetteer
    from processors.tagging.inflect import forms

    out: dict[str, list[tuple[str, re.Pattern[str]]]] = {}
    for lang in langs:
        patterns = []
        for code, kind, phrase, _flags in gazetteer.read_rows(lang):
            if kind in ("block", "cue"):
                continue
            alts = sorted(forms(phrase, kind, lang), key=len, reverse=True)
            body = "|".join(re.escape(a) for a in alts)
            patterns.append((code, re.compile(rf"(?<!\w)(?:{body})(?!\w)", re.IGNORECASE)))
        out[lang] = patterns
    return out


def _rate(fn: Any, articles: list[tuple[str, str]], min_seconds: float) -> float:
    """Articles per CPU-second of this (single-threaded) process: stable on a shared machine."""
    done, start = 0, time.process_time()
    while True:
        for lang, text in articles:
            fn(lang, text)
        done += len(articles)
        elapsed = time.process_time() - start
        if elapsed >= min_seconds:
            return done / elapsed


def _fresh_process_numbers(per_lang: int, cached: bool = True) -> dict[str, float]:
    """Start-up and peak memory of a fresh process; ``cached``: the compiled gazetteers are
    loaded from the cache (every start after the first), else compiled from the data."""
    make = "get_tagger()" if cached else "Tagger(cache_dir=None)"
    code = f"""
import json, sys, time
t0 = time.perf_counter()
from processors.tagging import Tagger, get_tagger
tagger = {make}
startup = time.perf_counter() - t0
sys.path.insert(0, {str(ROOT)!r})
from tests.bench.bench_tagger import corpus
for lang, text in corpus({per_lang}):
    tagger.tag(text)
# VmHWM is this process's own peak: ru_maxrss would carry over a bigger parent's peak
# across fork and exec (Linux keeps the larger of the two).
hwm = next(int(line.split()[1]) for line in open("/proc/self/status")
           if line.startswith("VmHWM:"))
print(json.dumps({{"startup": startup, "rss_mb": hwm / 1024}}))
"""
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    return dict(json.loads(result.stdout.strip().splitlines()[-1]))


def run(quick: bool = False) -> list[dict[str, Any]]:
    from newsradar.lang import lemmatize
    from processors.tagging import get_tagger

    per_lang = QUICK_ARTICLES_PER_LANG if quick else ARTICLES_PER_LANG
    seconds = 1.0 if quick else 4.0
    articles = corpus(per_lang)
    mb = sum(len(t.encode("utf-8")) for _, t in articles) / len(articles) / 1000
    tagger = get_tagger()
    baseline = naive_baseline(sorted({lang for lang, _ in articles}))

    def ours_detected(lang: str, text: str) -> None:
        tagger.tag(text)

    def ours_given(lang: str, text: str) -> None:
        tagger.tag(text, lang=lang)

    def ours_cold(lang: str, text: str) -> None:
        tagger.tag(text, lang=lang)

    def naive(lang: str, text: str) -> None:
        {code for code, rx in baseline[lang] if rx.search(text)}

    # Warm the lemma cache and load the language detector's model, as a long-running worker
    # has them (the model used to load inside the timed detection loop).
    for lang, text in articles:
        ours_given(lang, text)
        ours_detected(lang, text)
    base = _rate(naive, articles[:: 4 if quick else 2], seconds)
    detected = _rate(ours_detected, articles, seconds)
    given = _rate(ours_given, articles, seconds)
    # Cold lemma cache: every article's words are lemmatised afresh (worst case).
    cold_done, cold_start = 0, time.process_time()
    for lang, text in articles:
        lemmatize._caches.clear()
        ours_cold(lang, text)
        cold_done += 1
    cold = cold_done / (time.process_time() - cold_start)
    fresh = _fresh_process_numbers(QUICK_ARTICLES_PER_LANG)
    compiling = _fresh_process_numbers(QUICK_ARTICLES_PER_LANG, cached=False)
    case = f"{len(articles)} articles x {mb:.1f} KB, 7 langs, 1 core"
    return [
        {
            "bench": "tagger",
            "case": f"tag, language detected ({case})",
            "value": detected,
            "unit": "articles/s",
            "baseline": base,
            "ratio": detected / base,
        },
        {
            "bench": "tagger",
            "case": f"tag, language given ({case})",
            "value": given,
            "unit": "articles/s",
            "baseline": base,
            "ratio": given / base,
        },
        {
            "bench": "tagger",
            "case": "tag, cold lemma cache per article",
            "value": cold,
            "unit": "articles/s",
            "baseline": base,
            "ratio": cold / base,
        },
        {
            "bench": "tagger",
            "case": "naive baseline: one regex per gazetteer name",
            "value": base,
            "unit": "articles/s",
        },
        {
            "bench": "tagger",
            "case": "start-up, fresh process, all 7 languages (compiled gazetteers cached)",
            "value": fresh["startup"],
            "unit": "s",
        },
        {
            "bench": "tagger",
            "case": "start-up, fresh process, first run after a data change (compiling)",
            "value": compiling["startup"],
            "unit": "s",
        },
        {
            "bench": "tagger",
            "case": "peak RSS, fresh process after tagging",
            "value": fresh["rss_mb"],
            "unit": "MB",
        },
    ]


if __name__ == "__main__":
    for row in run(quick="--quick" in sys.argv):
        print(row)
