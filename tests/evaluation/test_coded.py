"""Coded result columns: a table of distinct values and a code per row, turned into pandas
columns with the same values (and the dtypes evaluate_frame has always given)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.evaluation.coded import Coded, combinations, joined_notes


@pytest.mark.parametrize("values, dtype", [
    (("a", "b", None), "category"),
    ((1, 2.5, None), "float64"),
    ((None, None), "float64"),
    ((["x"], [], None), "object"),
    (("a", 1), "object"),
    ((True, None), "object"),
])
def test_series_dtype_follows_the_values(values, dtype):
    column = Coded(values, np.array([0, 1, len(values) - 1, 0], dtype=np.int64))
    assert str(column.series().dtype) == dtype


VALUES = st.one_of(st.none(), st.sampled_from(["a", "b", "c"]), st.integers(-3, 3), st.floats(-2, 2),
                   st.lists(st.sampled_from(["x", "y"]), max_size=2), st.booleans())


def _same(a: Any, b: Any) -> bool:
    missing = lambda v: v is None or (isinstance(v, float) and np.isnan(v))  # noqa: E731
    return (missing(a) and missing(b)) or a == b


@settings(max_examples=150, deadline=None)
@given(st.lists(VALUES, min_size=1, max_size=6), st.lists(st.integers(-6, 12), max_size=25),
       st.dictionaries(st.integers(0, 24), VALUES, max_size=4))
def test_series_and_with_rows_hold_each_rows_value(table, picks, changed):
    """The oracle: the row's value looked up in a Python list (negative picks from the end)."""
    picks = [p % len(table) - (len(table) if p < 0 else 0) for p in picks]
    column = Coded.of(list(table), np.array(picks, dtype=np.int64))
    rows = {r: v for r, v in changed.items() if r < len(picks)}
    column = column.with_rows(rows, rows.values())
    expected = [rows.get(i, table[p]) for i, p in enumerate(picks)]
    got = column.series()
    assert len(got) == len(expected)
    assert all(_same(g, e) for g, e in zip(got.tolist(), expected)), (got.tolist(), expected)


def test_joined_notes_and_count():
    column = joined_notes(5, {1: ["x", "y"], 3: ["x", "y"], 4: ["z"]}, "; ")
    assert column.series().tolist() == ["", "x; y", "", "x; y", "z"]
    assert len(column.values) == 3 and column.count_not("") == 3
    assert Coded(("",), np.zeros(0, dtype=np.int64)).count_not("") == 0


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(1, 40), min_size=1, max_size=4).flatmap(lambda widths: st.tuples(
    st.just(widths), st.lists(st.tuples(*(st.integers(0, w - 1) for w in widths)), max_size=60))))
def test_combinations_are_numbered_in_order_with_their_first_row(drawn):
    """Against enumeration: the distinct tuples, sorted, each with the first row holding it;
    wide columns make keys too sparse for the lookup table, so both ways are exercised."""
    widths, rows = drawn
    rows = rows + [tuple(w - 1 for w in widths)] if rows else rows  # the widest codes occur
    codes = [np.array([row[k] for row in rows], dtype=np.int64) for k in range(len(widths))]
    per_row, firsts = combinations(codes)
    distinct = sorted(set(rows))
    assert per_row.tolist() == [distinct.index(r) for r in rows]
    assert firsts.tolist() == [rows.index(d) for d in distinct]


def test_combinations_of_more_columns_than_a_key_can_hold():
    """70 two-valued columns: 2**70 keys would overflow int64, so the combinations so far are
    numbered on the way; the result must still be the enumeration's."""
    rng = np.random.default_rng(7)
    codes = [rng.integers(0, 2, 50) for _ in range(70)]
    per_row, firsts = combinations(codes)
    rows = list(zip(*(c.tolist() for c in codes)))
    distinct = sorted(set(rows))
    assert per_row.tolist() == [distinct.index(r) for r in rows]
    assert firsts.tolist() == [rows.index(d) for d in distinct]
