"""Patient files as Excel workbooks (.xlsx, .xlsm): one sheet of patients, read as CSV would be.

Owns reading a patients sheet (the first, or the one named): the file is checked as every
workbook is (``engine.formats.xlsx.safety``: a hostile or broken file is refused before it
is parsed), with bounds for patient lists (Excel's own: 1,048,576 rows, 16,384 columns);
row 1 holds the column names (each named, none twice); every cell becomes the text a CSV
file would hold, so that the ``Inputs`` types alone give it a meaning, as for CSV: a whole
number ``12`` (Excel keeps numbers as floats), ``2.5``, ``true``/``false``, a date as
``2025-01-31`` (a date and time with its time: ``2025-01-31T08:30:00``), a time as ``08:30:00``, a
duration (a cell formatted ``[h]:mm:ss``) as FEEL writes it (``PT36H``), an empty cell an empty
field (missing).  A formula
counts by the value Excel saved for it; an error value (``#N/A``) is kept as its text, so
that the row gets an ``_errors`` entry instead of a silent gap.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from engine._core.cells import column_letter
from engine._core.errors import InputDataError, WorkbookError, with_hint
from engine.feel.temporal import duration_text
from engine.formats.xlsx.limits import MB, Limits
from engine.formats.xlsx.safety import check_file

SUFFIXES = (".xlsx", ".xlsm")  # read as patients
SPREADSHEETS = (*SUFFIXES, ".xls", ".ods")  # any spreadsheet a patient list may come in
PATIENT_LIMITS = Limits(max_uncompressed_bytes=2_000 * MB, max_part_bytes=1_500 * MB, max_rows=1_048_576,
                        max_columns=16_384, max_cells=100_000_000, max_text_chars=32_767,
                        max_strings=100_000_000, max_elements=10_000_000)


def read_sheet(path: Path, sheet: str | None = None) -> Any:
    """The patients of ``sheet`` (default: the first) as a pyarrow table of texts."""
    import openpyxl
    import pyarrow as pa

    try:
        check_file(path, str(path), PATIENT_LIMITS)
    except WorkbookError as error:  # refused as any workbook is: said with this file's name
        raise InputDataError("; ".join(f"{path}: {with_hint(p.message, p.hint)}" for p in error.problems)
                             or f"{path}: {error}") from None
    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        if sheet is None and "Inputs" in book.sheetnames:
            raise InputDataError(f"{path}: is a decision-table workbook (it has an Inputs sheet), not a patient "
                                 "file; give the file that lists the patients (CSV, Parquet or a sheet of "
                                 "patients: --sheet NAME)")
        if sheet is not None and sheet not in book.sheetnames:
            raise InputDataError(f"{path}: has no sheet {sheet!r}; its sheets are {', '.join(book.sheetnames)}")
        rows = book[sheet] if sheet is not None else book.worksheets[0]
        values = rows.iter_rows(values_only=True)
        header = next(values, None)
        if header is None:
            raise InputDataError(f"{path}: the sheet {rows.title!r} is empty; write the column names in row 1 and "
                                 "one patient per row below")
        names = _names(path, rows.title, list(header))
        columns: list[list[str]] = [[] for _ in names]
        for row in values:
            cells = list(row[:len(names)]) + [None] * (len(names) - len(row))
            if all(c is None for c in cells):
                continue  # a blank row (Excel keeps formatted empty rows)
            for column, value in zip(columns, cells):
                column.append(cell_text(value) or "")  # an empty cell: an empty field, as in CSV
    finally:
        book.close()
    return pa.table({name: pa.array(column, pa.string()) for name, column in zip(names, columns)})


def _names(path: Path, sheet: str, header: list[Any]) -> list[str]:
    while header and header[-1] is None:
        header.pop()  # formatted but empty columns at the right
    names = []
    for index, value in enumerate(header, start=1):
        name = "" if value is None else str(value).strip()
        if not name:
            raise InputDataError(f"{path}: sheet {sheet!r}, cell {column_letter(index)}1 has no column name; write "
                                 "the name of the input it holds, or delete the column")
        if name in names:
            raise InputDataError(f"{path}: sheet {sheet!r} has two columns named {name!r} ({column_letter(index)}1 "
                                 "and an earlier one); rename one of them")
        names.append(name)
    if not names:
        raise InputDataError(f"{path}: sheet {sheet!r} has no column names in row 1")
    return names


def cell_text(value: Any) -> str | None:
    """An Excel cell's value as the text a CSV file would hold (None for an empty cell); a list
    (of a JSON request to dtrun serve, for a ``list of ...`` input) as its JSON text."""
    if value is None:
        return None
    if isinstance(value, (list, dict)):
        import json

        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time(0) else value.isoformat()
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, dt.timedelta):  # a cell formatted [h]:mm:ss: FEEL's text of the duration (PT36H)
        return duration_text(value)
    return str(value)
