"""FEEL's boolean, range and context functions (DMN 1.5 §10.3.4.2, §10.3.4.9, §10.3.4.12-13):
``not``; ``before``, ``after``, ``meets``, ``met by``, ``overlaps``, ``overlaps before``,
``overlaps after``, ``finishes``, ``finished by``, ``includes``, ``during``, ``starts``,
``started by``, ``coincides`` on points and ranges; ``range(from)``; ``get value``,
``get entries``, ``context``, ``context put``, ``context merge``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from engine.feel import semantics
from engine.feel.library import function
from engine.feel.semantics import Range, and_, compare, equal, or_

Ends = tuple[Any, Any, bool, bool]


def _not(negand: Any) -> Any:
    return semantics.not_(negand)


def _ends(value: Any) -> Ends:
    """A range's (low, high, low closed, high closed); a point as the range [p..p]."""
    if isinstance(value, Range):
        return value.low, value.high, value.low_closed, value.high_closed
    return value, value, True, True


def _lt(a: Any, b: Any) -> Any:
    return compare("<", a, b)


def _ranged(rule: Callable[[Ends, Ends, bool, bool], Any]) -> Callable[[Any, Any], Any]:
    def apply(a: Any, b: Any) -> Any:
        if a is None or b is None:
            return None
        return rule(_ends(a), _ends(b), isinstance(a, Range), isinstance(b, Range))
    return apply


def _before(a: Ends, b: Ends, ra: bool, rb: bool) -> Any:
    # a's high end before b's low end (touching ends count when either is open)
    if a[1] is None or b[0] is None:
        return False
    return or_(_lt(a[1], b[0]), and_(equal(a[1], b[0]), not (a[3] and b[2])))


def _after(a: Ends, b: Ends, ra: bool, rb: bool) -> Any:
    return _before(b, a, rb, ra)


def _meets(a: Ends, b: Ends, ra: bool, rb: bool) -> Any:
    return and_(a[3] and b[2], equal(a[1], b[0]))


def _met_by(a: Ends, b: Ends, ra: bool, rb: bool) -> Any:
    return _meets(b, a, rb, ra)


def _low_before(a: Ends, b: Ends) -> Any:
    """a starts before b (a's low end below b's)."""
    if a[0] is None:
        return b[0] is not None or (not b[2] and a[2])
    if b[0] is None:
        return False
    return or_(_lt(a[0], b[0]), and_(equal(a[0], b[0]), a[2] and not b[2]))


def _high_after(a: Ends, b: Ends) -> Any:
    if a[1] is None:
        return b[1] is not None
    if b[1] is None:
        return False
    return or_(_lt(b[1], a[1]), and_(equal(a[1], b[1]), a[3] and not b[3]))


def _same_low(a: Ends, b: Ends) -> Any:
    if a[0] is None or b[0] is None:
        return a[0] is None and b[0] is None
    return and_(equal(a[0], b[0]), a[2] == b[2])


def _same_high(a: Ends, b: Ends) -> Any:
    if a[1] is None or b[1] is None:
        return a[1] is None and b[1] is None
    return and_(equal(a[1], b[1]), a[3] == b[3])


def _includes_ends(a: Ends, b: Ends) -> Any:
    """b lies within a."""
    low = or_(_low_before(a, b), _same_low(a, b))
    high = or_(_high_after(a, b), _same_high(a, b))
    return and_(low, high)


def _overlaps(a: Ends, b: Ends, ra: bool, rb: bool) -> Any:
    return and_(semantics.not_(_before(a, b, ra, rb)), semantics.not_(_before(b, a, rb, ra)))


def _overlaps_before(a: Ends, b: Ends, ra: bool, rb: bool) -> Any:
    starts_first = _low_before(a, b)
    reaches = or_(_lt(b[0], a[1]) if a[1] is not None and b[0] is not None else a[1] is None,
                  and_(equal(a[1], b[0]), a[3] and b[2]))
    ends_inside = or_(_high_after(b, a), _same_high(a, b))
    return and_(and_(starts_first, reaches), ends_inside)


def _overlaps_after(a: Ends, b: Ends, ra: bool, rb: bool) -> Any:
    return _overlaps_before(b, a, rb, ra)


def _finishes(a: Ends, b: Ends, ra: bool, rb: bool) -> Any:
    if not ra:
        return and_(b[3], equal(a[0], b[1]))
    return and_(_same_high(a, b), _includes_ends(b, a))


def _finished_by(a: Ends, b: Ends, ra: bool, rb: bool) -> Any:
    return _finishes(b, a, rb, ra)


def _starts(a: Ends, b: Ends, ra: bool, rb: bool) -> Any:
    if not ra:
        return and_(b[2], equal(a[0], b[0]))
    return and_(_same_low(a, b), _includes_ends(b, a))


def _started_by(a: Ends, b: Ends, ra: bool, rb: bool) -> Any:
    return _starts(b, a, rb, ra)


def _includes(a: Ends, b: Ends, ra: bool, rb: bool) -> Any:
    if not rb:
        return semantics.in_range(b[0], a[0], a[1], a[2], a[3])
    return _includes_ends(a, b)


def _during(a: Ends, b: Ends, ra: bool, rb: bool) -> Any:
    return _includes(b, a, rb, ra)


def _coincides(a: Ends, b: Ends, ra: bool, rb: bool) -> Any:
    if ra != rb:
        return None
    return and_(_same_low(a, b), _same_high(a, b))


READ_RANGE: list[Callable[[str], Any]] = []  # engine.feel.interpret puts its reader here (it reads FEEL)


def _range(from_: Any) -> Any:
    if not isinstance(from_, str) or not READ_RANGE:
        return None
    return READ_RANGE[0](from_)


def _get_value(m: Any, key: Any) -> Any:
    if not isinstance(m, dict) or not isinstance(key, str):
        return None
    return m.get(key)


def _get_entries(m: Any) -> Any:
    if not isinstance(m, dict):
        return None
    return [{"key": k, "value": v} for k, v in m.items()]


def _context(entries: Any) -> Any:
    values = entries if isinstance(entries, list) else [entries]
    result: dict[str, Any] = {}
    for entry in values:
        if not isinstance(entry, dict) or not isinstance(entry.get("key"), str) or "value" not in entry:
            return None
        if entry["key"] in result:
            return None
        result[entry["key"]] = entry["value"]
    return result


def _context_put(context: Any, key: Any, value: Any) -> Any:
    if not isinstance(context, dict):
        return None
    if isinstance(key, list):
        if not key or not all(isinstance(k, str) for k in key):
            return None
        if len(key) == 1:
            return _context_put(context, key[0], value)
        inner = context.get(key[0])
        if not isinstance(inner, dict):
            return None
        nested = _context_put(inner, key[1:], value)
        return None if nested is None else {**context, key[0]: nested}
    if not isinstance(key, str):
        return None
    return {**context, key: value}


def _context_merge(contexts: Any) -> Any:
    values = contexts if isinstance(contexts, list) else [contexts]
    if not all(isinstance(c, dict) for c in values):
        return None
    merged: dict[str, Any] = {}
    for context in values:
        merged.update(context)
    return merged


_RANGE = "point1, point2 | point, range | range, point | range1, range2"
FUNCTIONS = [
    function("not", "negand", _not),
    function("before", _RANGE, _ranged(_before)),
    function("after", _RANGE, _ranged(_after)),
    function("meets", "range1, range2", _ranged(_meets)),
    function("met by", "range1, range2", _ranged(_met_by)),
    function("overlaps", "range1, range2", _ranged(_overlaps)),
    function("overlaps before", "range1, range2", _ranged(_overlaps_before)),
    function("overlaps after", "range1, range2", _ranged(_overlaps_after)),
    function("finishes", "point, range | range1, range2", _ranged(_finishes)),
    function("finished by", "range, point | range1, range2", _ranged(_finished_by)),
    function("includes", "range, point | range1, range2", _ranged(_includes)),
    function("during", "point, range | range1, range2", _ranged(_during)),
    function("starts", "point, range | range1, range2", _ranged(_starts)),
    function("started by", "range, point | range1, range2", _ranged(_started_by)),
    function("coincides", "point1, point2 | range1, range2", _ranged(_coincides)),
    function("range", "from", _range),
    function("get value", "m, key", _get_value),
    function("get entries", "m", _get_entries),
    function("context", "entries", _context),
    replace(function("context put", "context, key, value | context, keys, value", _context_put),
            by_signature=(lambda c, k, v: _context_put(c, k, v) if not isinstance(k, list) else None, None)),
    function("context merge", "contexts", _context_merge),
]
