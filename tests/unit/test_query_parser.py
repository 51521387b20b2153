"""The query language parser: trees, precedence, round trips, and errors with positions."""

from __future__ import annotations

import pytest

from newsradar.query import (
    And,
    Filter,
    Near,
    Not,
    Or,
    Phrase,
    Prefix,
    QuerySyntaxError,
    Term,
    parse_query,
)


@pytest.mark.parametrize(
    ("query", "tree"),
    [
        ("зброя", Term("зброя")),
        ("Зброя", Term("зброя")),
        ("зброя AND country:KP", And((Term("зброя"), Filter("country", "KP")))),
        ("зброя country:kp", And((Term("зброя"), Filter("country", "KP")))),
        ("a and b", And((Term("a"), Term("b")))),
        ('"Підводний   човен"', Phrase("підводний човен")),
        ("«підводний човен»", Phrase("підводний човен")),
        ("sanction* NEAR/5 oil", Near(Prefix("sanction"), Term("oil"), 5)),
        ("a near/0 b", Near(Term("a"), Term("b"), 0)),
        ("topic:elections AND lang:PL", And((Filter("topic", "elections"), Filter("lang", "pl")))),
        ('source:"Kyiv Independent"', Filter("source", "kyiv independent")),
        ("a b OR c", Or((And((Term("a"), Term("b"))), Term("c")))),
        ("a OR b c", Or((Term("a"), And((Term("b"), Term("c")))))),
        ("a AND (b OR c)", And((Term("a"), Or((Term("b"), Term("c")))))),
        ("NOT a b", And((Not(Term("a")), Term("b")))),
        ("NOT (a b)", Not(And((Term("a"), Term("b"))))),
        ("NOT NOT a", Term("a")),
        ("NOT a NEAR/3 b", Not(Near(Term("a"), Term("b"), 3))),
        ("a NEAR/2 b NEAR/3 c", Near(Near(Term("a"), Term("b"), 2), Term("c"), 3)),
        (
            '(a OR "b c") NEAR/4 dd*',
            Near(Or((Term("a"), Phrase("b c"))), Prefix("dd"), 4),
        ),
        ('"or" AND x', And((Phrase("or"), Term("x")))),
        ("a AND b AND (c AND d)", And((Term("a"), Term("b"), Term("c"), Term("d")))),
        ("10:30", Term("10:30")),
        ("зв'яз*", Prefix("зв'яз")),
        ("((a))", Term("a")),
    ],
)
def test_parses_to_the_expected_tree(query: str, tree: object) -> None:
    assert parse_query(query) == tree


@pytest.mark.parametrize(
    "query",
    [
        'зброя AND country:KP OR (ракета NEAR/3 "підводний човен") NOT lang:ru',
        "NOT (a OR b) c",
        "(a NEAR/1 b) NEAR/2 (c OR dd*)",
        'source:"New York Times" topic:weapons',
        '"and" OR "near/3"',
    ],
)
def test_canonical_text_parses_back_to_the_same_tree(query: str) -> None:
    tree = parse_query(query)
    assert parse_query(str(tree)) == tree


@pytest.mark.parametrize(
    ("query", "column", "expected"),
    [
        ("", 1, "a term"),
        ("a AND", 6, "a term"),
        ("(a", 3, "')'"),
        ("a)", 2, "end of query"),
        ("a OR OR b", 6, "a term"),
        ("contry:KP", 1, "country:"),
        ("country:KPX", 9, "two-letter"),
        ("lang:", 6, "lang value"),
        ("a NEAR b", 3, "NEAR/n"),
        ("a NEAR/x b", 3, "NEAR/n"),
        ("country:KP NEAR/3 a", 1, "a term"),
        ("a NEAR/3 lang:uk", 10, "a term"),
        ("a NEAR/3 NOT b", 10, "a term"),
        ("sanc*ion", 5, "end of a term"),
        ("x a*", 3, "2 characters"),
        ("anti-sanc*", 1, "letters or digits"),
        ('x "abc', 3, 'closing "'),
        ('"ab"*', 5, "a space"),
        ("NOT", 4, "a term"),
        ("topic:weap*", 11, "topic value"),
    ],
)
def test_syntax_errors_name_the_column_and_what_was_expected(
    query: str, column: int, expected: str
) -> None:
    with pytest.raises(QuerySyntaxError) as info:
        parse_query(query)
    error = info.value
    assert error.column == column
    assert error.offset == column - 1
    assert expected in error.expected
    assert f"column {column}" in str(error)
    assert error.pointer().splitlines()[1] == " " * (column - 1) + "^"


def test_deep_nesting_is_refused_not_a_recursion_error() -> None:
    with pytest.raises(QuerySyntaxError):
        parse_query("(" * 500 + "a" + ")" * 500)
