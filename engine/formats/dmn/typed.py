"""A DMN model's tables typed as the DRG evaluator types its decisions.

Owns what the DMN import adds to the compiled tables so that ``engine.evaluate`` answers a
DMN model as ``engine.evaluation.drg`` does:

* **typeRef conformance** (DMN 1.5 §10.3.2.9.4): each output cell (and default) of a decision
  whose output, or single-output decision's variable, declares a typeRef gives null where its
  value does not conform (base type, the item definition's allowed values, components,
  collections; a list of one item stands for the item), with the record's error saying
  which value and what was expected.  The meaning is ``engine.model.drg_types``' (the DRG
  evaluator's own code).  The check is an ``OutputError`` of the cell, so both evaluators
  report it with the decision and the rule, and the vectorized one checks each distinct
  combination of the values the cell reads once (``feel_outputs.evaluate_rows``, never from the
  node alone over whole columns, which would skip the check); as any cell
  that gives no value, it nulls the rule's whole result (the DRG evaluator: that output alone,
  which differs only in a decision of several outputs).  Outputs without a typeRef, and
  workbooks, are not touched.
* **``instance of`` the model's item definitions**: an output cell that tests ``instance of``
  a type is run with the model's types (``types_for_instance_of``); a type that is neither
  FEEL's nor the model's, or any model type in a rule's input entry (whose FEEL tests are
  compiled without the model's types), is refused at load at its place: never a silent false.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import replace
from typing import Any

from engine._core.errors import Problem, WorkbookError
from engine.feel import semantics
from engine.feel.conditions import CompiledExpression
from engine.feel.feel_outputs import compile_output, dtrun_value, remembered
from engine.feel.nodes import InstanceOf, TypeRef, walk
from engine.formats.dmn.read import DmnDocument
from engine.model.drg import Drg, ItemDefinition
from engine.model.drg_types import coerce, resolve, types_for_instance_of
from engine.model.types import Model, Table

_FEEL_TYPES = {"Any", "Null", "number", "string", "boolean", "date", "time", "date and time", "dateTime",
               "days and time duration", "dayTimeDuration", "years and months duration", "yearMonthDuration",
               "list", "context", "function", "range"}


def typed_tables(model: Model, document: DmnDocument) -> tuple[Table, ...]:
    """The model's tables with their output cells typed (above); WorkbookError naming each
    cell whose ``instance of`` cannot be resolved."""
    graph = Drg(document.path, "", "", types=dict(document.item_types))
    types = types_for_instance_of(graph)
    problems: list[Problem] = []
    tables = []
    for table in model.tables:
        refs = [document.declared.get((table.name, output.name), ()) for output in table.outputs]
        for rule in table.rules:
            for column, cell in zip(table.inputs, rule.inputs):
                for name in _type_names(cell.node):
                    if name not in _FEEL_TYPES:
                        problems.append(_refusal(document, table, f"{column.column}{rule.row}", cell.text, name,
                                                 name in types))
            for column, cell in zip(table.outputs, rule.outputs):
                problems += [_refusal(document, table, f"{column.column}{rule.row}", cell.text, name, False)
                             for name in _type_names(cell.node) if name not in _FEEL_TYPES and name not in types]
        if not any(refs) and not any(_type_names(c.node) for r in table.rules for c in r.outputs):
            tables.append(table)
            continue
        rules = tuple(replace(rule, outputs=tuple(_typed(cell, ref, graph, types)
                                                  for cell, ref in zip(rule.outputs, refs)))
                      for rule in table.rules)
        outputs = tuple(replace(output, default=_typed(output.default, ref, graph, types))
                        if output.default is not None else output for output, ref in zip(table.outputs, refs))
        tables.append(replace(table, rules=rules, outputs=outputs))
    if problems:
        raise WorkbookError(problems, model.warnings)
    return tuple(tables)


def _refusal(document: DmnDocument, table: Table, cell: str, text: str, name: str, in_test: bool) -> Problem:
    where, part = document.places.get((table.name, cell), (table.name, cell))
    if in_test:
        return Problem("dmn-unsupported", f"the entry {text!r} tests instance of {name}, an itemDefinition of "
                       "the model, which dtrun's decision tables resolve in output entries only", document.path,
                       where, part, f"test the value itself (the base type or allowed values of {name})")
    return Problem("dmn-unsupported", f"the entry {text!r} tests instance of {name}, which is neither a FEEL "
                   "type nor an itemDefinition of the model", document.path, where, part,
                   "name a FEEL type (number, string, list<number>, ...) or an itemDefinition of the model")


def _type_names(node: Any) -> Iterator[str]:
    """The names of the types ``node`` tests with ``instance of`` (inside ``list<...>`` too)."""
    for found in walk(node):
        if isinstance(found, InstanceOf):
            yield from _names_of(found.type)


def _names_of(type_: TypeRef) -> Iterator[str]:
    yield type_.name
    for arg in type_.args:
        yield from _names_of(arg)


def _typed(cell: CompiledExpression, refs: tuple[str, ...], graph: Drg, types: Mapping[str, TypeRef]
           ) -> CompiledExpression:
    inner = cell._evaluate
    if cell.feel and any(_type_names(cell.node)):
        inner = compile_output(cell.text, cell.node, cell.names, types)
    if not refs:
        return cell if inner is cell._evaluate else replace(cell, _evaluate=inner)
    memo: dict[Any, tuple[Any, str | None]] = {}

    def evaluate(context: Mapping[str, Any]) -> Any:
        value = inner(context)
        return remembered(memo, (type(value), value), lambda: _conformed(value, refs, graph))

    return CompiledExpression(cell.text, cell.node, cell.names, evaluate, feel="FEEL", node_is_meaning=False)


def _conformed(value: Any, refs: tuple[str, ...], graph: Drg) -> tuple[Any, str | None]:
    """(the value, None) where it conforms to every typeRef (a list of one item made the
    item), else (None, why) in the author's terms."""
    feel = semantics.feel_value(value)
    for ref in refs:
        coerced, fits = coerce(feel, ref, graph)
        if not fits:
            return None, (f"gives {_shown(feel)}, which is not {expected(ref, graph)} (typeRef {ref}): the result "
                          "is null; correct the output entry or the typeRef")
        feel = coerced
    return (value if feel == semantics.feel_value(value) else dtrun_value(feel)), None


def _shown(value: Any) -> str:
    text = semantics.to_text(value)
    return f'"{text}"' if isinstance(value, str) else str(text)


def expected(ref: str, graph: Drg) -> str:
    """What a value of typeRef ``ref`` is, in words: ``a number``, ``a list of number``,
    ``a number allowed by tAge``."""
    _, found = resolve(graph, ref)
    if found is None:
        return f"a {ref}"
    if isinstance(found, str):
        return f"a {found}"
    return _item_words(found, ref, graph)


def _item_words(item: ItemDefinition, ref: str, graph: Drg) -> str:
    if item.collection:
        return f"a list of {item.type_ref or 'items'}" + (" allowed by " + ref if item.allowed else "")
    if item.function:
        return "a function"
    if item.components:
        return "a context with " + ", ".join(c.name for c in item.components)
    base = expected(item.type_ref, graph) if item.type_ref and item.type_ref != ref else "a value"
    return f"{base} allowed by {ref}" if item.allowed is not None else base
