"""Structured inputs on a workbook's ``Inputs`` sheet (Type ``structure``).

Owns the grouping of the rows named ``<structure>.<component>`` under the ``structure`` row
above them: each component stays an input of its own (``applicant.age``: every check,
evaluation path and lint search works on it unchanged), and the structure becomes a
:class:`~engine.model.types.Structure` of the model.  Problems are reported at the Name
cell: a dotted name whose structure is not declared above it, a structure without
components, a component name that is also a table's ``table.output``, a structure with
Allowed values or an expression (``docs/workbook-format.md``).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Protocol

from engine.feel.syntax import IDENTIFIER
from engine.model.types import STRUCTURE, InputDef, Structure


class _Builder(Protocol):  # engine.formats.xlsx.build._Builder: where problems go
    def problem(self, code: str, message: str, sheet: str = "", cell: str = "", hint: str = "") -> None: ...


def component_name(name: str) -> bool:
    """``applicant.age``: a structure's name and a component's, each a valid name."""
    parts = name.split(".")
    return len(parts) == 2 and all(IDENTIFIER.fullmatch(p) for p in parts)


def with_structures(builder: _Builder, inputs: dict[str, InputDef]
                    ) -> tuple[dict[str, InputDef], dict[str, Structure]]:
    """The inputs without the structure rows (components' Required made what holds for
    every record: only under a required structure), and the structures by name."""
    heads = {name: d for name, d in inputs.items() if d.type == STRUCTURE and "." not in name}
    kept: dict[str, InputDef] = {}
    members: dict[str, list[InputDef]] = {name: [] for name in heads}
    order = list(inputs)
    for name, definition in inputs.items():
        if name in heads:
            if definition.allowed is not None:
                builder.problem("workbook", f"structure {name} has Allowed values", "Inputs", _cell(definition),
                                "write the allowed values on the rows of its components (e.g. "
                                f"{name}.age) and leave the structure's cell empty")
            continue
        if "." not in name:
            kept[name] = definition
            continue
        if definition.type == STRUCTURE:  # reported at its Type cell by the builder
            continue
        head = name.split(".")[0]
        if head not in heads or order.index(head) > order.index(name):
            builder.problem("workbook", f"input {name} is a component of {head}, but no input {head} of Type "
                            "structure is declared above it", "Inputs", _cell(definition),
                            f"add a row {head} with Type structure above it, or name the input "
                            f"{name.replace('.', '_')}")
            continue
        members[head].append(definition)
        kept[name] = definition
    structures = {}
    for name, head in heads.items():
        parts = members[name]
        if not parts:
            builder.problem("workbook", f"structure {name} has no components", "Inputs", _cell(head),
                            f"add rows named {name}.<component> below it (e.g. {name}.age), or give it a "
                            "type such as number or string")
        structures[name] = Structure(name, head.required, head.location, tuple(d.name for d in parts),
                                     head.description, tuple(d.name for d in parts if d.required))
        for d in parts:
            kept[d.name] = replace(d, required=d.required and head.required)
    return kept, structures


def output_collisions(builder: _Builder, structures: dict[str, Structure], inputs: dict[str, InputDef],
                      outputs: dict[str, list[str]]) -> None:
    """A structure named as a table: its components' names would read as that table's
    outputs (``table.output``); refused at the structure's Name cell."""
    for name, structure in structures.items():
        if name in outputs:
            clash = [c for c in structure.components if c.split(".")[1] in outputs[name]]
            what = (f"component {clash[0]} is also the output {clash[0]} of table {name}" if clash else
                    f"its components' names ({structure.components[0] if structure.components else name + '.x'}) "
                    f"read as outputs of table {name}")
            builder.problem("workbook", f"structure {name} has the name of a table: {what}", "Inputs",
                            _cell(inputs.get(structure.components[0]) if clash else None, structure),
                            f"rename the structure (e.g. {name}_data) or the table's sheet")


def _cell(definition: InputDef | None, structure: Structure | None = None) -> str:
    return (definition.location if definition is not None else structure.location).cell
