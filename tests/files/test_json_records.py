"""``json_records``: the rows of a result frame as ``--format json`` writes them and ``dtrun
serve`` answers them, checked against converting each cell on its own (the oracle: the
writer's per-cell conversion, ``finite(native(value))``)."""

from __future__ import annotations

import datetime as dt
import json
import math

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.files.json_cells import finite, json_records, native

CELLS = st.one_of(st.none(), st.text(max_size=5), st.booleans(), st.integers(-10**6, 10**6),
                  st.floats(allow_nan=True, allow_infinity=True), st.dates(),
                  st.lists(st.one_of(st.text(max_size=3), st.floats(allow_nan=True)), max_size=3),
                  st.sampled_from([math.nan, math.inf, 1.0, 1, True, 0, False, "1", np.float64(2.5), pd.NA]))


@st.composite
def frames(draw: st.DrawFn) -> pd.DataFrame:
    n = draw(st.integers(0, 12))
    columns = {}
    for k in range(draw(st.integers(1, 5))):
        kind = draw(st.sampled_from(["object", "category", "float", "Int64", "bool"]))
        if kind == "object":
            columns[f"c{k}"] = pd.Series(draw(st.lists(CELLS, min_size=n, max_size=n)), dtype=object)
        elif kind == "category":
            columns[f"c{k}"] = pd.Series(draw(st.lists(st.sampled_from(["a", "b", None]), min_size=n, max_size=n)),
                                         dtype="category")
        elif kind == "float":
            columns[f"c{k}"] = pd.Series(draw(st.lists(st.floats(allow_nan=True, allow_infinity=True),
                                                       min_size=n, max_size=n)), dtype="float64")
        elif kind == "Int64":
            columns[f"c{k}"] = pd.Series(draw(st.lists(st.one_of(st.none(), st.integers(-2**53, 2**53)),
                                                       min_size=n, max_size=n)), dtype="Int64")
        else:
            columns[f"c{k}"] = pd.Series(draw(st.lists(st.booleans(), min_size=n, max_size=n)), dtype=bool)
    return pd.DataFrame(columns, index=pd.RangeIndex(n))


@settings(max_examples=150, deadline=None)
@given(frames())
def test_json_records_are_the_cells_converted_one_by_one(frame: pd.DataFrame) -> None:
    expected = [{str(c): finite(native(v)) for c, v in zip(frame.columns, row)}
                for row in frame.itertuples(index=False, name=None)]
    got = json_records(frame)
    assert json.dumps(got, default=str, allow_nan=False) == json.dumps(expected, default=str, allow_nan=False)


def test_equal_values_of_different_types_are_not_confused() -> None:
    frame = pd.DataFrame({"v": pd.Series([1, True, 1.0, "1", dt.date(2020, 1, 1), 0, False], dtype=object)})
    assert [r["v"] for r in json_records(frame)] == [1, True, 1, "1", "2020-01-01", 0, False]
