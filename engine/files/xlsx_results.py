"""Results as an Excel workbook (``dtrun evaluate ... -o results.xlsx``), made for reading.

Owns the ``xlsx`` result format: one sheet ``results`` with the same rows and columns as the
CSV result, each value typed as Excel types it (numbers, booleans and dates as such; texts as
texts, never as formulas: a text that starts with ``=`` stays text, so the injection that CSV
escapes cannot happen; lists as their JSON text, as in CSV), the header in bold, frozen, with
filters, and columns as wide as their header and first rows.  The workbook is built in
openpyxl's write-only mode and handed over whole to the result writer, which writes it
atomically.  Excel holds at most 1,048,575 rows of data: a larger result is refused.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from typing import Any

import pandas as pd

from engine._core.cells import column_letter
from engine._core.errors import InputDataError
from engine.files.json_cells import finite, native

MAX_ROWS = 1_048_575  # Excel's rows, less the header
_WIDTH = (8, 60)  # a column's width in characters: at least, at most


class XlsxResults:
    """The rows of a result workbook, added frame by frame, saved once."""

    def __init__(self, target: str, input_types: dict[str, str] | None = None) -> None:
        from openpyxl import Workbook

        self.target, self.input_types = target, input_types or {}
        self.book = Workbook(write_only=True)
        self.sheet = self.book.create_sheet("results")
        self.rows = 0
        self.columns = 0

    def add(self, frame: pd.DataFrame) -> None:
        from openpyxl.cell import WriteOnlyCell
        from openpyxl.styles import Font

        if self.rows + len(frame) > MAX_ROWS:
            raise InputDataError(f"{self.target}: {self.rows + len(frame):,} rows or more, more than an Excel sheet "
                                 f"holds ({MAX_ROWS:,} below its header); write CSV or Parquet instead")
        names = [str(c) for c in frame.columns]
        columns = [[_typed(v, self.input_types.get(name)) for v in frame.iloc[:, i].tolist()]
                   for i, name in enumerate(names)]
        if self.columns == 0:  # the first frame: widths (write-only sheets take them before any row), header
            self.columns = len(names)
            for index, (name, values) in enumerate(zip(names, columns), start=1):
                longest = max([len(name), *(len(str(v)) for v in values[:200] if v is not None)])
                self.sheet.column_dimensions[column_letter(index)].width = min(max(longest + 2, _WIDTH[0]), _WIDTH[1])
            self.sheet.freeze_panes = "A2"
            bold = Font(bold=True)
            self.sheet.append([_cell(self.sheet, name, bold, WriteOnlyCell) for name in names])
        for row in zip(*columns):
            self.sheet.append([_cell(self.sheet, v, None, WriteOnlyCell) for v in row])
        self.rows += len(frame)

    def save(self) -> bytes:
        if self.columns:
            self.sheet.auto_filter.ref = f"A1:{column_letter(self.columns)}{self.rows + 1}"
        buffer = io.BytesIO()
        self.book.save(buffer)
        return buffer.getvalue()


def _cell(sheet: Any, value: Any, font: Any, make: Any) -> Any:
    cell = make(sheet, value=value)
    if isinstance(value, str):
        cell.data_type = "s"  # a text that starts with = is text, never a formula
    if font is not None:
        cell.font = font
    return cell


def _typed(value: Any, kind: str | None = None) -> Any:
    """A value as Excel should hold it: a patient's text typed by its input's type where it
    reads as one (``"2.5"`` of a number input is 2.5; ``"007"`` of a string input stays text)."""
    value = finite(native(value))
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False, default=str)
    if not isinstance(value, str):
        return value
    text = value.strip()
    try:
        if kind in ("number", "integer") and text and text.lower() not in ("nan", "inf", "-inf", "infinity"):
            number = float(text)
            return int(number) if number.is_integer() and abs(number) < 1e15 else number
        if kind == "boolean" and text.lower() in ("true", "false"):
            return text.lower() == "true"
        if kind == "date" or (kind is None and len(text) == 10 and text[4:5] == "-" and text[7:8] == "-"):
            return dt.date.fromisoformat(text)  # a date input, or a date result (native gives its ISO text)
    except ValueError:
        pass
    return value
