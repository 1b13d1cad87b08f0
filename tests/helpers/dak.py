"""WHO SMART Guidelines DAK files built in code: decision-logic workbooks (Decision ID blocks,
with merged cells, hidden sheets, several blocks per sheet) and data dictionaries."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

DAK = Path(os.environ.get("DTRUN_DAK", Path(__file__).resolve().parents[2].parent / "shared" / "dak"))
ANC = DAK / "anc" / "WHO-SRH-21.2-eng.xlsx"
ANC_DICTIONARY = DAK / "anc" / "WHO-ANC.xlsx"
IMMZ = DAK / "immz"


def block(decision_id: str, headings: Sequence[str | None], rules: Sequence[Sequence[Any]],
          business: str = "a business rule", trigger: str = "a trigger", column: int = 2) -> list[list[Any]]:
    """The rows of one Decision ID block, its labels in ``column`` (B by default): Decision ID,
    Business Rule, Trigger, the heading row, one row per rule."""
    pad = [None] * (column - 1)
    return [pad + ["Decision ID", decision_id], pad + ["Business Rule", business], pad + ["Trigger", trigger],
            pad + list(headings), *[pad + list(rule) for rule in rules]]


def write_dak(path: Path, sheets: dict[str, list[list[Any]]], merges: dict[str, Sequence[str]] | None = None,
              hidden: Sequence[str] = ()) -> Path:
    """A DAK workbook: each sheet's rows from A1 (None: blank), ``merges`` per sheet."""
    import openpyxl

    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row, start=1):
                if value is not None:
                    sheet.cell(row=r, column=c, value=value)
        for ref in (merges or {}).get(title, ()):
            sheet.merge_cells(ref)
        if title in hidden:
            sheet.sheet_state = "hidden"
    book.save(path)
    return path


DICTIONARY_HEADINGS = ["Activity ID", "Data Element ID", "Data Element Label", "Description and Definition",
                       "Multiple Choice Type", "Data Type", "Input Options", "Calculation", "Quantity Sub-Type"]


def element(de_id: str, label: str, data_type: str, choice: str = "N/A", options: Sequence[tuple[str, str]] = (),
            unit: str = "N/A") -> list[list[Any]]:
    """A data element's row, and a row per input option (label, short value) under it."""
    rows: list[list[Any]] = [["ANC.X", de_id, label, f"{label} (description)", choice, data_type, None, None, unit]]
    rows += [["ANC.X", f"{de_id}.{n}", option, option, "Input Option", "Codes", value or None, None, "N/A"]
             for n, (option, value) in enumerate(options, start=1)]
    return rows


def write_dictionary(path: Path, elements: Sequence[list[list[Any]]], sheet: str = "ANC.B5 Quick check") -> Path:
    """A data dictionary: a notes row, the heading row, then the elements (columns from B)."""
    rows: list[list[Any]] = [[None, "Notes: a data dictionary"], [None, *DICTIONARY_HEADINGS]]
    rows += [[None, *row] for rows_of in elements for row in rows_of]
    return write_dak(path, {"Overview": [["cover"]], sheet: rows})
