"""The FEEL expression language on the reference path (engine.feel.interpret): each construct
of DMN 1.5 chapter 10 with hand-checked values, decimal arithmetic, null and three-valued
logic, temporal values, unary tests with ``?``, errors with their column and hint, and the
limits that keep a hostile expression from crashing anything."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from engine._core.errors import ConditionError
from engine.feel import interpret, semantics, syntax, unary
from engine.feel.nodes import (
    Between,
    Call,
    ContextOf,
    ExpressionTest,
    Filter,
    For,
    FunctionDef,
    If,
    In,
    InstanceOf,
    Invoke,
    ListOf,
    Name,
    Path,
    Quantified,
)
from tests.feel.feel_helpers import feel

CONSTRUCTS = [
    # paths, filters, lists, contexts
    ("{a: 1, b: {c: 2}}.b.c", "2"),
    ('{a: 1, "b c": 2}', "{a: 1, b c: 2}"),
    ("{a: 1, b: a + 1}.b", "2"),
    ("[{x: 1}, {x: 2}].x", "[1, 2]"),
    ("[1, 2, 3][item > 1]", "[2, 3]"),
    ("[1, 2, 3][1]", "1"),
    ("[1, 2, 3][-1]", "3"),
    ("[1, 2, 3][4]", "null"),
    ("[{a: 1}, {a: 5}][a > 2]", "[{a: 5}]"),
    ("[]", "[]"),
    ("{}", "{}"),
    ("x.y", "null"),
    # if, for, some, every
    ('if 1 > 2 then "a" else "b"', '"b"'),
    ('if null then "a" else "b"', '"b"'),
    ("for i in 1..3 return i * i", "[1, 4, 9]"),
    ("for i in 3..1 return i", "[3, 2, 1]"),
    ("for x in [1, 2], y in [10, 20] return x + y", "[11, 21, 12, 22]"),
    ("for i in 0..4 return if i = 0 then 1 else i * partial[-1]", "[1, 1, 2, 6, 24]"),
    ("some x in [1, 2, 3] satisfies x > 2", "true"),
    ("every x in [1, 2, 3] satisfies x > 2", "false"),
    ("every x in [] satisfies x > 2", "true"),
    # in, between, instance of
    ("5 in (1..10)", "true"),
    ("5 in [1..5)", "false"),
    ("5 in (< 3, > 4)", "true"),
    ('"b" in ["a", "b"]', "true"),
    ("5 between 1 and 10", "true"),
    ("5 between 6 and 10", "false"),
    ("null between 1 and 10", "null"),
    ("5 instance of number", "true"),
    ('"5" instance of number', "false"),
    ("[1, 2] instance of list<number>", "true"),
    ('@"2025-01-15" instance of date', "true"),
    ("{a: 1} instance of context<a: number>", "true"),
    ("null instance of Null", "true"),
    # functions
    ("(function(x) x + 1)(2)", "3"),
    ("{f: function(a, b) a - b, r: f(b: 1, a: 5)}.r", "4"),
    ("{f: function(n) if n <= 1 then 1 else n * f(n - 1), r: f(5)}.r", "120"),
    ("string length(string: \"abc\")", "3"),
    ('substring(string: "foobar", start position: 3)', '"obar"'),
    # strings and escapes
    ('"a\\"b"', '"a"b"'),
    ('"tab\\there"', '"tab\there"'),
    ('"\\u0041"', '"A"'),
    ('"\\U01F40E" = "\U0001F40E"', "true"),  # six hex digits (DMN 1.5 §10.3.1.2; TCK 0083 decision_001_b)
    ('"\\ud83d\\udc0e" = "\\U01F40E"', "true"),  # a surrogate pair of escapes: the same one character
    ('string length("\\U10FFFF")', "1"),
    ('string length("\\UFFFFFF")', "8"),  # beyond Unicode: the text as written
    ('"a" + "b"', '"ab"'),
    # comments
    ("1 + /* two */ 2 // three", "3"),
]


@pytest.mark.parametrize(("text", "expected"), CONSTRUCTS)
def test_each_construct_gives_the_hand_checked_value(text, expected):
    assert feel(text) == expected


ARITHMETIC = [
    ("0.1 + 0.2", "0.3"),
    ("0.1 + 0.2 = 0.3", "true"),
    ("1 / 3", "0.3333333333333333333333333333333333"),  # 34 significant digits
    ("2 / 3", "0.6666666666666666666666666666666667"),  # rounded half even
    ("10 / 4", "2.5"),
    ("1 / 0", "null"),
    ("0 / 0", "null"),
    ("2 ** 10", "1024"),
    ("3 ** 4 ** 5", "3486784401"),  # left associative (TCK 0075)
    ("-3 ** 2", "9"),  # (-3) ** 2
    ("2 ** -1", "0.5"),
    ("10 ** 100000", "null"),  # beyond DECIMAL128: null, not an exception
    ("1e3 + 1", "1001"),
    ("123456789012345678901234567890 + 1", "123456789012345678901234567891"),
    ("1.10 * 3", "3.3"),
    ("-(1 - 2)", "1"),
    ('1 + "a"', "null"),
    ("1 + null", "null"),
]


@pytest.mark.parametrize(("text", "expected"), ARITHMETIC)
def test_numbers_are_decimal_with_34_digits(text, expected):
    assert feel(text) == expected


def test_a_python_float_enters_as_its_shortest_decimal():
    assert feel("x * 3", x=0.1) == "0.3"
    assert interpret.evaluate_text("x", {"x": 7}) == Decimal(7)


LOGIC = [
    ("true and null", "null"), ("false and null", "false"), ("null and false", "false"),
    ("true or null", "true"), ("false or null", "null"), ("null or true", "true"),
    ("not(null)", "null"), ("not(true)", "false"), ('true and "x"', "null"), ('"x" or true', "true"),
    ("null = null", "true"), ("1 = null", "false"), ("null != 1", "true"), ('1 = "1"', "null"),
    ("1 < null", "null"), ('"a" < "b"', "true"), ("[1, 2] = [1, 2]", "true"), ("[1, 2] = [1, 3]", "false"),
    ("{a: 1} = {a: 1}", "true"), ("{a: 1} = {a: 1, b: 2}", "false"), ("[1..2] = [1..2]", "true"),
    ("(>= 10) = [10..null)", "false"), ("(=10) = (=10)", "true"), ("(=10) = [10..10]", "false"),
    ("(< 5) = (< 5)", "true"), ("4 in (< 5)", "true"),
]


@pytest.mark.parametrize(("text", "expected"), LOGIC)
def test_null_and_ternary_logic(text, expected):
    assert feel(text) == expected


TEMPORAL = [
    ('@"2025-01-15"', "2025-01-15"),
    ('@"2025-01-15".year', "2025"),
    ('@"2025-01-15".weekday', "3"),
    ('@"2025-01-31" + @"P1M"', "2025-02-28"),
    ('@"2025-03-01" - @"2025-02-01"', "P28D"),
    ('@"2025-01-15T10:30:00" + @"PT90M"', "2025-01-15T12:00:00"),
    ('@"2025-01-15T10:30:00Z" - @"2025-01-15T10:30:00+01:00"', "PT1H"),
    ('@"2025-01-15T10:30:00" - @"2025-01-15T10:30:00Z"', "null"),  # one has a zone, the other not
    ('@"10:30:00" + @"PT14H"', "00:30:00"),
    ('@"P1Y" + @"P3M"', "P1Y3M"),
    ('@"P1DT2H" * 2', "P2DT4H"),
    ('@"P1D" / @"PT12H"', "2"),
    ('@"P1Y2M".months', "2"),
    ('@"-PT90M".minutes', "-30"),
    ('@"PT36H".days', "1"),
    ('@"10:30:00+02:00".time offset', "PT2H"),
    ('@"2018-12-10T10:30:00@Europe/Paris".timezone', '"Europe/Paris"'),
    ('date("2025-01-15") < date("2025-02-01")', "true"),
    ('date("2025-01-15") = date and time("2025-01-15T00:00:00")', "null"),
    ('@"2021-01-01T24:00:00"', "2021-01-02T00:00:00"),
    ('@"10:30:00.0001" = @"10:30:00.0002"', "true"),  # equal to the second (TCK 0068 time_005)
    ('@"10:30:00.5" < @"10:30:00.7"', "true"),
    ('years and months duration(date("2011-12-22"), date("2013-08-24"))', "P1Y8M"),
    ("months_since", "null"),
]


@pytest.mark.parametrize(("text", "expected"), TEMPORAL)
def test_temporal_values_and_their_arithmetic(text, expected):
    assert feel(text) == expected


def test_a_date_from_the_record_is_a_feel_date():
    assert feel("(end - start).days", start=dt.date(2024, 1, 1), end=dt.date(2024, 3, 1)) == "60"


UNARY = [
    ("? > 3", 5, True), ("? > 3", 2, False), ("before(?, 26)", 25, True), ("string length(?) > 3", "abcd", True),
    ('list contains(?, "cough")', ["fever", "cough"], True), ("[1, 2, 3]", 2, True), ("[1..5]", 5, True),
    ("< 5, > 10", 11, True), ('not("a", "b")', "c", True), ("-", None, True), ("? > 3", None, None),
    ("5", 5, True), ("x", 7, True), ("(1..5]", 1, False),
]


@pytest.mark.parametrize(("text", "value", "expected"), UNARY)
def test_unary_tests_with_question_mark_and_expressions(text, value, expected):
    assert unary.test_text(text, value, {"x": 7}) is expected


def test_the_ast_of_each_new_form():
    parse = syntax.parse_feel_expression
    assert isinstance(parse("if a then b else c"), If)
    assert isinstance(parse("for i in 1..3 return i"), For)
    assert isinstance(parse("some x in l satisfies x"), Quantified)
    assert isinstance(parse("function(x) x"), FunctionDef)
    assert isinstance(parse("x between 1 and 2"), Between)
    assert isinstance(parse("x in (1, 2)"), In)
    assert isinstance(parse("x instance of number"), InstanceOf)
    assert isinstance(parse("f(x).y"), Path) and isinstance(parse("f(x).y").target, Invoke)
    assert isinstance(parse("l[1]"), Filter)
    assert isinstance(parse("[1]"), ListOf) and isinstance(parse("{a: 1}"), ContextOf)
    call = parse('substring(string: "a", start position: 1)')
    assert isinstance(call, Call) and call.names == ("string", "start position")
    assert isinstance(syntax.parse_feel_unary_tests("? > 1").tests[0], ExpressionTest)
    assert parse("a.b") == Name("a.b", parse("a.b").span)  # as S-FEEL has always read it


def test_names_with_spaces_are_read_whole_where_known():
    assert interpret.evaluate_text("Date of birth.year + 1", {"Date of birth": dt.date(1970, 5, 1)}) == 1971
    assert interpret.evaluate_text("Person's age * 2", {"Person's age": 20}) == 40
    assert feel('"Date of birth"', **{"Date of birth": 1}) == '"Date of birth"'  # not inside quotes


def test_a_name_that_names_nothing_is_null_and_a_built_in_is_a_function():
    assert feel("unknown + 1") == "null"
    assert interpret.evaluate_text("sort([3, 1, 2], function(a, b) a > b)") == [3, 2, 1]


ERRORS = [
    # text, column, fragment of the message, fragment of the hint
    ("1 +", 4, "ends too early", "expected"),
    ("if x then 1", 12, "ends too early", "else"),
    ("{a: 1, a: 2}", 1, "two entries named a", "its own name"),
    ('@"2025-13-01"', 2, "is not a date", '@"2025-01-15"'),
    ('"abc', 1, "no closing quote", "quote"),
    ("f(a: 1, 2)", 1, "mix names", "every argument"),
    ("1e7000", 1, "too large for FEEL", "6144"),
    ("substring(\"a\")", 1, "substring takes 2 or 3 arguments", "substring("),
    ("1 == 2", 3, "'==' is not an operator", "single ="),
]


@pytest.mark.parametrize(("text", "column", "message", "hint"), ERRORS)
def test_a_bad_expression_is_refused_with_its_column_and_a_hint(text, column, message, hint):
    with pytest.raises(ConditionError) as caught:
        syntax.parse_feel_expression(text)
    assert caught.value.column == column and message in caught.value.message and hint in caught.value.hint
    assert caught.value.text == text


def test_an_error_on_a_later_line_gives_its_line_and_column():
    with pytest.raises(ConditionError) as caught:
        syntax.parse_feel_expression("1 +\n  * 2")
    assert caught.value.column == 7 and caught.value.message == "unexpected '*' (line 2, column 3)"
    assert syntax.line_and_column("ab\ncd", 5) == (2, 2) and syntax.line_and_column("abc", 2) == (1, 2)


@pytest.mark.parametrize("levels", [syntax.MAX_DEPTH + 5, 1200])
def test_a_deeply_nested_expression_is_refused_not_crashed(levels):
    for text in ("[" * levels + "]" * levels, "if true then " * levels + "1" + " else 0" * levels,
                 "-" * levels + "1", "{a: " * levels + "1" + "}" * levels, "f(" * levels + ")" * levels):
        with pytest.raises(ConditionError) as caught:
            syntax.parse_feel_expression(text)
        assert "nested more than" in caught.value.message
    assert feel("(" * levels + "1" + ")" * levels) == "1"  # brackets alone make no node: nothing to recurse on


def test_nesting_within_the_limit_evaluates():
    assert feel("[" * 40 + "1" + "]" * 40) == "[" * 40 + "1" + "]" * 40
    assert feel("1" + " + 1" * 90) == "91"
    assert feel("sum(" + ", ".join(["1"] * 5000) + ")") == "5000"  # long, not deep


def test_limits_stop_a_hostile_expression():
    with pytest.raises(semantics.FeelError):
        interpret.evaluate_text("for i in 1..100000000 return i")
    with pytest.raises(semantics.FeelError):
        interpret.evaluate_text("{f: function(n) f(n + 1), r: f(1)}.r")
    with pytest.raises(semantics.FeelError):
        interpret.evaluate_text("for a in 1..1000, b in 1..1000, c in 1..10 return 1")


def test_cells_keep_to_s_feel():
    """A decision-table cell that holds FEEL beyond S-FEEL is refused as before, with a hint."""
    with pytest.raises(ConditionError) as caught:
        syntax.parse_expression('{a: 1}')
    assert "a context is FEEL that an output cell cannot hold yet" in caught.value.message
    assert caught.value.column == 1 and "8 * weight_kg" in caught.value.hint
    with pytest.raises(ConditionError) as caught:
        syntax.parse_expression('if x > 1 then "a" else "b"')  # the hint it had before FEEL came
    assert caught.value.message == "'then' after a number"
    with pytest.raises(ConditionError) as caught:
        syntax.parse_unary_tests("? > 3")
    assert caught.value.column == 1 and caught.value.message == "'?' is FEEL that an input cell cannot hold yet"
    with pytest.raises(ConditionError) as caught:
        syntax.parse_unary_tests("weight_kg >= 70")  # as S-FEEL has always said
    assert caught.value.column == 11 and caught.value.message == "unexpected '>='"
    with pytest.raises(ConditionError) as caught:
        syntax.parse_unary_tests("(x)")
    assert caught.value.column == 1
    with pytest.raises(ConditionError) as caught:
        syntax.parse_expression("count(x)")
    assert caught.value.message == "count is not a function dtrun knows"


@pytest.mark.parametrize("text", ["if a then b else c", "for i in 1..3 return i", "some x in l satisfies x", "[1, 2]",
                                  "{a: 1}", "x[1]", "f(1)", "x instance of number", "1 // c",
                                  'string length("a")', "function(x) x", "x in (1, 2)", "x between 1 and 2", "?",
                                  "x.y.z(1)", 'date("2025-01-01").year', "2 ** 3 // 4"])
def test_a_decision_table_cell_refuses_feel_beyond_s_feel(text):
    with pytest.raises(ConditionError):
        syntax.parse_expression(text)
    syntax.parse_feel_expression(text)  # FEEL reads it on its own path


# (temporal literals, @"2025-01-01", are S-FEEL in cells: tests/feel/test_temporal_cells.py)
@pytest.mark.parametrize("text", ["? > 1", "(1)", "x + 1", "string length(?) > 3", "[1, 2]",
                                  "before(?, 26)", 'list contains(?, "cough")', "< abs(x)"])
def test_an_input_cell_refuses_feel_tests(text):
    with pytest.raises(ConditionError):
        syntax.parse_unary_tests(text)
    syntax.parse_feel_unary_tests(text)  # FEEL reads them all


def test_a_number_beyond_any_decimal_exponent_is_refused_not_a_crash() -> None:
    """Found by the fuzz test: 1e7000999... raised decimal.InvalidOperation out of the parser."""
    from engine._core.errors import ConditionError
    from engine.feel.syntax import parse_feel_expression

    with pytest.raises(ConditionError, match="too large for FEEL"):
        parse_feel_expression("1e70009999999999999999999999999999999999999999")


def test_instance_of_a_type_nobody_defined_is_an_error_not_false():
    # A workbook has no item definitions: `weight instance of tDose` would always have been
    # false, silently; a DMN model's own types resolve (tests/evaluation/test_drg.py).
    with pytest.raises(semantics.FeelError, match="instance of tDose: no type has that name"):
        interpret.evaluate_text("5 instance of tDose")
    assert interpret.evaluate_text('@"P1D" instance of dayTimeDuration') is True
    assert interpret.evaluate_text("5 instance of Any") is True


JAVA = 'function(n1) external {java: {class: "java.lang.Math", method signature: "cos(double)"}}'


def test_an_external_function_is_read_and_refused_never_run():
    # TCK 0076: read (not "unexpected character {"), refused for what it is when evaluated.
    node = syntax.parse_feel_expression(JAVA)
    assert node.external and node.parameters == ("n1",)
    with pytest.raises(interpret.ExternalFunction, match="dtrun runs FEEL only, never Java or PMML code"):
        interpret.evaluate_text(f"({JAVA})(1)")
    assert interpret.evaluate_text("{f: function(x) x + 1, r: f(2)}.r") == Decimal(3)


def test_an_external_function_in_an_output_cell_is_that_records_error():
    from engine.feel.conditions import compile_expression
    from engine.feel.feel_outputs import OutputError

    cell = compile_expression(f"({JAVA})(w)", ["w"], feel=True)
    with pytest.raises(OutputError, match="never Java or PMML code"):
        cell.evaluate({"w": 1})


def test_an_output_cell_computing_with_a_date_literal_has_feels_meaning_never_a_silent_null():
    # S-FEEL computes on numbers only: `date(...) - date(...)` was null without a word (TCK
    # 0100 subtract_lhs_date_minus_rhs_date on the table path); FEEL gives a duration, which no
    # output holds: the record's error says so.
    import datetime as dt

    from engine.feel.conditions import compile_expression
    from engine.feel.feel_outputs import OutputError

    cell = compile_expression('d - date("2021-01-01")', ["d"], feel=True)
    assert cell.feel == "FEEL"
    with pytest.raises(OutputError, match=r"gives P4D \(days and time duration\); an output holds"):
        cell.evaluate({"d": dt.date(2021, 1, 5)})
    assert compile_expression("8 * w", ["w"], feel=True).feel == ""  # numbers stay S-FEEL
