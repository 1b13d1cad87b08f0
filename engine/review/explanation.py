"""``dtrun explain``: one patient through a model, and why each table gave its result.

Owns the record an author gives on the command line (``--set name=value``: each value a text,
converted as a patient file's cell would be; ``--record``: a JSON object) and the two
renderings of an :class:`~engine.evaluation.explain.Explanation`: text for a person, JSON for
tools (its keys are documented in docs/review.md).  What the explanation holds, and what
"nearest rule" means, is ``engine.evaluation.explain``'s.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterable
from typing import Any

from engine._core.errors import InputDataError
from engine.evaluation.binding import input_columns
from engine.evaluation.explain import Explanation, TableTrace, near_text, show_value, why
from engine.evaluation.record import format_cell
from engine.model.types import Model


def record_from(model: Model, settings: Iterable[str] = (), record: str | None = None) -> dict[str, Any]:
    """The record of ``--record JSON`` (a JSON object), then each ``--set name=value`` (a text,
    as a patient file's cell), keyed by input name (a DMN model's inputs also by their DMN
    names).  A name that names no input, a setting without ``=`` or JSON that is no object
    raise ``InputDataError`` with what to write instead."""
    given: dict[str, Any] = {}
    if record is not None:
        try:
            parsed = json.loads(record)
        except json.JSONDecodeError as error:
            raise InputDataError(f"--record is not JSON ({error.msg} at character {error.pos + 1}); write an "
                                 'object such as {"age": 40, "hr": "positive"}') from None
        if not isinstance(parsed, dict):
            raise InputDataError('--record must be a JSON object such as {"age": 40, "hr": "positive"}, not '
                                 f"{type(parsed).__name__}")
        given.update(parsed)
    for setting in settings:
        name, equals, value = setting.partition("=")
        if not equals or not name.strip():
            raise InputDataError(f"--set {setting!r} is not name=value; write e.g. --set age=40")
        given[name.strip()] = value
    found = input_columns(model, list(given))
    unknown = [name for name in given if name not in found.values()]
    if unknown:
        names = [*model.inputs, *model.input_aliases.values()]
        close = difflib.get_close_matches(unknown[0], names, n=1)
        shown = ", ".join(map(model.source.name, model.inputs))
        hint = f"did you mean {close[0]}?" if close else f"the inputs are {shown}"
        raise InputDataError(f"{', '.join(unknown)} names no input of {model.workbook}; {hint}")
    computed = [name for name in found if model.inputs[name].expression is not None]
    if computed:
        definition = model.inputs[computed[0]]
        raise InputDataError(f"{model.source.name(definition.name)} is a computed input (its expression: "
                             f"{definition.expression.text}); give the inputs it reads instead: "
                             + ", ".join(map(model.source.name, definition.expression.names)))
    return {name: given[column] for name, column in found.items()}


def render(model: Model, explanation: Explanation, fmt: str = "text") -> str:
    return as_json(model, explanation) if fmt == "json" else text(model, explanation)


def _computed(model: Model, name: str) -> str:
    """`` (computed: <expression>)`` after a computed input's value; '' after another's."""
    expression = model.inputs[name].expression
    return f" (computed: {expression.text})" if expression is not None else ""


def text(model: Model, explanation: Explanation) -> str:
    source = model.source
    lines = [f"{model.workbook}: " + (", ".join(f"{source.name(n)} = {show_value(explanation.values.get(n))}"
                                               + _computed(model, n) for n in model.inputs) or "no inputs")]
    lines += [f"error: {e}" for e in explanation.input_errors.values()]
    for trace in explanation.tables:
        lines += ["", _title(model, trace)]
        lines.append("  inputs: " + (", ".join(f"{source.name(h)} = {show_value(v)}" for h, v in trace.inputs)
                                     or "none"))
        if trace.status == "not-evaluated":
            lines.append(f"  not evaluated: {why(model, explanation, trace.table).partition(': ')[2]}")
        elif not trace.matched:
            lines.append("  no rule matched" + ("; nearest:" if trace.nearest else ""))
            lines += [f"    {near_text(model, trace.table, near)}" for near in trace.nearest]
        for rule_id, notes in trace.annotations:
            fired = " (in the result)" if rule_id in trace.fired and len(trace.matched) > 1 else ""
            lines.append(f"  matched: rule {source.rule_label(trace.table, rule_id)}{fired}")
            lines += [f"    {column}: {note}" for column, note in notes]
        if trace.status == "failed":
            lines.append(f"  no result: {why(model, explanation, trace.table)}")
        lines += [f"  warning: {w.partition(': ')[2] or w}" for w in trace.warnings]
        lines.append("  result: " + ", ".join(f"{source.name(n)} = {show_value(v)}" for n, v in trace.outputs))
    return "\n".join(lines) + "\n"


def _title(model: Model, trace: TableTrace) -> str:
    source, table = model.source, model.table(trace.table)
    return f"{source.words.say('table_title', table=source.name(trace.table))} (hit policy " \
           f"{source.policy(table.hit_policy)})"


def as_json(model: Model, explanation: Explanation) -> str:
    source = model.source
    document = {
        "workbook": model.workbook,
        "inputs": {source.name(n): _json(explanation.values.get(n)) for n in model.inputs},
        "errors": list(explanation.result.errors),
        "warnings": list(explanation.result.warnings),
        "tables": [_table_json(model, explanation, trace) for trace in explanation.tables],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def _table_json(model: Model, explanation: Explanation, trace: TableTrace) -> dict[str, Any]:
    source, table = model.source, model.table(trace.table)
    where = lambda ref: "!".join(p for p in source.place(trace.table, ref) if p)  # noqa: E731
    return {
        "table": source.name(trace.table),
        "hit_policy": source.policy(table.hit_policy),
        "status": trace.status,
        "why": why(model, explanation, trace.table),
        "inputs": {source.name(h): _json(v) for h, v in trace.inputs},
        "matched": [{"rule": rule_id, "fired": rule_id in trace.fired, "annotations": dict(notes)}
                    for rule_id, notes in trace.annotations],
        "nearest": [{"rule": near.rule, "failed": [
            {"input": source.name(c.heading), "cell": where(c.ref), "text": source.text(trace.table, c.ref, c.text),
             "value": _json(c.value)} for c in near.failed]} for near in trace.nearest],
        "not_evaluated_because": [source.name(n) for n in trace.blocked],
        "outputs": {source.name(n): _json(v) for n, v in trace.outputs},
        "errors": list(trace.errors),
        "warnings": list(trace.warnings),
    }


def _json(value: Any) -> Any:
    if isinstance(value, (list, tuple)):
        return [_json(v) for v in value]
    return format_cell(value)
