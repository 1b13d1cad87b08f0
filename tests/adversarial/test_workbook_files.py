"""Issue 16, the workbook pre-scan: classes 3 and 4, and a cell holding half of a surrogate pair.

Class 3: the scan must see every part openpyxl loads, as openpyxl reads it: a worksheet part
with whitespace before ``<``, a ``<sheet>`` with a decoy ``id`` beside ``r:id`` (or only a plain
``id``), a cell reference or row number of any length.  The property: whatever the scan lets
through, openpyxl loads within the limits.
Class 4: small zip bombs inside the byte limits (styles, shared strings, drawing anchors,
comments, defined names) are refused in a second, naming the part and the count; drawings and
comments, which dtrun never needs, are not parsed at all.
"""

from __future__ import annotations

import time
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers.hostile import (
    TABLE_PART,
    clean_book,
    decoy_id,
    far_row,
    leading_space,
    many_anchors,
    many_comments,
    many_names,
    many_strings,
    many_styles,
    part_text,
    refused,
    replace_cell,
    rewrite,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine._core.errors import WorkbookError
from engine.cli import main
from engine.formats.xlsx.build import load_workbook
from engine.formats.xlsx.safety import Limits, check_file

EXIT_UNREADABLE_LINT = 2


def _lint(path: Path) -> tuple[int, str, float]:
    started = time.perf_counter()
    result = CliRunner().invoke(main, ["lint", str(path)])
    return result.exit_code, result.output, time.perf_counter() - started


# ---------------------------------------------------------------------- class 3: parts openpyxl reads, as it reads them
HIDES = {
    "leading whitespace": lambda path, ref: leading_space(path, ref),
    "leading whitespace past 64 bytes": lambda path, ref: leading_space(path, ref, spaces=5_000),
    "a decoy id in another namespace": lambda path, ref: decoy_id(path, ref),
    "a plain id without r:id": lambda path, ref: decoy_id(path, ref, plain=True),
    "a cell reference of any length": lambda path, ref: far_row(path, ref),
}


@pytest.mark.parametrize("hide", list(HIDES))
def test_each_bypass_of_the_scan_is_refused_at_the_default_limits(tmp_path: Path, hide: str):
    path = HIDES[hide](clean_book(tmp_path), "A12345678")
    code, output, seconds = _lint(path)
    assert code == EXIT_UNREADABLE_LINT and seconds < 5, (hide, code, output)
    assert "sheet 't' (xl/worksheets/sheet2.xml) has cells down to row 12,345,678, more than the limit of 100,000 " \
           "rows" in output and "Traceback" not in output, output


def _rows_openpyxl_loads(path: Path) -> int:
    """The last row of any sheet openpyxl loads from ``path`` (0 when openpyxl cannot read it)."""
    import openpyxl

    try:
        book = openpyxl.load_workbook(path, data_only=True, keep_links=False)
    except Exception:  # noqa: BLE001 - openpyxl raises many kinds; dtrun must refuse those files too
        return 0
    return max(max((row for row, _ in sheet._cells), default=0) for sheet in book.worksheets)


ROW_TEXT = st.sampled_from(["{}", "{:_}", " {} ", "+{}", "{}.0", "{:e}", "0{}"])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(hide=st.sampled_from(list(HIDES) + ["a row number of any form"]), row=st.integers(1, 10**12),
       column=st.sampled_from(["A", "c", "XFD", "AAA"]), form=ROW_TEXT)
def test_what_the_scan_lets_through_openpyxl_loads_within_the_limits(tmp_path: Path, hide: str, row: int,
                                                                     column: str, form: str):
    """The property of class 3: a cell far below the table, hidden in any of these ways, is either
    refused or within the limits as openpyxl loads it."""
    limits = Limits(max_rows=1_000)
    path = clean_book(tmp_path, "far.xlsx")
    if hide == "a row number of any form":  # a row r="..." that int() or float() reads, and cells without r
        sheet = part_text(path, TABLE_PART).replace(
            "</sheetData>", f'<row r="{form.format(row)}"><c><v>1</v></c></row></sheetData>')
        rewrite(path, {TABLE_PART: sheet})
    else:
        HIDES[hide](path, f"{column}{form.format(row) if form in ('{}', '0{}') else row}")
    try:
        check_file(path, str(path), limits)
    except WorkbookError as error:
        (problem,) = error.problems
        assert problem.code == "unreadable", problem
        assert "more than the limit" in problem.message or "the file is damaged" in problem.message, problem
        return
    assert _rows_openpyxl_loads(path) <= limits.max_rows, (hide, row, column, form)


def test_two_sheets_on_one_part_are_refused_as_damaged(tmp_path: Path):
    path = clean_book(tmp_path)
    book = part_text(path, "xl/workbook.xml")
    rewrite(path, {"xl/workbook.xml": book.replace('r:id="rId2" />', 'r:id="rId2" /><sheet name="u" sheetId="3" '
                                                   'state="visible" r:id="rId2" />')})
    assert "sheets 't' and 'u' are the same part xl/worksheets/sheet2.xml" in refused(path).message


def test_a_reference_openpyxl_cannot_read_is_refused_as_damaged_not_a_traceback(tmp_path: Path):
    path = far_row(clean_book(tmp_path), "$A$7")
    code, output, _ = _lint(path)
    assert code == EXIT_UNREADABLE_LINT and "the file is damaged: part xl/worksheets/sheet2.xml refers to cell " \
                                           "'$A$7'" in output, output


# ---------------------------------------------------------------------- class 4: small zip bombs inside the byte limits
BOMBS = {  # what, its builder, the Limits field, the part named, the words of the message
    "styles": (many_styles, "max_styles", "xl/styles.xml", "cell formats (<cellXfs>)"),
    "strings": (many_strings, "max_strings", "xl/sharedStrings.xml", "texts"),
    "anchors": (many_anchors, "max_drawing_objects", "xl/drawings/drawing1.xml", "pictures, charts and shapes"),
    "comments": (many_comments, "max_comments", "xl/comments1.xml", "comments"),
    "names": (many_names, "max_defined_names", "xl/workbook.xml", "defined names"),
}


@pytest.mark.parametrize("bomb", list(BOMBS))
def test_each_small_bomb_is_refused_at_the_default_limits_naming_the_part_and_the_count(tmp_path: Path, bomb: str):
    build, field, part, words = BOMBS[bomb]
    limit = getattr(Limits(), field)
    path = build(clean_book(tmp_path), limit + 1)
    assert path.stat().st_size < 3_000_000
    code, output, seconds = _lint(path)
    assert code == EXIT_UNREADABLE_LINT and seconds < 5, (bomb, code, output)
    assert f"part {part} (" in output and f"more than {limit:,} {words}" in output, output
    assert f"engine.Limits({field}=...)" in output and "Traceback" not in output


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(bomb=st.sampled_from(list(BOMBS)), limit=st.integers(3, 40), more=st.integers(-3, 3))  # the book has 2 fills
def test_a_count_up_to_its_limit_loads_and_past_it_is_refused(tmp_path: Path, bomb: str, limit: int, more: int):
    build, field, part, words = BOMBS[bomb]
    count = max(0, limit + more)
    path = build(clean_book(tmp_path, "counted.xlsx"), count)
    limits = Limits(**{field: limit})
    if count <= limit:
        assert load_workbook(path, limits).tables
    else:
        problem = refused(path, limits)
        assert part in problem.message and f"more than {limit:,} {words}" in problem.message, problem.message


def test_drawings_and_comments_are_not_parsed_by_the_loader(tmp_path: Path):
    """dtrun needs neither: openpyxl is given empty ones, so one it cannot read does not matter."""
    import openpyxl

    path = many_comments(clean_book(tmp_path), 1)
    rewrite(path, {"xl/comments1.xml": part_text(path, "xl/comments1.xml").replace('authorId="0"', 'authorId="7"')})
    with pytest.raises(IndexError):
        openpyxl.load_workbook(path)
    assert load_workbook(path).tables
    drawing = many_anchors(clean_book(tmp_path, "drawing.xlsx"), 3)
    rels = ('<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship '
            'Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/chart" '
            'Target="../charts/chart1.xml"/></Relationships>')
    anchor = ('<xdr:graphicFrame><xdr:nvGraphicFramePr><xdr:cNvPr id="2" name="c"/><xdr:cNvGraphicFramePr/>'
              '</xdr:nvGraphicFramePr><xdr:xfrm/><a:graphic xmlns:a="http://schemas.openxmlformats.org/drawingml/'
              '2006/main"><a:graphicData uri="c"><c:chart xmlns:c="http://schemas.openxmlformats.org/drawingml/2006/'
              'chart" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" r:id="rId1"/>'
              "</a:graphicData></a:graphic></xdr:graphicFrame><xdr:clientData/>")
    text = part_text(drawing, "xl/drawings/drawing1.xml").replace("<xdr:clientData/>", anchor, 1)
    rewrite(drawing, {"xl/drawings/drawing1.xml": text, "xl/drawings/_rels/drawing1.xml.rels": rels,
                      "xl/charts/chart1.xml": "<chartSpace/>"})  # a chart openpyxl cannot read
    with zipfile.ZipFile(drawing) as archive:
        assert "xl/charts/chart1.xml" in archive.namelist()
    assert load_workbook(drawing).tables


# ---------------------------------------------------------------------- half of a surrogate pair
@pytest.mark.parametrize("text, shown", [('"lo_xD800_w"', "U+D800, written _xD800_ in the file"),
                                         ('"_xDE00_"', "U+DE00, written _xDE00_ in the file")])
def test_a_cell_holding_half_a_surrogate_pair_is_a_problem_at_its_cell(tmp_path: Path, text: str, shown: str):
    path = replace_cell(clean_book(tmp_path), TABLE_PART, "C4", f'<c r="C4" t="inlineStr"><is><t>{text}</t></is></c>')
    with pytest.raises(WorkbookError) as caught:
        load_workbook(path)
    (problem,) = caught.value.problems
    assert (problem.code, problem.sheet, problem.cell) == ("workbook", "t", "C4"), problem
    assert f"this cell holds a character that is not valid text ({shown})" in problem.message
    assert "retype" in problem.hint.lower()
    for command in (["lint"], ["show"]):
        result = CliRunner().invoke(main, [*command, str(path)])
        assert result.exit_code not in (0, 70) and "t!C4" in result.output, result.output


def test_a_pair_written_as_two_escapes_is_one_character_and_reads(tmp_path: Path):
    path = replace_cell(clean_book(tmp_path), TABLE_PART, "C4",
                        '<c r="C4" t="inlineStr"><is><t>"_xD83D__xDE00_"</t></is></c>')
    assert load_workbook(path).tables

