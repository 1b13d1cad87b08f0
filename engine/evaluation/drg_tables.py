"""A DMN decision table on the DRG evaluator's reference path: input expressions, FEEL unary
tests (with ``?``), output entries, the hit policies with collect aggregations and priority by
output values, default output entries, input and output values checked.

Owns ``evaluate_table``: the table's value in a scope (one output: the value; several: a
context of them; C, R, O: a list).  A table that breaks its hit policy (two rules of a unique
table with different outputs) records the error on the run and is null.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

from engine.feel import semantics
from engine.feel.nodes import Span, UnaryTests
from engine.feel.unary import unary_tests
from engine.model import boxed
from engine.model.drg_types import coerce


class CannotRun(Exception):
    """A part of the model dtrun cannot run (the message names it and says why)."""


Value = Callable[[Any, Mapping[str, Any], Any], Any]


def evaluate_table(table: boxed.DecisionTable, scope: Mapping[str, Any], session: Any, value: Value) -> Any:
    """``value``: the meaning of an expression (``drg_boxed.value``), for the cells."""
    inputs = [value(expression, scope, session) for expression in table.inputs]
    for number, (given, allowed) in enumerate(zip(inputs, table.input_values), 1):
        if allowed is not None and given is not None and not isinstance(allowed, boxed.Broken) and \
                unary_tests(allowed, given, scope) is not True:
            session.run.fail(f"{table.place}: input {number}'s value {semantics.to_text(given)} is not one of "
                             "its input values")
            return None
    matched = [rule for rule in table.rules if _matches(rule, inputs, scope)]
    if not matched:
        return _default(table, scope, session, value)
    results = [_outputs(table, rule, scope, session, value) for rule in matched]
    policy = table.hit_policy
    if policy in ("UNIQUE", "U"):
        if len(results) > 1:
            session.run.fail(f"{table.place}: hit policy UNIQUE, but rules "
                             f"{', '.join(r.id for r in matched)} all match")
            return None
        return _shape(table, results[0])
    if policy in ("ANY", "A"):
        if any(semantics.equal(r, results[0]) is not True for r in results[1:]):
            session.run.fail(f"{table.place}: hit policy ANY, but the matching rules "
                             f"{', '.join(r.id for r in matched)} give different outputs")
            return None
        return _shape(table, results[0])
    if policy in ("FIRST", "F"):
        return _shape(table, results[0])
    if policy in ("PRIORITY", "P"):
        return _shape(table, min(results, key=lambda r: _priority(table, r, scope)))
    if policy in ("OUTPUT ORDER", "O"):
        return [_shape(table, r) for r in sorted(results, key=lambda r: _priority(table, r, scope))]
    if policy in ("RULE ORDER", "R"):
        return [_shape(table, r) for r in results]
    if policy in ("COLLECT", "C"):
        return _collect(table, [_shape(table, r) for r in results], session)
    raise CannotRun(f"{table.place}: unknown hit policy {policy}")


def _matches(rule: boxed.Rule, inputs: list[Any], scope: Mapping[str, Any]) -> bool:
    for test, given in zip(rule.tests, inputs):
        if isinstance(test, boxed.Broken):
            raise CannotRun(test.reason)
        if unary_tests(test, given, scope) is not True:
            return False
    return True


def _outputs(table: boxed.DecisionTable, rule: boxed.Rule, scope: Mapping[str, Any], session: Any,
             value: Value) -> list[Any]:
    results = []
    for output, entry in zip(table.outputs, rule.outputs):
        found = value(entry, scope, session)
        coerced, fits = coerce(found, output.type_ref, session.graph)
        if not fits:
            session.run.fail(f"{table.place}: rule {rule.id}'s output {output.name or ''} does not conform to its "
                             f"type {output.type_ref}: it is null")
        if coerced is not None and output.values and _index(output, coerced, scope) is None:
            session.run.fail(f"{table.place}: rule {rule.id}'s output {semantics.to_text(coerced)} is not one of "
                             "its output values")
            coerced = None
        results.append(coerced)
    return results


def _shape(table: boxed.DecisionTable, results: list[Any]) -> Any:
    if len(table.outputs) == 1:
        return results[0]
    return {output.name: result for output, result in zip(table.outputs, results)}


def _index(output: boxed.Output, found: Any, scope: Mapping[str, Any]) -> int | None:
    for index, test in enumerate(output.values):
        if unary_tests(UnaryTests((test,), False, Span(0, 0)), found, scope) is True:
            return index
    return None


def _priority(table: boxed.DecisionTable, results: list[Any], scope: Mapping[str, Any]) -> tuple[int, ...]:
    order = []
    for output, found in zip(table.outputs, results):
        if output.values:
            index = _index(output, found, scope)
            order.append(len(output.values) if index is None else index)
    return tuple(order)


def _default(table: boxed.DecisionTable, scope: Mapping[str, Any], session: Any, value: Value) -> Any:
    if not any(output.default is not None for output in table.outputs):
        if table.hit_policy in ("COLLECT", "C") and table.aggregation == "COUNT":
            return Decimal(0)
        return None
    results = [coerce(value(output.default, scope, session), output.type_ref, session.graph)[0]
               for output in table.outputs]
    return _shape(table, results)


def _collect(table: boxed.DecisionTable, results: list[Any], session: Any) -> Any:
    aggregation = table.aggregation
    if not aggregation:
        return results
    if aggregation == "COUNT":
        return Decimal(len(results))
    if len(table.outputs) != 1:
        session.run.fail(f"{table.place}: {aggregation} of a table with several outputs")
        return None
    if any(not isinstance(r, Decimal) or isinstance(r, bool) for r in results):
        if aggregation in ("MIN", "MAX") and results and all(semantics.kind(r) in semantics.ORDERED for r in results):
            pass
        else:
            session.run.fail(f"{table.place}: {aggregation} of values that are not all numbers")
            return None
    if aggregation == "SUM":
        return semantics.arithmetic("+", Decimal(0), sum(results, Decimal(0))) if results else None
    chosen = results[0]
    for item in results[1:]:
        if semantics.compare("<" if aggregation == "MIN" else ">", item, chosen) is True:
            chosen = item
    return chosen
