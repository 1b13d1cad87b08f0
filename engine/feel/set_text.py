"""A set of values written back as S-FEEL unary tests (``engine.feel.sets.ValueSet.to_unary_tests``):
an interval as ``< 5``, ``[1..5)``, a point, a temporal interval by its rounder end
(``< @"12:00:00"``, not ``<= @"11:59:59.999999"``), a literal of each kind (strings escaped as
docs/conditions.md says, numbers in plain decimal notation).  Works on any domain and interval
with the fields of ``engine.feel.sets``' ``Domain`` and ``Interval``; it does not import them.
"""

from __future__ import annotations

import dataclasses
import numbers
from decimal import Decimal
from fractions import Fraction
from functools import partial
from typing import Any

from engine.feel import temporal_keys


def interval(d: Any, iv: Any) -> str:
    if d.kind in temporal_keys.ZONED and iv.low is not None and iv.high is not None:  # = holds to the second
        if iv.high - iv.low == temporal_keys.SECOND - 1 and temporal_keys.roundness(d.kind, iv.low) == 6:
            return literal(d, iv.low)
        if iv.low == iv.high:
            return f"[{literal(d, iv.low)}..{literal(d, iv.high)}]"
    is_point, value = point_value(d, iv)
    if is_point:
        return literal(d, value)
    if d.kind in temporal_keys.CLASSES:  # a class's own ends go without saying: < and > test one class
        low, high = temporal_keys.class_range(d.kind, iv.low)
        if iv.high == high - 1:
            iv = dataclasses.replace(iv, high=None, high_closed=False)
        elif iv.low == low:
            iv = dataclasses.replace(iv, low=None, low_closed=False)
    if d.kind in temporal_keys.KINDS:  # the rounder end: < @"12:00:00", not <= @"11:59:59.999999"
        round_ = partial(temporal_keys.roundness, d.kind)
        if iv.high is not None and iv.high_closed and round_(iv.high + 1) > round_(iv.high):
            iv = dataclasses.replace(iv, high=iv.high + 1, high_closed=False)
        if iv.low is not None and iv.low_closed and round_(iv.low - 1) > round_(iv.low):
            iv = dataclasses.replace(iv, low=iv.low - 1, low_closed=False)
    if iv.low is None:
        return f"{'<=' if iv.high_closed else '<'} {literal(d, iv.high)}"
    if iv.high is None:
        return f"{'>=' if iv.low_closed else '>'} {literal(d, iv.low)}"
    opening, closing = "[" if iv.low_closed else "(", "]" if iv.high_closed else ")"
    return f"{opening}{literal(d, iv.low)}..{literal(d, iv.high)}{closing}"


_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n"}  # as documented in docs/conditions.md


def literal(d: Any, v: Any) -> str:
    if d.kind == "string":
        return '"' + "".join(_ESCAPES.get(ch, ch) for ch in v) + '"'
    if d.kind == "boolean":
        return "true" if v else "false"
    if d.kind == "date":
        return f'date("{v.isoformat()}")'
    if d.kind in temporal_keys.KINDS:
        return temporal_keys.text(d.kind, v)
    return number(v)


def number(v: Any) -> str:
    """Plain decimal notation, no exponent and no trailing ``.0``."""
    if isinstance(v, numbers.Integral):
        return str(int(v))
    if isinstance(v, Fraction):
        v = Decimal(v.numerator) / v.denominator
    elif not isinstance(v, Decimal):
        v = Decimal(repr(float(v)))
    text = format(v, "f")
    text = text.rstrip("0").rstrip(".") if "." in text else text
    return "0" if text == "-0" else text


def point_value(d: Any, iv: Any) -> tuple[bool, Any]:
    """``(True, value)`` where the interval is a single value (the empty string below all others too)."""
    if iv.low is not None and iv.low == iv.high:
        return True, iv.low
    is_empty_string = d.kind == "string" and iv.low is None and iv.high == "" and iv.high_closed
    return is_empty_string, ""
