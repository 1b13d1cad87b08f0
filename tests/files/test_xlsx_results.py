"""Results as an Excel workbook (issue 21, item 6, the output side): the rows of the CSV result,
typed, never formulas, formatted for reading, written whole or not at all."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from helpers import ROOT

from engine.cli import main
from engine.cli.support import EXIT_DATA, EXIT_OK, EXIT_USAGE
from engine.files import xlsx_results
from engine.files.spreadsheet import cell_text

WORKBOOK = ROOT / "decision_tables" / "her2_mbc_brain_mets.xlsx"
PATIENTS = ROOT / "decision_tables" / "examples" / "her2_patients.csv"


def _run(*args: object) -> object:
    return CliRunner().invoke(main, [str(a) for a in args])


def _same(excel: object, text: str) -> bool:
    shown = cell_text(excel) or ""
    if shown == text:
        return True
    try:
        return float(shown) == float(text)  # "3.0" in the patient file is the number 3 in Excel
    except ValueError:
        return False


@pytest.mark.parametrize("chunk", [None, 7])
def test_the_workbook_holds_the_rows_of_the_csv_result_typed(tmp_path: Path, chunk: int | None) -> None:
    extra = ["--chunk-size", chunk] if chunk else []
    assert _run("evaluate", WORKBOOK, PATIENTS, "-o", tmp_path / "r.csv", "--explain", *extra).exit_code == EXIT_OK
    result = _run("evaluate", WORKBOOK, PATIENTS, "-o", tmp_path / "r.xlsx", "--explain", *extra)
    assert result.exit_code == EXIT_OK, result.output
    rows = list(csv.reader(io.StringIO((tmp_path / "r.csv").read_text(encoding="utf-8"))))
    sheet = openpyxl.load_workbook(tmp_path / "r.xlsx")["results"]
    cells = [[c.value for c in row] for row in sheet.iter_rows()]
    assert len(cells) == len(rows) and cells[0] == rows[0]
    for got, want in zip(cells[1:], rows[1:]):
        assert all(_same(g, w.lstrip("'") if w.startswith("'") else w) for g, w in zip(got, want)), (got, want)
    header = dict(zip(rows[0], cells[1]))
    assert isinstance(header["weight_kg"], (int, float)) and isinstance(header["mass_effect"], bool)
    assert isinstance(header["dosing.trastuzumab_loading_mg"], (int, float))
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref == f"A1:{sheet.cell(1, len(rows[0])).column_letter}" \
        f"{len(rows)}" and sheet["A1"].font.bold


def test_a_text_that_starts_like_a_formula_stays_text(tmp_path: Path) -> None:
    lines = PATIENTS.read_text(encoding="utf-8").splitlines()
    first = lines[1].split(",", 1)
    (tmp_path / "p.csv").write_text("\n".join([lines[0], f'"=HYPERLINK(""http://x"")",{first[1]}']) + "\n",
                                    encoding="utf-8")
    assert _run("evaluate", WORKBOOK, tmp_path / "p.csv", "-o", tmp_path / "r.xlsx").exit_code == EXIT_OK
    cell = openpyxl.load_workbook(tmp_path / "r.xlsx")["results"]["A2"]
    assert cell.data_type == "s" and cell.value == '=HYPERLINK("http://x")'


def test_no_workbook_to_standard_output_and_no_legacy_formats(tmp_path: Path) -> None:
    assert _run("evaluate", WORKBOOK, PATIENTS, "--format", "xlsx").exit_code == EXIT_USAGE
    result = _run("evaluate", WORKBOOK, PATIENTS, "-o", tmp_path / "r.xls")
    assert result.exit_code == EXIT_USAGE and "r.xlsx" in result.output


def test_more_rows_than_a_sheet_holds_is_refused_and_leaves_no_file(tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(xlsx_results, "MAX_ROWS", 10)
    result = _run("evaluate", WORKBOOK, PATIENTS, "-o", tmp_path / "r.xlsx")
    assert result.exit_code == EXIT_DATA and "more than an Excel sheet holds" in result.output
    assert not list(tmp_path.iterdir())
