"""Spreadsheet cell addresses: ``B4`` for row 4, column 2, and back.

Owns the A1 notation every part of dtrun uses to name a cell (the workbook reader, the
DMN reader's grids, lint findings, the renderings): columns ``A``..``Z``, ``AA``.., rows from 1.
"""

from __future__ import annotations


def column_letter(column: int) -> str:
    """``B`` for column 2 (1-based); '' for 0."""
    letters = ""
    while column > 0:
        column, rest = divmod(column - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def column_number(letters: str) -> int:
    """2 for ``B`` (either case)."""
    number = 0
    for letter in letters.upper():
        number = number * 26 + ord(letter) - 64
    return number


def cell_ref(row: int, column: int) -> str:
    """``B4`` for row 4, column 2 (both 1-based)."""
    return f"{column_letter(column)}{row}"
