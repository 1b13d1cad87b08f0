"""What a workbook may unpack to, and how a refusal is said.

Owns :class:`Limits` (the bounds a workbook is checked against before openpyxl parses it,
with defaults far above any real decision-table workbook), :class:`Refused` (a refusal: its
message and hint) and the messages shared by the passes over a workbook's parts.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NoReturn

MB = 1_000_000
DTD_MESSAGE = ("the file contains XML entity declarations (a DTD, <!DOCTYPE ...>{where}), which Excel and "
               "LibreOffice never write and which can make a small file expand to gigabytes; dtrun refuses it")
DTD_HINT = "do not use this file; ask its sender for the workbook as saved by Excel or LibreOffice"
DAMAGED_HINT = "copy or download it again; if Excel can open it, save it again as .xlsx"
COUNT_HINT = ("Excel and LibreOffice never write so many into a workbook; do not use this file, or copy the "
              "cells of its sheets into a new workbook, or raise the limit (engine.load(path, "
              "limits=engine.Limits({field}=...))) if it really is this large")


@dataclass(frozen=True)
class Limits:
    """Bounds on what a workbook may unpack to; beyond them it is refused before parsing.
    The defaults are far above any real decision-table workbook (usually under 1 MB)."""

    max_uncompressed_bytes: int = 200 * MB  # all parts together; also the largest file accepted
    max_part_bytes: int = 100 * MB  # any one part (a sheet, the shared strings)
    max_parts: int = 10_000  # files inside the zip
    max_rows: int = 100_000  # per sheet: the last row used
    max_columns: int = 1_000  # per sheet: the last column used
    max_cells: int = 1_000_000  # per sheet: cells, and rows x columns of the area used
    max_text_chars: int = 10_000  # one cell's text (checked after loading)
    max_styles: int = 100_000  # records of one kind in the styles part (Excel keeps at most 64,000 cell formats)
    max_strings: int = 1_000_000  # shared strings: no more than the cells of a sheet at max_cells
    max_drawing_objects: int = 10_000  # anchors (pictures, charts, shapes) in all drawings
    max_comments: int = 100_000  # comments on all sheets: one on every tenth cell of a sheet at max_cells
    max_defined_names: int = 100_000  # named ranges, print areas, filters
    max_elements: int = 2_000_000  # XML elements of the parts openpyxl parses whole (all but sheets, strings)


DEFAULT_LIMITS = Limits()


class Refused(Exception):
    """The file is refused: ``message`` says why, ``hint`` what to do."""

    def __init__(self, message: str, hint: str, sheet: str = "") -> None:
        super().__init__(message)
        self.message, self.hint, self.sheet = message, hint, sheet


def damaged(part: str, what: str) -> NoReturn:
    raise Refused(f"the file is damaged: part {part} {what}, which Excel and LibreOffice never write and "
                  "openpyxl cannot read", DAMAGED_HINT)


