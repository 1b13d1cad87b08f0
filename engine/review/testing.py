"""Clinician test cases kept in a workbook's ``Tests`` sheet, and running them.

Owns the ``Tests`` layout (row 1 headings: input names, then ``table.output`` or
``table.rules``; row 2 roles ``input`` / ``expected``; one case per row from row 3, its
id in column A), how an expected cell is compared with a result (blank: not checked;
``null``: a missing result; lists as a JSON array or a comma list, in order for R and O,
as a multiset for C), and rule coverage: which rules no case fires.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from engine.feel import values
from engine._core.errors import Problem
from engine.model.types import Model

ROLES = ("input", "expected")


@dataclass(frozen=True)
class TestCase:
    id: str
    row: int
    inputs: dict[str, Any]
    expected: dict[str, tuple[Any, str]]  # column heading → (cell value, cell reference)

    __test__ = False  # not a pytest class


@dataclass(frozen=True)
class Failure:
    case: TestCase
    column: str
    cell: str
    expected: Any
    actual: Any


@dataclass
class TestReport:
    workbook: str
    passed: int = 0
    failures: list[Failure] = field(default_factory=list)
    uncovered: dict[str, list[str]] = field(default_factory=dict)  # table → rule ids no case fires
    cases: int = 0

    __test__ = False

    @property
    def failed(self) -> int:
        return len({f.case.id for f in self.failures})


def parse_test_sheet(workbook: str, rows: list[list[Any]], model: Model) -> tuple[list[TestCase], list[Problem]]:
    """The cases of a Tests sheet and the problems with its layout."""
    from engine.formats.xlsx.build import cell_ref, cell_text

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


def run_tests(model: Model, cases: list[TestCase]) -> TestReport:
    report = TestReport(model.workbook, cases=len(cases))
    fired: dict[str, set[str]] = {t.name: set() for t in model.tables}
    policies = {t.name: t.hit_policy.code for t in model.tables}
    for case in cases:
        result = model.evaluate(case.inputs)
        for table, ids in result.rules.items():
            fired[table].update(ids)
        checks = (_check(case, column, cell, result, policies) for column, cell in case.expected.items())
        failures = [f for f in checks if f]
        report.failures += failures
        report.passed += not failures
    report.uncovered = {t.name: [r.id for r in t.rules if r.id not in fired[t.name]] for t in model.tables}
    report.uncovered = {k: v for k, v in report.uncovered.items() if v}
    return report


def _check(case: TestCase, column: str, cell: tuple[Any, str], result: Any, policies: dict[str, str]
           ) -> Failure | None:
    expected, ref = cell
    table, _, output = column.partition(".")
    if output == "rules":
        actual: Any = list(result.rules.get(table, ()))
        ok = _as_list(expected) == actual
    else:
        actual = result.outputs.get(column)
        ok = _same(expected, actual, policies.get(table, ""))
    return None if ok else Failure(case, column, ref, expected, actual)


def _same(expected: Any, actual: Any, policy: str) -> bool:
    if isinstance(actual, list):
        wanted = _as_list(expected)
        if len(wanted) != len(actual):
            return False
        if policy == "C":
            return Counter(map(_key, wanted)) == Counter(map(_key, actual))
        return all(_scalar_same(w, a) for w, a in zip(wanted, actual))
    return _scalar_same(expected, actual)


def _scalar_same(expected: Any, actual: Any) -> bool:
    expected = _literal(expected)
    actual = values.canonical(actual)
    if expected is None or actual is None:
        return expected is None and actual is None
    if values.kind_of(expected) == values.NUMBER and values.kind_of(actual) == values.NUMBER:
        return math.isclose(float(expected), float(actual), rel_tol=1e-9, abs_tol=1e-9)
    return values.equal(expected, actual) is True


def _literal(cell: Any) -> Any:
    """An expected cell's value: Excel numbers and booleans as they are; text ``null`` is a
    missing result, ``true``/``false`` booleans, quoted text without its quotes."""
    if not isinstance(cell, str):
        return values.canonical(cell)
    text = cell.strip()
    if text.lower() == "null":
        return None
    if text.lower() in ("true", "false"):
        return text.lower() == "true"
    if len(text) >= 2 and text[0] == text[-1] == '"':
        return text[1:-1]
    try:
        return float(text) if any(c in text for c in ".eE") else int(text)
    except ValueError:
        return text


def _as_list(cell: Any) -> list[Any]:
    if isinstance(cell, str):
        text = cell.strip()
        if text.startswith("["):
            try:
                return [values.canonical(v) for v in json.loads(text)]
            except json.JSONDecodeError:
                text = text.strip("[]")
        return [_literal(part) for part in text.replace(";", ",").split(",") if part.strip()]
    return [_literal(cell)]


def _key(value: Any) -> Any:
    value = _literal(value) if isinstance(value, str) else values.canonical(value)
    return float(value) if values.kind_of(value) == values.NUMBER else value


def show_expected(failure: Failure) -> str:
    """The expected cell as the comparison read it (a list for list results and rule ids)."""
    if failure.column.endswith(".rules") or isinstance(failure.actual, list):
        return show(_as_list(failure.expected))
    return show(_literal(failure.expected))


def show(value: Any) -> str:
    if isinstance(value, list):
        return json.dumps([values.canonical(v) for v in value], default=str)
    value = values.canonical(value)
    return "null" if value is None else json.dumps(value, default=str)
