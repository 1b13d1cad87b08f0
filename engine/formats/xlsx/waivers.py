"""The ``Waivers`` sheet of a workbook: findings the authors accept, read.

Owns the layout: row 1 headings ``Table``, ``Rule``, ``Code``, ``Reason``, ``By``, ``Date``
(in any order, any case; ``By`` and ``Date`` may be left out), one waiver per row from row
2; a blank row is skipped.  A missing heading is a problem of the sheet (code ``waiver``, at
A1); whether each row names a table, rules and a code that exist, and gives a reason, is
checked by ``engine.analysis.waivers``, which knows the finding codes.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from engine._core.cells import cell_ref
from engine._core.errors import Problem
from engine.formats.xlsx.layout import cell_text
from engine.model.waivers import HEADINGS, SHEET, Waiver

REQUIRED = ("Table", "Rule", "Code", "Reason")


def parse_waivers_sheet(workbook: str, rows: list[list[Any]]) -> tuple[list[Waiver], list[Problem]]:
    """The waivers of a Waivers sheet and the problems with its headings."""
    if not rows or not any(cell_text(v) for v in rows[0]):
        if any(cell_text(v) for row in rows for v in row):
            return [], [Problem("waiver", "the Waivers sheet has no headings in row 1", workbook, SHEET, "A1",
                                "write " + " | ".join(HEADINGS) + " in row 1, then one waiver per row")]
        return [], []
    header = [cell_text(v).lower() for v in rows[0]]
    where = {h: header.index(h.lower()) for h in HEADINGS if h.lower() in header}
    missing = [h for h in REQUIRED if h not in where]
    if missing:
        return [], [Problem("waiver", f"the Waivers sheet has no {' or '.join(repr(h) for h in missing)} column",
                            workbook, SHEET, "A1", "the header row must read: " + " | ".join(HEADINGS))]
    waivers = []
    for number, row in enumerate(rows[1:], start=2):
        def get(heading: str, row: list[Any] = row) -> str:
            index = where.get(heading)
            return _text(row[index]) if index is not None and index < len(row) else ""

        if not any(get(h) for h in HEADINGS):
            continue
        rules = tuple(part.strip() for part in get("Rule").replace(";", ",").split(",") if part.strip())
        cells = {h: cell_ref(number, i + 1) for h, i in where.items()}
        waivers.append(Waiver(get("Table"), rules, get("Code"), get("Reason"), get("By"), get("Date"), number,
                              cells))
    return waivers, []


def _text(value: Any) -> str:
    """A cell as plain text; an Excel date as an ISO date (2024-05-01), not as a condition literal."""
    if isinstance(value, dt.datetime) and value.time() == dt.time(0):
        return value.date().isoformat()
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value.isoformat()
    return cell_text(value).strip('"') if isinstance(value, str) else cell_text(value)
