"""A DAK's hit policy (none stated: evaluated with C, linted with the checks of U as warnings),
``--hit-policy`` on every kind of file, and ``convert`` of a DAK to a dtrun workbook and to DMN:
the files written lint and evaluate as the DAK does."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import EXAMPLE_WORKBOOK
from helpers.dak import block, write_dak

from engine.analysis.lint import lint_workbook
from engine.evaluation.record import evaluate_record
from engine.formats import convert, load, read

SHEET = "ANC.DT.17 Blood pressure"
RULES = [
    ['"Systolic blood pressure" ≥ 140 mmHg', None, "Hypertension", "Refer", "note", "ref"],
    ['90 mmHg ≤ "Diastolic blood pressure" < 110 mmHg', None, "Hypertension", "Refer", None, "ref"],
    ['"Diastolic blood pressure" ≥ 110 mmHg', '"Symptoms" = "Headache" OR "Vision"', "Severe", "Refer now", None, None],
    ['"Systolic blood pressure" < 140 mmHg', '"Diastolic blood pressure" < 90 mmHg', "Normal", "Proceed", None, None],
]
RECORDS = [
    {"Systolic_blood_pressure": 150, "Diastolic_blood_pressure": 95, "Symptoms": "None"},
    {"Systolic_blood_pressure": 120, "Diastolic_blood_pressure": 80, "Symptoms": "None"},
    {"Systolic_blood_pressure": 160, "Diastolic_blood_pressure": 115, "Symptoms": "Vision"},
    {"Systolic_blood_pressure": 130, "Diastolic_blood_pressure": 112, "Symptoms": "None"},  # no rule matches
]
# by hand: R6 (systolic ≥ 140), R7 (diastolic in [90, 110)), R8 (diastolic ≥ 110 and a symptom), R9 (both low)
EXPECTED = [["Hypertension", "Hypertension"], ["Normal"], ["Hypertension", "Severe"], []]


@pytest.fixture()
def dak(tmp_path: Path) -> Path:
    rows = [[None], *block("ANC.DT.17 Hypertension", ["Input(s)", None, "Output", "Action", "Annotations",
                                                      "Reference(s)"], RULES)]
    return write_dak(tmp_path / "dak.xlsx", {"COVER": [["Digital adaptation kit for a test of conversion"]],
                                              SHEET: rows})


def _outputs(model, record):  # type: ignore[no-untyped-def]
    table = model.tables[0]
    return evaluate_record(model, record).outputs[f"{table.name}.{table.outputs[0].name}"]


def test_a_dak_is_evaluated_with_c(dak: Path) -> None:
    model = load(dak)
    assert model.tables[0].hit_policy.code == "C"
    assert [_outputs(model, r) for r in RECORDS] == EXPECTED


def test_lint_checks_u_as_warnings_and_hit_policy_u_makes_them_errors(dak: Path) -> None:
    found = {(f.code, f.severity, f.rules) for f in lint_workbook(dak) if f.code in ("overlap", "conflict", "gap")}
    assert ("conflict", "warning", ("R6", "R8")) in found  # different outputs: a reviewer must see it
    assert ("overlap", "warning", ("R6", "R7")) in found  # the same outputs
    assert any(code == "gap" and severity == "warning" for code, severity, _ in found)
    strict = {(f.code, f.severity, f.rules) for f in lint_workbook(dak, hit_policy="U")
              if f.code in ("overlap", "conflict", "gap")}
    assert ("overlap", "error", ("R6", "R8")) in strict and ("overlap", "error", ("R6", "R7")) in strict
    assert {f.code for f in lint_workbook(dak, hit_policy="C")} & {"overlap", "conflict", "gap"} == set()


def test_hit_policy_overrides_every_kind_of_file(dak: Path) -> None:
    assert {t.hit_policy.code for t in read(EXAMPLE_WORKBOOK, hit_policy="C").tables} == {"C"}
    assert {t.hit_policy.code for t in read(dak, hit_policy="F").tables} == {"F"}
    assert _outputs(load(dak, hit_policy="F"), RECORDS[2]) == "Hypertension"  # F: the first rule that matches


@pytest.mark.parametrize("suffix", [".xlsx", ".dmn"])
def test_the_converted_file_evaluates_and_lints_as_the_dak(dak: Path, tmp_path: Path, suffix: str) -> None:
    target = tmp_path / f"converted{suffix}"
    convert(dak, target)
    again = load(target)
    assert [_outputs(again, r) for r in RECORDS] == EXPECTED
    ours = {(f.code.replace("conflict", "overlap"), f.rules) for f in lint_workbook(dak)
            if f.code in ("overlap", "conflict")}
    theirs = {(f.code, f.rules) for f in lint_workbook(target, hit_policy="U") if f.code == "overlap"}
    if suffix == ".xlsx":  # a DMN model names rules by number
        assert ours == theirs
    else:
        assert len(ours) == len(theirs)


def test_the_converted_workbook_keeps_the_daks_names(dak: Path, tmp_path: Path) -> None:
    import openpyxl

    convert(dak, tmp_path / "converted.xlsx")
    book = openpyxl.load_workbook(tmp_path / "converted.xlsx")
    assert book.sheetnames == ["About", "Inputs", "ANC_DT_17", "_dmn"]
    assert book["ANC_DT_17"]["A1"].value == "C" and book["ANC_DT_17"]["A4"].value == "R6"
    assert book["About"]["B1"].value.startswith("Digital adaptation kit")
    names = {row[1]: row[2] for row in book["_dmn"].iter_rows(min_row=2, values_only=True)}
    assert names["ANC_DT_17"] == "ANC.DT.17" and names["Systolic_blood_pressure"] == "Systolic blood pressure"
    convert(dak, tmp_path / "converted.dmn")
    text = (tmp_path / "converted.dmn").read_text(encoding="utf-8")
    assert 'name="ANC.DT.17"' in text and 'name="Systolic blood pressure"' in text and 'hitPolicy="COLLECT"' in text
