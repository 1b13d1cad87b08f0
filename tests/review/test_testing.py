"""``dtrun test`` says why a case failed, refuses expectations no result can equal, and fails
a workbook without cases unless ``--allow-empty``."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import EXAMPLE_WORKBOOK, make_workbook, model_for, sheets_for

from engine._core.errors import WorkbookError
from engine.cli import main
from engine.formats.xlsx.build import build_model
from engine.review.testing import run_tests

INPUTS = [("age", "number", "[0..120]", "yes"), ("hr", "string", '"positive","negative"', "no")]
TABLES = {
    "band": ("U", ["age", "band"], "io", [None, '"child","adult","senior"'],
             [["B1", "< 18", '"child"'], ["B2", "[16..65]", '"adult"'], ["B3", "> 70", '"senior"']]),
    "plan": ("U", ["band", "hr", "plan"], "iio", None,
             [["P1", '"child"', "-", '"paediatric"'], ["P2", '"adult"', '"positive"', '"endocrine"'],
              ["P3", '"adult"', '"negative"', '"chemo"']]),
}
HEAD = [["case", "age", "hr", "band.band", "plan.plan"], [None, "input", "input", "expected", "expected"]]


def failures(*cases):
    report = run_tests(model_for(inputs=INPUTS, tables=TABLES, tests=[*HEAD, *cases]))
    return [(f.case.id, f.column, f.reason) for f in report.failures]


def test_no_rule_matched_names_the_nearest_rule_giving_the_expected_value():
    assert failures(["T1", 68, "positive", "senior", None]) == [
        ("T1", "band.band", "no rule matched; nearest B3, whose age cell `> 70` at band!B6 fails on 68")]


def test_several_rules_matched_under_u():
    assert failures(["T1", 17, "positive", "adult", None]) == [
        ("T1", "band.band", "rules B1 and B2 both match under hit policy U")]


def test_an_invalid_input_value():
    assert failures(["T1", "old", "positive", "adult", None]) == [
        ("T1", "band.band", 'not evaluated: invalid input age: "old" is not a number')]


def test_an_upstream_table_without_a_result():
    assert failures(["T1", 17, "positive", None, "endocrine"]) == [
        ("T1", "plan.plan", "not evaluated: band gave no result (rules B1 and B2 both match under hit policy U)")]
    assert failures(["T1", 68, "positive", None, "endocrine"]) == [
        ("T1", "plan.plan", "no rule matched; nearest P2, whose band cell `\"adult\"` at plan!B5 fails on null, as "
                            "band gave no result (no rule matched; nearest B1, whose age cell `< 18` at band!B4 "
                            "fails on 68)")]


def test_a_wrong_result_names_the_rule_that_gave_it():
    assert failures(["T1", 40, "negative", None, "endocrine"]) == [("T1", "plan.plan", "rule P3 matched")]


def test_the_her2_example_with_tl6_edited_says_why(tmp_path: Path):
    import openpyxl

    copy = tmp_path / "her2.xlsx"
    shutil.copy(EXAMPLE_WORKBOOK, copy)
    book = openpyxl.load_workbook(copy)
    sheet = book["treatment_line"]
    assert sheet["A9"].value == "TL6"
    (letter,) = [c.column_letter for c in sheet[1] if c.value == "months_since_adjuvant_her2"]  # D in 1.0, E in 2.0
    sheet[f"{letter}9"] = "(6..12]"
    book.save(copy)
    result = CliRunner().invoke(main, ["test", str(copy)])
    assert result.exit_code == 1, result.output
    assert (': treatment_line.line expected "consider_second_line", got null: no rule matched; nearest TL6, whose '
            f"months_since_adjuvant_her2 cell `(6..12]` at treatment_line!{letter}9 fails on 6\n") in result.stdout


def test_an_expected_value_outside_the_allowed_values_is_value_not_allowed_at_its_cell():
    sheets = sheets_for(inputs=INPUTS, tables=TABLES, tests=[*HEAD, ["T1", 40, "positive", "adlut", "endocrine"]])
    with pytest.raises(WorkbookError) as caught:
        build_model("w.xlsx", sheets)
    (problem,) = caught.value.problems
    assert (problem.code, problem.sheet, problem.cell) == ("value-not-allowed", "Tests", "D3")
    assert problem.message == ('expected "adlut" is not among the allowed values of band.band '
                               '("child","adult","senior"), so no result can equal it')
    assert problem.hint == 'did you mean "adult"?'


def test_null_and_outputs_without_allowed_values_are_not_checked():
    model_for(inputs=INPUTS, tables=TABLES, tests=[*HEAD, ["T1", 40, "positive", "null", "anything"]])


def test_an_expected_rule_id_a_table_does_not_have_is_refused():
    head = [["case", "age", "band.rules"], [None, "input", "expected"]]
    with pytest.raises(WorkbookError) as caught:
        build_model("w.xlsx", sheets_for(inputs=INPUTS, tables=TABLES, tests=[*head, ["T1", 40, "B2, B9"]]))
    (problem,) = caught.value.problems
    assert (problem.code, problem.cell) == ("workbook", "C3")
    assert "rule B9 of table band" in problem.message


def test_rule_ids_are_compared_as_texts():
    tables = {"t": ("F", ["age", "o"], "io", None, [["1.10", "-", "1"]])}
    head = [["case", "age", "t.rules"], [None, "input", "expected"]]
    report = run_tests(model_for(inputs=INPUTS, tables=tables, tests=[*head, ["T1", 40, "1.10"]]))
    assert report.passed == 1 and not report.failures


def test_cli_exit_statuses_for_a_bad_expectation_and_for_no_cases(tmp_path: Path):
    bad = make_workbook(tmp_path, "bad.xlsx", inputs=INPUTS, tables=TABLES,
                        tests=[*HEAD, ["T1", 40, "positive", "adlut", "endocrine"]])
    result = CliRunner().invoke(main, ["test", str(bad)])
    assert result.exit_code == 3
    assert f"{bad}:Tests!D3: error[value-not-allowed]: expected \"adlut\"" in result.stderr
    empty = make_workbook(tmp_path, "empty.xlsx", inputs=INPUTS, tables=TABLES)
    result = CliRunner().invoke(main, ["test", str(empty)])
    assert result.exit_code == 1
    assert "error: no test cases" in result.stdout and "--allow-empty" in result.stdout
    allowed = CliRunner().invoke(main, ["test", str(empty), "--allow-empty"])
    assert allowed.exit_code == 0
    assert "error" not in allowed.stdout
