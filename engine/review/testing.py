"""Clinician test cases kept in a workbook's ``Tests`` sheet, and running them.

Owns the ``Tests`` layout (row 1 headings: input names, then ``table.output`` or
``table.rules``; row 2 roles ``input`` / ``expected``; one case per row from row 3, its
id in column A), how an expected cell is compared with a result (blank: not checked;
``null``: a missing result; lists as a JSON array or a comma list, in order for R and O,
as a multiset for C), why a result is not the one expected (``engine.evaluation.explain``:
no rule matched and the nearest rule, several matched, an input value that cannot be used, an
upstream table without a result), and rule coverage: which rules no case fires, and the
share of each table's rules that some case fires.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from engine.evaluation.explain import Explanation, explain_record, why
from engine.feel import values
from engine.model.cases import TestCase, expected_ids, expected_list, expected_value
from engine.model.types import Model, Table


@dataclass(frozen=True)
class Failure:
    case: TestCase
    column: str
    cell: str
    expected: Any
    actual: Any
    reason: str = ""  # why the result is what it is (engine.evaluation.explain.why)


@dataclass(frozen=True)
class Check:
    """One expected cell of one case, as run: ``failure`` is None when it held."""
    case: TestCase
    column: str  # table.output or table.rules
    cell: str
    failure: Failure | None = None


@dataclass
class TestReport:
    workbook: str
    passed: int = 0
    failures: list[Failure] = field(default_factory=list)
    uncovered: dict[str, list[str]] = field(default_factory=dict)  # table → rule ids no case fires
    cases: int = 0
    checks: list[Check] = field(default_factory=list)  # every expected cell checked, in case order
    rules: dict[str, int] = field(default_factory=dict)  # table → its number of rules

    __test__ = False

    @property
    def failed(self) -> int:
        return len({f.case.id for f in self.failures})

    def coverage(self, table: str | None = None) -> tuple[int, int]:
        """(rules fired by at least one case, rules) of ``table``, or of every table."""
        tables = [table] if table else list(self.rules)
        total = sum(self.rules[t] for t in tables)
        return total - sum(len(self.uncovered.get(t, ())) for t in tables), total


def run_tests(model: Model, cases: Iterable[TestCase] | None = None) -> TestReport:
    """Run ``cases`` (by default the model's own: its Tests sheet) against ``model``."""
    cases = list(model.tests if cases is None else cases)
    report = TestReport(model.workbook, cases=len(cases))
    fired: dict[str, set[str]] = {t.name: set() for t in model.tables}
    policies = {t.name: t.hit_policy.code for t in model.tables}
    for case in cases:
        explanation = explain_record(model, case.inputs)
        result = explanation.result
        for table, ids in result.rules.items():
            fired[table].update(ids)
        checks = (_check(case, column, cell, result, policies) for column, cell in case.expected.items())
        failed = {column: f for column, f in zip(case.expected, checks) if f}
        if failed:
            prefer = _expected_rules(model, case)
            failed = {column: _explained(model, explanation, f, prefer) for column, f in failed.items()}
        report.checks += [Check(case, column, ref, failed.get(column)) for column, (_, ref) in case.expected.items()]
        failures = list(failed.values())
        report.failures += failures
        report.passed += not failures
    report.rules = {t.name: len(t.rules) for t in model.tables}
    report.uncovered = {t.name: [r.id for r in t.rules if r.id not in fired[t.name]] for t in model.tables}
    report.uncovered = {k: v for k, v in report.uncovered.items() if v}
    return report


def _explained(model: Model, explanation: Explanation, failure: Failure, prefer: dict[str, tuple[str, ...]]
               ) -> Failure:
    """The failure with why its table gave what it gave; the nearest rule of a table is sought
    first among the rules that give the result the case expects of it."""
    table = failure.column.partition(".")[0]
    if table not in explanation.result.tables:
        return failure
    return Failure(failure.case, failure.column, failure.cell, failure.expected, failure.actual,
                   why(model, explanation, table, prefer))


def _expected_rules(model: Model, case: TestCase) -> dict[str, tuple[str, ...]]:
    """Per table, the rules that give what ``case`` expects of it."""
    tables = {t.name: t for t in model.tables}
    found: dict[str, tuple[str, ...]] = {}
    for column, (expected, _) in case.expected.items():
        table, _, output = column.partition(".")
        if table in tables:
            found[table] = tuple(dict.fromkeys((*found.get(table, ()), *_giving(tables[table], output, expected))))
    return found


def _giving(table: Table, output: str, expected: Any) -> tuple[str, ...]:
    """The rules whose output cell gives the expected value (or one of the expected list);
    for ``table.rules``, the expected rules."""
    if output == "rules":
        return tuple(expected_ids(expected))
    position = next((i for i, o in enumerate(table.outputs) if o.name == output), None)
    if position is None:
        return ()
    wanted = expected_list(expected) if table.hit_policy.returns_list else [expected_value(expected)]
    giving = []
    for rule in table.rules:
        known, value = rule.outputs[position].constant
        if known and value is not None and any(_scalar_same(w, value) for w in wanted):
            giving.append(rule.id)
    return tuple(giving)


def _check(case: TestCase, column: str, cell: tuple[Any, str], result: Any, policies: dict[str, str]
           ) -> Failure | None:
    expected, ref = cell
    table, _, output = column.partition(".")
    if output == "rules":
        actual: Any = list(result.rules.get(table, ()))
        ok = expected_ids(expected) == actual
    else:
        actual = result.outputs.get(column)
        ok = _same(expected, actual, policies.get(table, ""))
    return None if ok else Failure(case, column, ref, expected, actual)


def _same(expected: Any, actual: Any, policy: str) -> bool:
    if isinstance(actual, list):
        wanted = expected_list(expected)
        if len(wanted) != len(actual):
            return False
        if policy == "C":
            return Counter(map(_key, wanted)) == Counter(map(_key, actual))
        return all(_scalar_same(w, a) for w, a in zip(wanted, actual))
    return _scalar_same(expected, actual)


def _scalar_same(expected: Any, actual: Any) -> bool:
    expected = expected_value(expected)
    actual = values.canonical(actual)
    if expected is None or actual is None:
        return expected is None and actual is None
    if values.kind_of(expected) == values.NUMBER and values.kind_of(actual) == values.NUMBER:
        return math.isclose(float(expected), float(actual), rel_tol=1e-9, abs_tol=1e-9)
    return values.equal(expected, actual) is True


def _key(value: Any) -> Any:
    value = expected_value(value)
    return float(value) if values.kind_of(value) == values.NUMBER else value


def show_expected(failure: Failure) -> str:
    """The expected cell as the comparison read it (a list for list results and rule ids)."""
    if failure.column.endswith(".rules"):
        return show(expected_ids(failure.expected))
    if isinstance(failure.actual, list):
        return show(expected_list(failure.expected))
    return show(expected_value(failure.expected))


def show(value: Any) -> str:
    if isinstance(value, list):
        return json.dumps([values.canonical(v) for v in value], default=str)
    value = values.canonical(value)
    return "null" if value is None else json.dumps(value, default=str)
