"""``dtrun explain`` and ``dtrun evaluate --explain`` through click's CliRunner: one patient
per table with its values, matching rules and their annotations, the nearest rules where none
matched; ``--set`` values read as a patient file's cells are (the same conversions and
errors); the JSON keys that docs/review.md documents."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import make_workbook

from engine.cli import main
from engine.evaluation.record import evaluate_record
from engine.formats import load

INPUTS = [("age", "integer", "[0..120]", "yes"), ("hr", "string", '"positive","negative"', "no"),
          ("months", "number", None, "no"), ("seen", "date", None, "no")]
TABLES = {
    "band": ("U", ["age", "band", "Reference", "Guidance"], "ioaa", None, [
        ["B1", "< 65", '"adult"', "Guide 1.1", "Usual dose"], ["B2", ">= 65", '"senior"', "Guide 1.2", "Check frailty"]]),
    "plan": ("U", ["band", "hr", "months", "plan"], "iiio", None, [
        ["P1", '"adult"', '"positive"', "< 6", '"endocrine"'], ["P2", '"adult"', '"positive"', "(6..12]", '"second"'],
        ["P3", '"senior"', "-", "-", '"geriatric"']]),
}


@pytest.fixture
def workbook(tmp_path: Path) -> Path:
    return make_workbook(tmp_path, "guide.xlsx", inputs=INPUTS, tables=TABLES)


def explain(*args: object) -> object:
    return CliRunner().invoke(main, ["explain", *map(str, args)])


def test_a_matching_patient_shows_values_rules_and_their_reference_and_guidance(workbook):
    result = explain(workbook, "--set", "age=70", "--set", "hr=negative")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[2:] == [
        "Table band (hit policy U)", "  inputs: age = 70", "  matched: rule B2", "    Reference: Guide 1.2",
        "    Guidance: Check frailty", '  result: band.band = "senior"', "",
        "Table plan (hit policy U)", '  inputs: band = "senior", hr = "negative", months = null',
        "  matched: rule P3", '  result: plan.plan = "geriatric"']


def test_a_table_where_no_rule_matched_lists_the_nearest_rules_and_the_failing_cells(workbook):
    result = explain(workbook, "--set", "age=40", "--set", "hr=positive", "--set", "months=6")
    assert result.exit_code == 0, result.output
    text = result.stdout
    assert ("  no rule matched; nearest:\n"
            "    P1, whose months cell `< 6` at plan!D4 fails on 6\n"
            "    P2, whose months cell `(6..12]` at plan!D5 fails on 6\n"
            '    P3, whose band cell `"senior"` at plan!B6 fails on "adult"\n') in text


def test_json_has_the_documented_keys(workbook):
    result = explain(workbook, "--record", '{"age": 40, "hr": "positive", "months": 6}', "--format", "json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert list(document) == ["workbook", "inputs", "errors", "warnings", "tables"]
    plan = document["tables"][1]
    assert list(plan) == ["table", "hit_policy", "status", "why", "inputs", "matched", "nearest",
                          "not_evaluated_because", "outputs", "errors", "warnings"]
    assert plan["status"] == "no-match"
    assert plan["nearest"][0] == {"rule": "P1", "failed": [
        {"input": "months", "cell": "plan!D4", "text": "< 6", "value": 6}]}
    band = document["tables"][0]
    assert band["matched"] == [{"rule": "B1", "fired": True,
                                "annotations": {"Reference": "Guide 1.1", "Guidance": "Usual dose"}}]
    assert document["inputs"] == {"age": 40, "hr": "positive", "months": 6, "seen": None}


@pytest.mark.parametrize("cell", ["40", " 40 ", "4e1", "40.5", "abc", "", "1,5", "200", "-1"])
def test_set_converts_a_value_as_a_patient_files_cell(workbook, tmp_path, cell):
    """The oracle: the same text in a CSV file, through dtrun evaluate."""
    patients = tmp_path / "p.csv"
    patients.write_text(f'age,hr\n"{cell}",positive\n', encoding="utf-8")
    evaluated = CliRunner().invoke(main, ["evaluate", str(workbook), str(patients)])
    row = next(csv.DictReader(io.StringIO(evaluated.stdout)))
    result = explain(workbook, "--set", f"age={cell}", "--set", "hr=positive", "--format", "json")
    document = json.loads(result.stdout)
    assert "; ".join(document["errors"]) == row["_errors"]
    assert (document["tables"][0]["outputs"]["band.band"] or "") == row["band.band"]


def test_a_date_from_set_and_from_record(workbook):
    for args in (["--set", "seen=2024-02-29"], ["--record", '{"seen": "2024-02-29"}']):
        document = json.loads(explain(workbook, "--set", "age=3", *args, "--format", "json").stdout)
        assert document["inputs"]["seen"] == "2024-02-29"
    bad = json.loads(explain(workbook, "--set", "age=3", "--set", "seen=2024-02-30", "--format", "json").stdout)
    assert bad["errors"] == ['seen: "2024-02-30" is not a valid date']


def test_set_replaces_a_value_of_record(workbook):
    document = json.loads(explain(workbook, "--record", '{"age": 70}', "--set", "age=40", "--format", "json").stdout)
    assert document["inputs"]["age"] == 40


def test_the_explanation_agrees_with_evaluation(workbook):
    model = load(workbook)
    document = json.loads(explain(workbook, "--set", "age=70", "--set", "hr=negative", "--format", "json").stdout)
    reference = evaluate_record(model, {"age": "70", "hr": "negative"})
    assert {k: v for t in document["tables"] for k, v in t["outputs"].items()} == reference.outputs


@pytest.mark.parametrize(("args", "message"), [
    (["--set", "agee=3"], "error: agee names no input of"),
    (["--set", "age"], "error: --set 'age' is not name=value; write e.g. --set age=40"),
    (["--record", "[1]"], "error: --record must be a JSON object"),
    (["--record", "{"], "error: --record is not JSON"),
    (["--decision", "nope"], "error: --decision nope names no table of"),
])
def test_usage_errors_exit_2(workbook, args, message):
    result = explain(workbook, *args)
    assert result.exit_code == 2
    assert message in result.stderr


def test_decision_explains_only_that_table_and_its_upstream(workbook):
    result = explain(workbook, "--set", "age=40", "--decision", "band")
    assert "Table plan" not in result.stdout and "Table band" in result.stdout


def test_a_workbook_that_cannot_be_used_exits_3(tmp_path):
    broken = make_workbook(tmp_path, "b.xlsx", inputs=INPUTS, tables={"band": (
        "U", ["age", "band"], "io", None, [["B1", "< 3 3", '"x"']])})
    result = explain(broken, "--set", "age=4")
    assert result.exit_code == 3
    assert "error[syntax]" in result.stderr


def test_evaluate_explain_adds_guidance_beside_reference(workbook, tmp_path):
    patients = tmp_path / "p.csv"
    patients.write_text("age,hr\n40,positive\n70,negative\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["evaluate", str(workbook), str(patients), "--explain"])
    out = list(csv.DictReader(io.StringIO(result.stdout)))
    columns = list(out[0])
    assert columns.index("band.guidance") == columns.index("band.reference") + 1
    assert [r["band.guidance"] for r in out] == ["Usual dose", "Check frailty"]
    assert [r["band.reference"] for r in out] == ["Guide 1.1", "Guide 1.2"]
    assert "plan.guidance" in columns
    plain = CliRunner().invoke(main, ["evaluate", str(workbook), str(patients)])
    assert "band.guidance" not in plain.stdout
