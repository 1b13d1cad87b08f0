"""List values in patient files: CSV (a JSON array or values separated by ;), JSON lines (one
object per line; a bad line kept as a row with its line number in _errors), Parquet list
columns and Excel sheets, all giving the results that ``evaluate`` gives record by record."""

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
from engine.evaluation.record import format_cell
from engine.files.jsonl import read_json_lines

PARTS = dict(inputs=[("signs", "list of string", '"Fever","Cough","Rash"', "no"), ("age", "number", None, "no")],
             tables={"t": ("F", ["signs", "age", "out"], "iio", None,
                           [["R1", '"Fever"', ">= 5", '"a"'], ["R2", 'not("Cough")', "-", '"b"'], ["R3", "-", "-", '"c"']])})
RECORDS = [({"signs": ["Fever", "Cough"], "age": 6}, "a"), ({"signs": "Cough; Rash", "age": 1}, "c"),
           ({"signs": [], "age": 1}, "b"), ({"age": 3}, "b"), ({"signs": ["Cough"], "age": 70}, "c")]


def _run(workbook: Path, patients: Path, *options: str) -> list[dict[str, str]]:
    result = CliRunner().invoke(main, ["evaluate", str(workbook), str(patients), "-o", "-", *options])
    assert result.exit_code == 0, result.output
    return list(csv.DictReader(io.StringIO(result.stdout)))  # the summary goes to standard error


def _expected(workbook: Path) -> list[str]:
    model = engine.load_workbook(workbook)
    return [format_cell(engine.evaluate(model, record)["t.out"]) for record, _ in RECORDS]


def test_json_lines_give_the_results_of_evaluate(tmp_path: Path) -> None:
    workbook = make_workbook(tmp_path, **PARTS)
    patients = tmp_path / "p.jsonl"
    patients.write_text("".join(json.dumps(record) + "\n" for record, _ in RECORDS), encoding="utf-8")
    rows = _run(workbook, patients)
    assert [row["t.out"] for row in rows] == [out for _, out in RECORDS] == _expected(workbook)
    assert rows[0]["signs"] == '["Fever", "Cough"]' and rows[3]["signs"] == ""  # a list as JSON text


def test_a_bad_json_line_stays_a_row_with_its_line_number(tmp_path: Path) -> None:
    workbook = make_workbook(tmp_path, **PARTS)
    patients = tmp_path / "p.ndjson"
    patients.write_text('{"signs": ["Fever"], "age": 9}\n\n{"signs": ["Fever"\n"text"\n{"age": 1}\n', encoding="utf-8")
    rows = _run(workbook, patients)
    assert [row["t.out"] for row in rows] == ["a", "", "", "b"]
    assert rows[1]["_errors"].startswith("line 3 is not valid JSON (")
    assert rows[2]["_errors"].startswith("line 4 holds a text, not a JSON object")
    assert rows[1]["_errors"].endswith("t: not evaluated because age, signs has no usable value")


def test_json_values_are_read_as_texts_that_the_types_convert() -> None:
    table = read_json_lines(Path("x.jsonl"), b'{"a": 1.5, "b": true, "c": null, "d": [1, "x"], "e": {"k": 2}}\n{"f": 2}\n')
    assert table.to_pylist() == [{"a": "1.5", "b": "true", "c": None, "d": '[1, "x"]', "e": '{"k": 2}', "e.k": "2",
                                  "f": None},  # an object's keys also as dotted columns (structured inputs)
                                 {"a": None, "b": None, "c": None, "d": None, "e": None, "e.k": None, "f": "2"}]


def test_a_json_lines_file_that_is_not_utf8_is_refused(tmp_path: Path) -> None:
    from engine._core.errors import InputDataError

    with pytest.raises(InputDataError, match="line 2 is not UTF-8"):
        read_json_lines(tmp_path / "x.jsonl", b'{"a": 1}\n{"a": "\xe9"}\n')


@pytest.mark.parametrize("separator", ["json", ";"])
def test_csv_cells_hold_lists_either_way(tmp_path: Path, separator: str) -> None:
    workbook = make_workbook(tmp_path, **PARTS)
    patients = tmp_path / "p.csv"
    with patients.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["signs", "age"])
        for record, _ in RECORDS:
            signs = record.get("signs")
            if isinstance(signs, list):
                signs = json.dumps(signs) if separator == "json" else "; ".join(signs)
            writer.writerow(["" if signs is None else signs, record["age"]])
    rows = _run(workbook, patients)
    got = [row["t.out"] for row in rows]
    if separator == ";":  # "[]" written as "": a missing list, which not("Cough") matches too
        assert got == ["a", "c", "b", "b", "c"]
    else:
        assert got == [out for _, out in RECORDS]


def test_parquet_list_columns_feed_list_inputs(tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    workbook = make_workbook(tmp_path, **PARTS)
    pq.write_table(pa.table({"signs": pa.array([["Fever", "Cough"], ["Cough", "Rash"], [], None, ["Cough"]],
                                               pa.list_(pa.string())),
                             "age": [6, 1, 1, 3, 70]}), tmp_path / "p.parquet")
    rows = _run(workbook, tmp_path / "p.parquet")
    assert [row["t.out"] for row in rows] == [out for _, out in RECORDS]
    assert rows[0]["signs"] == '["Fever", "Cough"]'


def test_a_parquet_list_column_for_a_single_value_input_is_still_refused(tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    workbook = make_workbook(tmp_path, **PARTS)
    pq.write_table(pa.table({"signs": [["Fever"]], "age": pa.array([[1]], pa.list_(pa.int64()))}),
                   tmp_path / "p.parquet")
    result = CliRunner().invoke(main, ["evaluate", str(workbook), str(tmp_path / "p.parquet"), "-o", "-"])
    assert result.exit_code != 0 and "column 'age' holds lists" in result.output


def test_excel_patient_sheets_hold_lists_as_texts(tmp_path: Path) -> None:
    workbook = make_workbook(tmp_path, **PARTS)
    sheet = [["signs", "age"], ['["Fever","Cough"]', 6], ["Cough; Rash", 1], ["[]", 1], [None, 3], ["Cough", 70]]
    patients = write_sheets(tmp_path / "p.xlsx", {"patients": sheet})
    rows = _run(workbook, patients)
    assert [row["t.out"] for row in rows] == [out for _, out in RECORDS]
