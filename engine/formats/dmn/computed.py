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
from engine.formats.dmn.names import INPUT_TYPE_OF, plain_type
from engine.formats.xlsx.layout import EXPRESSION, INPUT_HEADINGS
from engine.model.computed import compile_computed

COLUMN = len(INPUT_HEADINGS) + 1  # the Expression column of the Inputs grid


def computed_input(reader: Any, text: str, renamed: str, label: str, expression: Any, where: str, part: str
                   ) -> str | None:
    """The name of the computed input that ``text`` (``renamed``: in dtrun's names) makes, or
    None when it is no expression over input data.  ``reader``: the DMN reader, whose
    ``computed`` (expression → (name, type, where, part)) collects them."""
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
    name = label if label and IDENTIFIER.fullmatch(label) else identifier(text)
    base, number = name, 2
    while name in taken:
        name, number = f"{base}_{number}", number + 1
    kind = INPUT_TYPE_OF.get(plain_type(expression.get("typeRef")), "")
    if not kind:
        kind = reader.inferred(text, expression, f"input expression {text!r} (no typeRef)")
    reader.computed[renamed] = (name, kind, where, part)
    return name


def computed_rows(reader: Any, rows: list[list[Any]]) -> None:
    """Append the computed inputs to the Inputs grid ``rows`` (its heading row given an
    Expression heading), each cell placed at its input clause."""
    if not reader.computed:
        return
    rows[0] = [*rows[0], *[None] * (len(INPUT_HEADINGS) - len(rows[0])), EXPRESSION]
    for expression, (name, kind, where, part) in reader.computed.items():
        number = len(rows) + 1
        for column in range(1, COLUMN + 1):
            reader.doc.places[("Inputs", cell_ref(number, column))] = (
                where, f"{part}, inputExpression" + (" typeRef" if column == 2 else ""))
        rows.append([name, kind, None, "no", None, None, None, expression])
