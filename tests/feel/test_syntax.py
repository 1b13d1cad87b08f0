"""Text → AST: what each cell parses to, and what an author is told when it does not parse.

Error cases pin the 1-based column and a fragment of the hint, since those are what a
guideline author sees.  Known engine bugs run as ``xfail(strict=True)`` with the reason.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from engine._core.errors import ConditionError
from engine.feel.conditions import compile_expression, compile_unary_tests
from engine.feel.syntax import (
    Arithmetic,
    Compare,
    Comparison,
    Interval,
    Literal,
    Logical,
    Name,
    Negative,
    Not,
    Span,
    UnaryTests,
    parse_expression,
    parse_unary_tests,
)

NB = "\u00a0"


def unary_error(text: str, names: list[str] | None = None) -> ConditionError:
    with pytest.raises(ConditionError) as caught:
        compile_unary_tests(text, names)
    assert caught.value.text == text
    return caught.value


def expression_error(text: str, names: list[str] | None = None) -> ConditionError:
    with pytest.raises(ConditionError) as caught:
        compile_expression(text, names)
    assert caught.value.text == text
    return caught.value


# ------------------------------------------------------------------ input-cell errors
UNARY_ERRORS = [
    # text, column, message, fragment of the hint
    ("positive", 1, "positive is not a known input", '"positive"'),
    ("very positive", 1, "text must be in quotes", '"very positive"'),
    ('"negative", positive', 13, "positive is not a known input", '"positive"'),
    ("=> 3", 1, "'=>' is not an operator", "write >="),
    ("=>3", 1, "'=>' is not an operator", "write >="),
    ("=< 3", 1, "'=<' is not an operator", "write <="),
    ("== 3", 1, "'==' is not an operator", "single ="),
    ("1-4", 1, "'1-4' is not a range", "[1..4]"),
    ("1 - 4", 1, "'1 - 4' is not a range", "[1..4]"),
    ("2.5–7.5", 1, "'2.5–7.5' is not a range", "[2.5..7.5]"),
    ("[1..]", 3, "an interval needs both ends", "both ends"),
    ("[..4]", 1, "an interval needs both ends", "both ends"),
    ("(1..)", 3, "an interval needs both ends", "both ends"),
    ('"abc', 1, "this text has no closing quote", "quote"),
    ("“abc", 1, "this text has no closing quote", "quote"),
    ('"a", "b', 6, "this text has no closing quote", "quote"),
    ("[1..4", 1, "this interval is not closed", "close it with ]"),
    ("(2..4", 1, "this interval is not closed", "close it with ]"),
    ("'a'", 1, "single quotes do not make a text", "double quotes"),
    ('date("2025-13-01")', 6, '"2025-13-01" is not a valid date', "YYYY-MM-DD"),
    ('date("2025-02-30")', 6, '"2025-02-30" is not a valid date', "YYYY-MM-DD"),
    ('date("31/01/2025")', 6, '"31/01/2025" is not a valid date', 'date("2025-01-31")'),
    ('date("2025-01-31T08:00")', 6, '"2025-01-31T08:00" is not a valid date', "YYYY-MM-DD"),
    ('date("20250131")', 6, '"20250131" is not a valid date', "YYYY-MM-DD"),
    ('date("2021-W01-1")', 6, '"2021-W01-1" is not a valid date', "YYYY-MM-DD"),
    ("not(1", 4, "a bracket is not closed", "closing )"),
    ('not("a", "b"', 4, "a bracket is not closed", "closing )"),
    # no specific diagnosis: the generic message points at the first thing that does not fit
    (",1", 1, "unexpected ','", "an input cell holds tests"),
    ("not()", 5, "unexpected ')'", "an input cell holds tests"),
    (">", 2, "the text ends too early", "an input cell holds tests"),
    ("1 2", 3, "unexpected '2'", "an input cell holds tests"),
    # columns count the non-breaking space
    (f"{NB}=> 3", 2, "'=>' is not an operator", "write >="),
    (f"  [1..{NB}]", 5, "an interval needs both ends", "both ends"),
]

# The specific hints for common mistakes (engine.syntax._DIAGNOSES and ambiguous_number_list).
# The column is the first character of the mistake.
UNARY_HINTS = [
    # a list that ends with a comma: the column of the comma
    ("1,", 2, "the list ends with a comma", "remove the comma"),
    (">= 5,", 5, "the list ends with a comma", "remove the comma"),
    ("1, 2,", 5, "the list ends with a comma", "remove the comma"),
    ('"a", "b",', 9, "the list ends with a comma", "remove the comma"),
    ("[1..4],", 7, "the list ends with a comma", "remove the comma"),
    (">= 5 ,", 6, "the list ends with a comma", "remove the comma"),
    ("1,  ", 2, "the list ends with a comma", "remove the comma"),
    ("not(1,)", 6, "the list ends with a comma", "remove the comma"),
    ("not(1, 2,)", 9, "the list ends with a comma", "remove the comma"),
    # <> for 'not equal'
    ("<> 3", 1, "'<>' is not an operator", "write !="),
    ("<>3", 1, "'<>' is not an operator", "write !="),
    ('<> "a"', 1, "'<>' is not an operator", "write !="),
    # a range without brackets
    ("1..4", 1, "a range needs brackets", "write [1..4]"),
    ("1 .. 4", 1, "a range needs brackets", "write [1..4]"),
    ("-1..4", 1, "a range needs brackets", "write [-1..4]"),
    ("2.5..7.5", 1, "a range needs brackets", "write [2.5..7.5]"),
    # and / or between tests
    ("> 3 and < 5", 5, "'and' cannot join tests in an input cell", "a comma means 'or'"),
    (">= 3 AND <= 5", 6, "'AND' cannot join tests in an input cell", "[3..5]"),
    ('"a" or "b"', 5, "'or' cannot join tests in an input cell", "a comma means 'or'"),
    # between
    ("between 1 and 4", 1, "'between' is not part of the language", "[1..4]"),
    ("BETWEEN 1 AND 4", 1, "'between' is not part of the language", "[1..4]"),
    # a unit after a number: the column of the unit
    (">= 12 years", 7, "'years' after a number", "leave out the unit"),
    ("12years", 3, "'years' after a number", "leave out the unit"),
    ("< 5 mg", 5, "'mg' after a number", "leave out the unit"),
    ("5%", 2, "'%' after a number", "leave out the unit"),
    ("> 5 %", 5, "'%' after a number", "leave out the unit"),
    # not(-): the whole cell is the mistake
    ("not(-)", 1, "- (any value) cannot be negated", "write null"),
    ("NOT( - )", 1, "- (any value) cannot be negated", "write null"),
    # a date without date(...)
    ("2025-01-31", 1, "a date needs date(...)", 'write date("2025-01-31")'),
    (">= 2025-01-31", 4, "a date needs date(...)", 'write date("2025-01-31")'),
    ("[2025-01-01..2025-12-31]", 2, "a date needs date(...)", 'write date("2025-01-01")'),
    # three dots: the column of the first dot
    ("[1...4]", 3, "'...' has one dot too many", "two dots"),
    ("1...4", 2, "'...' has one dot too many", "two dots"),
    # digits, comma, digits without a space: a decimal comma or a thousands separator?
    ("1,000", 1, "'1,000' is ambiguous", "1000 for a whole number"),
    ("2,5", 1, "'2,5' is ambiguous", "2.5 for a decimal number"),
    ("< 2,5", 3, "'2,5' is ambiguous", "2.5 for a decimal number"),
    ("-2,5", 2, "'2,5' is ambiguous", "2.5 for a decimal number"),
    ("not(2,5)", 5, "'2,5' is ambiguous", "2, 5 (with a space)"),
    ("5,6", 1, "'5,6' is ambiguous", "5, 6 (with a space) for a list"),
    ("1,000,000", 1, "'1,000' is ambiguous", "1000 for a whole number"),
    # not without brackets
    ("not x", 1, "not needs brackets", "write not(...)"),
    ("NOT 5", 1, "not needs brackets", "write not(...)"),
    ("not null", 1, "not needs brackets", "write not(...)"),
    pytest.param(
        'not "a"', 1, "not needs brackets", "write not(...)",
        id='not "a"',
    ),
    pytest.param(
        "not [1..4]", 1, "not needs brackets", "write not(...)",
        id="not [1..4]",
    ),
    pytest.param(
        "not >= 5", 1, "not needs brackets", "write not(...)",
        id="not >= 5",
    ),
]


def _ids(cases: list) -> list[str]:
    return [c.id if hasattr(c, "id") else (c[0] or "empty") for c in cases]


@pytest.mark.parametrize(("text", "column", "message", "hint"), UNARY_ERRORS + UNARY_HINTS,
                         ids=_ids(UNARY_ERRORS + UNARY_HINTS))
def test_unary_error(text: str, column: int, message: str, hint: str) -> None:
    error = unary_error(text)
    assert (error.column, error.message) == (column, message), error
    assert hint in error.hint, error
    assert f"column {column}" in str(error)


def test_error_messages_for_the_common_mistakes() -> None:
    assert unary_error("=> 3").message == "'=>' is not an operator"
    assert unary_error("== 3").message == "'==' is not an operator"
    assert unary_error("1-4").message == "'1-4' is not a range"
    assert unary_error("[1..]").message == "an interval needs both ends"
    assert unary_error('"abc').message == "this text has no closing quote"
    assert unary_error("[1..4").message == "this interval is not closed"
    assert unary_error("'a'").message == "single quotes do not make a text"
    assert unary_error('date("2025-13-01")').message == '"2025-13-01" is not a valid date'
    assert unary_error("very positive").message == "text must be in quotes"
    assert unary_error("positive").message == "positive is not a known input"
    assert unary_error("1,").message == "the list ends with a comma"
    assert unary_error("5%").message == "'%' after a number"
    assert unary_error("<> 3").hint == "write != for 'not equal'"
    assert unary_error("2,5").hint == (
        "write 2.5 for a decimal number, 25 for a whole number, or 2, 5 (with a space) for a list of two values"
    )


@pytest.mark.parametrize(
    ("text", "values"),
    [
        ("2, 5", (2, 5)),  # with a space it is a list
        ("5 ,6", (5, 6)),
        ("1.5,2", (1.5, 2)),  # a decimal point already: not a thousands separator
        ("<5,>6", (5, 6)),
        ("[1..2],5", None),
        ('"2,5"', ("2,5",)),  # inside quotes a comma is text
        ('"a","b"', ("a", "b")),
        ("x1,2", None),  # part of a name
    ],
)
def test_lists_that_are_not_ambiguous(text: str, values: tuple | None) -> None:
    node = parse_unary_tests(text)
    if values is not None:
        assert tuple(t.endpoint.value for t in node.tests) == values


@pytest.mark.parametrize(
    "text",
    ["2, 5", "5, 6", '"1,000"', '"2,5", 3', "< 10, null"],
)
def test_ambiguity_check_leaves_valid_lists_alone(text: str) -> None:
    compile_unary_tests(text)


def test_unknown_name_error_points_at_the_name() -> None:
    error = unary_error("> weight", names=["weight_kg", "age"])
    assert (error.column, error.end_column) == (3, 8)
    assert "did you mean weight_kg?" in error.hint
    error = unary_error("[1..maximum]", names=["max_dose"])
    assert error.column == 5 and "max_dose" not in error.message


@pytest.mark.parametrize(
    ("text", "column"),
    [
        ('"it\'s" 5', 8),  # the 5 is the problem, not the apostrophe inside the text
        ('"a==b" 5', 8),
        ('"x=>y", 1 2', 11),
        ('"[1.." 2', 8),
        ('"a<>b" 5', 8),
        ('"2025-01-31" 5', 14),
        ('"5 kg" x y', 8),
        ('"a, " 5', 7),
    ],
)
def test_diagnoses_ignore_quoted_text(text: str, column: int) -> None:
    error = unary_error(text)
    assert error.column == column, error


@pytest.mark.parametrize("compile_", [compile_unary_tests, compile_expression])
def test_absurdly_long_number_is_a_condition_error(compile_) -> None:
    with pytest.raises(ConditionError) as caught:
        compile_("1" * 5000)
    assert caught.value.message == "this number is too long"
    assert caught.value.column == 1
    with pytest.raises(ConditionError) as caught:
        compile_("> " + "1" * 5000 if compile_ is compile_unary_tests else "2 * " + "1" * 5000)
    assert caught.value.column == (3 if compile_ is compile_unary_tests else 5)


@pytest.mark.parametrize("compile_", [compile_unary_tests, compile_expression])
@pytest.mark.parametrize("text", ["1e999", "-1e400"])
def test_number_beyond_floating_point_is_a_condition_error(compile_, text: str) -> None:
    with pytest.raises(ConditionError):
        compile_(text)


@pytest.mark.parametrize("text", ['date("20250131")', 'date("2021-W01-1")', 'date("2025-1-31")', 'date("+2025-01-31")'])
def test_date_takes_only_yyyy_mm_dd(text: str) -> None:
    with pytest.raises(ConditionError) as caught:
        compile_unary_tests(text)
    assert caught.value.column == 6 and "YYYY-MM-DD" in caught.value.hint


# ------------------------------------------------------------------ output-cell errors
EXPRESSION_ERRORS = [
    ("", 1, "write a value"),
    ("   ", 1, "write a value"),
    ("1 +", 4, "an output cell holds a value"),
    ("(1", 1, "closing )"),
    ("1)", 2, "an output cell holds a value"),
    ("1 == 1", 3, "single ="),
    ("1 =< 2", 3, "write <="),
    ("'a'", 1, "double quotes"),
    ('"abc', 1, "quote"),
    ("8 * weight kg", 12, "an output cell holds a value"),
    ("1 < 2 < 3", 7, "an output cell holds a value"),
    ("-", 1, "write null"),
    (" - ", 2, "write null"),
    ("−", 1, "write null"),
    ("5 kg", 3, "leave out the unit"),
    ("1 <> 2", 3, "write !="),
    ("not x", 1, "write not(...)"),
    ("1" * 5000, 1, "at most 15 digits"),
]


@pytest.mark.parametrize(("text", "column", "hint"), EXPRESSION_ERRORS, ids=[c[0][:20] or "empty" for c in EXPRESSION_ERRORS])
def test_expression_error(text: str, column: int, hint: str) -> None:
    error = expression_error(text)
    assert error.column == column, error
    assert hint in error.hint, error


_INPUT_CELL_ADVICE = (
    "unhelpful: the diagnosis is shared with input cells, so in an output cell it advises an "
    "input-cell construct ([1..4], a list of tests) that an output cell then refuses with "
    "\"unexpected '['\"; in an output cell the hint should say that it holds one value"
)


@pytest.mark.parametrize(
    ("text", "column"),
    [("1..4", 2), ("1...4", 2), ("between 1 and 4", 1), ("[1..]", 3), ('"yes",', 6)],
)
def test_output_cell_hints_do_not_advise_input_cell_syntax(text: str, column: int) -> None:
    error = expression_error(text)
    assert error.column == column, error
    assert "[" not in error.hint and "test" not in error.hint and "list" not in error.message, error


@pytest.mark.parametrize(("text", "hint"), [("2,5", "2.5"), ("1,000", "1000"), ("8 * 2,5", "2.5")])
def test_output_cell_decimal_comma_has_a_hint(text: str, hint: str) -> None:
    assert hint in expression_error(text).hint


@pytest.mark.parametrize("text", ["2025-01-31", "2025-01-31 "])
def test_output_cell_bare_date_is_refused(text: str) -> None:
    error = expression_error(text)
    assert (error.column, error.message) == (1, "a date needs date(...)")
    assert 'date("2025-01-31")' in error.hint


def test_expression_unknown_names() -> None:
    error = expression_error("8 * weight", names=["weight_kg"])
    assert error.column == 5 and "did you mean weight_kg?" in error.hint
    error = expression_error("first_line", names=[])
    assert error.column == 1 and '"first_line"' in error.hint


# ------------------------------------------------------------------ AST: input cells
@pytest.mark.parametrize("text", ["-", " - ", "", "   ", f"{NB}-{NB}"])
def test_any_value(text: str) -> None:
    node = parse_unary_tests(text)
    assert node.any_value and node.tests == () and not node.negated


def test_any_value_span() -> None:
    assert parse_unary_tests("-").span == Span(0, 1)
    assert parse_unary_tests("   ").span == Span(0, 3)


def test_bare_value_is_equality() -> None:
    node = parse_unary_tests("5")
    assert node == UnaryTests((Comparison("=", Literal(5, Span(0, 1)), Span(0, 1)),), False, Span(0, 1))


def test_comma_list_and_spans() -> None:
    node = parse_unary_tests('"a", >= 3')
    first, second = node.tests
    assert first == Comparison("=", Literal("a", Span(0, 3)), Span(0, 3))
    assert second == Comparison(">=", Literal(3, Span(8, 9)), Span(5, 9))
    assert node.span == Span(0, 9) and not node.negated


def test_negation() -> None:
    node = parse_unary_tests('not("a", "b")')
    assert node.negated and not node.any_value
    assert [t.endpoint.value for t in node.tests] == ["a", "b"]
    assert node.span == Span(0, 13)


def test_negation_span_with_spaces_ends_at_the_bracket() -> None:
    assert parse_unary_tests('not( "a" )').span == Span(0, 10)
    assert parse_unary_tests('NOT ( "a" ) ').span == Span(0, 11)


@pytest.mark.parametrize(
    ("text", "op"),
    [("< 1", "<"), ("<= 1", "<="), ("> 1", ">"), (">= 1", ">="), ("= 1", "="), ("!= 1", "!="),
     ("≤ 1", "<="), ("≥ 1", ">="), ("≠ 1", "!=")],
)
def test_comparators_are_normalised(text: str, op: str) -> None:
    (test,) = parse_unary_tests(text).tests
    assert isinstance(test, Comparison) and test.op == op and test.endpoint.value == 1


@pytest.mark.parametrize(
    ("text", "low_closed", "high_closed"),
    [("[1..4]", True, True), ("(1..4)", False, False), ("]1..4[", False, False), ("[1..4)", True, False),
     ("[1..4[", True, False), ("(1..4]", False, True), ("]1..4]", False, True), ("]1..4)", False, False)],
)
def test_interval_ends(text: str, low_closed: bool, high_closed: bool) -> None:
    (test,) = parse_unary_tests(text).tests
    assert test == Interval(Literal(1, Span(1, 2)), Literal(4, Span(4, 5)), low_closed, high_closed, Span(0, 6))


def test_interval_with_names_and_negative_numbers() -> None:
    (test,) = parse_unary_tests("[lo..hi]").tests
    assert test.low == Name("lo", Span(1, 3)) and test.high == Name("hi", Span(5, 7))
    (test,) = parse_unary_tests("[-10..-1]").tests
    assert test.low == Literal(-10, Span(1, 4)) and test.high == Literal(-1, Span(6, 8))


def test_keywords_inside_an_interval_are_not_names() -> None:
    (test,) = parse_unary_tests("[false..true]").tests
    assert test.low == Literal(False, Span(1, 6)) and test.high == Literal(True, Span(8, 12))
    (test,) = parse_unary_tests("[NULL..x]").tests
    assert test.low == Literal(None, Span(1, 5)) and test.high == Name("x", Span(7, 8))


@pytest.mark.parametrize(
    ("text", "value"),
    [("= true", True), ("!= FALSE", False), ("= null", None), ("!= NULL", None), ("< True", True)],
)
def test_comparison_with_a_boolean_or_null(text: str, value: object) -> None:
    (test,) = parse_unary_tests(text).tests
    assert isinstance(test.endpoint, Literal) and test.endpoint.value is value


@pytest.mark.parametrize("text", ["NULL", "Null", "nULL"])
def test_keywords_in_any_case(text: str) -> None:
    (test,) = parse_unary_tests(text).tests
    assert test.endpoint == Literal(None, Span(0, 4))


@pytest.mark.parametrize("text", ['NOT("a")', 'Not("a")', 'nOt ("a")'])
def test_not_in_any_case(text: str) -> None:
    node = parse_unary_tests(text)
    assert node.negated and node.tests[0].endpoint.value == "a"


@pytest.mark.parametrize("text", ['DATE("2025-01-31")', 'Date("2025-01-31")', 'date ("2025-01-31")'])
def test_date_in_any_case(text: str) -> None:
    (test,) = parse_unary_tests(text).tests
    assert test.endpoint == Literal(dt.date(2025, 1, 31), Span(0, len(text)))


@pytest.mark.parametrize(
    ("text", "name"),
    [("nothing", "nothing"), ("nullable", "nullable"), ("true_value", "true_value"), ("order", "order"),
     ("android", "android"), ("dates", "dates"), ("not_given", "not_given"), ("date_of_birth", "date_of_birth")],
)
def test_names_that_start_with_a_keyword_are_names(text: str, name: str) -> None:
    (test,) = parse_unary_tests(text).tests
    assert test.endpoint == Name(name, Span(0, len(text)))


@pytest.mark.parametrize("text", ["true", "False", "NULL", "[TRUE..x]", "> null"])
def test_keyword_values_are_never_names(text: str) -> None:
    assert compile_unary_tests(text).names <= {"x"}


@pytest.mark.parametrize("text", ["and", "OR", "> And", "[not..4]", "Date"])
def test_other_keywords_are_not_names_either(text: str) -> None:
    with pytest.raises(ConditionError):
        compile_unary_tests(text)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("- 5", -5), ("−5", -5), ("-2.5", -2.5), (".5", 0.5), ("1.23e4", 12300.0),
        ("TRUE", True), ("false", False), ("null", None),
        ('"a\\"b"', 'a"b'), ('"caf\\u00e9"', "café"), ('"a\\nb"', "a\nb"),
        ("“a”", "a"), ("‘a’", "a"), ("„a“", "a"), ("“a\\n”", "a\\n"),
        ("“patient’s choice”", "patient’s choice"), ("„patient’s choice“", "patient’s choice"),
        ("”a”", "a"), ("‚a‘", "a"), ("NULL", None), ("True", True),
        ('date("2025-01-31")', dt.date(2025, 1, 31)), ("date(“2025-01-31”)", dt.date(2025, 1, 31)),
    ],
)
def test_literal_values(text: str, value: object) -> None:
    (test,) = parse_unary_tests(text).tests
    assert isinstance(test.endpoint, Literal)
    assert test.endpoint.value == value and type(test.endpoint.value) is type(value)


def test_negative_number_span_includes_the_sign() -> None:
    (test,) = parse_unary_tests("- 5").tests
    assert test.endpoint.span == Span(0, 3)
    (test,) = parse_unary_tests("> -5").tests
    assert test.endpoint.span == Span(2, 4) and test.span == Span(0, 4)


def test_date_span_covers_the_closing_bracket() -> None:
    (test,) = parse_unary_tests('date("2025-01-31")').tests
    assert test.endpoint.span == Span(0, 18)
    (test,) = parse_unary_tests('> date( "2025-01-31" ) ').tests
    assert test.endpoint.span == Span(2, 22) and test.span == Span(0, 22)


def test_nodes_are_frozen_and_hashable() -> None:
    node = parse_unary_tests('[1..4], "a"')
    with pytest.raises(dataclasses.FrozenInstanceError):
        node.negated = True  # type: ignore[misc]
    assert hash(node) == hash(parse_unary_tests('[1..4], "a"'))


# ------------------------------------------------------------------ AST: output cells
def _lit(value: object, start: int, end: int) -> Literal:
    return Literal(value, Span(start, end))


def test_expression_precedence() -> None:
    assert parse_expression("1 + 2 * 3") == Arithmetic(
        "+", _lit(1, 0, 1), Arithmetic("*", _lit(2, 4, 5), _lit(3, 8, 9), Span(4, 9)), Span(0, 9)
    )
    assert parse_expression("7 - 2 - 1") == Arithmetic(
        "-", Arithmetic("-", _lit(7, 0, 1), _lit(2, 4, 5), Span(0, 5)), _lit(1, 8, 9), Span(0, 9)
    )


def test_expression_nodes() -> None:
    assert parse_expression("8 * weight_kg") == Arithmetic(
        "*", _lit(8, 0, 1), Name("weight_kg", Span(4, 13)), Span(0, 13)
    )
    assert parse_expression("-x") == Negative(Name("x", Span(1, 2)), Span(0, 2))
    assert parse_expression("2 × 3").op == "*"
    assert parse_expression("7 − 2").op == "-"
    assert parse_expression("1 ≥ 2") == Compare(">=", _lit(1, 0, 1), _lit(2, 4, 5), Span(0, 5))
    assert parse_expression("not(true)").operand == _lit(True, 4, 8)
    node = parse_expression("a and b or c")
    assert isinstance(node, Logical) and node.op == "or"
    assert isinstance(node.left, Logical) and node.left.op == "and"
    assert parse_expression(' "x" ') == _lit("x", 1, 4)
    assert parse_expression("null") == _lit(None, 0, 4)
    assert parse_expression("NULL") == _lit(None, 0, 4)
    assert parse_expression("Not(TRUE)").operand == _lit(True, 4, 8)


@pytest.mark.parametrize(("text", "op"), [("a AND b", "and"), ("a And b", "and"), ("a OR b", "or")])
def test_logical_operator_is_normalised(text: str, op: str) -> None:
    assert parse_expression(text).op == op


def test_expression_not_span_ends_at_the_bracket() -> None:
    assert parse_expression("not(true)") == Not(_lit(True, 4, 8), Span(0, 9))
    assert parse_expression("not( a )").span == Span(0, 8)


@pytest.mark.parametrize(("text", "hint"), [
    # a duration written as a number and a time unit: the literal that means it
    ("<= 12 hours", 'for a duration, write @"PT12H"'),
    (">= 3 months", 'for a duration, write @"P3M"'),
    ("> 2 days", 'for a duration, write @"P2D"'),
    ("< 30 min", 'for a duration, write @"PT30M"'),
    (">= 12 years", 'for a duration, write @"P12Y"'),
    # an ISO duration without @"...": read as a name, which names nothing
    ("> PT12H", 'for a duration, write @"PT12H"'),
    ("P3M", 'for a duration, write @"P3M"'),
])
def test_a_duration_written_as_text_gets_its_literal(text: str, hint: str) -> None:
    error = unary_error(text, ["age"])
    assert hint in error.hint, error
