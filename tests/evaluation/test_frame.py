"""evaluate_frame: one result row per input row, in order, and the same results as
evaluate() row by row (a hypothesis property over random tables and records); the checks
that refuse a frame before evaluating it."""

from __future__ import annotations

import os
import queue
from typing import Any
from unittest import mock

import numpy as np
import pandas as pd
import pytest
from helpers import ROOT, model_for, sheets_for
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import engine
from engine import load_workbook
from engine._core.errors import InputDataError
from engine.evaluation import matching
from engine.evaluation.frame import check_frame, evaluate_frame
from engine.evaluation.record import format_cell
from engine.formats.xlsx.build import build_model
from engine.model.graph import selected_tables


def scalar_rows(model: Any, frame: pd.DataFrame, decisions: tuple[str, ...] = (), explain: bool = False
                ) -> list[dict[str, Any]]:
    """The reference: evaluate() on each row, as result-row dicts with CSV-formatted values."""
    rows = []
    for i in range(len(frame)):
        record = {name: frame[name].iloc[i] for name in frame.columns}
        rows.append({k: format_cell(v) for k, v in engine.evaluate(model, record, decisions).row(explain).items()})
    return rows


def frame_rows(result: pd.DataFrame, columns: list[str]) -> list[dict[str, Any]]:
    return [{k: format_cell(result[k].iloc[i]) for k in columns} for i in range(len(result))]


def assert_same_as_scalar(model: Any, frame: pd.DataFrame, decisions: tuple[str, ...] = (), explain: bool = False,
                          na_values: tuple[str, ...] = ()) -> pd.DataFrame:
    result = evaluate_frame(model, frame, decisions, explain, na_values)
    expected = scalar_rows(model, frame, decisions, explain)
    assert len(result) == len(frame)
    for column in frame.columns:  # inputs are kept untouched, in their place
        pd.testing.assert_series_equal(result[column], frame[column])
    if expected:
        assert list(result.columns) == list(frame.columns) + list(expected[0])
    for i, (want, got) in enumerate(zip(expected, frame_rows(result, list(expected[0]) if expected else []))):
        assert got == want, f"row {i}: {frame.iloc[i].to_dict()}"
    return result


# ====================================================================== fixed examples
PATIENTS = dict(
    inputs=[("age", "integer", "[0..120]", "yes"), ("hr", "string", '"positive","negative"', "no"),
            ("weight", "number", "[25..250]", "no")],
    tables={
        "band": ("U", ["age", "band"], "io", None, [["B1", "< 65", '"adult"'], ["B2", ">= 65", '"senior"']]),
        "dose": ("U", ["band.band", "weight", "mg", "Reference"], "iioa", None, [
            ["D1", '"adult"', "not(null)", "8 * weight", "ref adult"], ["D2", '"senior"', "-", "6 * weight", "ref old"],
            ["D3", '"adult"', "null", "null", ""]]),
        "alerts": ("C", ["hr", "age", "alert", "Reference"], "iioa", None, [
            ["A1", '"positive"', "-", '"endocrine"', "ref e"], ["A2", "-", ">= 70", '"geriatric"', "ref g"]]),
    })
FRAME = pd.DataFrame({
    "id": ["p1", "p2", "p3", "p4", "p5", "p6", "p7"],
    "age": ["40", "75", "", "abc", "130", "70", "2.5"],
    "hr": ["positive", "negative", "positive", "postive", "", "positive", "negative"],
    "weight": ["70", "", "60", "80", "55", "20", "70"],
}, dtype=object)


def test_one_row_per_input_row_in_order_with_inputs_kept():
    model = model_for(**PATIENTS)
    result = evaluate_frame(model, FRAME)
    assert len(result) == len(FRAME)
    assert result["id"].tolist() == FRAME["id"].tolist()
    assert list(result.columns) == ["id", "age", "hr", "weight", "band.band", "band.rules", "dose.mg", "dose.rules",
                                    "alerts.alert", "alerts.rules", "_errors", "_warnings", "_model"]
    assert [format_cell(v) for v in result["dose.mg"]] == [560, None, None, None, None, None, None]
    assert result["dose.rules"].tolist() == ["D1", "D2", "", "", "", "", ""]
    assert result["alerts.alert"].iloc[5] == ["endocrine", "geriatric"]
    assert result["alerts.rules"].iloc[5] == "A1;A2"
    assert result["_errors"].iloc[3] == ('age: "abc" is not a whole number; hr: "postive" is not an allowed value '
                                         '(allowed: "positive","negative"); did you mean "positive"?; '
                                         'band: not evaluated because age has no usable value; '
                                         'dose: not evaluated because band.band has no usable value; '
                                         'alerts: not evaluated because age, hr has no usable value')
    assert (result["_errors"] != "").tolist() == [False, False, True, True, True, True, True]


def test_fixed_frame_agrees_with_evaluate_row_by_row():
    model = model_for(**PATIENTS)
    assert_same_as_scalar(model, FRAME)
    assert_same_as_scalar(model, FRAME, explain=True)
    assert_same_as_scalar(model, FRAME, decisions=("dose",))


def test_explain_adds_the_references_of_the_fired_rules():
    result = evaluate_frame(model_for(**PATIENTS), FRAME, explain=True)
    assert result["dose.reference"].tolist()[:2] == ["ref adult", "ref old"]
    assert result["alerts.reference"].iloc[5] == "ref e | ref g"


POLICIES = ("U", "A", "P", "F", "R", "O", "C", "C+", "C<", "C>", "C#")


def test_empty_results_of_every_policy_agree_with_evaluate():
    """null, [] or 0 when no rule matches; a blocked row gives null whatever the policy."""
    tables = {f"t{i}": (policy, ["n", "o"], "io", [None, '"x"'], [["r1", "< 0", "1"], ["r2", "< -1", "2"]])
              for i, policy in enumerate(POLICIES)}
    model = model_for(inputs=[("n", "number", None, "no")], tables=tables)
    frame = pd.DataFrame({"n": ["1", "", "bad", "-5"]}, dtype=object)
    result = assert_same_as_scalar(model, frame)
    assert [format_cell(result[f"t{i}.o"].iloc[0]) for i in range(len(POLICIES))] == [
        None, None, None, None, "[]", "[]", "[]", None, None, None, 0]


def test_empty_frame_gives_empty_result_with_all_columns():
    model = model_for(**PATIENTS)
    empty = FRAME.iloc[:0]
    result = evaluate_frame(model, empty)
    assert len(result) == 0
    assert "band.band" in result.columns and "_errors" in result.columns


def test_rows_keep_their_results_whatever_the_frame_index():
    """Regression: results were once aligned on the frame's index instead of by position."""
    model = model_for(**PATIENTS)
    shuffled = FRAME.sample(frac=1, random_state=3).set_index(pd.Index([10, 3, 7, 0, 99, 5, 1]))
    assert_same_as_scalar(model, shuffled)


def test_native_dtype_columns_agree_with_evaluate():
    """Columns as a Parquet file gives them: floats with NaN, booleans, dates, categoricals."""
    model = model_for(inputs=[("n", "number", None, "no"), ("k", "integer", None, "no"), ("b", "boolean", None, "no"),
                              ("d", "date", None, "no"), ("s", "string", '"a","b"', "no")],
                      tables={"t": ("C", ["n", "k", "b", "d", "s", "o"], "iiiiio", None, [
                          ["r1", "> 1", "-", "-", "-", "-", "n * 2"], ["r2", "-", "[1..3]", "-", "-", "-", "k"],
                          ["r3", "-", "-", "true", "-", "-", '"t"'],
                          ["r4", "-", "-", "-", '< date("2020-01-01")', "-", "d"],
                          ["r5", "-", "-", "-", "-", '"a"', "s"],
                          ["r6", "null", "null", "null", "null", "null", '"none"']])})
    frame = pd.DataFrame({
        "n": [1.5, np.nan, 3.0, -2.0], "k": [1.0, 2.5, np.nan, 3.0], "b": [True, False, True, False],
        "d": pd.to_datetime(["2019-05-01", None, "2021-01-01", "2019-12-31"]),
        "s": pd.Categorical(["a", "b", None, "c"]),
    })
    assert_same_as_scalar(model, frame)


def test_na_values_are_missing_only_when_asked():
    model = model_for(inputs=[("n", "number", None, "no")], tables={"t": ("U", ["n", "o"], "io", None, [
        ["r1", "null", '"missing"'], ["r2", "not(null)", '"given"']])})
    frame = pd.DataFrame({"n": ["NA", "null", "1", ""]}, dtype=object)
    plain = evaluate_frame(model, frame)
    assert [format_cell(v) for v in plain["t.o"]] == [None, None, "given", "missing"]
    assert plain["_errors"].iloc[0].startswith('n: "NA" is not a number')
    asked = evaluate_frame(model, frame, na_values=("NA", "null"))
    assert [format_cell(v) for v in asked["t.o"]] == ["missing", "missing", "given", "missing"]
    assert (asked["_errors"] == "").all()


# ====================================================================== refusing a frame
def test_required_input_column_missing_names_the_column_and_tables():
    model = model_for(**PATIENTS)
    with pytest.raises(InputDataError) as caught:
        evaluate_frame(model, FRAME.drop(columns=["age"]))
    text = str(caught.value)
    assert "age (needed by band, alerts)" in text


def test_required_column_missing_is_fine_when_no_selected_table_needs_it():
    model = model_for(inputs=[("a", "number", None, "yes"), ("b", "number", None, "no")], tables={
        "ta": ("U", ["a", "o"], "io", None, [["r1", "-", "a"]]),
        "tb": ("U", ["b", "o"], "io", None, [["r1", "-", "b"]])})
    frame = pd.DataFrame({"b": ["1", "2"]}, dtype=object)
    result = evaluate_frame(model, frame, decisions=("tb",))
    assert result["tb.o"].tolist() == [1, 2]
    with pytest.raises(InputDataError, match="a \\(needed by ta\\)"):
        evaluate_frame(model, frame)


def test_optional_input_column_missing_is_all_missing_with_a_warning():
    model = model_for(**PATIENTS)
    frame = FRAME.drop(columns=["weight"])
    warnings = check_frame(model, frame.columns, selected_tables(model), False)
    assert warnings == ["input weight has no column in the file; it is treated as missing for every record"]
    result = assert_same_as_scalar(model, frame)
    assert result["dose.rules"].iloc[0] == "D3"


@pytest.mark.parametrize("column", ["band.band", "band.rules", "_errors", "_warnings", "_model", "alerts.alert"])
def test_result_column_clash_is_refused(column):
    model = model_for(**PATIENTS)
    with pytest.raises(InputDataError) as caught:
        evaluate_frame(model, FRAME.assign(**{column: "old"}))
    assert column in str(caught.value)


def test_reference_column_clashes_only_with_explain():
    model = model_for(**PATIENTS)
    frame = FRAME.assign(**{"dose.reference": "old"})
    evaluate_frame(model, frame)
    with pytest.raises(InputDataError, match="dose.reference"):
        evaluate_frame(model, frame, explain=True)


# ====================================================================== the property
KINDS = ("number", "integer", "string", "boolean", "date")
CELLS = {
    "number": ["-", "< 3", ">= 2", "[1..4]", "(0..5)", "]1..4[", "3", "2.5", "not(3)", "null", "not(null)", "1, 5",
               "> 0, null", "not([1..2])", "<= -1"],
    "string": ["-", '"a"', '"a","b"', 'not("a")', "null", 'not(null)', '< "b"', '["a".."c")', '"c", null'],
    "boolean": ["-", "true", "false", "null", "not(true)", "not(null)", "true, null"],
    "date": ["-", '< date("2020-01-01")', '[date("2019-06-01")..date("2020-06-01")]', 'date("2020-01-01")', "null",
             'not(date("2020-01-01"))', '>= date("2020-01-01")'],
}
CELLS["integer"] = CELLS["number"]
ALLOWED = {"number": "[-5..10]", "integer": "[0..5]", "string": '"a","b","c"', "boolean": "true, false",
           "date": '>= date("2019-01-01")'}
RAW = {  # good values (several times, so that most rows can be evaluated), then bad ones
    "number": ["3", "2.5", "-1", "0", "", " 4 ", "1e1", "11"] * 3 + ["abc", "NA"],
    "integer": ["3", "2.0", "", "0", "5", "6"] * 3 + ["2.5", "x"],
    "string": ["a", "b", "c", "d", "", " b "] * 3 + ["A"],
    "boolean": ["true", "no", "1", "", "FALSE", "Y"] * 3 + ["maybe"],
    "date": ["2020-01-01", "2019-12-31", "2020-06-02", "", "2018-01-01"] * 3 + ["2020-02-30", "01/01/2020"],
}
HUGE = ["1" * 400, "-" + "9" * 5000, "1e400", str(2**63), str(-(2**64) - 1)]  # out of range, issue 16 class 5
RAW["number"] += HUGE + ["9007199254740993", "12345678901234567890", "1e300"]  # a float's precision, as a float
RAW["integer"] += HUGE + ["9007199254740992", "-9007199254740993", "1e20"]  # beyond 2**53: out of range
RAW["date"] += ["0001-01-01", "9999-12-31", "1677-09-21", "2262-04-12", "1066-10-14"]  # beyond nanoseconds: class 2
NATIVE = {  # what a Parquet column of the type may hold
    "number": [3.0, 2.5, -1.0, np.nan, 11.0, 0.0, 1e300, 2.0**60],
    "integer": [3.0, 2.0, 2.5, np.nan, 6.0, 2.0**53, -1e20],
}
NARROW = {"number": "[0..4]", "integer": ">= 1", "string": '"a","b", null', "boolean": "true",
          "date": '< date("2020-06-01")'}
TEXT_OUTPUTS = ['"a"', '"b"', '"c"', "null", "1", "2.5"]
PRIORITY = '"c","a","b"'


@st.composite
def models(draw: Any) -> tuple[Any, list[tuple[str, str]]]:
    count = draw(st.integers(1, 3))
    inputs = [(f"x{i}", draw(st.sampled_from(KINDS)), draw(st.integers(0, 3)) == 0, draw(st.integers(0, 3)) == 0)
              for i in range(count)]
    numbers = [name for name, kind, _, _ in inputs if kind in ("number", "integer")]
    policy = draw(st.sampled_from(("U", "A", "P", "F", "R", "O", "C", "C+", "C<", "C>", "C#")))
    n_outputs = 1 if policy in ("C+", "C<", "C>", "C#") else draw(st.integers(1, 2))
    numeric = policy in ("C+", "C<", "C>") and draw(st.integers(0, 3)) > 0

    def output_cell() -> str:
        if numbers and draw(st.integers(0, 3)) == 0:
            return draw(st.sampled_from([f"{numbers[0]} * 2", f"{numbers[-1]} + 1", f"-{numbers[0]}",
                                         f"{numbers[0]} / {numbers[-1]}"]))
        return draw(st.sampled_from(["1", "2.5", "-3", "0"] if numeric else TEXT_OUTPUTS))

    rules = []
    for r in range(draw(st.integers(1, 6))):
        cells = [draw(st.sampled_from(["-"] * 6 + CELLS[kind])) for _, kind, _, _ in inputs]
        rules.append([f"r{r + 1}", *cells, *(output_cell() for _ in range(n_outputs))])
    headings = [name for name, _, _, _ in inputs] + [f"o{k}" for k in range(n_outputs)]
    narrowed = [NARROW[kind] if draw(st.integers(0, 3)) == 0 else None for _, kind, _, _ in inputs]  # row 3
    allowed = narrowed + [PRIORITY if policy in ("P", "O") else None] * n_outputs
    tables = {"t": (policy, headings, "i" * count + "o" * n_outputs, allowed, rules)}
    if draw(st.booleans()):  # a downstream table that reads t's first output (qualified, or its plain name)
        heading = draw(st.sampled_from(["t.o0", "o0"]))
        tables["down"] = ("F", [heading, "y"], "io", None, [["d1", "null", '"none"'], ["d2", '"a", 1', "o0"],
                                                            ["d3", "-", "t.o0"]])
    definitions = [(name, kind, ALLOWED[kind] if restricted else None, "yes" if required else "no")
                   for name, kind, restricted, required in inputs]
    model = build_model("random.xlsx", sheets_for(inputs=definitions, tables=tables))
    return model, [(name, kind) for name, kind, _, _ in inputs]


@st.composite
def model_and_frame(draw: Any) -> tuple[Any, pd.DataFrame]:
    model, inputs = draw(models())
    n = draw(st.integers(0, 8))
    columns: dict[str, Any] = {}
    for name, kind in inputs:
        if kind in NATIVE and draw(st.booleans()):
            columns[name] = pd.Series(draw(st.lists(st.sampled_from(NATIVE[kind]), min_size=n, max_size=n)),
                                      dtype="float64")
        else:
            columns[name] = pd.Series(draw(st.lists(st.sampled_from(RAW[kind]), min_size=n, max_size=n)),
                                      dtype=object)
    optional = [name for name, _ in inputs if not model.inputs[name].required]
    for name in optional:
        if draw(st.integers(0, 5)) == 0:
            del columns[name]  # a missing optional column: all missing
    return model, pd.DataFrame(columns, index=pd.RangeIndex(n))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(model_and_frame(), st.booleans())
def test_evaluate_frame_agrees_with_evaluate_row_by_row(case, explain):
    model, frame = case
    assert_same_as_scalar(model, frame, explain=explain)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(model_and_frame(), st.booleans(), st.integers(1, 13))
def test_evaluate_frame_in_blocks_of_records_agrees_with_evaluate(case, explain, cells):
    """Issue 16, class 11: a table's match matrix is built a block of records at a time; with
    blocks of one to a few records, every policy, default and error lands on its own row."""
    model, frame = case
    with mock.patch.object(matching, "MATRIX_CELLS", cells):
        assert_same_as_scalar(model, frame, explain=explain)


NAMED = model_for(inputs=[("a", "number"), ("b", "number"), ("s", "string")], tables={
    "t": ("A", ["a", "s", "r"], "iio", None, [["r1", "< b", '"x"', '"lower"'], ["r2", ">= b", "-", '"higher"'],
                                              ["r3", "[b..3]", '"x", "y"', '"near"'], ["r4", "-", '"y"', "a + b"]]),
    "u": ("C", ["b", "n"], "io", None, [["u1", "> a", '"b above"'], ["u2", "-", "s"]])})


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["1", "2", "2.5", "3", "", "x"]), st.sampled_from(["1", "2", "", "3"]),
                          st.sampled_from(["x", "y", "z", ""])), max_size=12), st.integers(1, 9))
def test_cells_that_read_other_inputs_agree_with_evaluate_in_blocks_of_records(rows, cells):
    frame = pd.DataFrame(rows or None, columns=["a", "b", "s"], dtype=object)
    with mock.patch.object(matching, "MATRIX_CELLS", cells):
        assert_same_as_scalar(NAMED, frame)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="fork is POSIX only")
def test_a_forked_process_can_evaluate_after_its_parent_did(tmp_path):
    """The thread pools are made anew after fork: a pool copied from the parent believes it
    has threads that do not exist in the child, and work submitted to it never ran."""
    import multiprocessing

    model = load_workbook(ROOT / "decision_tables" / "her2_mbc_brain_mets.xlsx")
    patients = pd.read_csv(ROOT / "decision_tables" / "examples" / "her2_patients.csv", dtype=str,
                           keep_default_na=False)
    large = pd.concat([patients] * 1200, ignore_index=True)  # above the rows that use the pools
    expected = engine.evaluate_frame(model, large)
    context = multiprocessing.get_context("fork")
    results = context.Queue()
    child = context.Process(target=_evaluate_into, args=(model, large, str(tmp_path / "out.csv"), results))
    child.start()
    try:
        got = results.get(timeout=120)  # before join: a child cannot exit until its queue is read
    except queue.Empty:
        pytest.fail("the forked process hung evaluating a frame its parent had evaluated")
    finally:
        child.join(10)
        if child.is_alive():
            child.kill()
    assert got == (len(expected), _texts(expected["first_line_regimen.regimen"]))


def _evaluate_into(model, frame, out, results) -> None:
    from engine.files.results import write_results

    result = engine.evaluate_frame(model, frame)
    write_results(result, out, "csv")  # the CSV pieces' pool too
    results.put((len(result), _texts(result["first_line_regimen.regimen"])))


def _texts(column: pd.Series) -> list[str | None]:
    return [None if pd.isna(value) else str(value) for value in column]


RANGES = dict(  # issue 16 classes 2 and 5: dates of any year, numbers of any size
    inputs=[("d", "date", None, "no"), ("n", "integer", None, "no"), ("x", "number", None, "no")],
    tables={"t": ("U", ["d", "n", "x", "o", "same"], "iiioo", None, [
        ["r1", '< date("1677-09-21")', "< 0", "-", '"a"', "d"],
        ["r2", '[date("1677-09-21")..date("2262-04-11")]', ">= 0", "< 1e20", '"b"', "n"],
        ["r3", '> date("2262-04-11")', "-", "-", '"c"', "x"]])})
TEXT_OR_DATE = st.dates().flatmap(lambda d: st.sampled_from([d.isoformat(), d]))
WHOLE = st.one_of(st.integers(-(2**70), 2**70), st.integers(2**53 - 3, 2**53 + 3), st.integers(-(2**53) - 3, -(2**53) + 3))
NUMBER_TEXT = st.one_of(WHOLE.map(str), st.floats(allow_nan=False).map(repr), st.text("0123456789", min_size=300,
                                                                                      max_size=5000))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(TEXT_OR_DATE, NUMBER_TEXT, NUMBER_TEXT), min_size=1, max_size=6))
def test_dates_of_any_year_and_numbers_of_any_size_agree_with_evaluate(records):
    frame = pd.DataFrame(records, columns=["d", "n", "x"], dtype=object)
    assert_same_as_scalar(model_for(**RANGES), frame)
