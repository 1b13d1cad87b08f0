"""The types that a model's cells test for its inputs, against the types its inputs declare.

Owns the type check of one input cell (``mismatch``: the lint finding ``type-mismatch``),
the check that makes a model fit to evaluate (``contradictions``: a cell testing values that
no value of its declared input can be) and ``--input-types cells``: Camunda Modeler declares
``typeRef="string"`` unless told otherwise, and models then test such inputs with ``< 18`` or
``true``; dmn-scala and Camunda 8 ignore input typeRefs and take what the cells compare with.
``retyped`` gives the model whose inputs take the one kind their cells test where it
contradicts the declared type, with a warning per input.  A cell over a list input (``list of
string``) tests its elements: ``over_lists`` gives the model whose cells over list inputs (and
those inputs' allowed values) have the meaning of lists (``CompiledUnaryTests.over_lists``).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import Any

from engine._core.errors import Problem, WorkbookError
from engine.feel import values
from engine.feel.conditions import KIND_NAMES, CompiledUnaryTests
from engine.feel.sets import Domain
from engine.feel.syntax import Comparison, Interval, Literal
from engine.model.source import Source
from engine.model.types import LIST_OF, Model, element_type, is_list, known_type

INPUT_TYPE_CHOICES = ("declared", "cells")
_WORDS = {"number": "numbers", "integer": "whole numbers", "string": "texts", "boolean": "true/false values",
          "date": "dates", "date and time": "dates and times", "time": "times",
          "days and time duration": "days and time durations",
          "years and months duration": "years and months durations"}
_EXAMPLES = {"number": "12 or >= 12", "integer": "3 or [1..4]", "string": '"positive"', "boolean": "true or false",
             "date": 'date("2025-01-31")', "date and time": '>= @"2025-01-31T08:00:00"',
             "time": '[@"08:00:00"..@"12:00:00")', "days and time duration": '>= @"PT12H"',
             "years and months duration": '>= @"P3M"'}


def mismatch(source: Source, table: str, heading: str, cell: CompiledUnaryTests, kind: str,
             ref: str) -> tuple[str, str] | None:
    """(message, hint) when the cell ``ref`` of column ``heading`` tests a value that no value of
    type ``kind`` can pass (a text for a number, ``< true``), else None.  Of a list type, the
    cell tests its elements."""
    if cell.feel:  # FEEL beyond S-FEEL: what it compares with is known only by running it
        return None
    listed, kind = is_list(kind), element_type(kind)
    domain = Domain(kind, nullable=True)
    for test in cell.node.tests:
        literals = [test.endpoint] if isinstance(test, Comparison) else [test.low, test.high]
        ordering = isinstance(test, Interval) or test.op not in ("=", "!=")
        for literal in literals:
            if not isinstance(literal, Literal) or literal.value is None:
                continue
            if not domain.fits(literal.value) or (ordering and kind == "boolean"):
                text = source.text(table, ref, cell.text)
                held = f"lists of {_WORDS[kind]}" if listed else _WORDS[kind]
                return (f"{source.name(heading)} holds {held}, but the {source.words.cell} {text} tests "
                        f"{_literal_words(literal.value)}{' with < or >' if ordering else ''}, which no value of "
                        "the column can pass", f"write a test on {_WORDS[kind]}, e.g. {_EXAMPLES[kind]}")
    return None


def _literal_words(value: Any) -> str:
    kind = KIND_NAMES.get(values.kind_of(value), "")
    return {"number": "a number", "string": "a text", "boolean": "true/false", "date": "a date",
            "date and time": "a date and time", "time": "a time", "days and time duration": "a days and time duration",
            "years and months duration": "a years and months duration"}.get(kind, "a value")


def contradictions(model: Model) -> list[Problem]:
    """A ``type-mismatch`` problem per cell that tests a value its declared input can never
    have: a model that ``evaluate``, ``test`` and ``convert`` refuse unless the cells' types are
    taken (``retyped``), since the authors' engine may have run it otherwise."""
    return list(_contradictions(model))


def _contradictions(model: Model) -> Iterator[Problem]:
    """In reading order: table by table, rule by rule, left to right."""
    source = model.source
    for table in model.tables:
        for rule in table.rules:
            for position, column in enumerate(table.inputs):
                definition = model.inputs.get(column.name)
                if definition is None or not known_type(definition.type):  # (a type that cannot be read)
                    continue
                ref = f"{column.column}{rule.row}"
                found = mismatch(source, table.name, column.heading, rule.inputs[position], definition.type, ref)
                if found is not None:
                    where, part = source.place(table.name, ref)
                    yield Problem("type-mismatch", found[0], source.path, where, part, found[1])


def typed(model: Model, input_types: str = "declared") -> Model:
    """``model`` fit to evaluate: with ``declared``, raise WorkbookError listing its
    ``contradictions``; with ``cells``, ``retyped``."""
    if input_types not in INPUT_TYPE_CHOICES:
        raise ValueError(f"input_types must be one of {', '.join(INPUT_TYPE_CHOICES)}, not {input_types!r}")
    if input_types == "cells":
        return retyped(model)
    problems = contradictions(model)
    if problems:
        raise WorkbookError([replace(p, hint=f"{p.hint}, or correct the declared type (--input-types cells takes the "
                                               "type that the tests compare with)") for p in problems], model.warnings)
    return model


def compatible(declared: str, found: str) -> bool:
    """Whether a cell testing ``found`` values fits an input of type ``declared`` (of a list
    type: its elements)."""
    declared = element_type(declared)
    return declared == found or (declared == "integer" and found == "number")


def cell_kinds(model: Model) -> dict[str, set[str]]:
    """Input name → the kinds of value the cells of the columns that read it test."""
    kinds: dict[str, set[str]] = {name: set() for name in model.inputs}
    for table in model.tables:
        for position, column in enumerate(table.inputs):
            if column.name in kinds:
                for rule in table.rules:
                    kinds[column.name] |= rule.inputs[position].literal_kinds
    return kinds


def retyped(model: Model) -> Model:
    """``model`` with each input whose cells test one kind of value, other than its declared
    type, taking that kind; a warning (code ``input-type``) per input names both."""
    inputs, warnings = dict(model.inputs), list(model.warnings)
    source = model.source
    for name, kinds in cell_kinds(model).items():
        definition = inputs[name]
        if len(kinds) != 1 or compatible(definition.type, next(iter(kinds))):
            continue
        kind = next(iter(kinds))
        kind = LIST_OF + kind if is_list(definition.type) else kind
        inputs[name] = replace(definition, type=kind)
        row = definition.location.cell.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
        where, part = source.place(definition.location.sheet, f"B{row}")  # its type
        warnings.append(Problem("input-type", source.words.say("retyped", name=source.name(name),
                                                               declared=definition.type, found=kind),
                                source.path, where, part, source.words.retyped_fix,
                                "warning"))
    return replace(model, inputs=inputs, warnings=tuple(warnings))


def over_lists(model: Model) -> Model:
    """``model`` with the cells of every column that reads a list input, and that input's
    allowed values (of the Inputs sheet and of the column's row 3), over lists: a cell
    matches a list holding an element it accepts; allowed values accept a list whose every
    element they accept."""
    lists = {name for name, definition in model.inputs.items() if is_list(definition.type)}
    if not lists:
        return model
    inputs = {name: replace(d, allowed=d.allowed.over_lists("all")) if name in lists and d.allowed is not None
              else d for name, d in model.inputs.items()}
    tables = []
    for table in model.tables:
        listed = [column.name in lists for column in table.inputs]
        if not any(listed):
            tables.append(table)
            continue
        columns = tuple(replace(c, allowed=c.allowed.over_lists("all")) if flag and c.allowed is not None else c
                        for c, flag in zip(table.inputs, listed))
        rules = tuple(replace(rule, inputs=tuple(cell.over_lists("any") if flag else cell
                                                 for cell, flag in zip(rule.inputs, listed)))
                      for rule in table.rules)
        tables.append(replace(table, inputs=columns, rules=rules))
    return replace(model, inputs=inputs, tables=tuple(tables))
