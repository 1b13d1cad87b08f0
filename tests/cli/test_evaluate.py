"""``dtrun evaluate`` through click's CliRunner: formats, options, exit statuses, messages,
atomic output, the summary line, and the example workbook with its patient file."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from helpers import Unwritable, make_workbook

import engine
from engine.cli import main
from engine.evaluation.record import format_cell
from engine.formats.xlsx.build import load_workbook

INPUTS = [("age", "integer", "[0..120]", "yes"), ("hr", "string", '"positive","negative"', "no"),
          ("weight", "number", None, "no")]
TABLES = {
    "band": ("U", ["age", "band", "Reference"], "ioa", None, [
        ["B1", "< 65", '"adult"', "Guide 1.1"], ["B2", ">= 65", '"senior"', "Guide 1.2"]]),
    "dose": ("U", ["band", "weight", "mg"], "iio", None, [["D1", '"adult"', "-", "8 * weight"],
                                                          ["D2", '"senior"', "-", "6 * weight"]]),
    "alerts": ("C", ["hr", "age", "alert", "Reference"], "iioa", None, [
        ["A1", '"positive"', "-", '"endocrine"', "Ref E"], ["A2", "-", ">= 70", '"geriatric"', "Ref G"]]),
}
CSV = "id,age,hr,weight\np1,40,positive,70\np2,75,negative,\np3,abc,positive,60\n"


@pytest.fixture
def workbook(tmp_path: Path) -> Path:
    return make_workbook(tmp_path, "guide.xlsx", inputs=INPUTS, tables=TABLES, about={"Version": "1.2"})


@pytest.fixture
def patients(tmp_path: Path) -> Path:
    path = tmp_path / "patients.csv"
    path.write_text(CSV, encoding="utf-8")
    return path


def run(*args: object) -> object:
    return CliRunner().invoke(main, ["evaluate", *map(str, args)])


def rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


SUMMARY = re.compile(r"^dtrun: (\d+) rows read, (\d+) with errors, (\d+) with warnings, \d+\.\d\d s( -> .+)?$")


# ====================================================================== outputs
def test_csv_to_standard_output_with_summary_on_standard_error(workbook, patients):
    result = run(workbook, patients)
    assert result.exit_code == 0, result.output
    out = rows(result.stdout)
    assert [r["id"] for r in out] == ["p1", "p2", "p3"]
    assert list(out[0]) == ["id", "age", "hr", "weight", "band.band", "band.rules", "dose.mg", "dose.rules",
                            "alerts.alert", "alerts.rules", "_errors", "_warnings", "_model"]
    assert [(r["band.band"], r["band.rules"], r["dose.mg"]) for r in out] == [
        ("adult", "B1", "560"), ("senior", "B2", ""), ("", "", "")]
    assert [r["alerts.alert"] for r in out] == ['["endocrine"]', '["geriatric"]', ""]
    assert json.loads(out[1]["alerts.alert"]) == ["geriatric"]
    assert out[2]["_errors"].startswith('age: "abc" is not a whole number; band: not evaluated')
    assert {r["_model"] for r in out} == {"guide.xlsx@1.2"}
    summary = result.stderr.strip().splitlines()[-1]
    assert SUMMARY.match(summary).groups()[:3] == ("3", "1", "0")
    assert "dtrun:" not in result.stdout


def test_dash_means_standard_output(workbook, patients):
    result = run(workbook, patients, "-o", "-")
    assert result.exit_code == 0
    assert [r["id"] for r in rows(result.stdout)] == ["p1", "p2", "p3"]
    assert " -> " not in result.stderr


def test_csv_file_output_and_summary_names_it(workbook, patients, tmp_path):
    out = tmp_path / "results.csv"
    result = run(workbook, patients, "-o", out)
    assert result.exit_code == 0
    assert result.stdout == ""
    assert [r["band.band"] for r in rows(out.read_text(encoding="utf-8"))] == ["adult", "senior", ""]
    assert result.stderr.strip().splitlines()[-1].endswith(f"-> {out}")


@pytest.mark.parametrize("how", [("-o", "{dir}/r.json"), ("-o", "{dir}/r.out", "--format", "json")])
def test_json_output_has_native_lists_and_nulls(workbook, patients, tmp_path, how):
    args = [a.format(dir=tmp_path) for a in how]
    result = run(workbook, patients, *args)
    assert result.exit_code == 0, result.output
    data = json.loads(Path(args[1]).read_text(encoding="utf-8"))
    assert [r["id"] for r in data] == ["p1", "p2", "p3"]
    assert data[0]["alerts.alert"] == ["endocrine"] and data[0]["dose.mg"] == 560
    assert data[1]["dose.mg"] is None and data[2]["alerts.alert"] is None
    assert data[0]["age"] == "40"  # input columns as read


def test_parquet_output(workbook, patients, tmp_path):
    import pyarrow.parquet as pq

    out = tmp_path / "r.parquet"
    result = run(workbook, patients, "-o", out)
    assert result.exit_code == 0, result.output
    table = pq.read_table(out).to_pydict()
    assert table["id"] == ["p1", "p2", "p3"]
    assert table["alerts.alert"] == [["endocrine"], ["geriatric"], None]
    assert table["band.rules"] == ["B1", "B2", ""]


def test_parquet_input(workbook, tmp_path):
    source = tmp_path / "p.parquet"
    pd.DataFrame({"id": ["a", "b"], "age": [30.0, None], "hr": ["negative", None], "weight": [50.0, 60.0]}
                 ).to_parquet(source, index=False)
    result = run(workbook, source)
    assert result.exit_code == 0, result.output
    out = rows(result.stdout)
    assert [(r["band.band"], r["dose.mg"]) for r in out] == [("adult", "400"), ("", "")]
    assert out[1]["_errors"].startswith("age: a value is required")


def test_parquet_input_with_a_stored_index(workbook, tmp_path):
    """Regression: results were once shifted to other patients when the file stored an index."""
    source = tmp_path / "p.parquet"
    frame = pd.DataFrame({"id": ["a", "b", "c"], "age": [30.0, 70.0, 40.0], "hr": ["negative"] * 3,
                          "weight": [50.0] * 3})
    frame[frame["age"] > 35].to_parquet(source)  # index [1, 2] is stored in the file
    out = rows(run(workbook, source).stdout)
    assert [(r["id"], r["band.band"], r["band.rules"]) for r in out] == [("b", "senior", "B2"), ("c", "adult", "B1")]


def test_explain_adds_the_reference_of_the_fired_rules(workbook, patients):
    result = run(workbook, patients, "--explain")
    out = rows(result.stdout)
    assert [r["band.reference"] for r in out] == ["Guide 1.1", "Guide 1.2", ""]
    assert [r["alerts.reference"] for r in out] == ["Ref E", "Ref G", ""]
    assert "dose.reference" in out[0]
    assert "band.reference" not in rows(run(workbook, patients).stdout)[0]


def test_decision_selects_tables_and_their_upstream(workbook, patients):
    result = run(workbook, patients, "--decision", "dose")
    assert result.exit_code == 0
    columns = list(rows(result.stdout)[0])
    assert columns == ["id", "age", "hr", "weight", "band.band", "band.rules", "dose.mg", "dose.rules", "_errors",
                       "_warnings", "_model"]
    both = list(rows(run(workbook, patients, "--decision", "band", "--decision", "alerts").stdout)[0])
    assert "alerts.alert" in both and "band.band" in both and "dose.mg" not in both


def test_na_values(workbook, tmp_path):
    path = tmp_path / "p.csv"
    path.write_text("id,age,hr,weight\np1,40,NA,NA\np2,41,null,\n", encoding="utf-8")
    plain = rows(run(workbook, path).stdout)
    assert plain[0]["_errors"].startswith('hr: "NA" is not an allowed value')
    assert 'weight: "NA" is not a number' in plain[0]["_errors"]
    asked = rows(run(workbook, path, "--na-values", "NA,null").stdout)
    assert [r["_errors"] for r in asked] == ["", ""]
    assert [r["alerts.alert"] for r in asked] == ["[]", "[]"]


def test_semicolon_delimited_cp1252_file(workbook, tmp_path):
    path = tmp_path / "p.csv"
    path.write_bytes("id;age;hr;weight\nZoë;40;positive;70,5\nRené;70;negative;60\n".encode("cp1252"))
    result = run(workbook, path, "-o", tmp_path / "out.csv")
    assert result.exit_code == 0, result.output
    out = rows((tmp_path / "out.csv").read_text(encoding="utf-8"))
    assert [r["id"] for r in out] == ["Zoë", "René"]
    assert out[0]["_errors"] == ('weight: "70,5" is not a number (a decimal comma: write 70.5 in the file, with a '
                                 'decimal point); dose: not evaluated because weight has no usable value')
    assert out[1]["dose.mg"] == "360"


def test_missing_optional_column_is_a_warning(workbook, tmp_path):
    path = tmp_path / "p.csv"
    path.write_text("id,age,hr\np1,40,positive\n", encoding="utf-8")
    result = run(workbook, path)
    assert result.exit_code == 0
    assert "warning:" in result.stderr and "input weight has no column in the file" in result.stderr
    assert rows(result.stdout)[0]["dose.mg"] == ""


# ====================================================================== failures
def _one_clear_line(result: object, status: int) -> str:
    assert result.exit_code == status, result.output
    assert "Traceback" not in result.output
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, lines
    return lines[0]


def test_required_column_missing_exits_4_naming_column_and_tables(workbook, tmp_path):
    path = tmp_path / "p.csv"
    path.write_text("id,hr,weight\np1,positive,70\n", encoding="utf-8")
    line = _one_clear_line(run(workbook, path), 4)
    assert line.startswith("error: ") and "age (needed by band, alerts)" in line


@pytest.mark.parametrize("column", ["band.band", "_errors", "alerts.rules", "_model"])
def test_result_column_in_the_input_exits_4(workbook, tmp_path, column):
    path = tmp_path / "p.csv"
    path.write_text(f"id,age,{column}\np1,40,x\n", encoding="utf-8")
    line = _one_clear_line(run(workbook, path), 4)
    assert column in line


@pytest.mark.parametrize("make, fragment", [
    (lambda d: d / "missing.csv", "file not found"),
    (lambda d: (d / "bad.csv").write_text("id,age\np1,1,2\n") and d / "bad.csv", "3 fields but the header has 2"),
])
def test_unusable_patient_file_exits_4(workbook, tmp_path, make, fragment):
    line = _one_clear_line(run(workbook, make(tmp_path)), 4)
    assert fragment in line


def test_unknown_decision_is_a_usage_error_with_the_closest_table(workbook, patients):
    result = run(workbook, patients, "--decision", "dosing")
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert "did you mean dose?" in result.stderr and "band, dose, alerts" in result.stderr


@pytest.mark.parametrize("args, expected", [
    (("--format", "parquet"), "-o FILE.parquet"),
    (("-o", "results.xls"), "or .xlsx workbooks; write results.xlsx"),
    (("--format", "xlsx"), "cannot be written to standard output; give -o FILE.xlsx"),
])
def test_an_output_dtrun_cannot_write_is_a_usage_error(workbook, patients, args, expected):
    result = run(workbook, patients, *args)
    assert result.exit_code == 2 and expected in result.stderr


def test_a_decision_table_workbook_given_as_patients_says_what_to_give(workbook, tmp_path):
    line = _one_clear_line(run(workbook, workbook), 4)
    assert "is a decision-table workbook (it has an Inputs sheet), not a patient file" in line and "CSV" in line


def test_a_column_named_almost_right_is_pointed_out(workbook, tmp_path):
    path = tmp_path / "p.csv"
    path.write_text("AGE ,hr,weight\n40,positive,70\n", encoding="utf-8")
    result = run(workbook, path, "-o", tmp_path / "out.csv")
    assert 'is it the column "AGE "? rename it to age' in result.stderr


def test_broken_workbook_exits_3_with_one_line_per_problem(tmp_path, patients):
    bad = make_workbook(tmp_path, "bad.xlsx", inputs=INPUTS, tables={
        "band": ("UNIQ", ["age", "band"], "io", None, [["B1", "-", '"x"']]),
        "dose": ("U", ["agee", "mg"], "io", None, [["D1", "-", "first_line"]])})
    result = run(bad, patients)
    assert result.exit_code == 3
    assert "Traceback" not in result.output and result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 3
    assert all(line.startswith(f"{bad}:") for line in lines)
    assert any(":band!A1: error[workbook]:" in line for line in lines)
    assert any(":dose!B1:" in line and "did you mean age?" in line.lower() for line in lines)
    assert any(":dose!C4: error[syntax]:" in line and '"first_line"' in line for line in lines)


def test_missing_workbook_exits_3(tmp_path, patients):
    result = run(tmp_path / "nope.xlsx", patients)
    assert result.exit_code == 3
    assert "not found" in result.stderr and "Traceback" not in result.output


def test_bad_option_is_a_usage_error(workbook, patients):
    result = run(workbook, patients, "--format", "xml")
    assert result.exit_code == 2


def test_help_documents_the_exit_statuses():
    result = CliRunner().invoke(main, ["evaluate", "--help"])
    assert result.exit_code == 0
    for status in ("0  evaluated", "3  the workbook cannot be used", "4  the patient file cannot be used"):
        assert status in result.output


def test_row_errors_still_exit_0(workbook, tmp_path):
    path = tmp_path / "p.csv"
    path.write_text("id,age,hr,weight\np1,-5,postive,x\n", encoding="utf-8")
    result = run(workbook, path)
    assert result.exit_code == 0
    assert SUMMARY.match(result.stderr.strip().splitlines()[-1]).groups()[:2] == ("1", "1")


def test_failed_run_leaves_an_existing_output_file_alone(workbook, tmp_path):
    out = tmp_path / "out.csv"
    out.write_text("earlier results\n")
    path = tmp_path / "p.csv"
    path.write_text("id,hr\np1,positive\n", encoding="utf-8")  # required age missing
    assert run(workbook, path, "-o", out).exit_code == 4
    assert out.read_text() == "earlier results\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["guide.xlsx", "out.csv", "p.csv"]


def test_run_failing_while_writing_leaves_no_partial_file(workbook, patients, tmp_path, monkeypatch):
    from engine.evaluation import frame as batch

    evaluate_columns = batch.evaluate_columns
    monkeypatch.setattr(batch, "evaluate_columns", lambda model, source, n, *rest: {
        **evaluate_columns(model, source, n, *rest), "extra": pd.Series([Unwritable()] * n, dtype=object)})
    for name in ("out.csv", "out.parquet", "out.json"):
        out = tmp_path / name
        out.write_text("earlier results\n")
        result = run(workbook, patients, "-o", out)
        assert result.exit_code != 0
        assert out.read_text() == "earlier results\n"
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_parquet_output_of_values_of_different_kinds(tmp_path, patients):
    """A table whose rules give text in one row and a number in another."""
    book = make_workbook(tmp_path, "mixed.xlsx", inputs=INPUTS, tables={
        "band": ("U", ["age", "band"], "io", None, [["B1", "< 65", '"adult"'], ["B2", ">= 65", "65"]])})
    result = run(book, patients, "-o", tmp_path / "out.parquet")
    assert result.exception is None, repr(result.exception)
    assert result.exit_code == 0


# ====================================================================== the example workbook
def test_example_patients_every_row_kept_bad_rows_explained(example_workbook, example_patients, tmp_path):
    out = tmp_path / "results.csv"
    result = run(example_workbook, example_patients, "-o", out)
    assert result.exit_code == 0, result.output
    given = rows(example_patients.read_text(encoding="utf-8"))
    got = rows(out.read_text(encoding="utf-8"))
    assert len(got) == len(given)
    assert [r["patient_id"] for r in got] == [r["patient_id"] for r in given]
    for before, after in zip(given, got):
        assert {k: after[k] for k in before} == before  # input columns kept as they were
    bad = {r["patient_id"]: r["_errors"] for r in got if r["_errors"]}
    assert set(bad) == {"P043", "P044", "P045", "P046"}
    assert 'did you mean "positive"?' in bad["P043"]
    assert bad["P044"].startswith("brain_mets_count: -1 is not an allowed value")
    assert bad["P045"].startswith("taxane_contraindicated: a value is required")
    assert bad["P046"].startswith('weight_kg: "72kg" is not a number')
    assert SUMMARY.match(result.stderr.strip().splitlines()[-1]).groups()[:2] == (str(len(given)), "4")


def test_example_patients_cli_results_equal_evaluate_row_by_row(example_workbook, example_patients):
    result = run(example_workbook, example_patients, "--explain")
    assert result.exit_code == 0, result.output
    model = load_workbook(example_workbook)
    inputs = rows(example_patients.read_text(encoding="utf-8"))
    for record, row in zip(inputs, rows(result.stdout)):
        expected = {k: format_cell(v) for k, v in engine.evaluate(model, record).row(explain=True).items()}
        expected = {k: "" if v is None else str(v) for k, v in expected.items()}  # as the csv module writes
        assert {k: row[k] for k in expected} == expected, record["patient_id"]


def test_evaluate_and_test_say_when_rules_sit_on_a_hidden_sheet(workbook, patients, tmp_path):
    import openpyxl

    book = openpyxl.load_workbook(workbook)
    table = next(name for name in book.sheetnames if name not in ("About", "Inputs", "Tests"))
    book[table].sheet_state = "hidden"
    hidden = tmp_path / "hidden.xlsx"
    book.save(hidden)
    for args in (["evaluate", str(hidden), str(patients), "-o", str(tmp_path / "r.csv")], ["test", str(hidden)]):
        result = CliRunner().invoke(main, args)
        assert f"{table}" in result.output and "hidden" in result.output, result.output


@pytest.mark.parametrize("existing", [None, 0o640])
def test_the_output_gets_ordinary_permissions(workbook, patients, tmp_path, existing):
    """Written through a private temporary file, the result still gets the permissions of
    the file it replaces, or those a new file gets (not 0600)."""
    import os
    import stat

    out = tmp_path / "out.csv"
    if existing is not None:
        out.write_text("old")
        out.chmod(existing)
    mask = os.umask(0o022)
    try:
        assert run(workbook, patients, "-o", out).exit_code == 0
    finally:
        os.umask(mask)
    assert stat.S_IMODE(out.stat().st_mode) == (existing if existing is not None else 0o644)
