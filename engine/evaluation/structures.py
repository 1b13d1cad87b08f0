"""Structured inputs in evaluation: what a missing structure and a missing component mean.

A structure (Type ``structure``) is **given** in a record when at least one of its components
has a value there (a value that cannot be read counts as given).  Then:

* a structure whose ``Required`` is yes and that is not given is an error of the record
  (``applicant: a value is required (none of its components applicant.age, applicant.sex has
  a value)``), unless one of its components is itself required (that component's own error
  says it); its components have no usable value;
* a component whose ``Required`` is yes must have a value whenever its structure is given
  (``applicant.sex: a value is required when applicant is given``): under a required structure
  it is required in every record, as any input (``engine.formats.xlsx.structures``); under
  an optional one, this module checks it;
* a component without a value is a missing value, as for any input.

The same rules per record (``record_problems``, the reference) and per column
(``column_problems``), tested against each other.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from engine.model.types import Model


def record_problems(model: Model, context: Mapping[str, Any], unusable: set[str]) -> list[tuple[tuple[str, ...], str]]:
    """Per broken rule, the components left without a usable value and the message."""
    found = []
    name = model.source.name
    for structure in model.structures.values():
        given = any(context.get(c) is not None or c in unusable for c in structure.components)
        if not given and structure.required and not structure.component_required:
            found.append((structure.components, _absent(model, structure)))
        elif given and not structure.required:
            for component in structure.component_required:
                if context.get(component) is None and component not in unusable:
                    found.append(((component,), f"{name(component)}: a value is required when "
                                                f"{name(structure.name)} is given"))
    return found


def column_problems(model: Model, present: Callable[[str], np.ndarray]
                    ) -> list[tuple[tuple[str, ...], np.ndarray, str]]:
    """``record_problems`` over columns: ``present(component)`` is True where the record
    gives it a value (or one that cannot be read); per broken rule, the components, the rows
    and the message."""
    found = []
    name = model.source.name
    for structure in model.structures.values():
        if not structure.components:
            continue
        given = np.logical_or.reduce([present(c) for c in structure.components])
        if structure.required and not structure.component_required:
            found.append((structure.components, ~given, _absent(model, structure)))
        elif not structure.required:
            for component in structure.component_required:
                found.append(((component,), given & ~present(component),
                              f"{name(component)}: a value is required when {name(structure.name)} is given"))
    return found


def _absent(model: Model, structure: Any) -> str:
    name = model.source.name
    parts = ", ".join(name(c) for c in structure.components)
    return f"{name(structure.name)}: a value is required (none of its components {parts} has a value)"
