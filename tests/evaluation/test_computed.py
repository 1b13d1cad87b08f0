"""Computed inputs (an ``Expression`` column on the Inputs sheet, FEEL over other inputs):
hand-checked values per record, problems at their cells (syntax, unknown names, ``today()``,
cycles), results that do not fit the Type as per-row errors with the record kept, the file's
column of a computed input ignored with a warning, ``dtrun evaluate`` on a CSV file, and the
vectorized path against the reference row by row (hypothesis)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from click.testing import CliRunner
from helpers import make_workbook, model_for
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import engine
from engine._core.errors import WorkbookError
from engine.cli import main
from engine.evaluation.frame import check_frame, evaluate_frame
from engine.evaluation.record import format_cell

HEADER = ["Name", "Type", "Allowed values", "Required", "Unit", "Code", "Description", "Expression"]


def inputs(*rows: tuple[Any, ...]) -> list[list[Any]]:
    """An Inputs sheet with the Expression column: rows of (name, type[, expression[, allowed, required]])."""
    sheet = [list(HEADER)]
    for name, kind, *rest in rows:
        expression, allowed, required = (list(rest) + [None, None, None])[:3]
        sheet.append([name, kind, allowed, required, None, None, None, expression])
    return sheet


def model(rows: list[list[Any]], tables: dict[str, Any]) -> Any:
    return model_for(inputs=(), tables=tables, extra={"Inputs": rows})


BMI = model(inputs(("weight_kg", "number"), ("height_m", "number"), ("bmi", "number", "weight_kg / (height_m ** 2)")),
            {"band": ("U", ["bmi", "band"], "io", None, [["B1", ">= 30", '"obese"'], ["B2", "[18.5..30)", '"normal"'],
                                                         ["B3", "< 18.5", '"under"']])})


def test_bmi_is_computed_before_the_table_reads_it():
    assert BMI.inputs["bmi"].expression.names == ("height_m", "weight_kg")
    assert BMI.inputs["bmi"].expression_cell == "H4"
    # 95 / 1.7² = 32.87..., 60 / 1.7² = 20.76..., 50 / 1.7² = 17.30...
    assert [engine.evaluate(BMI, {"weight_kg": w, "height_m": 1.7})["band.band"] for w in (95, 60, 50)] == [
        "obese", "normal", "under"]


def test_an_unusable_input_leaves_the_computed_one_unusable_and_says_why_once():
    result = engine.evaluate(BMI, {"weight_kg": "heavy", "height_m": 1.7})
    assert result.errors == ('weight_kg: "heavy" is not a number',
                             "band: not evaluated because bmi has no usable value")


MONTHS = model(inputs(("adjuvant_end", "date"), ("diagnosis", "date"),
                      ("months", "number", "(diagnosis - adjuvant_end).days / 30.4375"),
                      ("whole_months", "integer", "floor(months)")),
               {"interval": ("U", ["whole_months", "late"], "io", None, [["R1", ">= 12", "true"],
                                                                         ["R2", "< 12", "false"]])})


def test_months_between_two_dates_and_a_computed_input_read_by_another():
    # 2021-11-30 to 2023-02-14: 441 days, 441 / 30.4375 = 14.488... months, 14 whole
    result, trace = engine.evaluation.record.run_record(
        MONTHS, {"adjuvant_end": "2021-11-30", "diagnosis": "2023-02-14"})
    assert trace.context["months"] == pytest.approx(441 / 30.4375)
    assert isinstance(trace.context["months"], float)
    assert trace.context["whole_months"] == 14 and isinstance(trace.context["whole_months"], int)
    assert result["interval.late"] is True


def test_a_value_that_does_not_fit_the_type_is_an_error_of_its_record_only():
    typed = model(inputs(("a", "number"), ("half", "integer", "a / 2"), ("label", "number", 'string(a)')),
                  {"t": ("U", ["half", "o"], "io", None, [["R1", "-", '"ok"']]),
                   "u": ("U", ["a", "p"], "io", None, [["P1", "-", '"seen"']])})
    frame = pd.DataFrame({"a": [4, 5]})
    result = evaluate_frame(typed, frame)
    assert list(result["t.o"].astype(object).where(result["t.o"].notna(), None)) == ["ok", None]
    assert list(result["u.p"]) == ["seen", "seen"]  # the record is kept: other tables are evaluated
    assert "half: its expression a / 2 gives 2.5, which is not a whole number; the Type is integer" in \
        result["_errors"][1]
    assert 'label: its expression string(a) gives "4", which is not a number; the Type is number' in \
        result["_errors"][0]
    assert [format_cell(v) for v in result["_errors"]] == [
        format_cell(engine.evaluate(typed, {"a": a}).row()["_errors"]) for a in (4, 5)]


def test_a_date_of_a_year_a_date_input_cannot_hold_is_an_error_of_its_record():
    # FEEL computes dates of any year (2023 - 3000 = -977); a date input holds years 1 to 9999
    early = model(inputs(("diagnosis", "date"), ("early", "date", 'diagnosis - duration("P3000Y")')),
                  {"t": ("U", ["early", "o"], "io", None, [["R1", "-", '"ok"']])})
    assert engine.evaluate(early, {"diagnosis": "2023-02-14"}).errors[0] == (
        'early: its expression diagnosis - duration("P3000Y") gives -0977-02-14, a date of the year -977, which a '
        "date input cannot hold (years 1 to 9999); the Type is date")
    assert engine.evaluate(early, {"diagnosis": "5023-02-14"})["t.o"] == "ok"


def test_allowed_values_and_required_hold_for_a_computed_value():
    checked = model(inputs(("a", "number"), ("b", "number", "a * 2", "[0..10]", "yes")),
                    {"t": ("U", ["b", "o"], "io", None, [["R1", "-", '"ok"']])})
    assert engine.evaluate(checked, {"a": 3})["t.o"] == "ok"
    assert engine.evaluate(checked, {"a": 6}).errors[0] == "b: 12 is not an allowed value (allowed: [0..10])"
    assert engine.evaluate(checked, {"a": None}).errors[0] == "b: a value is required"


@pytest.mark.parametrize(("expression", "cell", "message", "hint"), [
    ("weight_kg / (height_m **", "H4", "cannot read", "expected"),
    ("wieght_kg / height_m", "H4", "wieght_kg is not a known input", "did you mean weight_kg?"),
    ("(today() - weight_kg)", "H4", "today() gives a different value each time", "pass the date as an input"),
])
def test_an_expression_that_cannot_be_used_is_refused_at_its_cell(expression, cell, message, hint):
    with pytest.raises(WorkbookError) as caught:
        model(inputs(("weight_kg", "number"), ("height_m", "number"), ("bmi", "number", expression)),
              {"t": ("U", ["bmi", "o"], "io", None, [["R1", "-", '"ok"']])})
    [problem] = caught.value.problems
    assert (problem.sheet, problem.cell) == ("Inputs", cell)
    assert message in problem.message and hint in problem.hint


def test_a_parse_error_says_where_in_the_expression():
    with pytest.raises(WorkbookError) as caught:
        model(inputs(("a", "number"), ("b", "number", "a + * 2")), {"t": ("U", ["b", "o"], "io", None, [["R1", "-", "1"]])})
    assert "at character 5" in caught.value.problems[0].message


def test_computed_inputs_that_read_each_other_are_refused_with_the_cycle_named():
    with pytest.raises(WorkbookError) as caught:
        model(inputs(("a", "number", "c + 1"), ("b", "number"), ("c", "number", "a * b")),
              {"t": ("U", ["a", "o"], "io", None, [["R1", "-", "1"]])})
    [problem] = caught.value.problems
    assert problem.message == "computed inputs read each other in a cycle: a → c → a"
    assert (problem.sheet, problem.cell) == ("Inputs", "H2")


def test_the_file_column_of_a_computed_input_is_ignored_with_a_warning():
    warnings = check_frame(BMI, ["weight_kg", "height_m", "bmi"], list(BMI.tables), False)
    assert warnings == ["input bmi is computed by its expression weight_kg / (height_m ** 2); the file's column bmi "
                        "is ignored (the computed value is used)"]
    assert check_frame(BMI, ["weight_kg", "height_m"], list(BMI.tables), False) == []
    result = evaluate_frame(BMI, pd.DataFrame({"weight_kg": [95], "height_m": [1.7], "bmi": [10]}))
    assert result["band.band"][0] == "obese"
    assert engine.evaluate(BMI, {"weight_kg": 95, "height_m": 1.7, "bmi": 10})["band.band"] == "obese"


def test_dtrun_evaluate_on_a_csv_file(tmp_path: Path):
    workbook = make_workbook(tmp_path, sheets={"Inputs": inputs(("weight_kg", "number"), ("height_m", "number"),
                                                                ("bmi", "number", "weight_kg / (height_m ** 2)")),
                                               "band": [["U", "bmi", "band"], [None, "input", "output"], [None],
                                                        ["B1", ">= 30", '"obese"'], ["B2", "< 30", '"not obese"']]})
    patients = tmp_path / "patients.csv"
    patients.write_text("id,weight_kg,height_m\np1,95,1.7\np2,60,1.7\np3,,1.7\n")
    out = tmp_path / "out.csv"
    result = CliRunner().invoke(main, ["evaluate", str(workbook), str(patients), "-o", str(out)])
    assert result.exit_code in (0, 1), result.output
    written = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert list(written["band.band"]) == ["obese", "not obese", ""]


# ---------------------------------------------------------------------- the two paths agree
RANDOM = model(
    inputs(("a", "number"), ("b", "integer"), ("d", "date"), ("s", "string"),
           ("ratio", "number", "a / b"), ("whole", "integer", "b * 2 + floor(a)"),
           ("later", "date", "d + duration(\"P\" + string(b) + \"D\")"), ("word", "string", "s + \"!\""),
           ("flag", "boolean", "a > b", None, None), ("both", "number", "ratio + whole", "[-100..100]"),
           ("pair", "list of number", "[a, b]")),
    {"t": ("C", ["ratio", "whole", "later", "word", "flag", "both", "o"], "iiiiiio", None, [
        ["R1", "> 1", "-", "-", "-", "-", "-", '"ratio"'], ["R2", "-", "< 5", "-", "-", "-", "-", '"whole"'],
        ["R3", "-", "-", '> date("2024-01-10")', "-", "-", "-", '"later"'],
        ["R4", "-", "-", "-", '"x!"', "true", "not(null)", '"word"']]),
     "u": ("C", ["pair", "o"], "io", None, [["P1", "> 2", '"big"'], ["P2", "null", '"none"']])})
VALUES = {"a": ["1", "2.5", "", "x", "-3", "0"], "b": ["1", "2", "0", "", "3.5", "4"],
          "d": ["2024-01-05", "2024-01-09", "", "soon"], "s": ["x", "y", ""]}


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.fixed_dictionaries({k: st.sampled_from(v) for k, v in VALUES.items()}), max_size=15))
def test_the_vectorized_path_agrees_with_the_reference_row_by_row(records):
    frame = pd.DataFrame(records, columns=list(VALUES), dtype=object)
    result = evaluate_frame(RANDOM, frame)
    for i, record in enumerate(records):
        want = {k: format_cell(v) for k, v in engine.evaluate(RANDOM, record).row().items()}
        got = {k: format_cell(result[k].iloc[i]) for k in want}
        assert got == want, record


def test_dates_round_trip_through_the_columns():
    # ratio 2.5 > 1, whole 1 * 2 + floor(2.5) = 4 < 5, later 2024-01-11, word "x!", flag true, both 6.5
    result = evaluate_frame(RANDOM, pd.DataFrame({"a": ["2.5"], "b": ["1"], "d": [dt.date(2024, 1, 10)], "s": ["x"]}))
    assert result["t.o"][0] == ["ratio", "whole", "later", "word"]
    assert result["u.o"][0] == ["big"]  # [2.5, 1] holds a number above 2


# ---------------------------------------------------------------------- lint, show, explain
GAPPED = model(inputs(("weight_kg", "number", None, "[1..400]", "yes"), ("height_m", "number", None, "[0.3..2.5]", "yes"),
                      ("bmi", "number", "weight_kg / (height_m ** 2)", "[0..200]")),
               {"band": ("U", ["bmi", "band"], "io", None, [["B1", ">= 30", '"obese"'], ["B2", "< 18.5", '"under"']])})


def test_lint_treats_a_computed_input_as_an_input_of_its_own():
    from engine.analysis.lint import lint

    findings = lint(GAPPED)
    assert [f.code for f in findings] == ["gap"]  # weight_kg and height_m are used: bmi reads them
    assert "bmi [18.5..30)" in findings[0].message


def test_show_has_the_expression_column_and_explain_the_computed_value():
    from engine.evaluation.explain import explain_record
    from engine.review.explanation import text
    from engine.review.view import inputs_section

    section = inputs_section(GAPPED)
    assert [c.text for c in section.header[0]][-1] == "Expression"
    assert [c.text for c in section.rows[2]][-1] == "weight_kg / (height_m ** 2)"
    assert [c.text for c in inputs_section(BMI.__class__(**{**BMI.__dict__, "inputs": {
        "weight_kg": BMI.inputs["weight_kg"]}})).header[0]][-1] == "Description"  # no computed input, no column
    from engine.serve.form import fields

    assert [f.name for f in fields(GAPPED)] == ["weight_kg", "height_m"]  # no field for a computed input
    shown = text(GAPPED, explain_record(GAPPED, {"weight_kg": 95, "height_m": 1.7}))
    assert "bmi = 32.8719723183391 (computed: weight_kg / (height_m ** 2))" in shown.splitlines()[0]


def test_a_parse_error_in_an_expression_of_several_lines_gives_line_and_column():
    with pytest.raises(WorkbookError) as caught:
        model(inputs(("a", "number"), ("b", "number", "if a > 1\nthen a + * 2\nelse 2")),
              {"t": ("U", ["b", "o"], "io", None, [["R1", "-", "1"]])})
    assert "(line 2, column 10)" in caught.value.problems[0].message


def test_the_example_of_the_workbook_format_document_computes_as_it_says():
    """docs/workbook-format.md's table of computed inputs, read from the document itself."""
    from helpers import ROOT

    text = (ROOT / "docs" / "workbook-format.md").read_text(encoding="utf-8")
    chunks = text.split("### Computed inputs (the `Expression` column)")[1].split("\n\n")
    section = next(c for c in chunks if c.startswith("| Name"))
    rows = [[c.strip().strip("`") for c in line.strip("|").split("|")] for line in section.splitlines()[2:]]
    sheet = inputs(*[(name, kind, expression or None, allowed or None) for name, kind, allowed, _, expression in rows])
    documented = model(sheet, {"t": ("F", ["early_relapse", "bmi", "o"], "iio", None, [
        ["R1", "true", ">= 30", '"early, obese"'], ["R2", "-", "-", '"other"']])})
    # 95 kg, 1.70 m: bmi 32.9; 2023-01-01 to 2023-10-01: 273 days, 8.97 months, early
    result, trace = engine.evaluation.record.run_record(documented, {
        "weight_kg": 95, "height_m": 1.7, "adjuvant_end": "2023-01-01", "diagnosis": "2023-10-01"})
    assert trace.context["months_to_relapse"] == pytest.approx(273 / 30.4375)
    assert result["t.o"] == "early, obese"


SIGNS = model(inputs(("signs", "list of string", None, '"Fever","Cough","Rash"'), ("n", "integer", "count(signs)"),
                     ("danger", "boolean", 'some s in signs satisfies s in ("Fever", "Rash")')),
              {"t": ("U", ["n", "danger", "o"], "iio", None, [["R1", ">= 2", "-", '"many"'],
                                                             ["R2", "< 2", "true", '"few, danger"'],
                                                             ["R3", "< 2", "false", '"few"']])})


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(['["Fever", "Cough"]', "Cough", "", "Rahs", "[]", "Rash", "Fever; Rash; Cough"]),
                max_size=12))
def test_computed_inputs_over_a_list_input_agree_with_the_reference(cells):
    frame = pd.DataFrame({"signs": cells}, dtype=object)
    result = evaluate_frame(SIGNS, frame)
    for i, cell in enumerate(cells):
        want = {k: format_cell(v) for k, v in engine.evaluate(SIGNS, {"signs": cell}).row().items()}
        assert {k: format_cell(result[k].iloc[i]) for k in want} == want, cell


def test_explain_refuses_a_value_given_for_a_computed_input():
    from engine._core.errors import InputDataError
    from engine.review.explanation import record_from

    assert record_from(GAPPED, ["weight_kg=95", "height_m=1.7"]) == {"weight_kg": "95", "height_m": "1.7"}
    with pytest.raises(InputDataError, match=r"bmi is a computed input .*give the inputs it reads instead: "
                                             r"height_m, weight_kg"):
        record_from(GAPPED, ["weight_kg=95", "bmi=3"])


def test_a_tests_sheet_may_not_give_a_computed_input_a_value():
    tests = [["id", "weight_kg", "height_m", "bmi", "band.band"], [None, "input", "input", "input", "expected"],
             ["T1", 95, 1.7, 3, '"obese"']]
    with pytest.raises(WorkbookError) as caught:
        model_for(inputs=(), tables={"band": BMI_TABLE}, tests=tests,
                  extra={"Inputs": inputs(("weight_kg", "number"), ("height_m", "number"),
                                          ("bmi", "number", "weight_kg / (height_m ** 2)"))})
    [problem] = caught.value.problems
    assert (problem.sheet, problem.cell) == ("Tests", "D1")
    assert "computed input" in problem.message and problem.hint == "give the inputs it reads instead: height_m, weight_kg"


BMI_TABLE = ("U", ["bmi", "band"], "io", None, [["B1", ">= 30", '"obese"'], ["B2", "< 30", '"not"']])


def test_a_number_beyond_feel_is_a_problem_at_its_cell_not_a_crash():
    with pytest.raises(WorkbookError) as caught:
        model(inputs(("a", "number"), ("b", "number", "a * 1e70009999999999999999999999999999999999999999")),
              {"t": ("U", ["b", "o"], "io", None, [["R1", "-", "1"]])})
    assert (caught.value.problems[0].cell, caught.value.problems[0].code) == ("H3", "syntax")
