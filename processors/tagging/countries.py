"""Find country mentions in a text with a language's gazetteer.

Every key of the automaton that ends on word boundaries is a candidate; the longest candidates
win (a blocker such as "New Mexico" or a nested name such as "Papua New Guinea" hides the
shorter names inside it); a candidate must have the case its data has; names flagged ``amb``
are skipped where they are probably a common word or part of a person's name; a key with
readings for two different countries is not guessed, unless all but one of them are
context readings (flag ``ctx``): such a reading is taken when the text backs it and does not
otherwise name the main reading's country ("Savannah, Georgia" and "Georgia's Fulton County"
are in the US; "Georgia's parliament" is Georgia; see ``_by_context``).
"""

from __future__ import annotations

from typing import NamedTuple

from newsradar.lang import Normalized, normalize_word
from processors.tagging.gazetteer import BLOCK, PLACE, Entry, Gazetteer

# Mentions that back a context reading: a region or a town, not a capital or a world city
# (a Georgian minister "in New York" or "in Washington" is still in Georgia's news).
BACKING_KINDS = frozenset({"region", PLACE})
# What a club cue ("al Valencia") turns into a sports club: a city or town, not a country.
CLUB_KINDS = frozenset({"city", "capital", PLACE})
SENTENCE_END = frozenset('.!?…"«»“”„()[]—–-:;•|\n\r')
# Capitalised words that may follow a town's name without making it part of another name.
PLACE_SUFFIXES = frozenset(
    {
        "County",
        "City",
        "Township",
        "Parish",
        "Borough",
        "District",
        "Province",
        "Region",
        "Oblast",
        "Airport",
        "Bay",
        "Valley",
    }
)


class Found(NamedTuple):  # built for every mention: a tuple is the cheapest to make
    country: str
    start: int  # offsets into the original text
    end: int
    surface: str
    kind: str


def find(original: str, norm: Normalized, gazetteer: Gazetteer) -> list[Found]:
    text = norm.text
    length = len(text)
    candidates: list[tuple[int, int, tuple[Entry, ...]]] = []
    for end_index, (size, entries) in gazetteer.automaton.iter(text):
        start = end_index - size + 1
        end = end_index + 1
        if start > 0 and text[start - 1].isalnum():
            continue
        if end < length and text[end].isalnum():
            continue
        candidates.append((start, end, entries))
    if not candidates:
        return []
    candidates.sort(key=lambda c: (c[0] - c[1], c[0]))
    identity = norm.offsets is None
    taken = bytearray(length)  # 1 where a longer match already stands
    found: list[Found] = []
    undecided: list[tuple[Found, dict[str, str]]] = []  # main reading, context code -> kind
    # A name is often written the same way several times in one text.
    case_checked: dict[tuple[int, str], list[Entry]] = {}
    for start, end, entries in candidates:
        if taken.find(1, start, end) != -1:
            continue
        o_start, o_end = (start, end) if identity else norm.to_original(start, end)
        surface = original[o_start:o_end]
        valid = case_checked.get((id(entries), surface))
        if valid is None:
            valid = case_checked[id(entries), surface] = [
                e for e in entries if e.case == "any" or _case_ok(e.case, surface)
            ]
        if gazetteer.club_cues and _previous_word(original, o_start)[0] in gazetteer.club_cues:
            valid = [e for e in valid if e.kind not in CLUB_KINDS]
        if not valid:
            continue
        place = flagged = False
        for e in valid:
            place = place or e.kind == PLACE
            flagged = flagged or e.amb or e.person
        if place and _inside_longer_name(original, o_start, o_end, gazetteer.lang):
            valid = [e for e in valid if e.kind != PLACE]
        if flagged:
            # A cue word before the name ("in", "президент") vouches for its left side only.
            cued = _after_cue(original, o_start, gazetteer.cues)
            at_start = not cued and _sentence_start(original, o_start)
            beside = _next_capitalised(original, o_end) or (
                not cued and _prev_capitalised(original, o_start)
            )
            valid = [
                e for e in valid if not ((e.amb and at_start) or ((e.amb or e.person) and beside))
            ]
        if not valid:
            continue
        taken[start:end] = b"\x01" * (end - start)
        if valid[0].code == BLOCK:  # a blocker comes first (gazetteer._resolve)
            continue  # not a country mention
        first = valid[0]
        if len(valid) == 1 and not first.ctx:  # most names: one reading
            found.append(Found(first.code, o_start, o_end, surface, first.kind))
            continue
        main = {e.code for e in valid if not e.ctx}
        if len(main) != 1:
            continue  # not clear which country
        code = main.pop()
        mention = Found(code, o_start, o_end, surface, first.kind)
        context = {e.code: e.kind for e in valid if e.ctx and e.code != code}
        if context:
            undecided.append((mention, context))
        else:
            found.append(mention)
    found.extend(_by_context(found, undecided))
    found.sort(key=lambda f: f.start)
    return _drop_city_before_region(original, found)


def _by_context(found: list[Found], undecided: list[tuple[Found, dict[str, str]]]) -> list[Found]:
    """Each undecided name: its context reading when the text backs exactly that one and
    names the main reading's country nowhere else; its main reading otherwise. A city's
    context reading is backed by any mention of its country ("el presidente argentino viajó
    a Córdoba"); a region's only by another region or town ("Georgia and Arizona": the US
    named as a country says nothing about which Georgia)."""
    named = {f.country for f in found}
    backed = {f.country for f in found if f.kind in BACKING_KINDS}
    out = []
    for mention, context in undecided:
        chosen = sorted(
            code for code, kind in context.items() if code in (named if kind == "city" else backed)
        )
        if len(chosen) == 1 and mention.country not in named:
            mention = Found(
                chosen[0], mention.start, mention.end, mention.surface, context[chosen[0]]
            )
        out.append(mention)
    return out


def _drop_city_before_region(text: str, found: list[Found]) -> list[Found]:
    """A city followed by ", <region of another country>" lies in that region (Paris, Texas)."""
    out = []
    for i, item in enumerate(found):
        nxt = found[i + 1] if i + 1 < len(found) else None
        if (
            nxt is not None
            and item.kind in ("city", "capital", PLACE)
            and nxt.kind == "region"
            and nxt.country != item.country
            and text[item.end : nxt.start].strip() == ","
        ):
            continue
        out.append(item)
    return out


def _after_cue(text: str, start: int, cues: frozenset[str]) -> bool:
    if not cues:
        return False
    word, _ = _previous_word(text, start)
    return normalize_word(word) in cues


def _case_ok(case: str, surface: str) -> bool:
    if case == "any":
        return True
    if case == "cap":
        return surface[:1].isupper()
    if case in ("title", "tail"):  # "tail": the short first word as written ("al Cairo")
        return (case == "tail" or surface[:1].isupper()) and all(
            w[:1].isupper() for w in surface.split() if len(w) >= 3
        )
    return surface[:1].isupper() and all(c.isupper() for c in surface if c.isalpha())


def _inside_longer_name(text: str, start: int, end: int, lang: str) -> bool:
    """A generated town or city that is only part of a longer name: hyphenated
    (Corona-Testzentren, Петропавловск-Камчатский, the missile Хвасон-20) or followed by a
    capitalised word (Stamford Bridge, Kaja Kallas, Houston Rockets; not "Fulton County";
    not in German, which capitalises every noun)."""
    if end + 1 < len(text) and text[end] == "-" and text[end + 1].isalnum():
        return True
    if start >= 2 and text[start - 1] == "-" and text[start - 2].isalpha():
        return True
    if lang == "de":
        return False
    following = _next_word(text, end)
    return following[:1].isupper() and following not in PLACE_SUFFIXES


def _prev_capitalised(text: str, start: int) -> bool:
    """The word before is capitalised and not just a capitalised sentence opener."""
    prev_word, prev_start = _previous_word(text, start)
    return prev_word[:1].isupper() and (len(prev_word) > 3 or not _sentence_start(text, prev_start))


def _next_capitalised(text: str, end: int) -> bool:
    """The word after is capitalised: the name is part of a longer one (Jordan Park)."""
    return _next_word(text, end)[:1].isupper()


def _sentence_start(text: str, index: int) -> bool:
    i = index - 1
    while i >= 0 and text[i] in " \t\u00a0":
        i -= 1
    return i < 0 or text[i] in SENTENCE_END


def _previous_word(text: str, index: int) -> tuple[str, int]:
    i = index - 1
    while i >= 0 and text[i] in " \t\u00a0":
        i -= 1
    end = i + 1
    while i >= 0 and (text[i].isalnum() or text[i] in "'’-"):
        i -= 1
    return text[i + 1 : end], i + 1


def _next_word(text: str, index: int) -> str:
    i = index
    while i < len(text) and text[i] in " \t\u00a0":
        i += 1
    start = i
    while i < len(text) and text[i].isalnum():
        i += 1
    return text[start:i]
