"""FEEL unary tests in rule cells (``engine.feel.feel_cells``): which texts are read as FEEL, the
scalar meaning against hand-checked answers and the FEEL interpreter's ``test_text`` (the
reference), the vectorized mask against the scalar ``matches`` on random columns with nulls
(hypothesis), and the mask's promise to evaluate once per distinct value."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine._core.errors import ConditionError
from engine.feel import feel_cells
from engine.feel.conditions import compile_unary_tests
from engine.feel.unary import test_text as feel_test

NUMBER_CELLS = ["? > 3 and ? < 10", "odd(?)", "> abs(-3)", "before(?, 26)", "? + 1", "even(?) or ? < 0",
                "? in [1, 2, 3]", "modulo(?, 3) = 0", "? > limit", "abs(?) in [2..5]",
                "[1..floor(limit)]", "round half up(? * 8, 0) > limit", "? / 3 >= limit", "? > limit, ? = null",
                "not(? > limit, ? < -3)", "if ? > 0 then ? * 2 > limit else false"]
TEXT_CELLS = ['starts with(?, "C")', "string length(?) > 3", 'contains(upper case(?), "AB")', 'ends with(?, "x")']
DATE_CELLS = ['? < date("2025-01-01")', "?.month = 3", 'before(?, date("2024-06-01"))']
LIST_CELLS = ['list contains(?, "cough")', "count(?) >= 2", 'some s in ? satisfies starts with(s, "f")']


@pytest.mark.parametrize(("cell", "value", "expected"), [
    ("? > 3 and ? < 10", 5, True), ("? > 3 and ? < 10", 10, False), ("? > 3 and ? < 10", None, False),
    ("odd(?)", 3, True), ("odd(?)", 4, False), ("odd(?)", 3.5, False), ("odd(?)", "3", False),
    ("> abs(-3)", 4, True), ("> abs(-3)", 3, False),
    ("before(?, 26)", 25, True), ("before(?, 26)", 26, False),
    ("string length(?) > 3", "abcd", True), ("string length(?) > 3", "abc", False),
    ('starts with(?, "C")', "Cleo", True), ('starts with(?, "C")', "cleo", False),
    ('list contains(?, "cough")', ["fever", "cough"], True), ('list contains(?, "cough")', [], False),
    ('list contains(?, "cough")', None, False),
    ("? + 1", 1, False),  # not boolean: no match
    ('"a" + ?', "b", False),
    ("?.year = 2024", dt.date(2024, 5, 1), True),
    ("? in [1, 2, 3]", 2, True), ("? in [1, 2, 3]", 4, False),
    ("0.1 + 0.2 = ?", 0.3, True),  # FEEL's decimals, not binary floats
    ("[1..floor(2.7)]", 2, True), ("[1..floor(2.7)]", 2.5, False),
])
def test_cells_mean_what_dmn_says(cell: str, value, expected: bool) -> None:
    compiled = compile_unary_tests(cell, feel=True)
    assert compiled.feel
    assert compiled.matches(value) is expected
    assert (feel_test(cell, value) is True) is expected  # the FEEL interpreter alone agrees


@pytest.mark.parametrize("cell", ["-", ">= 12", '"a", "b"', "[1..4]", "not(< 3)", "> other", 'date("2025-01-01")'])
def test_s_feel_cells_keep_their_compiled_form(cell: str) -> None:
    plain, feel = compile_unary_tests(cell, ["other"]), compile_unary_tests(cell, ["other"], feel=True)
    assert plain == feel and not feel.feel and plain.node is feel.node


@pytest.mark.parametrize(("text", "why"), [
    ("? > 3", "use ?"), ('"?"', ""), ("string length(?) > 3", "use ?"), ("> abs(-3)", "call a function"),
    ('"odd(x)"', ""), ("> 3 and < 5", ""), ("between 1 and 4", ""), ("Odd(x)", "call a function"),
    ("[1..floor(x)]", "call a function"),
])
def test_which_texts_are_clearly_feel(text: str, why: str) -> None:
    assert feel_cells.clearly_feel(text) == why


def test_without_feel_the_cell_is_refused_as_before() -> None:
    with pytest.raises(ConditionError, match="'\\?' is FEEL that an input cell cannot hold yet"):
        compile_unary_tests("? > 3")


def test_set_forms_and_literal_kinds_are_not_claimed() -> None:
    from engine.feel.sets import Domain

    cell = compile_unary_tests("odd(?)", feel=True)
    assert cell.tri_set(Domain("number")) is None and cell.to_set(Domain("number")) is None
    assert cell.literal_kinds == frozenset() and cell.over_lists() is cell and cell.element_tests is cell


def _check(cells: list[str], series: pd.Series, frame: pd.DataFrame | None = None) -> None:
    for cell in cells:
        compiled = compile_unary_tests(cell, ["limit"], feel=True)
        rows = [dict(frame.iloc[i]) if frame is not None else {} for i in range(len(series))]
        expected = [compiled.matches(v, row) for v, row in zip(series.tolist(), rows)]
        assert compiled.mask(series, frame).tolist() == expected, cell


NUMBERS = st.one_of(st.none(), st.integers(-30, 30).map(float), st.floats(-30, 30, allow_nan=False).map(
    lambda x: round(x, 1)))


@settings(max_examples=60, deadline=None)
@given(st.lists(NUMBERS, min_size=1, max_size=40), st.lists(NUMBERS, min_size=40, max_size=40))
def test_mask_equals_matches_on_numbers(column, limits) -> None:
    series = pd.Series(column, dtype="float64")
    frame = pd.DataFrame({"x": series, "limit": pd.Series(limits[:len(column)], dtype="float64")})
    _check(NUMBER_CELLS, series, frame)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.one_of(st.none(), st.sampled_from(["C", "Cleo", "abx", "ABx", "", "cab"])), min_size=1,
                max_size=30), st.booleans())
def test_mask_equals_matches_on_texts(column, categorical) -> None:
    series = pd.Series(column, dtype="category" if categorical else object)
    _check(TEXT_CELLS, series)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.one_of(st.none(), st.dates(dt.date(2023, 1, 1), dt.date(2026, 1, 1))), min_size=1, max_size=30))
def test_mask_equals_matches_on_dates(column) -> None:
    series = pd.Series([np.datetime64(d, "D") if d else np.datetime64("NaT") for d in column],
                       dtype="datetime64[s]")
    _check(DATE_CELLS, series)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.one_of(st.none(), st.lists(st.sampled_from(["cough", "fever", "rash"]), max_size=3)),
                min_size=1, max_size=30))
def test_mask_equals_matches_on_lists(column) -> None:
    _check(LIST_CELLS, pd.Series(column, dtype=object))


def test_the_mask_runs_the_test_once_per_distinct_value() -> None:
    calls: list = []

    def test(value, context):
        calls.append(value)
        return value is not None and value > 2

    series = pd.Series([1.0, 3.0, np.nan, 3.0, 1.0] * 20_000)
    mask = feel_cells.mask(test, frozenset(), series, None)
    assert mask.tolist() == [False, True, False, True, False] * 20_000
    assert len(calls) == 3  # 1, 3 and the missing value
