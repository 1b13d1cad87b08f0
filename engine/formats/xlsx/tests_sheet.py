"""The ``Tests`` sheet of a workbook: clinician test cases, read.

Owns the layout: row 1 headings (input names, then ``table.output`` or ``table.rules``), row 2
roles ``input`` / ``expected``, one case per row from row 3 with its id in column A; and the
problems of a sheet that does not follow it, or that expects what no table can give (a value
outside an output's allowed values, a rule id a table does not have).  How an expected cell
is compared with a result is ``engine.review.testing``'s.
"""

from __future__ import annotations

from typing import Any

from engine._core.cells import cell_ref
from engine._core.errors import Problem
from engine.formats.xlsx.layout import cell_text
from engine.model.cases import TestCase, expected_ids, expected_list, expected_value
from engine.model.types import Model, OutputColumn, Table

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
        elif role == "input" and model.inputs[heading].expression is not None:
            expression = model.inputs[heading].expression
            problems.append(Problem("workbook", f"Tests column {heading} gives a computed input a value (its "
                                    f"expression: {expression.text})", workbook, "Tests", ref,
                                    "give the inputs it reads instead: " + ", ".join(expression.names)))
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
        problems += _expectations(workbook, model, expected)
    return cases, problems


def _expectations(workbook: str, model: Model, expected: dict[str, tuple[Any, str]]) -> list[Problem]:
    """Expected cells that no result can equal: a typo in an expectation must neither pass nor
    fail silently."""
    problems = []
    tables = {t.name: t for t in model.tables}
    for column, (cell, ref) in expected.items():
        name, _, output = column.partition(".")
        table = tables.get(name)
        if table is None:
            continue
        if output == "rules":
            unknown = [i for i in expected_ids(cell) if i not in table.rule_ids]
            if unknown:
                problems.append(Problem("workbook", f"Tests expects rule {', '.join(unknown)} of table {name}, "
                                        "which has no such rule", workbook, "Tests", ref,
                                        "write the ids of its rules (column A of its sheet): "
                                        + ", ".join(table.rule_ids[:8]) + ("..." if len(table.rule_ids) > 8 else "")))
            continue
        definition = next((o for o in table.outputs if o.name == output), None)
        if definition is not None:
            problems += _not_allowed(workbook, table, definition, cell, ref)
    return problems


def _not_allowed(workbook: str, table: Table, output: OutputColumn, cell: Any, ref: str) -> list[Problem]:
    allowed = output.allowed
    if allowed is None or allowed.names or allowed.is_any or table.hit_policy.code in ("C+", "C#"):
        return []  # a sum or a count need not be among the values its rules give
    wanted = expected_list(cell) if table.hit_policy.returns_list else [expected_value(cell)]
    wrong = [v for v in wanted if v is not None and not allowed.matches(v)]
    if not wrong:
        return []
    import difflib

    shown = ", ".join(f'"{v}"' if isinstance(v, str) else str(v) for v in wrong)
    options = [v for v in output.values if isinstance(v, str)]
    close = difflib.get_close_matches(str(wrong[0]), options, n=1, cutoff=0.6)
    hint = f'did you mean "{close[0]}"?' if close else f"expect one of {output.allowed_text}, or null for no result"
    return [Problem("value-not-allowed", f"expected {shown} is not among the allowed values of {table.name}."
                    f"{output.name} ({output.allowed_text}), so no result can equal it", workbook, "Tests", ref, hint)]
