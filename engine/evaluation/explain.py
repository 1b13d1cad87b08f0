"""Why one record got its results: per table, the values it saw, the rules that matched (with
their annotations), and for a table where no rule matched, the nearest rules and the cells
that failed.

Owns the meaning of "nearest rule", shared by ``dtrun explain`` and ``dtrun test``: among the
rules that do not match (``dtrun test``: first among those that give the expected result, when
some do), those with the fewest failing input cells; among equals, the one with the most cells
that test something and pass (``-`` tests nothing), then the first in rule order.  The record
goes through ``engine.evaluation.record`` (the reference meaning), so an explanation never
disagrees with a result; the cells are tested again only for a table where no rule matched.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from engine.evaluation import temporal_values
from engine.evaluation.record import RecordResult, Trace, run_record
from engine.feel import values
from engine.model.graph import table_names
from engine.model.types import Model, Rule, Table

NEAREST = 3  # nearest rules an explanation lists


@dataclass(frozen=True)
class FailedCell:
    """An input cell of a rule that the record's value fails: ``ref`` is its address in the
    table's sheet (a DMN model's grid), ``value`` the value it was tested on."""

    heading: str
    ref: str
    text: str
    value: Any


@dataclass(frozen=True)
class Near:
    """A rule that does not match the record, and the cells it fails."""

    rule: str
    failed: tuple[FailedCell, ...]


@dataclass(frozen=True)
class TableTrace:
    """One table for one record.  ``status``: ``matched`` (a result from ``fired``),
    ``no-match`` (no rule matched: ``nearest`` says which rules came closest), ``failed``
    (the hit policy refused the rules that matched, e.g. several under U) or
    ``not-evaluated`` (an input or an upstream result has no usable value: ``blocked``)."""

    table: str
    status: str
    inputs: tuple[tuple[str, Any], ...]  # (heading, value) per input column
    matched: tuple[str, ...]  # every rule that matched
    fired: tuple[str, ...]  # the rules that make the result
    outputs: tuple[tuple[str, Any], ...]  # (table.output, value)
    annotations: tuple[tuple[str, tuple[tuple[str, str], ...]], ...]  # matched rule → (column, text)
    nearest: tuple[Near, ...] = ()
    blocked: tuple[str, ...] = ()  # names without a usable value
    errors: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class Explanation:
    """One record through the model: its result, each table's trace in evaluation order, the
    input values as the tables saw them (None: missing or unusable) and the problems of the
    input values (input name → message)."""

    result: RecordResult
    tables: tuple[TableTrace, ...]
    values: Mapping[str, Any]
    input_errors: Mapping[str, str]
    context: Mapping[str, Any]  # every input and result by name, as the tables saw them

    def table(self, name: str) -> TableTrace:
        return next(t for t in self.tables if t.table == name)


def explain_record(model: Model, record: Mapping[str, Any], decisions: Iterable[str] = ()) -> Explanation:
    """Evaluate ``record`` and say, per table, why it got its result."""
    result, trace = run_record(model, record, decisions)
    tables = tuple(_trace(model, model.table(name), result, trace) for name in result.tables)
    inputs = {name: trace.context.get(name) for name in model.inputs}
    return Explanation(result, tables, inputs, dict(trace.input_errors), trace.context)


def _trace(model: Model, table: Table, result: RecordResult, trace: Trace) -> TableTrace:
    context = trace.context
    positions = trace.matched.get(table.name)
    matched = () if positions is None else tuple(table.rules[i].id for i in positions)
    notes = () if positions is None else tuple(
        (table.rules[i].id, tuple((c.name, text) for c, text in zip(table.annotations, table.rules[i].annotations)
                                  if text)) for i in positions)
    errors = trace.table_errors.get(table.name, ())
    if positions is None:
        status = "not-evaluated"
    elif not positions:
        status = "no-match"
    else:
        status = "failed" if any(name in trace.unusable for name in table.output_names) else "matched"
    return TableTrace(
        table.name, status, tuple((c.heading, context.get(c.name)) for c in table.inputs), matched,
        result.rules.get(table.name, ()), tuple((n, result.outputs.get(n)) for n in table.output_names), notes,
        nearest_rules(table, context) if status == "no-match" else (),
        tuple(sorted(n for n in table_names(table, model) if n in trace.unusable)) if positions is None else (),
        errors, trace.table_warnings.get(table.name, ()))


def failed_cells(table: Table, rule: Rule, context: Mapping[str, Any]) -> tuple[FailedCell, ...]:
    """The input cells of ``rule`` that the values in ``context`` fail."""
    return tuple(FailedCell(column.heading, table.cell(rule, column), test.text, context.get(column.name))
                 for test, column in zip(rule.inputs, table.inputs)
                 if not test.matches(context.get(column.name), context))


def nearest_rules(table: Table, context: Mapping[str, Any], limit: int = NEAREST,
                  prefer: Collection[str] = ()) -> tuple[Near, ...]:
    """The rules that come closest to matching (at most ``limit``; a rule that matches is not
    among them): those of ``prefer`` (rule ids) first, when any of them does not match; then
    fewest failing input cells; then most cells that test something (not ``-``) and pass;
    then rule order."""
    ranked = []
    for position, rule in enumerate(table.rules):
        failed = failed_cells(table, rule, context)
        if failed:
            tested = sum(not test.is_any for test in rule.inputs) - len(failed)
            ranked.append(((rule.id not in prefer, len(failed), -tested, position), Near(rule.id, failed)))
    ranked.sort(key=lambda item: item[0])
    return tuple(near for _, near in ranked[:limit])


def show_value(value: Any) -> str:
    """A value as explanations write it: JSON-like (texts quoted, null)."""
    import json

    if isinstance(value, (list, tuple)):  # a collect table's outputs, a list input's value
        return "[" + ", ".join(map(show_value, value)) + "]"
    value = values.canonical(value)
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if temporal_values.is_temporal(value):
        return temporal_values.text(value)
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def near_text(model: Model, table: str, near: Near) -> str:
    """``TL6, whose months cell `(6..12]` at treatment_line!D9 fails on 6`` (the model's words)."""
    source = model.source
    cells = " and ".join(
        f"{source.name(cell.heading)} {source.words.cell} `{source.text(table, cell.ref, cell.text)}` at "
        f"{'!'.join(p for p in source.place(table, cell.ref) if p)} fails on {show_value(cell.value)}"
        for cell in near.failed)
    return f"{source.rule(table, near.rule)}, whose {cells}"


def why(model: Model, explanation: Explanation, table: str,
        prefer: Mapping[str, Collection[str]] | None = None) -> str:
    """Why ``table`` gave the result it gave, in one phrase: ``no rule matched; nearest TL6,
    whose ...`` (the nearest rule among ``prefer[table]`` first: ``nearest_rules``), and the upstream
    table without a result that the nearest rule's cells fail on; the hit policy's refusal;
    the input values that cannot be used; or the upstream table that gave no result (and
    why, back to the table where it started)."""
    source = model.source
    trace = explanation.table(table)
    if trace.status == "matched":
        fired = ", ".join(source.rules(table, trace.fired))
        return f"rule{'s' * (len(trace.fired) > 1)} {fired} matched" if trace.fired else "no rule matched"
    if trace.status == "no-match":
        preferred = (prefer or {}).get(table, ())
        nearest = nearest_rules(model.table(table), explanation.context, 1, preferred) if preferred else trace.nearest
        if not nearest:
            return "no rule matched"
        upstream = [_owner(model, c.heading) for c in nearest[0].failed if c.value is None]
        causes = [f", as {source.name(name)} gave no result ({why(model, explanation, name, prefer)})"
                  for name in dict.fromkeys(upstream) if name and name in explanation.result.tables
                  and explanation.table(name).status != "matched"]
        return f"no rule matched; nearest {near_text(model, table, nearest[0])}{''.join(causes)}"
    if trace.status == "failed":
        reasons = [e.partition(": ")[2] or e for e in trace.errors]
        return "; ".join(reasons) or "the hit policy gave no result"
    causes = []
    for name in trace.blocked:
        if name in explanation.input_errors:
            causes.append(f"invalid input {explanation.input_errors[name]}")
            continue
        upstream = _owner(model, name)
        if upstream and upstream != table and any(t.table == upstream for t in explanation.tables):
            inner = why(model, explanation, upstream, prefer).removeprefix("not evaluated: ")
            causes.append(f"{source.name(upstream)} gave no result ({inner})")
        else:
            causes.append(f"{source.name(name)} has no usable value")
    for error in trace.errors:  # a value outside this table's own allowed values, or missing where required
        if "not evaluated because" not in error:
            causes.append(error.partition(": ")[2] or error)
    return "not evaluated: " + "; ".join(dict.fromkeys(causes))


def _owner(model: Model, name: str) -> str:
    """The table whose output ``name`` (``table.output``, or a plain output name) is; '' for an
    input."""
    if name in model.inputs:
        return ""
    return model.aliases.get(name, name).partition(".")[0] if "." in model.aliases.get(name, name) else ""
