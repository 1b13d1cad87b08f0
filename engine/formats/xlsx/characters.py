"""Warnings at the cells that hold a character no reader can see or tell from another.

Owns which cells are looked at (every cell of the Inputs, Tests and table sheets but notes:
annotation columns and the Inputs sheet's Description; About and sheets whose name starts
with ``_`` are the author's prose) and the wording of the ``invisible-character`` warning.
Which characters count is ``engine.feel.characters``'s.  The DMN reader gives its entries
as the same sheets, so a DMN model is checked alike, its warnings placed at its entries.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from engine._core.cells import cell_ref
from engine._core.errors import Problem, quoted
from engine.feel.characters import Suspect, suspicious
from engine.formats.xlsx.layout import SPECIAL_SHEETS, cell_text

_INVISIBLE_FIX = ("delete it: retype the text by hand (text copied from web pages, PDF files and Word often brings "
                  "such characters)")
_CONFUSABLE_FIX = "retype the word on a Latin keyboard"


def character_warnings(workbook: str, sheets: dict[str, list[list[Any]]], cell_word: str) -> list[Problem]:
    """An ``invisible-character`` warning per suspicious character of each cell looked at
    (placed at the sheet cell: the loader places it in its file's terms)."""
    return [_warning(workbook, name, cell_ref(number, index + 1), value, suspect, cell_word)
            for name, rows in sheets.items() if name != "About" and not name.startswith("_")
            for number, index, value in _cells(name, rows) for suspect in suspicious(value)]


def _cells(name: str, rows: list[list[Any]]) -> Iterator[tuple[int, int, str]]:
    if name == "Inputs":
        notes = {i for i, v in enumerate(rows[0] if rows else []) if cell_text(v).lower() == "description"}
    elif name in SPECIAL_SHEETS or len(rows) < 2:
        notes = set()
    else:
        notes = {i for i, v in enumerate(rows[1]) if cell_text(v).lower() == "annotation"}
    for number, row in enumerate(rows, start=1):
        for index, value in enumerate(row):
            if isinstance(value, str) and index not in notes:
                yield number, index, value


def _warning(workbook: str, sheet: str, ref: str, text: str, suspect: Suspect, cell_word: str) -> Problem:
    shown = f"the {cell_word} {quoted(text, suspect.column)} holds"
    if suspect.invisible:
        message = (f"{shown} an invisible character, {suspect.code_point}, at character {suspect.column}: the "
                   "text differs from the same text typed by hand, so data typed by hand never matches it")
    else:
        message = (f"{shown} {suspect.code_point} at character {suspect.column}, which looks like an ordinary "
                   "Latin letter or digit but is not one: data typed on an ordinary keyboard never matches it")
    return Problem("invisible-character", message, workbook, sheet, ref,
                   _INVISIBLE_FIX if suspect.invisible else _CONFUSABLE_FIX, "warning")
