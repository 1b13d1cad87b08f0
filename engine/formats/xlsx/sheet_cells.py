"""The cells openpyxl creates from a worksheet part, counted during the streaming pass.

Owns how the pass reads a worksheet as openpyxl's ``WorkSheetParser`` does: every
``<row>`` (at any depth) sets the row from its ``r`` as ``int()`` or ``float()`` read it,
every child of a row is a cell (whatever its name) whose ``r`` is read by openpyxl's own
``coordinate_to_tuple`` (a row number of any length), and the ranges of merged cells,
hyperlinks and comments by its ``range_boundaries``.  What openpyxl cannot read is refused
as damaged; what it would create is counted against the limits.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, NoReturn

from openpyxl.utils.cell import coordinate_to_tuple, range_boundaries

from engine._core.cells import column_letter
from engine.formats.xlsx.limits import Limits, Refused, damaged

_SHEET_HINT = ("a decision table has at most a few thousand rows and a few dozen columns; delete the rows and "
               "columns after the table's last cell (select them, then Delete) and save again")


@dataclass
class SheetScan:
    """What the streaming pass saw in one worksheet part."""

    part: str
    name: str
    rows: int = 0  # last row used
    columns: int = 0  # last column used
    cells: int = 0  # cells openpyxl will create
    row_elements: int = 0
    formulas_without_value: list[str] = field(default_factory=list)


class SheetCells:
    """The expat handlers of one worksheet part; ``scanner`` counts the elements outside rows."""

    def __init__(self, scanner: Any, sheet: SheetScan | None) -> None:
        assert sheet is not None
        self.scanner, self.sheet, self.limits, self.part = scanner, sheet, scanner.limits, scanner.part
        self.depth = 0
        self.row_depth = -1  # depth of the open <row>; -1 outside rows
        self.row = self.column = 0
        self.cell: str | None = None
        self.cell_type = ""
        self.has_formula = self.has_value = self.value_text = self.inline = self.in_value = False

    def start(self, name: str, attrs: dict[str, str]) -> None:
        depth, local = self.depth, name.rpartition(" ")[2]
        self.depth += 1
        if self.row_depth < 0:
            if local == "row":
                self._row(attrs)
                self.row_depth = depth
                return
            self.scanner.element()
            if local in ("mergeCell", "hyperlink"):
                ref = attrs.get("ref", "")
                range_extent(self.sheet, self.limits, self.part, ref,
                             f" (merged cells {ref})" if local == "mergeCell" else f" (a hyperlink {ref})")
        elif local == "row":
            damaged(self.part, "has a row inside a row")
        elif depth == self.row_depth + 1:  # any child of a row is a cell to openpyxl
            self._cell(attrs)
        elif local == "f":
            self.has_formula = True
        elif local == "v":
            self.has_value = self.in_value = True
        elif local == "is":
            self.inline = True

    def end(self, name: str) -> None:
        self.depth -= 1
        if self.depth == self.row_depth:
            self.row_depth = -1
        elif self.row_depth >= 0 and self.depth == self.row_depth + 1:
            saved = self.has_value and (self.value_text or self.cell_type in ("str", "s", "inlineStr"))
            if self.has_formula and not saved and not self.inline and self.cell is not None:
                self.sheet.formulas_without_value.append(self.cell)
            self.cell = None
        elif name.rpartition(" ")[2] == "v":
            self.in_value = False

    def text(self, data: str) -> None:
        if self.in_value and data.strip():
            self.value_text = True

    def _row(self, attrs: dict[str, str]) -> None:
        sheet = self.sheet
        sheet.row_elements += 1
        if sheet.row_elements > self.limits.max_rows:
            too_many(sheet, f"more than {self.limits.max_rows:,} rows")
        number = attrs.get("r")
        self.row, self.column = self.row + 1 if number is None else _row_number(self.part, number), 0

    def _cell(self, attrs: dict[str, str]) -> None:
        ref = attrs.get("r")
        if ref:
            try:
                row, column = coordinate_to_tuple(ref)
            except ValueError:
                damaged(self.part, f"refers to cell '{ref[:40]}'")
        else:
            row, column = self.row, self.column + 1
        self.column = column
        check_extent(self.sheet, self.limits, row, column, 1)
        self.cell, self.cell_type = f"{column_letter(max(column, 1))}{row}", attrs.get("t", "n")
        self.has_formula = self.has_value = self.value_text = self.inline = False


def _row_number(part: str, text: str) -> int:
    """A row's ``r`` as openpyxl reads it: ``int()``, else a ``float()`` that is a whole number."""
    try:
        return int(text)
    except ValueError:
        pass
    try:
        number = float(text)
    except ValueError:
        number = 0.5
    if not number.is_integer():
        damaged(part, f"numbers a row '{text[:40]}'")
    return int(number)


def range_extent(sheet: SheetScan, limits: Limits, part: str, ref: str, why: str) -> None:
    """The cells openpyxl creates for the range ``ref`` (``ws[ref]``, a merge): a column or row range
    spans the rows or columns used so far."""
    try:
        min_col, min_row, max_col, max_row = range_boundaries(ref)
    except ValueError:
        damaged(part, f"names the cells '{ref[:40]}'")
    rows = sorted((min_row, max_row)) if min_row is not None and max_row is not None else [1, sheet.rows]
    columns = sorted((min_col, max_col)) if min_col is not None and max_col is not None else [1, sheet.columns]
    area = max(0, rows[1] - rows[0] + 1) * max(0, columns[1] - columns[0] + 1)
    check_extent(sheet, limits, rows[1], columns[1], area, why)


def check_extent(sheet: SheetScan | None, limits: Limits, row: int, column: int, cells: int, why: str = "") -> None:
    """Count cells openpyxl will create (up to ``row``, ``column``); refuse past the limits."""
    assert sheet is not None
    sheet.rows, sheet.columns, sheet.cells = max(sheet.rows, row), max(sheet.columns, column), sheet.cells + cells
    if sheet.rows > limits.max_rows:
        too_many(sheet, f"cells down to row {sheet.rows:,}{why}, more than the limit of {limits.max_rows:,} rows")
    if sheet.columns > limits.max_columns:
        too_many(sheet, f"cells up to column {sheet.columns:,} ({column_letter(sheet.columns)}){why}, more than the "
                 f"limit of {limits.max_columns:,} columns")
    if sheet.cells > limits.max_cells or sheet.rows * sheet.columns > limits.max_cells:
        too_many(sheet, f"{max(sheet.cells, sheet.rows * sheet.columns):,} cells ({sheet.rows:,} rows x "
                 f"{sheet.columns:,} columns){why}, more than the limit of {limits.max_cells:,} cells")


def too_many(sheet: SheetScan, what: str) -> NoReturn:
    raise Refused(f"sheet '{sheet.name}' ({sheet.part}) has {what}; it is refused before it is read",
                  _SHEET_HINT, sheet.name)
