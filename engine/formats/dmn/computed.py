"""A DMN input clause whose ``inputExpression`` is more than a name: a computed input.

Owns reading such an expression (arithmetic, a function call: ``age * 12``,
``(diagnosis - adjuvant_end).days / 30.4375``) over the model's input data into a computed
input of the ``Inputs`` grid (its ``Expression`` cell, ``engine.model.computed``), named by the
clause's label where that is a name, else after the expression; and the rows and places of
those inputs.  An expression that reads anything but input data is left to the caller's
refusal, as before.
"""

from __future__ import annotations

from typing import Any

from engine._core.cells import cell_ref
from engine._core.errors import ConditionError
from engine.feel.syntax import IDENTIFIER, identifier
from engine.feel.temporal import Unsupported
from engine.formats.dmn.names import DTRUN_NAMESPACE, INPUT_TYPE_OF, local_name, namespace_of, plain_type
from engine.formats.xlsx.layout import EXPRESSION, INPUT_HEADINGS
from engine.model.computed import compile_computed

COLUMN = len(INPUT_HEADINGS) + 1  # the Expression column of the Inputs grid


def computed_input(reader: Any, text: str, renamed: str, clause: Any, expression: Any, where: str, part: str
                   ) -> str | None:
    """The name of the computed input that ``text`` (``renamed``: in dtrun's names) of the input
    ``clause`` makes, or None when it is no expression over input data.  ``reader``: the DMN
    reader, whose ``computed`` (expression → (name, Inputs row, where, part)) collects them.
    A ``dtrun:computed`` extension of the clause (as dtrun writes it) gives the input's type,
    allowed values, Required, unit, code and description."""
    known = reader.computed.get(renamed)
    if known is not None:
        return str(known[0])
    inputs = set(reader.doc.inputs.values())
    try:
        compiled = compile_computed(renamed, inputs)
    except (ConditionError, Unsupported):
        return None
    if not compiled.names:
        return None
    taken = inputs | {n for n, *_ in reader.computed.values()} | set(reader.doc.outputs)
    label = clause.get("label") or ""
    name = label if label and IDENTIFIER.fullmatch(label) else identifier(text)
    base, number = name, 2
    while name in taken:
        name, number = f"{base}_{number}", number + 1
    extra = next((e for x in reader.children(clause, "extensionElements") for e in x
                  if namespace_of(e) == DTRUN_NAMESPACE and local_name(e) == "computed"), None)
    kind = INPUT_TYPE_OF.get(plain_type(expression.get("typeRef")), "")
    if extra is not None and extra.get("type"):
        kind = extra.get("type", "")
    if not kind:
        kind = reader.inferred(text, expression, f"input expression {text!r} (no typeRef)")
    given = (lambda key: extra.get(key) or None) if extra is not None else (lambda key: None)
    row = [name, kind, given("allowed"), given("required") or "no", given("unit"), given("code"), given("description"),
           renamed]
    reader.computed[renamed] = (name, row, where, part)
    return name


def computed_rows(reader: Any, rows: list[list[Any]]) -> None:
    """Append the computed inputs to the Inputs grid ``rows`` (its heading row given an
    Expression heading), each cell placed at its input clause."""
    if not reader.computed:
        return
    rows[0] = [*rows[0], *[None] * (len(INPUT_HEADINGS) - len(rows[0])), EXPRESSION]
    for _, row, where, part in reader.computed.values():
        number = len(rows) + 1
        for column in range(1, COLUMN + 1):
            reader.doc.places[("Inputs", cell_ref(number, column))] = (
                where, f"{part}, inputExpression" + (" typeRef" if column == 2 else ""))
        rows.append(row)
