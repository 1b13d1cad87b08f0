"""Required in DMN terms: allowed values that do not allow null.

A DMN model has no "Required" column: its authors say that a value must be given through
allowed values.  An inputData whose itemDefinition ``allowedValues`` do not allow null is a
required input (as a workbook's ``Required`` column says); an input clause whose
``inputValues`` do not allow null makes its table require a value
(``InputColumn.required``), as KIE rejects a null that the inputValues do not list.  An input
that every table reading it requires is simply required.  A ``dtrun:input`` extension
(written by ``dtrun convert``) states Required itself and is kept.

In a workbook, allowed values constrain the values given and a missing value is allowed
unless Required: so the reader takes a ``null`` out of allowed values (``"A","B",null`` is
the workbook's ``"A","B"``) and the writer (``engine.formats.dmn.export``) adds one where a
missing value is allowed.
"""

from __future__ import annotations

from dataclasses import replace

from engine._core.errors import ConditionError
from engine.feel.conditions import CompiledUnaryTests, compile_unary_tests
from engine.feel.syntax import Comparison, Literal
from engine.feel.unparse import unary_tests
from engine.model.types import Model


def refuses_null(allowed: CompiledUnaryTests) -> bool:
    """Whether allowed values exclude null (``"A","B"``, ``[0..120]``; not ``-``, ``null`` or ``not(1)``)."""
    return not allowed.names and not allowed.matches(None)


def null_stance(text: str) -> tuple[str, bool]:
    """(allowed values as a workbook says them, without a ``null`` test; whether they refuse
    null).  A text that cannot be read is given back as it is (its problem is reported where
    it is compiled)."""
    try:
        compiled = compile_unary_tests(text)
    except ConditionError:
        return text, False
    node = compiled.node
    kept = tuple(t for t in node.tests if not (isinstance(t, Comparison) and t.op == "="
                                               and isinstance(t.endpoint, Literal) and t.endpoint.value is None))
    if kept and len(kept) < len(node.tests) and not node.negated:
        text = unary_tests(replace(node, tests=kept))
    return text, refuses_null(compiled)


def with_null(text: str, allowed: CompiledUnaryTests, nullable: bool) -> str:
    """The allowed values ``text`` written for DMN: with ``null`` added where a missing value is
    allowed (``nullable``) and the tests do not already allow it."""
    if nullable and not allowed.node.negated and not allowed.node.any_value and refuses_null(allowed):
        return f"{text}, null"
    return text


def with_required(model: Model, columns: set[tuple[str, int]], stated: set[str]) -> Model:
    """``model`` whose input ``columns`` ((table, position)) require a value; an input that every
    column reading it requires becomes required itself, unless a ``dtrun:input`` extension
    ``stated`` its Required."""
    readers: dict[str, list[bool]] = {}
    for table in model.tables:
        for position, column in enumerate(table.inputs):
            readers.setdefault(column.name, []).append((table.name, position) in columns)
    inputs = dict(model.inputs)
    for name, required in readers.items():
        if name in inputs and all(required) and name not in stated:
            inputs[name] = replace(inputs[name], required=True)
    tables = []
    for table in model.tables:
        marked = tuple(replace(column, required=(table.name, position) in columns and not (
            column.name in inputs and inputs[column.name].required)) for position, column in enumerate(table.inputs))
        tables.append(replace(table, inputs=marked))
    return replace(model, inputs=inputs, tables=tuple(tables))
