"""A DAK workbook's sheets as rows of values, read through the safe opening of any workbook.

Owns what the DAK readers get of an ``.xlsx`` file: each sheet's title, visibility, rows of
cell values (the values Excel saved for formulas) with the ranges merged over several rows
spread (``engine.formats.dak.blocks.spread_merges``), and the cells that hold an error value
(``#REF!``).  The file is checked and opened by ``engine.formats.xlsx.safety.open_checked``, so
a hostile file is refused before openpyxl parses it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from engine.formats.dak.blocks import spread_merges

_SURROGATE = re.compile("[\ud800-\udfff]")


@dataclass
class DakSheet:
    title: str
    visible: bool
    rows: list[list[Any]]
    origin: dict[tuple[int, int], str] = field(default_factory=dict)  # (row, column) → merged from this cell
    errors: dict[str, str] = field(default_factory=dict)  # A1 → the error value it holds


def open_sheets(path: str | Path, limits: Any = None) -> Iterator[DakSheet]:
    """Each sheet of the workbook ``path``; WorkbookError (``unreadable``) for a file refused."""
    from engine.formats.xlsx.safety import DEFAULT_LIMITS, open_checked

    book = open_checked(Path(path), DEFAULT_LIMITS if limits is None else limits)
    for sheet in book.worksheets:
        rows, errors = [], {}
        for line in sheet.iter_rows():
            values = []
            for cell in line:
                value = cell.value
                if cell.data_type == "e" and value is not None:
                    errors[cell.coordinate] = str(value)
                    value = str(value)  # #REF! as text: a condition cell holding it is not read, and says so
                elif isinstance(value, str) and _SURROGATE.search(value):
                    value = _SURROGATE.sub("\ufffd", value)
                values.append(value)
            rows.append(values)
        merges = [(m.min_row, m.min_col, m.max_row, m.max_col) for m in sheet.merged_cells.ranges]
        origin = spread_merges(rows, merges)
        yield DakSheet(sheet.title, sheet.sheet_state == "visible", rows, origin, errors)
