"""The meaning of the condition language: golden cases, the public API, names, fuzzing.

The golden files (``tests/data/*.tsv``) state what DMN 1.5 S-FEEL and its TCK say each
cell must answer; they do not depend on dtrun.  Where dtrun disagrees today, the case is
listed in ``KNOWN_BUGS_*`` below and runs as ``xfail(strict=True)``: the failure stays
visible, and the day the engine is fixed the test turns into an unexpected pass and
asks for the entry to be removed.  Where dtrun refuses on purpose a cell that FEEL reads
(``REFUSED_UNARY``), the test checks that the cell is refused with a ConditionError.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine._core.errors import ConditionError
from engine.feel.conditions import (
    CompiledExpression,
    CompiledUnaryTests,
    compile_expression,
    compile_unary_tests,
)

DATA = Path(__file__).parent / "data"
UNARY_GOLDEN = DATA / "unary_tests_golden.tsv"
EXPRESSION_GOLDEN = DATA / "expressions_golden.tsv"
TRI = {"true": True, "false": False, "null": None}

# ------------------------------------------------------------------ known engine bugs
_DECIMAL = (
    "known limitation, documented in docs/conditions.md: numbers are binary floats "
    "(0.1 + 0.2 = 0.30000000000000004); FEEL numbers are decimals (IEEE 754 decimal128)"
)

# (unary_tests, value, context) -> reason
KNOWN_BUGS_UNARY: dict[tuple[str, str, str], str] = {}

# (unary_tests, value, context) -> why dtrun refuses, on purpose, a cell that FEEL reads
REFUSED_UNARY: dict[tuple[str, str, str], str] = {
    ("5,6", "6", ""): "digits, comma, digits without a space may be a decimal comma (5.6) or a thousands "
    "separator: dtrun refuses it as ambiguous (engine.syntax.ambiguous_number_list)",
}

_AND_IN_CAPITALS = (
    "engine bug: syntax._ToAst.logical keeps the operator as written (AND), and scalar.py / "
    "vectorized.py test op == \"and\", so AND (any capitals but and) is evaluated as or: "
    "TRUE AND false gives true; fix: Logical(op.value.lower(), ...)"
)

# (expression, context) -> reason
KNOWN_BUGS_EXPRESSION: dict[tuple[str, str], str] = {
    ("0.1 + 0.2", ""): _DECIMAL,
    ("0.1 + 0.2 = 0.3", ""): _DECIMAL,
    ("1.1 * 3", ""): _DECIMAL,
}


# ------------------------------------------------------------------ reading the golden files
def read_tsv(path: Path) -> list[tuple[int, dict[str, str]]]:
    """(line number, row) for every data line; the first non-comment line names the columns.
    Missing trailing columns read as ""."""
    rows: list[tuple[int, dict[str, str]]] = []
    header: list[str] | None = None
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        cells = line.split("\t")
        if header is None:
            header = cells
            continue
        assert len(cells) <= len(header), f"{path.name}:{number}: more cells than columns"
        rows.append((number, dict(zip(header, cells + [""] * (len(header) - len(cells))))))
    return rows


def literal(text: str) -> Any:
    """A value written as a FEEL literal (names are not allowed: a typo fails loudly)."""
    return compile_expression(text, names=()).evaluate()


_PAIR = re.compile(r'\s*([A-Za-z_][A-Za-z0-9_.]*)\s*=\s*((?:"(?:\\.|[^"\\])*"|[^;"])*?)\s*(?:;|$)')


def parse_context(text: str) -> dict[str, Any]:
    """``x=3;y="a";d=date("2025-01-31")`` → {"x": 3, "y": "a", "d": date(2025, 1, 31)}."""
    context: dict[str, Any] = {}
    position = 0
    while position < len(text):
        found = _PAIR.match(text, position)
        assert found and found.end() > position, f"bad context {text!r} at {position}"
        context[found.group(1)] = literal(found.group(2))
        position = found.end()
    return context


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    return type(value).__name__


def same_value(got: Any, want: Any) -> bool:
    """FEEL sameness: same kind and equal (1 and 1.0 are the same number; true is not 1)."""
    return _kind(got) == _kind(want) and got == want


UNARY_ROWS = read_tsv(UNARY_GOLDEN)
EXPRESSION_ROWS = read_tsv(EXPRESSION_GOLDEN)


def _unary_params(refused: bool = False) -> Iterator[Any]:
    for number, row in UNARY_ROWS:
        key = (row["unary_tests"], row["value"], row["context"])
        if (key in REFUSED_UNARY) is not refused:
            continue
        marks = [pytest.mark.xfail(strict=True, reason=KNOWN_BUGS_UNARY[key])] if key in KNOWN_BUGS_UNARY else []
        yield pytest.param(row, id=f"L{number}", marks=marks)


def _expression_params() -> Iterator[Any]:
    for number, row in EXPRESSION_ROWS:
        key = (row["expression"], row["context"])
        known = key in KNOWN_BUGS_EXPRESSION
        marks = [pytest.mark.xfail(strict=True, reason=KNOWN_BUGS_EXPRESSION[key])] if known else []
        yield pytest.param(row, id=f"L{number}", marks=marks)


# ------------------------------------------------------------------ golden files: shape
def test_unary_golden_file_is_well_formed() -> None:
    assert len(UNARY_ROWS) >= 220
    seen: dict[tuple[str, str, str], str] = {}
    for number, row in UNARY_ROWS:
        where = f"{UNARY_GOLDEN.name}:{number}"
        assert row["unary_tests"].strip(), where
        assert row["expected"] in ("true", "false"), where
        assert row["result"] in ("", "true", "false", "null"), where
        if row["result"]:
            assert (row["result"] == "true") == (row["expected"] == "true"), f"{where}: result contradicts expected"
        assert row["note"].strip(), f"{where}: every row says what it pins"
        if "TCK" in row["note"]:
            assert re.match(r"TCK \d{4} \w+", row["note"]), where
        key = (row["unary_tests"], row["value"], row["context"])
        assert seen.setdefault(key, row["expected"]) == row["expected"], f"{where}: contradicts an earlier row"
        literal(row["value"])
        parse_context(row["context"])
    text = UNARY_GOLDEN.read_text(encoding="utf-8")
    assert "\u00a0" in text, "the non-breaking-space rows lost their U+00A0 (an editor normalised them?)"
    tck = [row["note"].split()[1] for _, row in UNARY_ROWS if row["note"].startswith("TCK")]
    assert tck.count("0068") >= 30 and tck.count("0071") >= 18 and tck.count("0072") >= 137


def test_expression_golden_file_is_well_formed() -> None:
    assert len(EXPRESSION_ROWS) >= 60
    for number, row in EXPRESSION_ROWS:
        where = f"{EXPRESSION_GOLDEN.name}:{number}"
        assert row["expression"].strip() and row["expected"].strip() and row["note"].strip(), where
        literal(row["expected"])
        parse_context(row["context"])


def test_known_bug_entries_name_real_golden_rows() -> None:
    unary = {(r["unary_tests"], r["value"], r["context"]) for _, r in UNARY_ROWS}
    expression = {(r["expression"], r["context"]) for _, r in EXPRESSION_ROWS}
    assert set(KNOWN_BUGS_UNARY) <= unary
    assert set(REFUSED_UNARY) <= unary
    assert not set(KNOWN_BUGS_UNARY) & set(REFUSED_UNARY)
    assert set(KNOWN_BUGS_EXPRESSION) <= expression


def test_parse_context() -> None:
    assert parse_context("") == {}
    assert parse_context('x=3;y="a;b";d=date("2025-01-31");n=null;z=-2.5') == {
        "x": 3, "y": "a;b", "d": dt.date(2025, 1, 31), "n": None, "z": -2.5,
    }


# ------------------------------------------------------------------ golden files: meaning
@pytest.mark.parametrize("row", list(_unary_params()))
def test_unary_tests_golden(row: dict[str, str]) -> None:
    context = parse_context(row["context"])
    compiled = compile_unary_tests(row["unary_tests"], names=tuple(context))
    value = literal(row["value"])
    assert compiled.matches(value, context) is (row["expected"] == "true")
    if row["result"]:
        assert compiled.result(value, context) is TRI[row["result"]]


@pytest.mark.parametrize("row", list(_unary_params(refused=True)))
def test_unary_tests_golden_refused_on_purpose(row: dict[str, str]) -> None:
    context = parse_context(row["context"])
    with pytest.raises(ConditionError) as caught:
        compile_unary_tests(row["unary_tests"], names=tuple(context))
    assert "ambiguous" in caught.value.message


@pytest.mark.parametrize("row", list(_expression_params()))
def test_expressions_golden(row: dict[str, str]) -> None:
    context = parse_context(row["context"])
    got = compile_expression(row["expression"], names=tuple(context)).evaluate(context)
    want = literal(row["expected"])
    assert same_value(got, want), f"{row['expression']!r} gave {got!r}, want {want!r}"


# ------------------------------------------------------------------ the README example and the API
def test_readme_example() -> None:
    t = compile_unary_tests("[1..4], > 10")
    assert t.matches(3) is True
    assert t.matches(5) is False
    assert t.matches(11) is True
    assert compile_expression("8 * weight_kg").evaluate({"weight_kg": 70}) == 560


def test_matches_is_a_plain_bool_and_result_is_three_valued() -> None:
    t = compile_unary_tests("< 10")
    assert t.result(5) is True and t.result(12) is False and t.result(None) is None
    assert t.matches(None) is False and t.matches("a") is False
    assert isinstance(t, CompiledUnaryTests) and t.text == "< 10"


@pytest.mark.parametrize("text", ["-", "", "   ", "\u00a0", " - "])
def test_dash_and_blank_cell_match_everything(text: str) -> None:
    t = compile_unary_tests(text)
    assert t.is_any
    for value in (None, 0, "", "a", False, dt.date(2025, 1, 31)):
        assert t.result(value) is True


def test_not_any() -> None:
    assert not compile_unary_tests("5").is_any
    assert not compile_unary_tests('"-"').is_any


def test_context_none_and_empty_are_the_same() -> None:
    t = compile_unary_tests("> x")
    assert t.result(5) is None and t.result(5, {}) is None and t.result(5, None) is None
    assert t.result(5, {"x": 3}) is True


def test_expression_constant_and_names() -> None:
    e = compile_expression("840")
    assert isinstance(e, CompiledExpression)
    assert e.constant == (True, 840) and e.names == frozenset()
    e = compile_expression("8 * weight_kg + age")
    assert e.constant == (False, None) and e.names == {"weight_kg", "age"}
    assert compile_unary_tests("[lo..hi], > x").names == {"lo", "hi", "x"}
    assert compile_unary_tests('"lo", 5').names == frozenset()


def test_an_input_absent_from_the_record_is_missing() -> None:
    e = compile_expression("8 * weight_kg", names=["weight_kg"])
    assert e.evaluate({}) is None and e.evaluate() is None
    t = compile_unary_tests("> weight_kg", names=["weight_kg"])
    assert t.result(5, {}) is None


def test_condition_error_is_a_value_error_with_location() -> None:
    with pytest.raises(ValueError) as caught:
        compile_unary_tests("=> 3")
    error = caught.value
    assert isinstance(error, ConditionError)
    assert (error.column, error.text) == (1, "=> 3")
    assert error.message and error.hint
    assert "column 1" in str(error) and error.hint[1:] in str(error)  # str() capitalises the hint


# ------------------------------------------------------------------ values from data files
def test_nan_and_nat_are_null() -> None:
    assert compile_unary_tests("null").matches(float("nan"))
    assert compile_unary_tests("< 10").result(float("nan")) is None
    assert compile_unary_tests("-").matches(float("nan"))
    assert compile_unary_tests('not("a")').matches(float("nan"))
    pd = pytest.importorskip("pandas")
    assert compile_unary_tests("null").matches(pd.NaT)
    assert compile_unary_tests('< date("2025-01-31")').result(pd.NaT) is None


def test_pandas_na_is_null() -> None:
    pd = pytest.importorskip("pandas")
    assert compile_unary_tests("null").matches(pd.NA)
    assert compile_unary_tests("= null").matches(pd.NA)
    assert not compile_unary_tests("!= null").matches(pd.NA)
    assert compile_unary_tests('not("a")').matches(pd.NA)
    assert compile_unary_tests("-").matches(pd.NA)
    assert compile_unary_tests("< 10").result(pd.NA) is None
    assert compile_unary_tests("true").result(pd.NA) is False
    assert compile_expression("x + 1").evaluate({"x": pd.NA}) is None
    assert compile_expression("x").evaluate({"x": pd.NA}) is None


def test_numpy_scalars_keep_their_kind() -> None:
    np = pytest.importorskip("numpy")
    assert compile_unary_tests("5").matches(np.int64(5))
    assert compile_unary_tests("[1..4]").matches(np.float64(2.5))
    assert compile_unary_tests("true").matches(np.bool_(True))
    assert compile_unary_tests("1").result(np.bool_(True)) is None  # booleans are not numbers
    assert compile_unary_tests("1").result(True) is None


def test_timestamps_at_midnight_are_dates() -> None:
    t = compile_unary_tests('date("2025-01-31")')
    # a Python date and time is one even at midnight (an input of type date and time holds it);
    # pandas' and numpy's midnight timestamps are a column of dates
    assert t.result(dt.datetime(2025, 1, 31)) is None
    assert compile_unary_tests('@"2025-01-31T00:00:00"').matches(dt.datetime(2025, 1, 31))
    assert t.result(dt.datetime(2025, 1, 31, 8, 30)) is None  # a moment is not a date
    pd = pytest.importorskip("pandas")
    assert t.matches(pd.Timestamp("2025-01-31"))
    assert compile_unary_tests('< date("2025-02-01")').matches(pd.Timestamp("2025-01-31"))


# ------------------------------------------------------------------ names
def test_unknown_name_with_names_given_suggests_the_close_one() -> None:
    with pytest.raises(ConditionError) as caught:
        compile_unary_tests("> weight", names=["weight_kg", "age"])
    error = caught.value
    assert error.column == 3 and error.end_column == 8
    assert "weight is not a known input" in error.message
    assert "weight_kg" in error.hint


def test_unknown_bare_word_with_names_given_suggests_quotes() -> None:
    with pytest.raises(ConditionError) as caught:
        compile_unary_tests("positive", names=["age"])
    assert caught.value.column == 1 and '"positive"' in caught.value.hint


def test_bare_word_without_names_is_taken_for_a_missing_quote() -> None:
    with pytest.raises(ConditionError) as caught:
        compile_unary_tests('"negative", positive')
    error = caught.value
    assert error.column == 13
    assert '"positive"' in error.hint and "quote" in error.hint


def test_known_bare_name_is_equality_with_that_input() -> None:
    t = compile_unary_tests("age", names=["age"])
    assert t.matches(40, {"age": 40}) and not t.matches(41, {"age": 40})


def test_name_endpoints_without_names_are_allowed() -> None:
    t = compile_unary_tests("> other_input")
    assert t.names == {"other_input"}
    assert t.matches(5, {"other_input": 3}) and t.result(5) is None


def test_expression_unknown_name() -> None:
    with pytest.raises(ConditionError) as caught:
        compile_expression("8 * weight", names=["weight_kg"])
    assert caught.value.column == 5 and "weight_kg" in caught.value.hint
    with pytest.raises(ConditionError) as caught:
        compile_expression("first_line", names=["age"])
    assert caught.value.column == 1 and '"first_line"' in caught.value.hint


def test_expression_without_names_allows_any_name() -> None:
    assert compile_expression("anything").evaluate() is None
    assert compile_expression("anything").evaluate({"anything": "x"}) == "x"


# ------------------------------------------------------------------ fuzzing: only ConditionError escapes
# Characters of the language; the capitals and … stand for whole words (expanded below), so
# that one cheap text strategy yields keywords, dates and intervals as well as plain noise.
_WORDS = {"N": "not(", "U": "null", "T": "true", "F": "FALSE", "D": 'date("2025-01-31")',
          "A": " and ", "O": " or ", "Q": '"a"', "X": "x.y", "…": "..", "P": "**"}
_ALPHABET = '[]().,<>=!"-+*/ 0123456789abxyzE_\'\\≥≤≠“”‘’\u00a0−×' + "".join(_WORDS)
language_text = st.text(alphabet=_ALPHABET, max_size=24).map(lambda s: "".join(_WORDS.get(c, c) for c in s))
_VALUES = (None, 2.5, "a", True, dt.date(2025, 1, 31))
_CONTEXT = {"x": 1, "y": None, "a": "a"}


def _check_error(error: ConditionError, text: str) -> None:
    assert error.text == text
    assert isinstance(error.column, int) and 1 <= error.column <= len(text) + 1
    assert isinstance(error.message, str) and error.message
    str(error)


@settings(max_examples=10_000, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.one_of(st.text(), language_text))
def test_fuzz_unary_tests_raise_only_condition_error(text: str) -> None:
    try:
        compiled = compile_unary_tests(text)
    except ConditionError as error:
        _check_error(error, text)
        return
    for value in _VALUES:
        assert compiled.result(value, _CONTEXT) in (True, False, None)
        assert compiled.matches(value, _CONTEXT) in (True, False)


@settings(max_examples=2_000, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.one_of(st.text(), language_text))
def test_fuzz_expressions_raise_only_condition_error(text: str) -> None:
    try:
        compiled = compile_expression(text)
    except ConditionError as error:
        _check_error(error, text)
        return
    compiled.evaluate(_CONTEXT)


def test_a_power_in_a_cell_is_read_from_the_left_as_feel_reads_it() -> None:
    """TCK 0075/0100: 3 ** 4 ** 5 is (3 ** 4) ** 5; cells read it from the right until this
    version, so a literal decision gave another number than every other FEEL engine."""
    from engine.feel.conditions import compile_expression
    from engine.feel.unparse import expression

    cell = compile_expression("2 ** 3 ** 2")
    assert cell.evaluate({}) == 64
    assert expression(cell.node) == "(2 ** 3) ** 2"  # written back unambiguous for any engine
    assert compile_expression("2 ** (3 ** 2)").evaluate({}) == 512


def test_a_cell_reads_the_six_digit_escape_as_feel_does():
    """``\\U01F40E`` (DMN 1.5 §10.3.1.2) in S-FEEL cells too: TCK 0083 decision_001_b is a literal
    decision, which dtrun reads as a one-rule table's output cell."""
    assert compile_unary_tests('"\\U01F40E"').matches("\U0001F40E")
    assert compile_expression('"\\U01F40E" = "\U0001F40E"').evaluate({}) is True
    assert compile_unary_tests('"\\u00e9"').matches("é")
