"""FEEL's three-valued outcome of a unary test over a column's domain, as sets.

Owns ``TriSet`` (the values where a test gives true, where it gives null, the rest false,
and its answer for a missing input) with the ``tri_*`` constructors (``-``, ``= v``,
``!= v``, ``< v`` ..., ranges) and the Kleene connectives (``tri_or``, ``tri_and``,
``tri_not``) that the set forms of cells (``engine.feel.set_form``,
``engine.feel.feel_sets``) are made of.  The sets themselves are ``engine.feel.sets``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from engine.feel.sets import Domain, ValueSet, _full, _make


@dataclass(frozen=True)
class TriSet:
    """FEEL outcome of a unary test: ``true`` / ``unknown`` (null) non-null
    values (disjoint; the rest are false) and ``on_null`` for a missing input."""

    true: ValueSet
    unknown: ValueSet
    on_null: bool | None

    def __post_init__(self) -> None:
        t, u = self.true, self.unknown
        if t.domain != u.domain or t.null or u.null or not t.isdisjoint(u):
            raise ValueError("true and unknown must be disjoint null-free sets of one domain")

    @property
    def domain(self) -> Domain:
        return self.true.domain

    @property
    def false(self) -> ValueSet:
        """Non-null values where the test gives false."""
        return _values(self.domain) - self.true - self.unknown

    def matches(self) -> ValueSet:
        """Values (null included) where the test gives true."""
        d = self.domain
        return _make(d, self.true._cuts, d.nullable and self.on_null is True)


def _values(d: Domain) -> ValueSet:
    return _make(d, _full(d), False)


def tri_or(a: TriSet, b: TriSet) -> TriSet:
    """Pointwise Kleene disjunction."""
    true, nulls = a.true | b.true, (a.on_null, b.on_null)
    on_null = True if True in nulls else None if None in nulls else False
    return TriSet(true, (a.unknown | b.unknown) - true, on_null)


def tri_not(a: TriSet) -> TriSet:
    return TriSet(a.false, a.unknown, None if a.on_null is None else not a.on_null)


def tri_and(a: TriSet, b: TriSet) -> TriSet:
    return tri_not(tri_or(tri_not(a), tri_not(b)))


def _mismatch(d: Domain, on_null: bool | None) -> TriSet:
    return TriSet(ValueSet.empty(d), _values(d), on_null)


def tri_any(d: Domain) -> TriSet:
    """The ``-`` test: true for everything, null included."""
    return TriSet(_values(d), ValueSet.empty(d), True)


def tri_equal(d: Domain, literal: Any) -> TriSet:
    """``x = literal``; ``None`` is the null literal."""
    if literal is None:
        return TriSet(ValueSet.empty(d), ValueSet.empty(d), True)
    if not d.accepts(literal):
        return _mismatch(d, False)
    return TriSet(ValueSet.point(d, literal), ValueSet.empty(d), False)


def tri_not_equal(d: Domain, literal: Any) -> TriSet:
    return tri_not(tri_equal(d, literal))


_COMPARISONS: dict[str, Callable[[Any], tuple[Any, Any, bool, bool]]] = {
    "<": lambda v: (None, v, False, False), "<=": lambda v: (None, v, False, True),
    ">": lambda v: (v, None, False, False), ">=": lambda v: (v, None, True, False),
}


def tri_compare(d: Domain, op: str, literal: Any) -> TriSet:
    """``op literal`` for op in ``<``, ``<=``, ``>``, ``>=``; null literal gives null."""
    if op not in _COMPARISONS:
        raise ValueError(f"unknown comparison {op!r}")
    return _mismatch(d, None) if literal is None else tri_interval(d, *_COMPARISONS[op](literal))


def tri_interval(d: Domain, low: Any, high: Any,
                 low_closed: bool = True, high_closed: bool = True) -> TriSet:
    """A range test; a ``None`` bound is unbounded (as in ``Interval``)."""
    wrong = any(v is not None and not d.accepts(v) for v in (low, high))
    if wrong or d.kind == "boolean":
        return _mismatch(d, None)
    return TriSet(ValueSet.interval(d, low, high, low_closed, high_closed),
                  ValueSet.empty(d), None)
