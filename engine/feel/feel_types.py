"""FEEL's types and the parts of values: ``instance of`` (DMN 1.5 §10.3.2.9.2, with a model's own
types) and paths (``x.name``: a context's entry, a list's items' entries, a temporal value's or a
range's property).  Used by ``engine.feel.interpret``; pure functions of values."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from engine.feel import semantics, temporal
from engine.feel.nodes import TypeRef
from engine.feel.semantics import Range

_TYPE_ALIASES = {"dayTimeDuration": semantics.DT_DURATION, "yearMonthDuration": semantics.YM_DURATION,
                 "dateTime": semantics.DATETIME}
FEEL_TYPES = frozenset({"Any", semantics.NULL, semantics.BOOLEAN, semantics.NUMBER, semantics.STRING, semantics.DATE,
                        semantics.DATETIME, semantics.TIME, semantics.DT_DURATION, semantics.YM_DURATION,
                        semantics.LIST, semantics.CONTEXT, semantics.RANGE, semantics.FUNCTION})


def instance_of(value: Any, type_: TypeRef, types: Mapping[str, TypeRef] | None = None) -> bool:
    """``value instance of type_``; ``types``: the model's own types by name (item definitions)."""
    types = types or {}
    seen = 0
    while type_.name in types and seen < 50:
        type_, seen = types[type_.name], seen + 1
    name = _TYPE_ALIASES.get(type_.name, type_.name)
    if name not in FEEL_TYPES:  # never a silent false: the author meant a type that is not there
        known = ", ".join(sorted(FEEL_TYPES - {semantics.NULL}))
        raise semantics.FeelError(f"instance of {type_.name}: no type has that name (FEEL's types are {known}; "
                                  "a DMN model's own types come from its item definitions)")
    kind = semantics.kind(value)
    if name == "Any":
        return value is not None
    if name == "Null":
        return value is None
    if name == semantics.LIST and kind == semantics.LIST:
        return not type_.args or all(instance_of(v, type_.args[0], types) for v in value if v is not None)
    if name == semantics.CONTEXT and kind == semantics.CONTEXT:
        return all(f in value and (value[f] is None or instance_of(value[f], t, types))
                   for f, t in zip(type_.fields, type_.args))
    if name == semantics.RANGE and kind == semantics.RANGE:
        return not type_.args or all(instance_of(v, type_.args[0], types)
                                     for v in (value.low, value.high) if v is not None)
    if name == semantics.FUNCTION:
        return kind == semantics.FUNCTION
    return kind == name


def path_of(value: Any, name: str) -> Any:
    """``value.name``: a context's entry, a temporal value's or a range's property; over a list, each item's."""
    if isinstance(value, dict):
        return value.get(name)
    if isinstance(value, list):
        return [path_of(v, name) for v in value]
    if isinstance(value, Range):
        return {"start": value.low, "end": value.high, "start included": value.low_closed,
                "end included": value.high_closed}.get(name)
    found, result = temporal.property_of(value, name)
    return result if found else None
