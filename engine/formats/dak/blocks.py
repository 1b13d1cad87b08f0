"""The decision tables of a DAK decision-logic workbook, found as the DAK lays them out.

Owns the layout of WHO SMART Guidelines DAK decision-support logic (``docs/dak.md``): each
decision table is a block starting at a ``Decision ID`` row, then ``Business Rule`` and
``Trigger`` rows, a heading row (``Input(s)`` over one or more columns, ``Output``,
``Action``, ``Annotation(s)``, ``Reference(s)``, in any order; a blank heading continues the
heading on its left, as a merged heading does), then one rule per row until a blank row or
the next block.  A sheet may hold several blocks.  A range merged over several rule rows
gives its value to each of them (the DAK writes a shared output or annotation so); every
cell keeps the A1 reference of the cell the author typed it in.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from engine._core.cells import cell_ref

ROLES = ("input", "output", "action", "annotation", "reference")
_HEADINGS = (("input", "input"), ("output", "output"), ("action", "action"), ("annotation", "annotation"),
             ("reference", "reference"))
DECISION_ID = "decision id"
_DECISION_CODE = re.compile(r"^\s*([A-Za-z]+(?:[.\-][A-Za-z0-9]+)+)\s*(.*)$", re.S)
Merge = tuple[int, int, int, int]  # min_row, min_col, max_row, max_col (1-based)


@dataclass(frozen=True)
class DakCell:
    """A cell's text and where the author wrote it (``ref``: the top-left cell of a merge)."""

    text: str
    ref: str


@dataclass(frozen=True)
class DakColumn:
    role: str  # one of ROLES
    column: int  # 1-based column of the sheet (or position, for a DMN table)
    heading: str  # the heading text over it (of its group, for a blank or merged heading)
    ref: str  # the heading cell
    label: str = ""  # a DMN input's label (the input's name), "" in a workbook
    expression: str = ""  # a DMN input's expression, "" in a workbook


@dataclass(frozen=True)
class DakRule:
    row: int  # the sheet row (a DMN table: the rule's number)
    cells: tuple[DakCell | None, ...]  # one per column of the block
    first: str  # the first cell of the row in the block, where a finding about the whole rule is placed
    label: str = ""  # how the DAK names the rule, if not by its row (a DMN rule: "rule 2 (id r2)")


@dataclass(frozen=True)
class DakBlock:
    sheet: str
    decision_id: str  # ANC.DT.25
    title: str  # the rest of the Decision ID cell: "Anaemia, iron and folic acid supplementation"
    id_cell: str  # the Decision ID label cell
    business_rule: str
    trigger: str
    columns: tuple[DakColumn, ...]
    rules: tuple[DakRule, ...]

    def of(self, role: str) -> list[int]:
        """Positions (in ``columns``) of the columns of ``role``."""
        return [i for i, c in enumerate(self.columns) if c.role == role]


def text_of(value: Any) -> str:
    """A DAK cell's value as text (numbers as Excel shows them; booleans as the DAK writes them)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def role_of(heading: str) -> str | None:
    words = heading.strip().lower()
    return next((role for start, role in _HEADINGS if words.startswith(start)), None)


def split_decision_id(text: str) -> tuple[str, str]:
    """(``ANC.DT.25``, ``Anaemia, iron and folic acid supplementation``) from the Decision ID cell."""
    match = _DECISION_CODE.match(text)
    if match:
        return match.group(1), " ".join(match.group(2).split())
    return " ".join(text.split()), ""


def spread_merges(rows: list[list[Any]], merges: Iterable[Merge]) -> dict[tuple[int, int], str]:
    """Give each cell of a range merged over several rows the value of its top-left cell, in
    place; (row, column) → the A1 reference of that cell for every cell given a value."""
    origin: dict[tuple[int, int], str] = {}
    for top, left, bottom, right in merges:
        if top > len(rows) or left > len(rows[top - 1]):
            continue
        value = rows[top - 1][left - 1]
        if value is None or not str(value).strip() or bottom == top:
            continue
        for row in range(top + 1, min(bottom, len(rows)) + 1):
            line = rows[row - 1]
            line.extend([None] * (left - len(line)))
            line[left - 1] = value
            origin[(row, left)] = cell_ref(top, left)
        del right  # a merge across columns leaves the value in its first column only
    return origin


def find_blocks(sheet: str, rows: Sequence[Sequence[Any]], origin: dict[tuple[int, int], str] | None = None
                ) -> list[DakBlock]:
    """Every Decision ID block of the sheet ``rows`` (merges already spread, ``origin`` from
    ``spread_merges``)."""
    origin = origin or {}
    starts = [(r, c) for r, line in enumerate(rows, start=1) for c, value in enumerate(line, start=1)
              if text_of(value).lower().rstrip(":") == DECISION_ID]
    blocks = []
    for number, (row, column) in enumerate(starts):
        end = starts[number + 1][0] if number + 1 < len(starts) else len(rows) + 1
        block = _block(sheet, rows, origin, row, column, end)
        if block is not None:
            blocks.append(block)
    return blocks


def _value(rows: Sequence[Sequence[Any]], row: int, column: int) -> str:
    if row > len(rows) or column > len(rows[row - 1]) or column < 1:
        return ""
    return text_of(rows[row - 1][column - 1])


def _right_of(rows: Sequence[Sequence[Any]], row: int, column: int) -> str:
    line = rows[row - 1]
    return next((text_of(v) for v in line[column:] if text_of(v)), "")


def _block(sheet: str, rows: Sequence[Sequence[Any]], origin: dict[tuple[int, int], str], start: int,
           column: int, end: int) -> DakBlock | None:
    decision_id, title = split_decision_id(_right_of(rows, start, column))
    labels: dict[str, str] = {}
    heading_row = None
    for row in range(start + 1, end):
        label = _value(rows, row, column).lower()
        if label.startswith("business rule"):
            labels["business"] = _right_of(rows, row, column)
        elif label.startswith("trigger"):
            labels["trigger"] = _right_of(rows, row, column)
        elif any(role_of(text_of(v)) == "input" for v in rows[row - 1][column - 1:]):
            heading_row = row  # the heading row: Input(s) over a column, in any position
            break
    if heading_row is None:
        return None
    columns = _columns(rows, heading_row, column, end)
    rules = []
    for row in range(heading_row + 1, end):
        cells = tuple(_cell(rows, origin, row, c.column) for c in columns)
        if not any(cells):
            break
        rules.append(DakRule(row, cells, cell_ref(row, columns[0].column)))
    return DakBlock(sheet, decision_id, title, cell_ref(start, column), labels.get("business", ""),
                    labels.get("trigger", ""), tuple(columns), tuple(rules))


def _cell(rows: Sequence[Sequence[Any]], origin: dict[tuple[int, int], str], row: int, column: int) -> DakCell | None:
    text = _value(rows, row, column)
    return DakCell(text, origin.get((row, column), cell_ref(row, column))) if text else None


def _columns(rows: Sequence[Sequence[Any]], heading_row: int, first: int, end: int) -> list[DakColumn]:
    """The block's columns from its heading row: a blank heading continues the one on its left
    (a merged heading, or ``Input(s)`` written once over several columns), up to the last
    column that holds a rule's cell."""
    line = rows[heading_row - 1]
    last_heading = max((c for c, v in enumerate(line, start=1) if c >= first and role_of(text_of(v))), default=first)
    filled = [c for r in range(heading_row + 1, end) for c, v in enumerate(rows[r - 1], start=1) if text_of(v)]
    last = max([last_heading, *(c for c in filled if c > last_heading and _continues(rows, heading_row, end, c))])
    columns, current = [], None
    for column in range(first, last + 1):
        heading = _value(rows, heading_row, column)
        role = role_of(heading) if heading else None
        if heading and role is None:
            current = None  # a heading the DAK does not define: the column is not read
            continue
        if role is not None:
            current = (role, heading, cell_ref(heading_row, column))
        if current is not None:
            columns.append(DakColumn(current[0], column, current[1], current[2]))
    return columns


def _continues(rows: Sequence[Sequence[Any]], heading_row: int, end: int, column: int) -> bool:
    """A column right of the last heading belongs to the block while the rule rows right
    under the heading fill it (not a note written beside the table further down)."""
    return bool(_value(rows, heading_row + 1, column))
