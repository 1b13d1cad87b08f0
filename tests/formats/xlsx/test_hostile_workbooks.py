"""Hostile and broken workbooks: entity bombs, zip bombs, files that are not workbooks, and
the cells real authors produce (formulas, merged cells, hidden parts, rich text, odd spaces,
numbers stored as text, very long texts); and a property test that random damage to a valid
workbook either loads or is reported with a location.

Fixtures are built in code: workbooks with ``tests/helpers/workbooks.py`` (openpyxl), and where
openpyxl cannot write what is needed (a DTD, a formula without a saved value, a sheet that
unpacks to gigabytes) the zip archive and its XML parts are written by hand (``tests/helpers/hostile.py``).
"""

from __future__ import annotations

import dataclasses
import re
import subprocess
import sys
import time
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from helpers import ROOT, make_workbook, sheets_for, write_sheets
from helpers.hostile import (
    BOMBS,
    CLEAN,
    MAIN_NS,
    PKG_REL_NS,
    REL_NS,
    N,
    billion_laughs,
    broken_files,
    clean_book,
    hand_made,
    hide,
    merged_book,
    only_problem,
    patch_part,
    refused,
    replace_cell,
    sheet_xml,
    table_part,
)

import engine
from engine._core.errors import ConditionError, DtrunError, WorkbookError
from engine.analysis.lint import lint_workbook
from engine.cli import main
from engine.formats.xlsx.build import build_model, load_workbook
from engine.formats.xlsx.safety import Limits


def test_defusedxml_is_a_runtime_dependency_and_openpyxl_uses_it():
    import tomllib

    import openpyxl
    from openpyxl.xml import functions

    root = ROOT
    dependencies = tomllib.loads((root / "pyproject.toml").read_text())["project"]["dependencies"]
    assert any(re.match(r"defusedxml\b", d) for d in dependencies)
    assert openpyxl.DEFUSEDXML is True
    assert functions.iterparse.__module__.startswith("defusedxml")


@pytest.mark.parametrize("bomb", BOMBS)
def test_entity_bombs_are_refused_naming_the_dtd(tmp_path: Path, bomb: str):
    path = hand_made(tmp_path / f"{bomb}.xlsx", {"t": BOMBS[bomb]()})
    started = time.perf_counter()
    problem = refused(path)
    assert time.perf_counter() - started < 2
    assert "entity declarations" in problem.message and "DTD" in problem.message
    assert "xl/worksheets/sheet1.xml" in problem.message


@pytest.mark.parametrize("bomb", ["billion-laughs", "quadratic-blowup"])
def test_openpyxl_alone_refuses_entity_bombs_too(tmp_path: Path, bomb: str):
    """The second layer: openpyxl parses with defusedxml, which forbids entity declarations."""
    import openpyxl
    from defusedxml import DefusedXmlException

    path = hand_made(tmp_path / "bomb.xlsx", {"t": BOMBS[bomb]()})
    started = time.perf_counter()
    with pytest.raises(ValueError) as caught:  # openpyxl wraps defusedxml's refusal
        openpyxl.load_workbook(path, data_only=True)
    assert time.perf_counter() - started < 2
    assert isinstance(caught.value.__cause__, DefusedXmlException)


def test_a_bomb_the_scan_skips_is_still_refused_by_defusedxml_with_the_same_cause(tmp_path: Path):
    # media parts are not scanned (pictures); a worksheet hidden there reaches openpyxl + defusedxml
    path = hand_made(tmp_path / "hidden-bomb.xlsx", {"t": billion_laughs()}, targets={"t": "media/image1.xml"})
    problem = refused(path)
    assert "entity declarations" in problem.message and "DTD" in problem.message


_MEMORY_PROBE = """
import resource, sys
from engine._core.errors import WorkbookError
from engine.formats.xlsx.build import load_workbook
try:
    load_workbook(sys.argv[1])
except WorkbookError as error:
    print(error.problems[0].message)
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def test_entity_bombs_are_refused_in_bounded_memory(tmp_path: Path):
    """Peak memory of a process refusing each bomb stays within 100 MB of one loading a clean workbook."""
    def peak_kb(path: Path) -> int:
        done = subprocess.run([sys.executable, "-c", _MEMORY_PROBE, str(path)], capture_output=True, text=True,
                              timeout=60, check=True)
        return int(done.stdout.strip().splitlines()[-1])

    baseline = peak_kb(clean_book(tmp_path))
    for bomb in ("billion-laughs", "quadratic-blowup"):
        path = hand_made(tmp_path / f"{bomb}.xlsx", {"t": BOMBS[bomb]()})
        assert peak_kb(path) < baseline + 100_000, bomb


# ---------------------------------------------------------------------- zip bombs
def rows_xml(count: int, column: str = "A") -> str:
    return "".join(f'<row r="{r}"><c r="{column}{r}"><v>1</v></c></row>' for r in range(1, count + 1))


def test_a_workbook_unpacking_past_200_mb_is_refused_before_parsing(tmp_path: Path):
    path = hand_made(tmp_path / "bomb.xlsx", {"t": sheet_xml()})
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as archive, archive.open("xl/media/pad.bin", "w") as pad:
        block = bytes(1 << 20)
        for _ in range(210):
            pad.write(block)
    assert path.stat().st_size < 2_000_000
    started = time.perf_counter()
    problem = refused(path)
    assert time.perf_counter() - started < 2
    assert "unpacks to 220 MB, more than the limit of 200 MB" in problem.message, problem.message


def test_one_part_past_its_limit_is_refused_with_the_numbers(tmp_path: Path):
    path = hand_made(tmp_path / "big.xlsx", {"t": sheet_xml(rows_xml(50_000))})
    problem = refused(path, Limits(max_part_bytes=1_000_000))
    assert re.search(r"part xl/worksheets/sheet1\.xml unpacks to [\d.]+ MB, more than the limit of 1\.0 MB",
                     problem.message), problem.message


@pytest.mark.parametrize("rows, expected", [
    (rows_xml(100_001), "has more than 100,000 rows"),
    ('<row r="200000"><c r="A200000"><v>1</v></c></row>', "cells down to row 200,000, more than the limit of 100,000"),
    ('<row r="1"><c r="ALM1"><v>1</v></c></row>', "cells up to column 1,001 (ALM), more than the limit of 1,000"),
    ('<row r="1">' + "<c><v>1</v></c>" * 1_500 + "</row>", "up to column 1,001"),
    ('<row r="5000"><c r="AHP5000"><v>1</v></c></row>', "4,500,000 cells (5,000 rows x 900 columns)"),
])
def test_sheets_past_the_row_column_and_cell_limits_are_refused(tmp_path: Path, rows: str, expected: str):
    path = hand_made(tmp_path / "wide.xlsx", {"Inputs": sheet_xml(), "t": sheet_xml(rows)})
    started = time.perf_counter()
    problem = refused(path)
    assert time.perf_counter() - started < 5
    assert expected in problem.message and problem.sheet == "t", problem.message
    assert "sheet 't' (xl/worksheets/sheet2.xml)" in problem.message


@pytest.mark.parametrize("element", [
    '<mergeCells count="1"><mergeCell ref="A1:XFD1048576"/></mergeCells>',
    '<hyperlinks><hyperlink ref="A1:XFD1048576" location="t!A1"/></hyperlinks>',
])
def test_a_tiny_range_that_openpyxl_would_expand_to_billions_of_cells_is_refused(tmp_path: Path, element: str):
    path = hand_made(tmp_path / "merge.xlsx", {"t": sheet_xml(after=element)})
    assert path.stat().st_size < 2_000
    started = time.perf_counter()
    problem = refused(path)
    assert time.perf_counter() - started < 2
    assert "A1:XFD1048576" in problem.message and "1,048,576" in problem.message


def test_a_comment_far_below_the_table_is_refused(tmp_path: Path):
    comments = (f'<comments xmlns="{MAIN_NS}"><authors><author>x</author></authors><commentList>'
                '<comment ref="A900000" authorId="0"><text><t>hi</t></text></comment></commentList></comments>')
    rels = (f'<Relationships xmlns="{PKG_REL_NS}"><Relationship Id="rId1" Type="{REL_NS}/comments" '
            'Target="../comments1.xml"/></Relationships>')
    path = hand_made(tmp_path / "comment.xlsx", {"t": sheet_xml()},
                     extra={"xl/comments1.xml": comments, "xl/worksheets/_rels/sheet1.xml.rels": rels})
    assert "row 900,000 (comments)" in refused(path).message


def test_limits_are_a_frozen_dataclass_with_defaults_overridable_per_load(tmp_path: Path):
    limits = Limits()
    assert (limits.max_uncompressed_bytes, limits.max_rows, limits.max_columns) == (200_000_000, 100_000, 1_000)
    with pytest.raises(dataclasses.FrozenInstanceError):
        limits.max_rows = 5  # type: ignore[misc]
    path = clean_book(tmp_path)
    assert load_workbook(path).tables
    assert "more than the limit of 3 rows" in refused(path, Limits(max_rows=3)).message
    assert "more than the limit of 2 columns" in refused(path, Limits(max_columns=2)).message


# ---------------------------------------------------------------------- not a workbook
KINDS = ["random bytes", "text", "pdf", "empty", "truncated", "end cut off", "damaged", "password", "xls", "other ole",
         "missing", "folder", "ods"]


@pytest.mark.parametrize("kind", KINDS)
def test_a_file_that_is_not_a_usable_workbook_gives_one_clear_problem(tmp_path: Path, kind: str):
    path, phrase = broken_files(tmp_path)[kind]
    problem = refused(path)
    assert phrase in problem.message, problem.message
    assert problem.hint and "\n" not in str(problem)


def test_the_fixes_say_what_to_do(tmp_path: Path):
    files = broken_files(tmp_path)
    assert "remove the password" in refused(files["password"][0]).hint
    assert "save it as Excel Workbook (.xlsx)" in refused(files["xls"][0]).hint
    assert "save it as Excel Workbook (.xlsx)" in refused(files["random bytes"][0]).hint


@pytest.mark.parametrize("kind", KINDS)
def test_cli_lint_gives_one_line_and_exit_2(tmp_path: Path, kind: str):
    path, phrase = broken_files(tmp_path)[kind]
    if kind == "folder":  # lint searches folders for workbooks: put a broken one inside
        path = path / "inner.xlsx"
        path.write_bytes(b"junk")
        phrase = "not an .xlsx workbook"
    result = CliRunner().invoke(main, ["lint", str(path)])
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, (SystemExit, type(None))) and "Traceback" not in result.output
    lines = [line for line in result.output.splitlines() if "error[unreadable]" in line]
    assert len(lines) == 1 and phrase in lines[0], result.output


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("command", ["evaluate", "test"])
def test_cli_evaluate_and_test_give_one_line_and_exit_3(tmp_path: Path, kind: str, command: str):
    path, phrase = broken_files(tmp_path)[kind]
    patients = tmp_path / "p.csv"
    patients.write_text("n\n1\n")
    result = CliRunner().invoke(main, [command, str(path)] + ([str(patients)] if command == "evaluate" else []))
    assert isinstance(result.exception, (SystemExit, type(None))) and "Traceback" not in result.output
    if kind == "folder":  # the argument takes a file: click refuses a folder as a usage error
        assert result.exit_code == 2 and "is a directory" in result.stderr
        return
    assert result.exit_code == 3, result.output
    assert result.stderr.strip().splitlines() == [refused(path).__str__()]
    assert phrase in result.stderr


def test_xlsm_loads_with_a_warning_that_macros_never_run(tmp_path: Path):
    path = clean_book(tmp_path, "macros.xlsm")
    patch_part(path, "[Content_Types].xml", lambda text: text.replace(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
        "application/vnd.ms-excel.sheet.macroEnabled.main+xml"))
    with zipfile.ZipFile(path, "a") as archive:
        archive.writestr("xl/vbaProject.bin", b"\xd0\xcf\x11\xe0 not really vba")
    model = load_workbook(path)
    (warning,) = model.warnings
    assert (warning.code, warning.severity) == ("macros", "warning") and "never runs its macros" in warning.message
    result = CliRunner().invoke(main, ["lint", str(path)])
    assert result.exit_code == 0 and "warning[macros]" in result.output
    assert CliRunner().invoke(main, ["lint", "--strict", str(path)]).exit_code == 1


def test_a_workbook_under_another_extension_is_read_by_its_content(tmp_path: Path):
    path = clean_book(tmp_path, "tables.dat")
    assert load_workbook(path).tables[0].name == "t"


# ---------------------------------------------------------------------- cells real authors produce
def test_a_formula_uses_the_value_excel_saved(tmp_path: Path):
    path = clean_book(tmp_path)
    part = table_part(path, "t")
    replace_cell(path, part, "B5", '<c r="B5" t="str"><f>"&gt;= "&amp;2</f><v>&gt;= 2</v></c>')
    replace_cell(path, part, "C5", '<c r="C5" t="str"><f>"""high"""</f><v>"high"</v></c>')
    model = load_workbook(path)
    assert [c.text for c in model.tables[0].rules[1].inputs] == [">= 2"]
    assert engine.evaluate(model, {"n": 3})["t.o"] == "high"


@pytest.mark.parametrize("cell", [
    '<c r="B4"><f>1+1</f></c>',  # as the brief's scripts write it: no <v> at all
    '<c r="B4"><f>1+1</f><v/></c>',  # as openpyxl writes a formula: an empty <v/>
    '<c r="B4" t="b"><f>TRUE()</f><v></v></c>',
])
def test_a_formula_without_a_saved_value_is_a_problem_naming_the_cell(tmp_path: Path, cell: str):
    path = clean_book(tmp_path)
    replace_cell(path, table_part(path, "t"), "B4", cell)
    with pytest.raises(WorkbookError) as caught:
        load_workbook(path)
    problem = only_problem(caught.value)
    assert (problem.code, problem.sheet, problem.cell) == ("workbook", "t", "B4")
    assert str(problem).endswith("t!B4: error[workbook]: this cell holds a formula with no saved value. Open and save "
                                 "the file in Excel or LibreOffice (they save each formula's value), or type the "
                                 "value instead of the formula")


def test_a_formula_written_by_openpyxl_is_caught_too(tmp_path: Path):
    sheets = sheets_for(inputs=[N], tables=CLEAN)
    sheets["t"][3][2] = "=\"low\""  # a script writing a formula
    path = write_sheets(tmp_path / "script.xlsx", sheets)
    with pytest.raises(WorkbookError) as caught:
        load_workbook(path)
    assert only_problem(caught.value).cell == "C4"


def test_many_formulas_without_values_are_summarised(tmp_path: Path):
    rules = [[f"R{i}", f"={i}", '"x"'] for i in range(1, 31)]
    path = make_workbook(tmp_path, inputs=[N], tables={"t": ("C", ["n", "o"], "io", None, rules)})
    with pytest.raises(WorkbookError) as caught:
        load_workbook(path)
    problems = caught.value.problems
    assert len(problems) == 10 and "(and 20 more such cells on this sheet)" in problems[-1].message


def test_a_formula_giving_empty_text_reads_as_blank(tmp_path: Path):
    path = clean_book(tmp_path)
    replace_cell(path, table_part(path, "t"), "B4", '<c r="B4" t="str"><f>""</f><v></v></c>')
    assert load_workbook(path).tables[0].rules[0].inputs[0].is_any


def test_an_error_value_is_a_problem_naming_the_cell(tmp_path: Path):
    path = clean_book(tmp_path)
    replace_cell(path, table_part(path, "t"), "B4", '<c r="B4" t="e"><f>1/0</f><v>#DIV/0!</v></c>')
    with pytest.raises(WorkbookError) as caught:
        load_workbook(path)
    problem = only_problem(caught.value)
    assert problem.cell == "B4" and "error value #DIV/0!" in problem.message


def test_a_range_merged_within_one_rule_column_gives_its_value_to_every_row(tmp_path: Path):
    model = load_workbook(merged_book(tmp_path, ["B4:B5"]))
    assert [rule.inputs[0].text for rule in model.tables[0].rules] == ['"a"', '"a"', '"b"']
    assert engine.evaluate(model, {"s": "a", "n": 5})["t.o"] == "y"


@pytest.mark.parametrize("cells, phrase", [
    ("B4:C4", "cells B4:C4 are merged across columns, so only B4 holds a value"),
    ("B1:B2", "cells B1:B2 are merged over the header rows (1 to 3)"),
    ("A4:A5", "cells A4:A5 are merged, but each row needs its own id in column A"),
])
def test_other_merged_ranges_are_a_problem(tmp_path: Path, cells: str, phrase: str):
    with pytest.raises(WorkbookError) as caught:
        load_workbook(merged_book(tmp_path, [cells]))
    problem = only_problem(caught.value)  # and no knock-on problems in the cells the range covers
    assert phrase in problem.message and problem.cell == cells.split(":")[0]
    assert "Unmerge Cells" in problem.hint


def test_merges_within_a_column_of_the_inputs_and_tests_sheets_are_spread_too(tmp_path: Path):
    import openpyxl

    path = make_workbook(tmp_path, inputs=[("n", "number", None, "yes"), ("m", None, None, "yes")],
                         tables={"t": ("U", ["n", "m", "o"], "iio", None, [["R1", "< 2", "-", '"low"'],
                                                                          ["R2", ">= 2", "-", '"high"']])},
                         tests=[["case", "n", "m", "t.o"], [None, "input", "input", "expected"],
                                ["c1", 1, 5, "low"], ["c2", 3, None, "high"]])
    book = openpyxl.load_workbook(path)
    book["Inputs"].merge_cells("B2:B3")  # the type "number" for n and m
    book["Tests"].merge_cells("C3:C4")  # m = 5 for both cases
    book.save(path)
    model = load_workbook(path)
    assert model.inputs["m"].type == "number"
    assert [case.inputs["m"] for case in model.tests] == [5, 5]
    with pytest.raises(WorkbookError) as caught:
        load_workbook(hide(path, lambda book: book["Inputs"].merge_cells("A1:A2")))
    assert "merged over the header row (row 1)" in caught.value.problems[0].message  # (n is lost: knock-ons follow)


def test_merged_ranges_without_a_value_are_harmless(tmp_path: Path):
    rules = [["R1", '"a"', "< 2", '"x"', None, None], ["R2", '"b"', ">= 2", '"y"', None, None]]
    path = make_workbook(tmp_path, inputs=[N, ("s", "string")],
                         tables={"t": ("U", ["s", "n", "o"], "iio", None, rules)})
    import openpyxl

    book = openpyxl.load_workbook(path)
    book["t"].merge_cells("F4:G5")
    book.save(path)
    assert len(load_workbook(path).tables[0].rules) == 2


def hidden_findings(path: Path) -> list[Any]:
    return [f for f in lint_workbook(path) if f.code == "hidden"]


def test_hidden_sheets_rows_and_columns_still_count_and_are_warned_about(tmp_path: Path):
    path = make_workbook(tmp_path, inputs=[N], tables=CLEAN, extra={"_notes": [["anything"]]})

    def change(book: Any) -> None:
        book["t"].row_dimensions[5].hidden = True
        book["t"].row_dimensions[9].hidden = True  # blank: nothing hidden there
        book["t"].column_dimensions["C"].hidden = True
        book["Inputs"].sheet_state = "hidden"
        book["_notes"].sheet_state = "hidden"  # ignored by dtrun anyway

    model = load_workbook(hide(path, change))
    assert len(model.tables[0].rules) == 2  # the hidden rule counts
    found = {(f.sheet, f.cells, f.severity): f.message for f in hidden_findings(path)}
    assert found == {
        ("t", ("A5",), "warning"): "row 5 is hidden, but it still counts: dtrun reads hidden rows like any other",
        ("t", ("C1",), "warning"): "column C is hidden, but it still counts: dtrun reads hidden columns like any other",
        ("Inputs", (), "warning"): "sheet Inputs is hidden, but its inputs still count",
    }
    result = CliRunner().invoke(main, ["lint", "--strict", str(path)])
    assert result.exit_code == 1 and "warning[hidden]" in result.output


def test_a_very_hidden_sheet_says_how_to_unhide_it(tmp_path: Path):
    path = hide(clean_book(tmp_path), lambda book: setattr(book["t"], "sheet_state", "veryHidden"))
    (finding,) = hidden_findings(path)
    assert finding.sheet == "t" and "VBA editor" in finding.hint


def test_hidden_rows_are_reported_as_spans(tmp_path: Path):
    rules = [[f"R{i}", str(i), '"x"'] for i in range(1, 8)]
    path = make_workbook(tmp_path, inputs=[N], tables={"t": ("C", ["n", "o"], "io", None, rules)})

    def change(book: Any) -> None:
        for row in (5, 6, 7, 9):
            book["t"].row_dimensions[row].hidden = True

    (finding,) = hidden_findings(hide(path, change))
    assert finding.message.startswith("rows 5-7, 9 are hidden, but they still count")


def test_warnings_are_kept_when_the_workbook_also_has_errors(tmp_path: Path):
    path = make_workbook(tmp_path, inputs=[N], tables={"t": ("U", ["n", "o"], "io", None, [["R1", "<<", '"x"']])})
    path = hide(path, lambda book: setattr(book["t"], "sheet_state", "hidden"))
    with pytest.raises(WorkbookError) as caught:
        load_workbook(path)
    assert [p.code for p in caught.value.problems] == ["syntax"]
    assert [p.code for p in caught.value.warnings] == ["hidden"] and "warning[hidden]" in str(caught.value)
    assert {f.code for f in lint_workbook(path)} == {"syntax", "hidden"}


def test_rich_text_reads_as_its_plain_text(tmp_path: Path):
    import openpyxl
    from openpyxl.cell.rich_text import CellRichText, TextBlock
    from openpyxl.cell.text import InlineFont

    path = make_workbook(tmp_path, inputs=[("s", "string")],
                         tables={"t": ("U", ["s", "o"], "io", None, [["R1", "x", '"yes"']])})
    book = openpyxl.load_workbook(path, rich_text=True)
    book["t"]["B4"] = CellRichText([TextBlock(InlineFont(b=True), '"pos'), TextBlock(InlineFont(i=True), 'itive"')])
    book.save(path)
    model = load_workbook(path)
    assert model.tables[0].rules[0].inputs[0].text == '"positive"'
    assert engine.evaluate(model, {"s": "positive"})["t.o"] == "yes"


def test_leading_trailing_non_breaking_and_zero_width_spaces_are_ignored(tmp_path: Path):
    tables = {"t": ("U", ["n\u00a0", " o "], ["input ", "\u00a0output"], None,
                    [[" R1 ", "\u00a0< 2 ", '"low"\u200b'], ["R2\u00a0", ">= 2", ' "high" ']])}
    model = load_workbook(make_workbook(tmp_path, inputs=[(" n\u200b", "number ")], tables=tables))
    assert model.tables[0].rule_ids == ("R1", "R2")
    assert engine.evaluate(model, {"n": 1})["t.o"] == "low"


def test_numbers_stored_as_text_parse(tmp_path: Path):
    tables = {"t": ("U", ["n", "o"], "io", None, [["1", "2", "400"], ["2", "not(2)", "8.5"]])}
    model = load_workbook(make_workbook(tmp_path, inputs=[N], tables=tables))  # all written as text cells
    assert engine.evaluate(model, {"n": 2})["t.o"] == 400
    assert engine.evaluate(model, {"n": 3})["t.o"] == 8.5


@pytest.mark.parametrize("column", ["B", "C", "D"])
def test_a_very_long_text_is_a_problem_not_a_hang(tmp_path: Path, column: str):
    huge = "1, " * 100_000 + "1"  # 300 kB in one cell
    rules = [["R1", "< 2", '"low"', "note"], ["R2", ">= 2", '"high"', "note"]]
    rules[0]["BCD".index(column) + 1] = huge
    path = make_workbook(tmp_path, inputs=[N], tables={"t": ("U", ["n", "o", "Guidance"], "ioa", None, rules)})
    started = time.perf_counter()
    with pytest.raises(WorkbookError) as caught:
        load_workbook(path)
    assert time.perf_counter() - started < 5
    problem = only_problem(caught.value)
    assert problem.cell == f"{column}4"  # (openpyxl keeps Excel's 32,767 characters of it)
    assert re.search(r"holds [\d,]+ characters, more than the limit of 10,000", problem.message), problem.message


# ---------------------------------------------------------------------- property: damage never escapes
def _base_sheets() -> dict[str, list[list[Any]]]:
    return sheets_for(
        about={"Title": "t", "Version": "1"},
        inputs=[("n", "integer", "[0..10]", "yes"), ("s", "string", '"a","b"'), ("d", "date")],
        tables={"first": ("U", ["n", "s", "level"], "iio", None,
                          [["F1", "< 5", '"a"', '"low"'], ["F2", ">= 5", "-", '"high"'], ["F3", "< 5", '"b"', "null"]]),
                "second": ("P", ["level", "dose", "Reference"], "ioa", ['', '"x","y"'],
                           [["S1", '"low"', '"x"', "ref"], ["S2", "-", '"y"', "ref"]])},
        tests=[["case", "n", "s", "first.level"], [None, "input", "input", "expected"], ["c1", 1, "a", "low"]])


def _mutate(sheets: dict[str, list[list[Any]]], operations: list[tuple[Any, ...]]) -> dict[str, list[list[Any]]]:
    sheets = {name: [list(row) for row in rows] for name, rows in sheets.items()}
    for kind, *args in operations:
        names = list(sheets)
        if not names:
            break
        name = names[args[0] % len(names)]
        rows = sheets[name]
        if kind == "remove":
            del sheets[name]
        elif kind == "rename":
            if args[1] not in sheets:
                sheets = {(args[1] if n == name else n): r for n, r in sheets.items()}
        elif rows:
            r, c = args[1] % (len(rows) + 1), args[2] % 6
            while len(rows) <= r:
                rows.append([])
            while len(rows[r]) <= c:
                rows[r].append(None)
            if kind == "blank":
                rows[r][c] = None
            elif kind == "text":
                rows[r][c] = args[3]
            elif kind == "swap":
                r2 = args[3] % len(rows)
                c2 = args[4] % 6
                while len(rows[r2]) <= c2:
                    rows[r2].append(None)
                rows[r][c], rows[r2][c2] = rows[r2][c2], rows[r][c]
    return sheets


def _check_outcome(name: str, load: Callable[[], Any]) -> None:
    try:
        model = load()
    except WorkbookError as error:
        assert error.problems
        for problem in (*error.problems, *error.warnings):
            assert problem.workbook == name, problem
            assert not problem.cell or (problem.sheet and re.fullmatch(r"[A-Z]{1,3}[1-9][0-9]*", problem.cell)), problem
            assert problem.message and problem.severity in ("error", "warning"), problem
    except ConditionError as error:
        assert error.column >= 1 and error.text is not None
    else:
        try:
            engine.evaluate(model, {"n": 3, "s": "a"})
        except DtrunError:
            pass


def test_random_damage_to_a_valid_workbook_loads_or_is_reported_with_a_location(tmp_path: Path):
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    snippets = st.sampled_from(["", " ", "-", "null", "U", "F", "C+", "input", "output", "annotation", "expected",
                                "[1..", "not(", '"', "=> 2", "1-4", "2,5", "date(\"x\")", "Inputs", "n", "first.level",
                                "R1", "F1", "integer", "yes", "=1+", "1e400", "\u00a0", "[1..4]", ">= 5", '"a"'])
    free = st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=12)
    values = st.one_of(snippets, free, st.integers(-5, 20), st.booleans(), st.floats(allow_nan=False))
    index = st.integers(0, 50)
    names = st.one_of(st.sampled_from(["About", "Inputs", "Tests", "_x", "first", "second", "bad name", "x1"]),
                      st.text("abcXYZ_ 1", min_size=1, max_size=31).filter(lambda t: t.strip() == t))
    operation = st.one_of(
        st.tuples(st.just("blank"), index, index, index),
        st.tuples(st.just("text"), index, index, index, values),
        st.tuples(st.just("swap"), index, index, index, index, index),
        st.tuples(st.just("rename"), index, names),
        st.tuples(st.just("remove"), index),
    )
    base = _base_sheets()
    build_model("base.xlsx", base)  # the undamaged workbook is valid
    counter = iter(range(10**9))

    @settings(max_examples=120, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    @given(st.lists(operation, min_size=1, max_size=6))
    def damage(operations: list[tuple[Any, ...]]) -> None:
        sheets = _mutate(base, operations)
        _check_outcome("w.xlsx", lambda: build_model("w.xlsx", sheets))
        if sheets:
            path = tmp_path / f"w{next(counter)}.xlsx"
            write_sheets(path, sheets)
            _check_outcome(str(path), lambda: load_workbook(path))
            path.unlink()

    started = time.perf_counter()
    damage()
    assert time.perf_counter() - started < 30
