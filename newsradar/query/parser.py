"""A hand-rolled recursive-descent parser for the query language.

Grammar, loosest binding first (operators and filter names are case-insensitive)::

    query    := or_expr EOF
    or_expr  := and_expr ( "OR" and_expr )*
    and_expr := unary ( "AND"? unary )*          adjacent operands mean AND
    unary    := "NOT" unary | near
    near     := primary ( "NEAR/" n primary )*   left-associative; operands positional
    primary  := WORD | WORD"*" | PHRASE | FIELD ":" VALUE | "(" or_expr ")"

A phrase is quoted with ``"…"``, ``“…”``, ``„…“`` or ``«…»``. To search for a word that
is also an operator (the French "or"), quote it: ``"or"``.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from newsradar.query.ast import (
    FILTER_FIELDS,
    And,
    Filter,
    FilterField,
    Near,
    Node,
    Not,
    Or,
    Phrase,
    Prefix,
    Term,
    is_positional,
)

MAX_QUERY_CHARS = 10_000
MAX_DEPTH = 64
MIN_PREFIX_CHARS = 2

_QUOTES = {'"': '"', "“": "”", "„": "“”", "«": "»"}
_STOP = frozenset("()") | frozenset(_QUOTES) | frozenset("”»")
_NEAR = re.compile(r"near/(\d+)", re.IGNORECASE)
_FIELD = re.compile(r"([^\W\d_]+):(.*)", re.DOTALL)
_PREFIX_WORD = re.compile(r"[^\W_]+(?:['’ʼ`][^\W_]*)*")
_COUNTRY = re.compile(r"[A-Za-z]{2}")
_LANG = re.compile(r"[A-Za-z]{2,3}")
_OPERAND = "a term, a phrase, a filter or '('"
_POSITIONAL = "a term, a wildcard, a phrase or a parenthesised OR of them"


class QuerySyntaxError(ValueError):
    """The query does not parse. ``column`` is 1-based (characters); ``offset`` 0-based."""

    def __init__(self, query: str, offset: int, message: str, expected: str) -> None:
        self.query = query
        self.offset = offset
        self.column = offset + 1
        self.message = message
        self.expected = expected
        super().__init__(f"column {self.column}: {message}; expected {expected}")

    def pointer(self) -> str:
        """The query with a caret under the offending column (for terminals)."""
        return f"{self.query}\n{' ' * self.offset}^"


@dataclass(frozen=True, slots=True)
class _Token:
    kind: str  # WORD PREFIX PHRASE FILTER AND OR NOT NEAR LPAREN RPAREN EOF
    pos: int
    text: str = ""
    field: FilterField | None = None
    distance: int = 0


_STARTS = frozenset({"WORD", "PREFIX", "PHRASE", "FILTER", "LPAREN", "NOT"})


def parse_query(text: str) -> Node:
    """Parse ``text`` into a tree; raise :class:`QuerySyntaxError` when it does not parse."""
    if len(text) > MAX_QUERY_CHARS:
        raise QuerySyntaxError(text, MAX_QUERY_CHARS, "query too long", "a shorter query")
    return _Parser(text).parse()


class _Lexer:
    def __init__(self, text: str) -> None:
        self.text = text
        self.i = 0

    def error(self, pos: int, message: str, expected: str) -> QuerySyntaxError:
        return QuerySyntaxError(self.text, pos, message, expected)

    def tokens(self) -> list[_Token]:
        out: list[_Token] = []
        text = self.text
        while True:
            while self.i < len(text) and text[self.i].isspace():
                self.i += 1
            if self.i >= len(text):
                out.append(_Token("EOF", len(text)))
                return out
            ch = text[self.i]
            if ch == "(":
                out.append(_Token("LPAREN", self.i))
                self.i += 1
            elif ch == ")":
                out.append(_Token("RPAREN", self.i))
                self.i += 1
            elif ch in _QUOTES:
                start = self.i
                out.append(_Token("PHRASE", start, self._quoted()))
                self._no_wildcard(start, "phrases")
            elif ch in "”»":
                raise self.error(self.i, f"closing quote {ch} without an opening one", _OPERAND)
            else:
                out.append(self._word())

    def _quoted(self) -> str:
        start, opening = self.i, self.text[self.i]
        closers = _QUOTES[opening] + ('"' if opening != '"' else "")
        end = start + 1
        while end < len(self.text) and self.text[end] not in closers:
            end += 1
        if end >= len(self.text):
            raise self.error(start, "unterminated phrase", f"a closing {_QUOTES[opening][0]}")
        self.i = end + 1
        content = " ".join(self.text[start + 1 : end].split())
        if not content:
            raise self.error(start, "empty phrase", "words between the quotes")
        return unicodedata.normalize("NFC", content).lower()

    def _no_wildcard(self, start: int, what: str) -> None:
        after = self.text[self.i : self.i + 1]
        if after == "*":
            raise self.error(self.i, f"wildcards are not supported in {what}", "a space")
        if after and not (after.isspace() or after in "()"):
            raise self.error(self.i, "text straight after a closing quote", "a space or ( )")

    def _word(self) -> _Token:
        start = self.i
        while (
            self.i < len(self.text)
            and not self.text[self.i].isspace()
            and self.text[self.i] not in _STOP
        ):
            self.i += 1
        word = unicodedata.normalize("NFC", self.text[start : self.i])
        lower = word.lower()
        if lower in ("and", "or", "not"):
            return _Token(lower.upper(), start)
        near = _NEAR.fullmatch(word)
        if near:
            return _Token("NEAR", start, distance=int(near.group(1)))
        if lower.startswith("near/") or word == "NEAR":
            raise self.error(start, f"malformed {word!r}", "NEAR/n with a whole number n")
        field = _FIELD.fullmatch(word)
        if field:
            return self._filter(start, field.group(1).lower(), field.group(2))
        star = word.find("*")
        if star >= 0:
            if star != len(word) - 1:
                where = start + star
                raise self.error(where, "wildcard * inside a term", "* only at the end of a term")
            if len(word) - 1 < MIN_PREFIX_CHARS:
                raise self.error(
                    start, "wildcard too short", f"at least {MIN_PREFIX_CHARS} characters before *"
                )
            if not _PREFIX_WORD.fullmatch(word[:-1]):
                # Articles are split into words at hyphens and punctuation: such a prefix
                # could never match a single word.
                raise self.error(start, "a wildcard must be one word", "letters or digits before *")
            return _Token("PREFIX", start, lower[:-1])
        return _Token("WORD", start, lower)

    def _filter(self, start: int, name: str, value: str) -> _Token:
        if name not in FILTER_FIELDS:
            fields = ", ".join(f"{f}:" for f in FILTER_FIELDS)
            raise self.error(start, f"unknown filter {name + ':'!r}", f"one of {fields}")
        field: FilterField = name
        value_pos = start + len(name) + 1
        if not value and self.i < len(self.text) and self.text[self.i] in _QUOTES:
            value = self._quoted()
            self._no_wildcard(value_pos, "filters")
        if not value:
            raise self.error(value_pos, f"missing value after {name}:", f"a {name} value")
        if "*" in value:
            where = value_pos + max(value.find("*"), 0)
            raise self.error(where, "wildcards are not supported in filters", f"a {name} value")
        if field == "country":
            if not _COUNTRY.fullmatch(value):
                raise self.error(value_pos, f"bad country {value!r}", "a two-letter ISO code")
            value = value.upper()
        elif field == "lang":
            if not _LANG.fullmatch(value):
                raise self.error(value_pos, f"bad language {value!r}", "a language code like uk")
            value = value.lower()
        else:
            value = value.lower()
        return _Token("FILTER", start, value, field=field)


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = _Lexer(text).tokens()
        self.k = 0
        self.depth = 0

    @property
    def tok(self) -> _Token:
        return self.tokens[self.k]

    def error(self, token: _Token, expected: str) -> QuerySyntaxError:
        if token.kind == "EOF":
            message = "unexpected end of query"
        else:
            message = f"unexpected {self._describe(token)}"
        return QuerySyntaxError(self.text, token.pos, message, expected)

    def _describe(self, token: _Token) -> str:
        if token.kind in ("LPAREN", "RPAREN"):
            return f"'{'(' if token.kind == 'LPAREN' else ')'}'"
        if token.kind in ("AND", "OR", "NOT", "NEAR"):
            return token.kind if token.kind != "NEAR" else f"NEAR/{token.distance}"
        return repr(self.text[token.pos : token.pos + 40].split()[0])

    def parse(self) -> Node:
        node = self.or_expr()
        if self.tok.kind != "EOF":
            expected = "end of query" if self.tok.kind == "RPAREN" else "AND, OR or end of query"
            raise self.error(self.tok, expected)
        return node

    def or_expr(self) -> Node:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise self.error(self.tok, f"at most {MAX_DEPTH} levels of nesting")
        children = [self.and_expr()]
        while self.tok.kind == "OR":
            self.k += 1
            children.append(self.and_expr())
        self.depth -= 1
        return _flat(Or, children)

    def and_expr(self) -> Node:
        children = [self.unary()]
        while True:
            if self.tok.kind == "AND":
                self.k += 1
                children.append(self.unary())
            elif self.tok.kind in _STARTS:
                children.append(self.unary())
            else:
                return _flat(And, children)

    def unary(self) -> Node:
        if self.tok.kind == "NOT":
            self.k += 1
            self.depth += 1
            if self.depth > MAX_DEPTH:
                raise self.error(self.tok, f"at most {MAX_DEPTH} levels of nesting")
            child = self.unary()
            self.depth -= 1
            return child.child if isinstance(child, Not) else Not(child)
        return self.near()

    def near(self) -> Node:
        left_tok = self.tok
        node = self.primary("a term, a phrase, a filter, NOT or '('")
        while self.tok.kind == "NEAR":
            op = self.tok
            if not is_positional(node):
                message = "NEAR/n needs a term or phrase on its left"
                raise QuerySyntaxError(self.text, left_tok.pos, message, _POSITIONAL)
            self.k += 1
            right_tok = self.tok
            right = self.primary(_OPERAND)
            if not is_positional(right):
                message = "NEAR/n needs a term or phrase on its right"
                raise QuerySyntaxError(self.text, right_tok.pos, message, _POSITIONAL)
            node = Near(node, right, op.distance)
        return node

    def primary(self, expected: str) -> Node:
        tok = self.tok
        if tok.kind == "WORD":
            self.k += 1
            return Term(tok.text)
        if tok.kind == "PREFIX":
            self.k += 1
            return Prefix(tok.text)
        if tok.kind == "PHRASE":
            self.k += 1
            return Phrase(tok.text)
        if tok.kind == "FILTER":
            self.k += 1
            assert tok.field is not None
            return Filter(tok.field, tok.text)
        if tok.kind == "LPAREN":
            self.k += 1
            node = self.or_expr()
            if self.tok.kind != "RPAREN":
                raise self.error(self.tok, "')'")
            self.k += 1
            return node
        raise self.error(tok, expected)


def _flat(kind: type[And] | type[Or], children: list[Node]) -> Node:
    if len(children) == 1:
        return children[0]
    flat: list[Node] = []
    for child in children:
        if isinstance(child, kind):
            flat.extend(child.children)
        elif child not in flat:
            flat.append(child)
    return kind(tuple(flat)) if len(flat) > 1 else flat[0]
