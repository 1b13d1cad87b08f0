"""The patient form of ``dtrun serve``'s *Try a patient* page, made from the ``Inputs`` sheet.

Owns what each input becomes in the form: a drop-down for a finite set of allowed values
(a boolean: true / false), a number field with the input's unit and the bounds and step of
its allowed range (``[0..100]`` on an integer: min 0, max 100, step 1), a date field, or a
text field; an empty choice for every input, named "missing" for an optional one (a
required one left empty is reported by the engine as it would be in a patient file).  And
how a submitted form becomes a record: the query parameters named after inputs, each value a
text read as a patient file's cell would be (an empty value: missing); other parameters are
ignored.  The form is sent with GET, so that the URL holds the patient and can be shared.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from engine.feel.sets import Domain, ValueSet
from engine.model.types import InputDef, Model

MAX_CHOICES = 40  # more allowed values than this: a text field (with the allowed values said beside it)


@dataclass(frozen=True)
class Field:
    """One input of the form.  ``kind``: select, number, date or text; ``options`` the values
    of a drop-down, in the order of the allowed values; ``low``/``high``/``step`` a number
    field's bounds ('' when unbounded); ``value`` the value given (a text, '' for missing)."""

    name: str
    label: str
    kind: str
    required: bool
    unit: str = ""
    description: str = ""
    allowed: str = ""
    options: tuple[str, ...] = ()
    low: str = ""
    high: str = ""
    step: str = ""
    value: str = ""

    @property
    def empty_label(self) -> str:
        return "(choose)" if self.required else "missing"


def fields(model: Model, given: Mapping[str, str] | None = None) -> list[Field]:
    """The form's fields, one per input in the ``Inputs`` sheet's order, filled with ``given``."""
    given = given or {}
    return [_field(model, definition, given.get(name, "")) for name, definition in model.inputs.items()
            if definition.expression is None]  # a computed input is no field: its value is computed


def record(model: Model, query: Mapping[str, str]) -> dict[str, str | None]:
    """The record a submitted form gives: each input's text (None when empty or not sent)."""
    return {name: (query.get(name) or None) for name in model.inputs}


def submitted(model: Model, query: Mapping[str, str]) -> bool:
    """True when the query names at least one input: a patient to evaluate."""
    return any(name in query for name in model.inputs)


def _field(model: Model, definition: InputDef, value: str) -> Field:
    label = model.source.name(definition.name)
    allowed = definition.allowed.text if definition.allowed else ""
    common = {"name": definition.name, "label": label, "required": definition.required, "unit": definition.unit,
                  "description": definition.description, "allowed": allowed, "value": value}
    kind = definition.type
    if kind == "boolean":
        return Field(kind="select", options=("true", "false"), **common)
    shape = _allowed_set(definition)
    points = _ordered(definition, _points(shape))
    if kind == "string":
        if points and len(points) <= MAX_CHOICES:
            return Field(kind="select", options=tuple(str(p) for p in points), **common)
        return Field(kind="text", **common)
    if kind in ("number", "integer"):
        if points and len(points) <= MAX_CHOICES:
            return Field(kind="select", options=tuple(_number(p) for p in points), **common)
        low, high = _bounds(shape)
        return Field(kind="number", low=low, high=high, step="1" if kind == "integer" else "any", **common)
    if kind == "date":
        low, high = _bounds(shape)
        return Field(kind="date", low=low, high=high, **common)
    return Field(kind="text", **common)


def _allowed_set(definition: InputDef) -> ValueSet | None:
    if definition.allowed is None or definition.type not in ("number", "integer", "string", "date"):
        return None
    try:
        return definition.allowed.to_set(Domain(definition.type, nullable=True))
    except (ValueError, TypeError):  # allowed values the set form cannot hold: no bounds, a plain field
        return None


def _points(shape: ValueSet | None) -> list[Any]:
    """The allowed values when they are finitely many single values (``"a","b"``), else []."""
    if shape is None or not shape.intervals:
        return []
    if all(i.low is not None and i.low == i.high and i.low_closed and i.high_closed for i in shape.intervals):
        return [i.low for i in shape.intervals]
    return []


def _ordered(definition: InputDef, points: list[Any]) -> list[Any]:
    """``points`` in the order the Allowed values cell writes them (the set form sorts them)."""
    from engine.feel.syntax import Comparison, Literal

    written = [t.endpoint.value for t in definition.allowed.node.tests  # type: ignore[union-attr]
               if isinstance(t, Comparison) and isinstance(t.endpoint, Literal)] if points else []
    rank = {value: n for n, value in reversed(list(enumerate(written)))}
    return sorted(points, key=lambda p: rank.get(p, len(rank)))


def _bounds(shape: ValueSet | None) -> tuple[str, str]:
    """The smallest and largest allowed value ('' when unbounded): a field's min and max."""
    if shape is None or not shape.intervals:
        return "", ""
    low, high = shape.intervals[0].low, shape.intervals[-1].high
    return _bound(low), _bound(high)


def _bound(value: Any) -> str:
    if value is None:
        return ""
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, (int, float, Decimal)) and not math.isfinite(float(value)):
        return ""
    return _number(value)


def _number(value: Any) -> str:
    if isinstance(value, (float, Decimal)) and float(value).is_integer() and abs(float(value)) < 1e15:
        return str(int(value))
    return str(value)
