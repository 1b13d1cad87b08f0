"""Patients in an Excel sheet (issue 21, item 6): read as the same patients in CSV would be.

The oracle is the CSV path: a sheet of typed cells (numbers, booleans, dates, empty cells,
error values) gives the same results as a CSV file whose fields are those cells' texts.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from helpers import make_workbook
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.cli import main
from engine.cli.support import EXIT_DATA, EXIT_OK
from engine.files.spreadsheet import cell_text

INPUTS = [("age", "integer", "[0..120]", "yes"), ("weight", "number", None, "no"), ("smoker", "boolean", None, "no"),
          ("seen", "date", None, "no"), ("site", "string", '"lung","breast"', "no")]
TABLES = {"t": ("C", ["age", "smoker", "seen", "site", "r"], "iiiio", None, [
    ["R1", "< 50", "-", "-", "-", '"young"'], ["R2", ">= 50", "true", "-", "-", '"older smoker"'],
    ["R3", "-", "-", '< date("2020-01-01")', "-", '"seen long ago"'], ["R4", "-", "-", "-", '"lung"', "weight * 2"]])}
CELL = {
    "age": st.one_of(st.none(), st.integers(0, 130), st.floats(0, 130).map(lambda v: round(v, 1)), st.just("#N/A")),
    "weight": st.one_of(st.none(), st.floats(0.5, 300, allow_nan=False).map(lambda v: round(v, 2)), st.just("x")),
    "smoker": st.one_of(st.none(), st.booleans(), st.just("maybe")),
    "seen": st.one_of(st.none(), st.dates(dt.date(1900, 1, 1), dt.date(2100, 1, 1)),
                      st.datetimes(dt.datetime(1990, 1, 1), dt.datetime(2030, 1, 1)).map(
                          lambda d: d.replace(microsecond=0))),  # Excel keeps no microseconds
    "site": st.one_of(st.none(), st.sampled_from(["lung", "breast", "skin", " lung "])),
}
NAMES = ["id", *(name for name, *_ in INPUTS)]


def _sheet(path: Path, rows: list[list[object]], title: str = "patients", before: str | None = None) -> Path:
    book = openpyxl.Workbook()
    if before:
        book.active.title = before
        book.active.append(["not", "patients"])
        sheet = book.create_sheet(title)
    else:
        sheet = book.active
        sheet.title = title
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def _run(*args: object) -> object:
    return CliRunner().invoke(main, [str(a) for a in args])


@pytest.fixture
def guide(tmp_path: Path) -> Path:
    return make_workbook(tmp_path, "guide.xlsx", inputs=INPUTS, tables=TABLES)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.fixed_dictionaries(CELL), min_size=1, max_size=8), chunk=st.sampled_from([None, 1, 3]))
def test_a_sheet_gives_the_results_of_the_same_patients_in_csv(guide: Path, tmp_path: Path, rows, chunk) -> None:
    typed = [[f"P{n}", *(row[name] for name in NAMES[1:])] for n, row in enumerate(rows)]
    _sheet(tmp_path / "p.xlsx", [NAMES, *typed])
    with (tmp_path / "p.csv").open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([NAMES, *([cell_text(v) or "" for v in row] for row in typed)])
    results = []
    for source in ("p.xlsx", "p.csv"):
        result = _run("evaluate", guide, tmp_path / source, "-o", tmp_path / f"{source}.out.csv",
                      *(["--chunk-size", chunk] if chunk else []))
        assert result.exit_code == EXIT_OK, result.output
        results.append((tmp_path / f"{source}.out.csv").read_text(encoding="utf-8").replace(source, "SOURCE"))
    assert results[0] == results[1]


def test_cells_read_as_the_text_a_csv_file_would_hold() -> None:
    assert [cell_text(v) for v in (None, 12, 12.0, 2.5, 1e20, True, False, dt.datetime(2025, 1, 31),
                                   dt.datetime(2025, 1, 31, 8, 30), dt.date(2025, 1, 31), "#N/A", " a ")] == \
        [None, "12", "12", "2.5", "1e+20", "true", "false", "2025-01-31", "2025-01-31T08:30:00", "2025-01-31",
         "#N/A", " a "]


def test_a_bad_value_keeps_its_row_with_errors_and_blank_rows_are_skipped(guide: Path, tmp_path: Path) -> None:
    _sheet(tmp_path / "p.xlsx", [NAMES, ["P1", 40, None, None, None, None], [None] * 6, ["P2", "#N/A", 70, True,
                                                                                       None, "lung"]])
    result = _run("evaluate", guide, tmp_path / "p.xlsx", "-o", "-")
    assert result.exit_code == EXIT_OK, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [r["id"] for r in rows] == ["P1", "P2"]
    assert rows[0]["t.r"] == '["young"]' and "#N/A" in rows[1]["_errors"]


def test_sheet_names_the_sheet_and_an_unknown_one_is_refused_with_the_names(guide: Path, tmp_path: Path) -> None:
    path = _sheet(tmp_path / "p.xlsx", [NAMES, ["P1", 70, None, True, None, None]], title="cohort", before="notes")
    assert _run("evaluate", guide, path, "-o", "-").exit_code == EXIT_DATA  # the first sheet has no age column
    result = _run("evaluate", guide, path, "--sheet", "cohort", "-o", "-")
    assert result.exit_code == EXIT_OK and "older smoker" in result.stdout
    result = _run("evaluate", guide, path, "--sheet", "cohrt", "-o", "-")
    assert result.exit_code == EXIT_DATA and "has no sheet 'cohrt'; its sheets are notes, cohort" in result.output


@pytest.mark.parametrize(("header", "words"), [(["id", None, "age"], "cell B1 has no column name"),
                                               (["id", "age", "age"], "two columns named 'age'")])
def test_a_bad_header_is_refused_naming_the_cell(guide: Path, tmp_path: Path, header, words) -> None:
    path = _sheet(tmp_path / "p.xlsx", [header, ["P1", 1, 2]])
    result = _run("evaluate", guide, path, "-o", "-")
    assert result.exit_code == EXIT_DATA and words in result.output


def test_a_file_that_is_no_workbook_is_refused_as_workbooks_are(guide: Path, tmp_path: Path) -> None:
    (tmp_path / "p.xlsx").write_text("id,age\nP1,40\n", encoding="utf-8")
    result = _run("evaluate", guide, tmp_path / "p.xlsx", "-o", "-")
    assert result.exit_code == EXIT_DATA and "not an .xlsx workbook" in result.output
    assert f"{tmp_path / 'p.xlsx'}: " in result.output  # the message names the file
    (tmp_path / "p.xls").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)
    result = _run("evaluate", guide, tmp_path / "p.xls", "-o", "-")
    assert result.exit_code == EXIT_DATA and "save it as Excel Workbook (.xlsx)" in result.output
    result = _run("evaluate", guide, tmp_path / "p.xls", "--sheet", "x", "-o", "-")
    assert result.exit_code == EXIT_DATA
