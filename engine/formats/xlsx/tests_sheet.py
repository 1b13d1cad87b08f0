"""The ``Tests`` sheet of a workbook: clinician test cases, read.

Owns the layout: row 1 headings (input names, then ``table.output`` or ``table.rules``), row 2
roles ``input`` / ``expected``, one case per row from row 3 with its id in column A; and the
problems of a sheet that does not follow it.  How an expected cell is compared with a result
is ``engine.review.testing``'s.
"""

from __future__ import annotations

from typing import Any

from engine._core.cells import cell_ref
from engine._core.errors import Problem
from engine.formats.xlsx.layout import cell_text
from engine.model.cases import TestCase
from engine.model.types import Model

ROLES = ("input", "expected")


def parse_test_sheet(workbook: str, rows: list[list[Any]], model: Model) -> tuple[list[TestCase], list[Problem]]:
    """The cases of a Tests sheet and the problems with its layout."""
    problems: list[Problem] = []
    if len(rows) < 2:
        return [], problems
    headings = [cell_text(v) for v in rows[0][1:]]
    roles = [cell_text(v).lower() for v in rows[1][1:]]
    columns: list[tuple[int, str, str]] = []
    known_outputs = {n for t in model.tables for n in t.output_names} | {f"{t.name}.rules" for t in model.tables}
    for index, heading in enumerate(headings, start=2):
        role = roles[index - 2] if index - 2 < len(roles) else ""
        if not heading:
            continue
        ref = cell_ref(1, index)
        if role not in ROLES:
            problems.append(Problem("workbook", f"Tests column {heading} has role '{role or 'blank'}'", workbook,
                                    "Tests", cell_ref(2, index), "write input or expected in row 2"))
        elif role == "input" and heading not in model.inputs:
            problems.append(Problem("workbook", f"Tests heading {heading} names no input", workbook, "Tests", ref,
                                    "use a name from the Inputs sheet"))
        elif role == "expected" and model.aliases.get(heading, heading) not in known_outputs:
            problems.append(Problem("workbook", f"Tests heading {heading} names no result", workbook, "Tests", ref,
                                    "write table.output or table.rules"))
        else:
            columns.append((index, heading, role))
    cases = []
    for number, row in enumerate(rows[2:], start=3):
        cells = {i: row[i - 1] if i - 1 < len(row) else None for i, _, _ in columns}
        if all(cell_text(v) == "" for v in [row[0] if row else None, *cells.values()]):
            continue
        case_id = cell_text(row[0] if row else None) or f"row {number}"
        inputs = {h: cells[i] for i, h, role in columns if role == "input"}
        expected = {model.aliases.get(h, h): (cells[i], cell_ref(number, i)) for i, h, role in columns
                    if role == "expected" and cell_text(cells[i]) != ""}
        cases.append(TestCase(case_id, number, inputs, expected))
    return cases, problems
