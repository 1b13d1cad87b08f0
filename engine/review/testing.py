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
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from engine.evaluation.record import evaluate_record
from engine.feel import values
from engine.model.cases import TestCase
from engine.model.types import Model


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


def run_tests(model: Model, cases: Iterable[TestCase] | None = None) -> TestReport:
    """Run ``cases`` (by default the model's own: its Tests sheet) against ``model``."""
    cases = list(model.tests if cases is None else cases)
    report = TestReport(model.workbook, cases=len(cases))
    fired: dict[str, set[str]] = {t.name: set() for t in model.tables}
    policies = {t.name: t.hit_policy.code for t in model.tables}
    for case in cases:
        result = evaluate_record(model, case.inputs)
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
