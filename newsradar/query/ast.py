"""The typed syntax tree of a query.

Nodes are immutable and hashable. ``str(node)`` gives a canonical query text that parses
back to an equal tree, so a stored subscription can always be shown and re-read.

Positional nodes (:class:`Term`, :class:`Prefix`, :class:`Phrase`, :class:`Near`, and an
:class:`Or` made only of positional nodes) have token positions in an article and may be
operands of ``NEAR/n``; :class:`Filter`, :class:`And` and :class:`Not` have none.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal, TypeAlias

FilterField: TypeAlias = Literal["country", "lang", "topic", "source"]
FILTER_FIELDS: tuple[FilterField, ...] = ("country", "lang", "topic", "source")

OPERATOR_WORDS = frozenset({"and", "or", "not"})
_BARE_VALUE = re.compile(r"[^\s()\"“”«»*]+")


def _quote(text: str) -> str:
    return '"' + text.replace('"', "") + '"'


def _word(text: str) -> str:
    """A term as query text: bare when it reads back as the same term, quoted otherwise."""
    plain = _BARE_VALUE.fullmatch(text) is not None
    if plain and text.lower() not in OPERATOR_WORDS and not text.lower().startswith("near/"):
        return text
    return _quote(text)


@dataclass(frozen=True, slots=True)
class Term:
    """A word (lower-cased as typed). It matches the lemma(s) of ``text`` in the article's
    language; a word the lemmatiser splits into several tokens matches them as a phrase."""

    text: str

    def __str__(self) -> str:
        return _word(self.text)


@dataclass(frozen=True, slots=True)
class Prefix:
    """``text*``: any lemma token that starts with ``text`` (normalised, not lemmatised)."""

    text: str

    def __str__(self) -> str:
        return f"{self.text}*"


@dataclass(frozen=True, slots=True)
class Phrase:
    """A quoted phrase: the lemmas of its words, consecutive and in order."""

    text: str

    def __str__(self) -> str:
        return _quote(self.text)


@dataclass(frozen=True, slots=True)
class Filter:
    """``field:value`` on the article's metadata; compared case-insensitively."""

    field: FilterField
    value: str

    def __str__(self) -> str:
        value = self.value
        if _BARE_VALUE.fullmatch(value) is None:
            value = _quote(value)
        return f"{self.field}:{value}"


@dataclass(frozen=True, slots=True)
class Near:
    """``left NEAR/distance right``: both occur with at most ``distance`` tokens between
    them, in either order (Lucene's unordered ``span_near`` with ``slop = distance``)."""

    left: Node
    right: Node
    distance: int

    def __str__(self) -> str:
        return f"{_operand(self.left)} NEAR/{self.distance} {_operand(self.right)}"


@dataclass(frozen=True, slots=True)
class And:
    children: tuple[Node, ...]

    def __str__(self) -> str:
        return " AND ".join(_inner(child, Or) for child in self.children)


@dataclass(frozen=True, slots=True)
class Or:
    children: tuple[Node, ...]

    def __str__(self) -> str:
        return " OR ".join(str(child) for child in self.children)


@dataclass(frozen=True, slots=True)
class Not:
    child: Node

    def __str__(self) -> str:
        return f"NOT {_inner(self.child, And, Or)}"


Node: TypeAlias = Term | Prefix | Phrase | Filter | Near | And | Or | Not
Leaf: TypeAlias = Term | Prefix | Phrase | Filter


def _inner(node: Node, *needs_parens: type) -> str:
    return f"({node})" if isinstance(node, needs_parens) else str(node)


def _operand(node: Node) -> str:
    return _inner(node, Or, Near)


def is_positional(node: Node) -> bool:
    """Whether the node has token positions, i.e. may be an operand of NEAR."""
    if isinstance(node, Term | Prefix | Phrase | Near):
        return True
    if isinstance(node, Or):
        return all(is_positional(child) for child in node.children)
    return False


def walk(node: Node) -> Iterator[Node]:
    """Every node of the tree, parents before children."""
    yield node
    if isinstance(node, And | Or):
        for child in node.children:
            yield from walk(child)
    elif isinstance(node, Not):
        yield from walk(node.child)
    elif isinstance(node, Near):
        yield from walk(node.left)
        yield from walk(node.right)


def leaves(node: Node) -> Iterator[Leaf]:
    for sub in walk(node):
        if isinstance(sub, Term | Prefix | Phrase | Filter):
            yield sub
