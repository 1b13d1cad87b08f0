"""Evaluation of one record: inputs → every table in order → outputs, fired rules, problems.

Owns the record-level semantics that the vectorized path (``engine.evaluation.frame``) must
reproduce: input conversion and validation, per-table problems (an unusable input or a
hit-policy violation gives null outputs for that table and the tables downstream, while
the other tables are still evaluated), and the shape of a result row.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from engine.evaluation import input_values as convert
from engine.evaluation import temporal_values
from engine.evaluation.computed import compute, computed_names
from engine.evaluation.structures import record_problems
from engine.feel import values
from engine.feel.feel_outputs import OutputError
from engine.model.graph import selected_tables, table_names
from engine.model.hit_policy import Resolution, resolve
from engine.model.types import Model, Table

ERRORS, WARNINGS, MODEL = "_errors", "_warnings", "_model"
SEPARATOR = "; "


@dataclass(frozen=True)
class RecordResult:
    """Everything dtrun found for one record."""

    outputs: dict[str, Any]  # "table.output" → value (a list for R, O and C tables)
    rules: dict[str, tuple[str, ...]]  # table → ids of the rules that make up its result
    references: dict[str, tuple[str, ...]]  # table → Reference annotations of those rules
    errors: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    model: str = ""
    tables: tuple[str, ...] = field(default=())
    guidance: dict[str, tuple[str, ...]] = field(default_factory=dict)  # table → Guidance of the fired rules

    def __getitem__(self, name: str) -> Any:
        return self.outputs[name]

    def row(self, explain: bool = False) -> dict[str, Any]:
        """The result columns of this record, as ``dtrun evaluate`` writes them."""
        row: dict[str, Any] = {}
        for table in self.tables:
            for name, value in self.outputs.items():
                if name.partition(".")[0] == table:
                    row[name] = value
            row[f"{table}.rules"] = ";".join(self.rules.get(table, ()))
            if explain:
                row[f"{table}.reference"] = " | ".join(self.references.get(table, ()))
                row[f"{table}.guidance"] = " | ".join(self.guidance.get(table, ()))
        row[ERRORS] = SEPARATOR.join(self.errors)
        row[WARNINGS] = SEPARATOR.join(self.warnings)
        row[MODEL] = self.model
        return row


def evaluate_record(model: Model, record: Mapping[str, Any], decisions: Iterable[str] = ()) -> RecordResult:
    return run_record(model, record, decisions)[0]


def run_record(model: Model, record: Mapping[str, Any], decisions: Iterable[str] = ()) -> tuple[RecordResult, Trace]:
    """``evaluate_record``, with what ``engine.evaluation.explain`` needs to say why: the values
    every table saw, the names without a usable value, and the problems per input and table."""
    context: dict[str, Any] = {}
    input_errors: dict[str, str] = {}
    unusable: set[str] = set()
    errors: list[str] = []
    for name, definition in model.inputs.items():
        if definition.expression is not None:  # computed below, whatever the record says
            continue
        try:
            value = convert.convert_value(record.get(name), definition.type)
        except convert.Invalid as error:
            errors.append(f"{model.source.name(name)}: {error}")
            input_errors[name] = errors[-1]
            unusable.add(name)
            value = None
        else:
            problem = convert.check_value(value, definition)
            if problem:
                errors.append(f"{model.source.name(name)}: {problem}")
                input_errors[name] = errors[-1]
                unusable.add(name)
        context[name] = value
    for names, problem in record_problems(model, context, unusable) if model.structures else ():
        errors.append(problem)
        input_errors.update(dict.fromkeys(names, problem))
        unusable.update(names)
    for name in computed_names(model):
        value, problem = None, None
        if not unusable & set(model.inputs[name].expression.names):
            value, problem = compute(model.inputs[name], context, model.source.name(name))
        if problem:
            errors.append(problem)
            input_errors[name] = problem
        if problem or unusable & set(model.inputs[name].expression.names):
            unusable.add(name)
        context[name] = value
    state = _State(context, unusable, errors)
    tables = selected_tables(model, decisions)
    for table in tables:
        start, warned = len(state.errors), len(state.warnings)
        _evaluate_table(model, table, state)
        state.table_errors[table.name] = tuple(state.errors[start:])
        state.table_warnings[table.name] = tuple(state.warnings[warned:])
    result = RecordResult(state.outputs, state.rules, state.references, tuple(errors), tuple(state.warnings),
                          model.label, tuple(t.name for t in tables), state.guidance)
    return result, Trace(context, frozenset(unusable), input_errors, state.table_errors, state.table_warnings,
                         state.matched)


@dataclass(frozen=True)
class Trace:
    """What one record's evaluation saw: ``context`` (every input and result by name),
    ``unusable`` (names without a usable value), the problems per input and per table, and
    per table the positions of every rule that matched (None: not evaluated)."""

    context: Mapping[str, Any]
    unusable: frozenset[str]
    input_errors: Mapping[str, str]
    table_errors: Mapping[str, tuple[str, ...]]
    table_warnings: Mapping[str, tuple[str, ...]]
    matched: Mapping[str, tuple[int, ...] | None]


@dataclass
class _State:
    context: dict[str, Any]
    unusable: set[str]
    errors: list[str]
    warnings: list[str] = field(default_factory=list)
    outputs: dict[str, Any] = field(default_factory=dict)
    rules: dict[str, tuple[str, ...]] = field(default_factory=dict)
    references: dict[str, tuple[str, ...]] = field(default_factory=dict)
    guidance: dict[str, tuple[str, ...]] = field(default_factory=dict)
    table_errors: dict[str, tuple[str, ...]] = field(default_factory=dict)
    table_warnings: dict[str, tuple[str, ...]] = field(default_factory=dict)
    matched: dict[str, tuple[int, ...] | None] = field(default_factory=dict)


def _evaluate_table(model: Model, table: Table, state: _State) -> None:
    context, source = state.context, model.source
    shown = source.name(table.name)
    blocked = sorted(table_names(table, model) & state.unusable)
    for column in table.inputs:
        value = context.get(column.name)
        usable = column.name not in state.unusable
        if column.required and usable and value is None:
            state.errors.append(f"{shown}: {source.name(column.heading)}: {source.words.required_here}")
            blocked.append(column.name)
        if column.allowed is not None and usable and value is not None and not column.allowed.matches(value, context):
            refused = (convert.refusal(value, column.allowed, context) if isinstance(value, tuple)
                       else convert.not_allowed_message(value, column.allowed_text))
            state.errors.append(f"{shown}: {source.name(column.heading)} {refused} in this table")
            blocked.append(column.name)
    resolution = None
    state.matched[table.name] = None
    if blocked:
        state.errors.append(blocked_message(model, table, blocked))
    else:
        matched = [i for i, rule in enumerate(table.rules)
                   if all(test.matches(context.get(col.name), context) for test, col in zip(rule.inputs, table.inputs))]
        state.matched[table.name] = tuple(matched)
        resolution = resolve_rules(model, table, matched, context)
        if resolution.error:
            state.errors.append(f"{shown}: {resolution.error}")
        if resolution.warning:
            state.warnings.append(f"{shown}: {resolution.warning}")
    failed = resolution is None or resolution.error is not None
    fired = () if resolution is None else resolution.fired
    for index, output in enumerate(table.outputs):
        name = table.qualified(output)
        value = None if resolution is None else _plain(resolution.outputs[index])
        state.outputs[name] = context[name] = value
        if failed:
            state.unusable.add(name)
    state.rules[table.name] = tuple(table.rules[i].id for i in fired)
    state.references[table.name] = tuple(table.annotation(table.rules[i], "Reference") for i in fired)
    state.guidance[table.name] = tuple(table.annotation(table.rules[i], "Guidance") for i in fired)
    for alias, target in model.aliases.items():
        if target in state.outputs:
            context[alias] = context[target]
            if target in state.unusable:
                state.unusable.add(alias)


def resolve_rules(model: Model, table: Table, matched: list[int], context: Mapping[str, Any]) -> Resolution:
    """Evaluate the matched rules' output cells for one record and apply the hit policy
    (its messages in the model's words)."""
    source = model.source
    try:
        outputs = [tuple(e.evaluate(context) for e in table.rules[i].outputs) for i in matched]
    except OutputError as error:  # a FEEL output cell with no value for this record: the table's error
        return Resolution((None,) * len(table.outputs), (), f"{_rule_of(model, table, matched, context)}{error}")
    defaults = () if matched else tuple(None if o.default is None else o.default.evaluate(context)
                                        for o in table.outputs)
    return resolve(table.hit_policy, matched, outputs, source.rules(table.name, table.rule_ids), table.priorities,
                   source.policy(table.hit_policy), defaults)


def _rule_of(model: Model, table: Table, matched: list[int], context: Mapping[str, Any]) -> str:
    """``rule 3: `` for the first matched rule whose output cell gives no value."""
    for index in matched:
        for cell in table.rules[index].outputs:
            try:
                cell.evaluate(context)
            except OutputError:
                return f"rule {model.source.rule(table.name, table.rules[index].id)}: "
    return ""


def blocked_message(model: Model, table: Table, names: Iterable[str]) -> str:
    shown = ", ".join(dict.fromkeys(map(model.source.name, names)))
    return f"{model.source.name(table.name)}: not evaluated because {shown} has no usable value"


def _plain(value: Any) -> Any:
    if isinstance(value, list):
        return [values.canonical(v) for v in value]
    return values.canonical(value)


def format_cell(value: Any) -> Any:
    """A result value as it goes into a CSV cell: lists (and a list input's tuples) as JSON
    arrays, dates as ISO text."""
    if isinstance(value, (list, tuple)):  # JSON has no NaN or Infinity (RFC 8259): null, as --format json writes
        return json.dumps([None if isinstance(v, float) and not math.isfinite(v) else v
                           for v in map(_json_value, value)], ensure_ascii=False)
    return _json_value(value)


def _json_value(value: Any) -> Any:
    value = values.canonical(value)
    if temporal_values.is_temporal(value):  # FEEL's text: 2025-01-15T08:30:00Z, PT12H, P1Y6M
        return temporal_values.text(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return int(value)
    return value
