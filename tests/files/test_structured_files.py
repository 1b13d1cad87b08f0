"""Structured inputs (Type ``structure`` on the Inputs sheet) fed from every kind of patient
file: CSV and Excel columns named with dots, Parquet struct columns, JSON-lines nested
objects.  Oracle: the hand-checked band of each record, and ``engine.evaluate`` on the same
record given as a dict of dotted names (the reference meaning)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import make_workbook, write_sheets

import engine
from engine.cli import main
from engine.evaluation.frame import ROW_PROBLEMS
from engine.evaluation.record import format_cell
from engine.files.jsonl import read_json_lines

PARTS = dict(inputs=[("applicant", "structure", None, "yes"), ("applicant.age", "number", "[0..130]", "yes"),
                     ("applicant.sex", "string", '"f","m"', "no"), ("score", "integer", None, "no")],
             tables={"t": ("F", ["applicant.age", "applicant.sex", "band"], "iio", None,
                           [["R1", "< 65", "-", '"young"'], ["R2", ">= 65", '"f"', '"old f"'],
                            ["R3", ">= 65", "-", '"old"']])})
# (record, the band a reader works out from the rules by hand)
RECORDS = [({"applicant": {"age": 70, "sex": "f"}, "score": 1}, "old f"),
           ({"applicant": {"age": 30, "sex": "m"}}, "young"),
           ({"applicant": {"age": 80}}, "old"),
           ({"applicant": {"age": 200, "sex": "m"}}, "")]  # not an allowed age: an error of this record only


def _dotted(record: dict) -> dict:
    return {f"applicant.{k}": v for k, v in record["applicant"].items()} | {k: v for k, v in record.items()
                                                                         if k != "applicant"}


def _run(workbook: Path, patients: Path) -> list[dict[str, str]]:
    result = CliRunner().invoke(main, ["evaluate", str(workbook), str(patients), "-o", "-"])
    assert result.exit_code == 0, result.output
    return list(csv.DictReader(io.StringIO(result.stdout)))


def _check(workbook: Path, rows: list[dict[str, str]]) -> None:
    assert [row["t.band"] for row in rows] == [band for _, band in RECORDS]
    model = engine.load_workbook(workbook)
    assert [(format_cell(engine.evaluate(model, _dotted(r))["t.band"]) or "") for r, _ in RECORDS] == [b for _, b in RECORDS]
    assert rows[3]["_errors"].startswith("applicant.age: 200 is not an allowed value")
    assert all(not row["_errors"] for row in rows[:3])


def test_csv_columns_named_with_dots_feed_the_components(tmp_path: Path) -> None:
    workbook = make_workbook(tmp_path, **PARTS)
    patients = tmp_path / "p.csv"
    with patients.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, ["applicant.age", "applicant.sex", "score"])
        writer.writeheader()
        writer.writerows(_dotted(r) for r, _ in RECORDS)
    _check(workbook, _run(workbook, patients))


def test_excel_patient_columns_named_with_dots(tmp_path: Path) -> None:
    workbook = make_workbook(tmp_path, **PARTS)
    sheet = [["applicant.age", "applicant.sex"]] + [[r["applicant"].get("age"), r["applicant"].get("sex")]
                                                    for r, _ in RECORDS]
    _check(workbook, _run(workbook, write_sheets(tmp_path / "p.xlsx", {"patients": sheet})))


def test_parquet_struct_columns_feed_the_components(tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    workbook = make_workbook(tmp_path, **PARTS)
    kind = pa.struct([("age", pa.float64()), ("sex", pa.string())])
    applicant = pa.array([{"age": r["applicant"].get("age"), "sex": r["applicant"].get("sex")} for r, _ in RECORDS],
                         kind)
    pq.write_table(pa.table({"applicant": applicant, "score": [1, None, None, None]}), tmp_path / "p.parquet")
    rows = _run(workbook, tmp_path / "p.parquet")
    _check(workbook, rows)
    assert rows[0]["applicant.age"] in ("70", "70.0") and json.loads(rows[0]["applicant"]) == {"age": 70, "sex": "f"}
    assert rows[2]["applicant.sex"] == ""  # a null field: missing


def test_a_parquet_struct_field_that_is_also_a_dotted_column_is_refused(tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    workbook = make_workbook(tmp_path, **PARTS)
    pq.write_table(pa.table({"applicant": pa.array([{"age": 1.0}], pa.struct([("age", pa.float64())])),
                             "applicant.age": [2.0]}), tmp_path / "p.parquet")
    result = CliRunner().invoke(main, ["evaluate", str(workbook), str(tmp_path / "p.parquet"), "-o", "-"])
    assert result.exit_code != 0 and "two columns named 'applicant.age'" in result.output


def test_json_lines_nested_objects_feed_the_components(tmp_path: Path) -> None:
    workbook = make_workbook(tmp_path, **PARTS)
    patients = tmp_path / "p.jsonl"
    patients.write_text("".join(json.dumps(r) + "\n" for r, _ in RECORDS), encoding="utf-8")
    _check(workbook, _run(workbook, patients))


def test_a_json_line_giving_a_component_twice_is_a_row_with_its_problem() -> None:
    table = read_json_lines(Path("x.jsonl"), b'{"a": {"b": 1}, "a.b": 2}\n{"a": {"b": {"c": true}}}\n').to_pylist()
    assert table[1]["a.b.c"] == "true" and table[1]["a.b"] == '{"c": true}' and table[1]["a"] == '{"b": {"c": true}}'
    assert [row[ROW_PROBLEMS] for row in table] == [
        "line 1 gives a.b twice (as a nested object and as a dotted key); give it once", None]
    assert table[0]["a"] is None and table[0]["a.b"] is None  # the line's values are missing


@pytest.mark.parametrize("age", ["", "abc"])
def test_a_bad_component_value_is_an_error_of_its_record_only(tmp_path: Path, age: str) -> None:
    workbook = make_workbook(tmp_path, **PARTS)
    patients = tmp_path / "p.csv"
    patients.write_text(f"applicant.age,applicant.sex\n70,f\n{age},m\n", encoding="utf-8")
    rows = _run(workbook, patients)
    assert [row["t.band"] for row in rows] == ["old f", ""]
    assert rows[1]["_errors"].startswith("applicant.age: ")
    assert rows[1]["applicant.sex"] == "m"  # the record is kept
