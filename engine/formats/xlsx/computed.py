"""The ``Expression`` column of a workbook's ``Inputs`` sheet: computed inputs.

Owns reading each Expression cell into the input's :class:`~engine.model.computed.Computed`
(problems at the cell: a FEEL text that cannot be read, with its column and a hint; a name
that is no input; ``now()``/``today()``), and the refusal of computed inputs that read each
other in a cycle, named in the problem (``docs/workbook-format.md``).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any, Protocol

from engine._core.cells import cell_ref
from engine._core.errors import ConditionError
from engine.formats.xlsx.layout import cell_text
from engine.model.computed import compile_computed, computed_order
from engine.model.types import InputDef


class _Builder(Protocol):  # engine.formats.xlsx.build._Builder: where problems go
    def problem(self, code: str, message: str, sheet: str = "", cell: str = "", hint: str = "") -> None: ...

    def _syntax(self, error: ConditionError, sheet: str, ref: str) -> None: ...


def with_expressions(builder: _Builder, inputs: dict[str, InputDef], rows: list[list[Any]],
                     where: dict[str, int], column: int) -> dict[str, InputDef]:
    """``inputs`` with the expressions of the Expression column (``column``, 0-based) compiled
    into them; every problem reported through ``builder`` at its cell."""
    found = dict(inputs)
    names = set(inputs)
    for number, row in enumerate(rows[1:], start=2):
        name = cell_text(row[where["Name"]]) if where["Name"] < len(row) else ""
        text = cell_text(row[column]) if column < len(row) else ""
        if not text or name not in found or found[name].location.cell != cell_ref(number, where["Name"] + 1):
            continue
        ref = cell_ref(number, column + 1)
        try:
            computed = compile_computed(text, names)
        except ConditionError as error:
            builder._syntax(error, "Inputs", ref)
            continue
        found[name] = replace(found[name], expression=computed, expression_cell=ref)
    expressions = {n: d.expression for n, d in found.items() if d.expression is not None}
    _, cycles = computed_order(expressions)
    for cycle in cycles:
        builder.problem("workbook", "computed inputs read each other in a cycle: " + " → ".join(cycle), "Inputs",
                        found[cycle[0]].expression_cell, "compute each input from inputs that do not read it back "
                        "(one of them must come from the patient file)")
    return found
