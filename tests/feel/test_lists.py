"""Cells over list values (inputs of type ``list of <type>``): the meaning, checked by hand, and
the vectorized form (``engine.feel.lists``) against the scalar one (``scalar.compile_list_tests``),
row by row, on random columns of lists and random cells (hypothesis)."""

from __future__ import annotations

import datetime as dt
import os

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.feel.conditions import compile_unary_tests

FEVER, COUGH, EMPTY = ("Fever",), ("Fever", "Cough"), ()

# (cell, list value, does a rule's cell ("any") match?): the meaning in docs/conditions.md
ANY_CASES = [
    ('"Fever"', FEVER, True),
    ('"Fever"', COUGH, True),
    ('"Cough"', FEVER, False),
    ('"Fever"', EMPTY, False),  # an empty list matches no positive test
    ('"Fever"', None, False),  # a null list: as a missing value
    ('"Rash", "Cough"', COUGH, True),
    ('"Rash", "Cough"', FEVER, False),
    ('not("Fever")', FEVER, False),
    ('not("Fever")', COUGH, False),  # holds Fever
    ('not("Rash")', COUGH, True),
    ('not("Fever")', EMPTY, True),  # no element is Fever
    ('not("Fever")', None, True),  # as for a missing text: null = "Fever" is false
    ("-", EMPTY, True),
    ("-", None, True),
    ("-", COUGH, True),
    ("null", None, True),
    ("null", EMPTY, False),
    (">= 3", (1, 2), False),
    (">= 3", (1, 5), True),
    ("[1..2]", (0, 3), False),
    ("[1..2]", (0, 2), True),
    ("not(< 0)", (1, -1), False),
    ("not(< 0)", (1, 2), True),
    ('"1"', (1,), False),  # a text is never a number
    ('date("2024-01-01")', (dt.date(2024, 1, 1), dt.date(2025, 1, 1)), True),
    ("true", (False,), False),
    ("true", (False, True), True),
]

# (allowed values, list value, accepted?): every element must be allowed
ALL_CASES = [
    ('"Fever", "Cough"', COUGH, True),
    ('"Fever", "Cough"', ("Fever", "Rash"), False),
    ('"Fever", "Cough"', EMPTY, True),
    ("[0..10]", (0, 10), True),
    ("[0..10]", (0, 11), False),
    ('not("Rash")', COUGH, True),
    ('not("Rash")', ("Rash",), False),
]


@pytest.mark.parametrize(("text", "value", "expected"), ANY_CASES)
def test_a_cell_matches_a_list_holding_an_element_it_accepts(text, value, expected) -> None:
    cell = compile_unary_tests(text).over_lists("any")
    assert cell.matches(value) is expected
    assert cell.mask(pd.Series([value], dtype=object)).tolist() == [expected]
    if value is not None:  # a list or a numpy array (a Parquet list, as pandas gives it) means the same
        assert cell.matches(list(value)) is expected
        column = pd.Series([np.array(value, dtype=object), None], dtype=object)
        assert cell.mask(column).tolist()[0] is expected


@pytest.mark.parametrize(("text", "value", "expected"), ALL_CASES)
def test_allowed_values_accept_a_list_whose_every_element_they_accept(text, value, expected) -> None:
    allowed = compile_unary_tests(text).over_lists("all")
    assert allowed.matches(value) is expected
    assert allowed.mask(pd.Series([value], dtype=object)).tolist() == [expected]


def test_a_cell_over_lists_keeps_its_single_value_form() -> None:
    cell = compile_unary_tests('"a"').over_lists()
    assert cell.element_tests.matches("a") and not cell.element_tests.each
    assert cell.to_set(None) is None  # no set form: lint treats lists by their elements
    with pytest.raises(ValueError):
        compile_unary_tests('"a"').over_lists("some")


def test_a_name_endpoint_is_read_from_each_row() -> None:
    cell = compile_unary_tests("> y", ["y"]).over_lists()
    frame = pd.DataFrame({"x": pd.Series([(1, 5), (1, 5), None, ()], dtype=object), "y": [4, 6, 1, 0]})
    assert cell.mask(frame["x"], frame).tolist() == [True, False, False, False]


# ------------------------------------------------------------------ vectorized = scalar
ELEMENTS = ["a", "b", "", "10", 0, 1, 2.5, -1, 10, True, False, dt.date(2020, 1, 1), dt.date(1999, 12, 31)]
lists = st.lists(st.sampled_from(ELEMENTS), max_size=4).map(tuple)
column_values = st.lists(st.one_of(lists, st.none(), lists.map(list)), max_size=10)
LITERALS = ['"a"', '"b"', '""', '"10"', "0", "1", "2.5", "10", "-1", "true", "false", 'date("2020-01-01")', "null", "y"]
endpoints = st.sampled_from(LITERALS)
positive = st.one_of(
    endpoints,
    st.tuples(st.sampled_from(["=", "!=", "<", "<=", ">", ">="]), endpoints).map(" ".join),
    st.tuples(st.sampled_from("[("), endpoints, endpoints, st.sampled_from("])")).map(
        lambda t: f"{t[0]}{t[1]}..{t[2]}{t[3]}"),
)
cells = st.one_of(
    st.just("-"),
    st.lists(positive, min_size=1, max_size=3).map(", ".join),
    st.lists(positive, min_size=1, max_size=3).map(lambda ts: f"not({', '.join(ts)})"),
)
EXAMPLES = int(os.environ.get("DTRUN_EXAMPLES", "400"))
PROPERTY = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY
@given(text=cells, column=column_values, each=st.sampled_from(["any", "all"]), data=st.data())
def test_the_vectorized_form_equals_the_scalar_one(text, column, each, data) -> None:
    cell = compile_unary_tests(text, ["y"]).over_lists(each)
    series = pd.Series(column, dtype=object)
    ys = data.draw(st.lists(st.sampled_from([None, 1, 2.5, "a", dt.date(2020, 1, 1)]), min_size=len(column),
                            max_size=len(column)))
    frame = pd.DataFrame({"x": series, "y": pd.Series(ys, dtype=object)})
    expected = [cell.matches(value, {"y": y}) for value, y in zip(column, ys)]
    assert cell.mask(series, frame).tolist() == expected, text
    if "y" not in text:  # each distinct list judged once
        assert cell.mask(series).tolist() == expected, text
