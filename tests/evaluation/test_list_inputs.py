"""Inputs of type ``list of <type>``: a patient value made a list (a JSON array, values separated by
``;``, a list or an array), its problems as per-row errors, allowed values over its elements, and
whole frames evaluated column-wise with the results of ``evaluate`` row by row (the reference),
on fixed and random lists (hypothesis)."""

from __future__ import annotations

import datetime as dt
import json
import os

import numpy as np
import pandas as pd
import pytest
from helpers import model_for
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import engine
from engine.evaluation.columns import convert_column
from engine.evaluation.frame import evaluate_frame
from engine.evaluation.input_values import Invalid, convert_value
from engine.evaluation.record import format_cell

SIGNS = '"Fever","Cough","Rash"'
MODEL = dict(
    inputs=[("signs", "list of string", SIGNS, "no"), ("age", "number", None, "no"),
            ("doses", "list of number", "[0..1000]", "no")],
    tables={
        "triage": ("F", ["signs", "age", "level"], "iio", None, [
            ["R1", '"Fever"', ">= 65", '"urgent"'],
            ["R2", '"Fever", "Rash"', "-", '"soon"'],
            ["R3", 'not("Cough")', "-", '"routine"'],
            ["R4", "-", "-", '"watch"']]),
        "dosing": ("C", ["doses", "note"], "io", None, [["D1", "> 500", '"high dose"'], ["D2", "< 10", '"low"']]),
    })


@pytest.mark.parametrize(("raw", "kind", "expected"), [
    ('["Fever", "Cough"]', "list of string", ("Fever", "Cough")),
    ("Fever; Cough", "list of string", ("Fever", "Cough")),
    ("Fever", "list of string", ("Fever",)),
    ("[]", "list of string", ()),
    ("", "list of string", None),
    (None, "list of string", None),
    (float("nan"), "list of string", None),
    ("[1, 2.5]", "list of number", (1, 2.5)),
    ('["1", "2"]', "list of integer", (1, 2)),
    ("1;2", "list of integer", (1, 2)),
    ("yes; no", "list of boolean", (True, False)),
    ('["2024-01-31"]', "list of date", (dt.date(2024, 1, 31),)),
    (["Fever"], "list of string", ("Fever",)),
    (("Fever",), "list of string", ("Fever",)),
    (np.array(["Fever", "Rash"], dtype=object), "list of string", ("Fever", "Rash")),
    (np.array([1, 2]), "list of integer", (1, 2)),
])
def test_a_patient_value_made_a_list(raw, kind, expected) -> None:
    assert convert_value(raw, kind) == expected


@pytest.mark.parametrize(("raw", "kind", "said"), [
    ('["Fever",', "list of string", "is not a list: it is not valid JSON"),
    ('{"a": 1}', "list of number", 'element 1 of the list "{"a": 1}": "{"a": 1}" is not a number'),
    ('[["a"]]', "list of string", "holds a list or an object"),
    ("[NaN]", "list of number", "is not valid JSON"),
    ('["a", null]', "list of string", "element 2 of the list"),
    ("Fever;;Cough", "list of string", "element 2 of the list"),
    ('[1, "x"]', "list of number", 'element 2 of the list "[1, "x"]": "x" is not a number'),
    ("[1]", "list of string", "element 1 of the list"),
    (5, "list of string", "is not a list of texts"),
])
def test_what_cannot_be_a_list_is_refused_with_its_reason(raw, kind, said) -> None:
    with pytest.raises(Invalid) as error:
        convert_value(raw, kind)
    assert said in str(error.value)


FRAME = pd.DataFrame({
    "signs": ['["Fever","Cough"]', "Fever", "Cough; Rash", "[]", "", "Fevr", '["Fever",', "Cough", "Rash"],
    "age": ["70", "30", "30", "30", "30", "30", "30", "80", "1"],
    "doses": ["[600, 5]", "", "[]", "7", "2000", "[1]", "[1]", "", "[600]"],
}, dtype=object)


def test_rules_match_lists_that_hold_what_their_cells_accept() -> None:
    result = evaluate_frame(model_for(**MODEL), FRAME)
    assert [format_cell(v) for v in result["triage.level"]] == [
        "urgent", "soon", "soon", "routine", "routine", None, None, "watch", "soon"]
    assert [format_cell(v) for v in result["dosing.note"]] == [
        '["high dose", "low"]', "[]", "[]", '["low"]', None, '["low"]', '["low"]', "[]", '["high dose"]']
    errors = result["_errors"].tolist()
    assert errors[5].startswith('signs: the list ["Fevr"] holds "Fevr", which is not an allowed value '
                                '(allowed: "Fever","Cough","Rash"); did you mean "Fever"?')
    assert errors[6].startswith('signs: "["Fever"," is not a list: it is not valid JSON')
    assert errors[4].startswith("doses: the list [2000] holds 2000, which is not an allowed value")
    assert [e == "" for e in errors] == [True, True, True, True, False, False, False, True, True]


def test_a_frame_agrees_with_evaluate_row_by_row() -> None:
    model = model_for(**MODEL)
    _same_as_scalar(model, FRAME)


def test_required_lists_and_the_tables_own_allowed_values() -> None:
    model = model_for(inputs=[("signs", "list of string", None, "yes")],
                      tables={"t": ("U", ["signs", "o"], "io", ['"Fever", "Cough"'], [["R1", '"Fever"', "1"]])})
    frame = pd.DataFrame({"signs": ["", "[]", "Fever;Rash", "Cough"]}, dtype=object)
    result = _same_as_scalar(model, frame)
    errors = result["_errors"].tolist()
    assert errors[0].startswith("signs: a value is required")
    assert errors[1] == ""  # an empty list is a value
    assert 'the list ["Fever", "Rash"] holds "Rash", which is not an allowed value' in errors[2]
    assert errors[2].endswith("in this table; t: not evaluated because signs has no usable value")


def test_parquet_lists_as_pandas_and_arrow_give_them() -> None:
    import pyarrow as pa

    definition = model_for(**MODEL).inputs["signs"]
    array = pa.array([["Fever", "Cough"], None, [], ["Fever", "Cough"], ["Fevr"]], pa.list_(pa.string()))
    for column in (array, array.to_pandas()):
        converted = convert_column(column, definition)
        assert converted.values.tolist() == [("Fever", "Cough"), None, (), ("Fever", "Cough"), ("Fevr",)]
        assert converted.unusable.tolist() == [False, False, False, False, True]


def _same_as_scalar(model, frame: pd.DataFrame) -> pd.DataFrame:
    result = evaluate_frame(model, frame)
    for i in range(len(frame)):
        want = engine.evaluate(model, {k: frame[k].iloc[i] for k in frame.columns}).row()
        got = {k: result[k].iloc[i] for k in want}
        assert {k: format_cell(v) for k, v in got.items()} == {k: format_cell(v) for k, v in want.items()}, i
    return result


# ------------------------------------------------------------------ random lists and cells
TEXTS = ["Fever", "Cough", "Rash"]
CELLS = ['"Fever"', '"Cough"', '"Fever", "Rash"', 'not("Fever")', 'not("Cough", "Rash")', "-", "null", '"Other"']
raw_lists = st.one_of(
    st.lists(st.sampled_from(TEXTS), max_size=3).map(lambda xs: "[" + ", ".join(f'"{x}"' for x in xs) + "]"),
    st.lists(st.sampled_from(TEXTS), min_size=1, max_size=3).map("; ".join),
    st.sampled_from(["", "Fevr", "[1]", "[", "Fever;;Rash"]),
)
EXAMPLES = int(os.environ.get("DTRUN_EXAMPLES", "400")) // 4
PROPERTY = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY
@given(rules=st.lists(st.tuples(st.sampled_from(CELLS), st.sampled_from(["-", "< 50", ">= 50"])), min_size=1,
                      max_size=5),
       rows=st.lists(st.tuples(raw_lists, st.sampled_from(["", "30", "70"])), max_size=12),
       policy=st.sampled_from(["U", "F", "C", "A", "R"]),
       allowed=st.sampled_from([None, SIGNS, '"Fever", "Cough"']))
def test_random_tables_over_lists_agree_with_evaluate(rules, rows, policy, allowed) -> None:
    model = model_for(inputs=[("signs", "list of string", allowed, "no"), ("age", "number", None, "no")],
                      tables={"t": (policy, ["signs", "age", "o"], "iio", None,
                                    [[f"R{i}", a, b, f'"{i % 2}"'] for i, (a, b) in enumerate(rules, 1)])})
    frame = pd.DataFrame({"signs": [s for s, _ in rows], "age": [a for _, a in rows]}, dtype=object)
    _same_as_scalar(model, frame)


def test_many_distinct_lists_are_judged_as_one_by_one() -> None:
    """Above 64 distinct lists, elements are checked once each (and Arrow finds a Parquet
    column's distinct lists): the same values and messages as the per-value reference."""
    import itertools

    import pyarrow as pa

    from engine.evaluation.columns import _judge

    definition = model_for(**MODEL).inputs["signs"]
    texts = ["Fever", "Cough", "Rash", "Fevr", "a\x1fb", ""]
    lists = [list(p) for k in range(4) for p in itertools.permutations(texts, k)]
    raw = pd.Series([json.dumps(v) for v in lists] + ["", "[", "Cough; Rash"], dtype=object)
    for column in (raw, pa.chunked_array([pa.array(lists[:50], pa.list_(pa.string())),
                                          pa.array(lists[50:] + [None], pa.list_(pa.string()))])):
        converted = convert_column(column, definition)
        values = list(raw) if isinstance(column, pd.Series) else lists + [None]
        for row, value in enumerate(values):
            want, message = _judge(value, definition, (), "signs")
            assert converted.values.iloc[row] == want or (want is None and converted.values.iloc[row] is None)
            assert converted.messages.get(row) == message, row


def test_a_list_cells_type_is_its_elements_type() -> None:
    from engine.analysis.lint import lint_model
    from engine.model.cell_types import contradictions, retyped

    model = model_for(inputs=[("doses", "list of string", None, "no")],
                      tables={"t": ("F", ["doses", "o"], "io", None, [["R1", "> 500", "1"], ["R2", '"x"', "2"]])})
    found = contradictions(model)
    assert [p.cell for p in found] == ["B4"]
    assert found[0].message.startswith("doses holds lists of texts, but the cell > 500 tests a number with < or >")
    assert [f.code for f in lint_model(model) if f.cells == ("B4",)] == ["type-mismatch"]
    numbers = model_for(inputs=[("doses", "list of string", None, "no")],
                        tables={"t": ("F", ["doses", "o"], "io", None, [["R1", "> 500", "1"], ["R2", "3", "2"]])})
    again = retyped(numbers)
    assert again.inputs["doses"].type == "list of number" and not contradictions(again)
    assert engine.evaluate(again, {"doses": "[1, 600]"}).row()["t.o"] == 1
