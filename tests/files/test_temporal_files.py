"""Temporal inputs end to end: the Inputs sheet's types ``date and time``, ``time``, ``days and
time duration`` and ``years and months duration``; patient values from CSV, Excel (native
date-time, time and duration cells), Parquet (timestamp with and without a zone, time64,
duration columns) and JSON lines, each file giving what ``evaluate`` gives record by record
(the reference); a bad value keeps its row, with the column and the form expected in
``_errors``; a whole column through ``convert_column`` equals the per-value reference."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from helpers import make_workbook, model_for, write_sheets

import engine
from engine._core.errors import Location
from engine.cli import main
from engine.evaluation.columns import convert_column
from engine.evaluation.input_values import Invalid, convert_value
from engine.evaluation.record import format_cell
from engine.feel.temporal import YearsMonths
from engine.formats.xlsx.aids import TYPE_CHOICES
from engine.model.types import STRUCTURE, InputDef, known_type

PARTS = dict(
    inputs=[("given_at", "date and time", None, "no"), ("clock", "time", None, "no"),
            ("since_dose", "days and time duration", None, "no"), ("since_scan", "years and months duration", None,
                                                                  "no")],
    tables={"t": ("F", ["given_at", "clock", "since_dose", "since_scan", "out"], "iiiio", None, [
        ["R1", '< @"2025-01-15T08:30:00Z"', "-", "-", "-", '"early"'],
        ["R2", "-", "-", "-", '>= @"P3M"', '"scan"'],
        ["R3", "-", '[@"08:00:00"..@"20:00:00")', '>= @"PT12H"', "-", '"dose"'],
        ["R4", "-", "-", "-", "-", '"wait"']])})
TEXTS = [  # (given_at, clock, since_dose, since_scan) as a CSV file writes them, and the result
    (("2025-01-15T07:00:00Z", "09:00:00", "PT1H", "P1M"), "early"),
    (("2025-01-15T09:00:00@Europe/Paris", "09:00:00", "PT1H", "P1M"), "early"),  # 08:00 UTC
    (("2025-01-15T09:30:00+01:00", "09:00:00", "PT1H", "P1Y"), "scan"),
    (("2025-01-15 10:00:00", "09:00:00", "P1DT2H", "P18M"), "scan"),  # no zone: not before an instant
    (("", "09:00:00", "PT36H", "P2M"), "dose"),
    (("", "21:00:00", "PT36H", "P2M"), "wait"),
    (("", "", "", ""), "wait"),
]
NAMES = ("given_at", "clock", "since_dose", "since_scan")


def _run(workbook: Path, patients: Path, *options: str) -> list[dict[str, str]]:
    result = CliRunner().invoke(main, ["evaluate", str(workbook), str(patients), "-o", "-", *options])
    assert result.exit_code == 0, result.output
    return list(csv.DictReader(io.StringIO(result.stdout)))


def _reference(records: list[dict[str, object]]) -> list[str]:
    model = model_for(**PARTS)
    return [format_cell(engine.evaluate(model, record)["t.out"]) for record in records]


# ------------------------------------------------------------------ the model
def test_every_type_the_drop_down_offers_is_read() -> None:
    assert all(known_type(kind) or kind == STRUCTURE for kind in TYPE_CHOICES)
    model = model_for(**PARTS)
    assert [model.inputs[name].type for name in NAMES] == [kind for _, kind, *_ in PARTS["inputs"]]


def test_allowed_values_in_the_types_own_literals() -> None:
    model = model_for(inputs=[("clock", "time", '[@"06:00:00"..@"22:00:00"]', "no")],
                      tables={"t": ("U", ["clock", "out"], "io", None, [["R1", "-", '"x"']])})
    rows = [engine.evaluate(model, {"clock": text}).row() for text in ("07:00:00", "23:00:00")]
    assert rows[0]["_errors"] == ""
    assert rows[1]["_errors"].startswith('clock: @"23:00:00" is not an allowed value (allowed: [@"06:00:00"..')


def test_a_type_that_is_none_lists_the_new_ones() -> None:
    from engine._core.errors import WorkbookError

    with pytest.raises(WorkbookError) as caught:
        model_for(inputs=[("x", "datetime", None, "no")], tables={"t": ("U", ["x", "o"], "io", None,
                                                                         [["R1", "-", '"y"']])})
    assert "date and time, time, days and time duration, years and months duration, structure" in str(caught.value)


# ------------------------------------------------------------------ values, one by one and by column
@pytest.mark.parametrize("raw, kind, value", [
    ("2025-01-15T08:30:00", "date and time", dt.datetime(2025, 1, 15, 8, 30)),
    ("2025-01-15 08:30:00", "date and time", dt.datetime(2025, 1, 15, 8, 30)),
    ("2025-01-15", "date and time", dt.datetime(2025, 1, 15)),  # a date alone: its midnight
    ("2025-01-15T08:30:00Z", "date and time", dt.datetime(2025, 1, 15, 8, 30, tzinfo=dt.UTC)),
    (pd.Timestamp("2025-01-15"), "date and time", dt.datetime(2025, 1, 15)),  # midnight stays a date and time
    (dt.datetime(2025, 1, 15), "date and time", dt.datetime(2025, 1, 15)),
    ("08:30:00", "time", dt.time(8, 30)),
    ("08:30:00+01:00", "time", dt.time(8, 30, tzinfo=dt.timezone(dt.timedelta(hours=1)))),
    ("P2DT3H", "days and time duration", dt.timedelta(days=2, hours=3)),
    ("PT36H", "days and time duration", dt.timedelta(hours=36)),
    (pd.Timedelta(hours=36), "days and time duration", dt.timedelta(hours=36)),
    ("P1Y6M", "years and months duration", YearsMonths(18)),
    ("P18M", "years and months duration", YearsMonths(18)),
    (dt.datetime(2025, 1, 15), "date", dt.date(2025, 1, 15)),  # an Excel date cell for a date input
])
def test_values_are_read_per_type(raw: object, kind: str, value: object) -> None:
    assert convert_value(raw, kind) == value


@pytest.mark.parametrize("raw, kind, said", [
    ("8:30", "time", "(write 08:30:00)"),
    ("P1M", "days and time duration", "it is a years and months duration"),
    ("PT12H", "years and months duration", "it is a days and time duration"),
    ("15/01/2025 08:30", "date and time", "write the date year first"),
    ("2025-01-15 10:00", "date and time", "(write 2025-01-15T10:00:00)"),  # a spreadsheet's export, no seconds
    ("2025-01-15T8:30Z", "date and time", "(write 2025-01-15T08:30:00Z)"),
    ("yesterday", "date and time", "a date and time written as ISO 8601, e.g. 2025-01-15T08:30:00"),
    (dt.date(2025, 1, 15), "time", "is not a time written hh:mm:ss"),
])
def test_a_bad_value_says_the_form_expected(raw: object, kind: str, said: str) -> None:
    with pytest.raises(Invalid, match=re.escape(said)):
        convert_value(raw, kind)


@pytest.mark.parametrize("kind, raws", [
    ("date and time", ["2025-01-15T08:30:00Z", "2025-01-15T09:30:00@Europe/Paris", "2025-01-15T08:30:00", None,
                       "bad", "2025-01-15T08:30:00Z", "2025-01-15"]),
    ("time", ["08:30:00", "10:00:00Z", "12:00:00+02:00", "", "8:30"]),
    ("days and time duration", ["PT36H", "P1DT12H", "P1M", None, "-PT1H"]),
    ("years and months duration", ["P18M", "P1Y6M", "PT1H", "P0M"]),
])
def test_a_column_is_the_values_one_by_one(kind: str, raws: list[object]) -> None:
    definition = InputDef("x", kind, None, False, Location("w", "Inputs", "A2"))
    column = convert_column(pd.Series(raws, dtype=object), definition)
    for row, raw in enumerate(raws):
        try:
            want, problem = convert_value(raw, kind), None
        except Invalid as error:
            want, problem = None, f"x: {error}"
        got = column.values.iloc[row]
        assert (None if pd.isna(got) else got) == want and column.messages.get(row) == problem


# ------------------------------------------------------------------ files
def test_a_csv_file_gives_the_results_of_evaluate(tmp_path: Path) -> None:
    workbook = make_workbook(tmp_path, **PARTS)
    patients = tmp_path / "p.csv"
    patients.write_text(",".join(NAMES) + "\n" + "".join(",".join(texts) + "\n" for texts, _ in TEXTS))
    rows = _run(workbook, patients)
    records = [{n: t for n, t in zip(NAMES, texts) if t} for texts, _ in TEXTS]
    assert [row["t.out"] for row in rows] == [out for _, out in TEXTS] == _reference(records)
    assert rows[1]["given_at"] == "2025-01-15T09:00:00@Europe/Paris"  # the file's own text, kept


def test_a_bad_value_keeps_its_row_with_the_column_and_the_form(tmp_path: Path) -> None:
    workbook = make_workbook(tmp_path, **PARTS)
    patients = tmp_path / "p.csv"
    patients.write_text("given_at,clock,since_dose,since_scan\n2025-01-15T07:00:00Z,9:00,PT1H,P1M\n"
                        ",09:00:00,PT36H,P2M\n")
    rows = _run(workbook, patients)
    assert rows[0]["t.out"] == "" and rows[1]["t.out"] == "dose"
    assert rows[0]["_errors"].startswith('clock: "9:00" is not a time written hh:mm:ss, e.g. 08:30:00')
    assert "(write 09:00:00)" in rows[0]["_errors"]


def test_json_lines_give_the_results_of_evaluate(tmp_path: Path) -> None:
    workbook = make_workbook(tmp_path, **PARTS)
    patients = tmp_path / "p.jsonl"
    records = [{n: t for n, t in zip(NAMES, texts) if t} for texts, _ in TEXTS]
    patients.write_text("".join(json.dumps(record) + "\n" for record in records), encoding="utf-8")
    assert [row["t.out"] for row in _run(workbook, patients)] == [out for _, out in TEXTS]


def test_native_excel_cells_are_read(tmp_path: Path) -> None:
    workbook = make_workbook(tmp_path, **PARTS)
    rows = [list(NAMES), [dt.datetime(2025, 1, 15, 10), dt.time(9), dt.timedelta(hours=36), "P2M"],
            [dt.datetime(2025, 1, 15), dt.time(21), dt.timedelta(hours=36), "P2M"],
            [None, dt.time(9, 30), dt.timedelta(hours=1), "P4M"]]
    patients = write_sheets(tmp_path / "p.xlsx", {"patients": rows})
    out = _run(workbook, patients)
    assert [row["t.out"] for row in out] == ["dose", "wait", "scan"]
    assert out[0]["_errors"] == out[1]["_errors"] == ""


def test_parquet_columns_are_read(tmp_path: Path) -> None:
    pa = pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    workbook = make_workbook(tmp_path, **PARTS)
    table = pa.table({
        "given_at": pa.array([dt.datetime(2025, 1, 15, 7), dt.datetime(2025, 1, 15, 10), None],
                             pa.timestamp("us", tz="UTC")),
        "clock": pa.array([dt.time(9), dt.time(9), dt.time(21)], pa.time64("us")),
        "since_dose": pa.array([dt.timedelta(hours=1), dt.timedelta(hours=36), dt.timedelta(hours=36)],
                               pa.duration("us")),
        "since_scan": pa.array(["P1M", "P2M", "P2M"]),
    })
    pq.write_table(table, tmp_path / "p.parquet")
    out = _run(workbook, tmp_path / "p.parquet")
    assert [row["t.out"] for row in out] == ["early", "dose", "wait"]
    naive = pa.table({"given_at": pa.array([dt.datetime(2025, 1, 15, 7)], pa.timestamp("us")),
                      "since_scan": pa.array(["P1M"])})
    pq.write_table(naive, tmp_path / "n.parquet")  # no zone: not before an instant
    assert [row["t.out"] for row in _run(workbook, tmp_path / "n.parquet")] == ["wait"]


def test_results_write_temporal_values_as_feel_text() -> None:
    assert format_cell(dt.timedelta(hours=36)) == "P1DT12H"
    assert format_cell(YearsMonths(18)) == "P1Y6M"
    assert format_cell(dt.datetime(2025, 1, 15, 8, 30, tzinfo=dt.UTC)) == "2025-01-15T08:30:00Z"
    assert format_cell(dt.time(8, 30)) == "08:30:00"


def test_an_excel_date_cell_is_still_a_date_where_a_tests_sheet_expects_one() -> None:
    from engine.model.cases import expected_value

    assert expected_value(dt.datetime(2025, 1, 15)) == dt.date(2025, 1, 15)  # openpyxl reads a date cell so
    assert expected_value(dt.datetime(2025, 1, 15, 8, 30)) == dt.datetime(2025, 1, 15, 8, 30)


def test_a_computed_input_may_be_a_duration() -> None:
    """``given_at - last_dose_at`` (FEEL: a days and time duration; null between a date and time
    with a zone and one without), record by record and over a frame alike."""
    from engine.evaluation.frame import evaluate_frame
    from engine.formats.xlsx.build import build_model

    sheets = {"Inputs": [["Name", "Type", "Allowed values", "Required", "Expression"],
                         ["given_at", "date and time", None, "no", None],
                         ["last_dose_at", "date and time", None, "no", None],
                         ["since_dose", "days and time duration", None, "no", "given_at - last_dose_at"]],
              "t": [["U", "since_dose", "o"], [None, "input", "output"], [None, None, None],
                    ["R1", '>= @"PT12H"', '"now"'], ["R2", '< @"PT12H"', '"wait"'], ["R3", "null", '"unknown"']]}
    model = build_model("x.xlsx", sheets)
    records = [{"given_at": "2025-01-15T20:00:00", "last_dose_at": "2025-01-15T07:00:00"},
               {"given_at": "2025-01-15T10:00:00", "last_dose_at": "2025-01-15T07:00:00"},
               {"given_at": "2025-01-15T10:00:00Z", "last_dose_at": "2025-01-15T07:00:00"}, {}]
    expected = ["now", "wait", "unknown", "unknown"]
    assert [engine.evaluate(model, record).row()["t.o"] for record in records] == expected
    assert list(evaluate_frame(model, pd.DataFrame(records, dtype=object))["t.o"]) == expected


def test_a_date_and_time_beyond_the_years_an_input_holds_is_refused() -> None:
    with pytest.raises(Invalid, match="of the year 10000, which an input cannot hold"):
        convert_value("10000-01-01T00:00:00", "date and time")
