"""Sets of input values, for the static verifier: the algebra the searches work with.

Owns ``Domain`` (column type, nullability) and ``Interval`` / ``ValueSet`` (normalized
interval unions plus a null flag: algebra, membership, ``sample`` witnesses, rendering back
to S-FEEL unary tests, whose text ``engine.feel.set_text`` writes), so the verifier can find
overlaps, gaps and subsumption without evaluating rules.  What a unary test *gives* for each
value (FEEL's true / false / null) is ``engine.feel.trisets``, built on these sets.  It does
not parse FEEL, evaluate tables or know about hit policies.

Internally a set is a sorted tuple of *cuts* (positions between values): ``(0,)``
below everything, ``(1, v, 0)`` just below ``v``, ``(1, v, 1)`` just above ``v``,
``(2,)`` above everything; consecutive cut pairs delimit members, so operations
are linear merges.  Cuts are canonical (discrete domains use only "just below"
cuts, the domain minimum is the bottom cut): structural equality is set equality.
"""

from __future__ import annotations

import math
import numbers
import operator
from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from fractions import Fraction
from typing import Any

from engine.feel import set_text, temporal_keys

KINDS: tuple[str, ...] = ("number", "integer", "string", "boolean", "date", *temporal_keys.KINDS)
_NUMERIC = frozenset({"number", "integer"})
# FEEL's other temporal types hold whole-number keys (engine.feel.temporal_keys); a date and time
# and a time hold two classes of them (with a zone or without), which do not order together
_TEMPORAL = frozenset(temporal_keys.KINDS)
_DISCRETE = frozenset({"integer", "boolean", "date"}) | _TEMPORAL
_MIN: dict[str, Any] = {"string": "", "boolean": False, "date": date.min}
_MAX: dict[str, Any] = {"boolean": True, "date": date.max}

Cut = tuple  # see module docstring
Cuts = tuple[Cut, ...]
_NEG: Cut = (0,)
_POS: Cut = (2,)
_BOOL_CUTS: Cuts = ((1, False, 0), (1, 2, 0))  # booleans are the positions 0 and 1
_INFINITIES = (math.inf, -math.inf)  # unbounded when used as a numeric bound


@dataclass(frozen=True)
class Domain:
    """Type of an input column; ``nullable``: a missing value can occur."""

    kind: str
    nullable: bool = True

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown domain kind {self.kind!r}; expected one of {KINDS}")

    @property
    def discrete(self) -> bool:
        return self.kind in _DISCRETE

    def accepts(self, value: object) -> bool:
        """True if ``value`` is a literal of this type (integers accept any real)."""
        if self.kind in _NUMERIC:
            real = isinstance(value, (numbers.Real, Decimal)) and not isinstance(value, bool)
            return real and value == value  # rejects NaN
        if self.kind == "string":
            return isinstance(value, str)
        if self.kind == "boolean":
            return isinstance(value, bool)
        if self.kind in _TEMPORAL:  # a key (engine.feel.temporal_keys)
            return type(value) is int and (self.kind not in temporal_keys.ZONED or
                                           temporal_keys.class_range(self.kind, value)[0] is not None)
        return isinstance(value, date) and not isinstance(value, datetime)

    def fits(self, value: object) -> bool:
        """True if ``value`` is a literal a cell may test values of this type with: a key's
        value for a temporal type (``@"PT12H"`` for a days and time duration)."""
        if self.kind in _TEMPORAL:
            return temporal_keys.key(self.kind, value) is not None
        return self.accepts(value)


@dataclass(frozen=True)
class Interval:
    """Values between ``low`` and ``high``; a ``None`` bound is unbounded."""

    low: Any = None
    high: Any = None
    low_closed: bool = True
    high_closed: bool = True

    @staticmethod
    def point(value: Any) -> Interval:
        return Interval(value, value, True, True)


def _full(d: Domain) -> Cuts:
    if d.kind in temporal_keys.CLASSES:  # each class a run of keys
        return tuple(c for low, high in temporal_keys.CLASSES[d.kind] for c in ((1, low, 0), (1, high, 0)))
    return _BOOL_CUTS if d.kind == "boolean" else (_NEG, _POS)


def _step(kind: str, v: Any, n: int) -> Any:
    return v + timedelta(days=n) if kind == "date" else int(v) + n


def _cut(d: Domain, v: Any, side: int) -> Cut:
    """Canonical position just below (side 0) or just above (side 1) ``v``."""
    if d.kind in _NUMERIC and v in _INFINITIES:
        return _NEG if v < 0 else _POS
    if d.kind == "integer":
        floor = math.floor(v)
        v, side = (int(floor), side) if floor == v else (floor + 1, 0)
    if side == 1 and d.kind in _DISCRETE:
        if v == _MAX.get(d.kind):
            return _full(d)[1]
        v, side = _step(d.kind, v, 1), 0
    if side == 0 and v == _MIN.get(d.kind):
        return _full(d)[0]
    return (1, v, side)


def _pair(d: Domain, iv: Interval) -> tuple[Cut, Cut]:
    lo = _full(d)[0] if iv.low is None else _cut(d, iv.low, 0 if iv.low_closed else 1)
    hi = _full(d)[1] if iv.high is None else _cut(d, iv.high, 1 if iv.high_closed else 0)
    return lo, hi


def _normalize(d: Domain, intervals: tuple[Interval, ...]) -> Cuts:
    """Sort, drop empty and merge overlapping or touching intervals."""
    pairs = sorted(p for p in (_pair(d, iv) for iv in intervals) if p[0] < p[1])
    out: list[Cut] = []
    for lo, hi in pairs:
        if out and lo <= out[-1]:
            out[-1] = max(out[-1], hi)
        else:
            out += (lo, hi)
    return tuple(out)


def _combine(a: Cuts, b: Cuts, op: Callable[[bool, bool], bool]) -> Cuts:
    """Linear sweep over two canonical cut lists, keeping where ``op`` holds."""
    out: list[Cut] = []
    i = j = 0
    in_a = in_b = inside = False
    while i < len(a) or j < len(b):
        c = a[i] if j >= len(b) or (i < len(a) and a[i] <= b[j]) else b[j]
        if i < len(a) and a[i] == c:
            in_a, i = not in_a, i + 1
        if j < len(b) and b[j] == c:
            in_b, j = not in_b, j + 1
        if op(in_a, in_b) != inside:
            out.append(c)
            inside = not inside
    return tuple(out)


def _minus(x: bool, y: bool) -> bool:
    return x and not y


def _to_interval(d: Domain, lo: Cut, hi: Cut) -> Interval:
    decode = bool if d.kind == "boolean" else (lambda v: v)
    low, low_closed = (None, False) if lo == _NEG else (decode(lo[1]), lo[2] == 0)
    if hi == _POS:
        return Interval(low, None, low_closed, False)
    if d.discrete:
        return Interval(low, decode(_step(d.kind, hi[1], -1)), low_closed, True)
    return Interval(low, hi[1], low_closed, hi[2] == 1)


def _intervals(d: Domain, cuts: Cuts) -> tuple[Interval, ...]:
    return tuple(_to_interval(d, cuts[k], cuts[k + 1]) for k in range(0, len(cuts), 2))


def _make(d: Domain, cuts: Cuts, null: bool) -> ValueSet:
    """Build a ValueSet from canonical cuts, skipping re-normalization."""
    vs = object.__new__(ValueSet)
    for name, value in (("domain", d), ("intervals", _intervals(d, cuts)),
                        ("null", null), ("_cuts", cuts), ("_hash", None)):
        object.__setattr__(vs, name, value)
    return vs


@dataclass(frozen=True)
class ValueSet:
    """A set of values of one domain; ``null``: the missing value is a member.

    The constructor accepts any intervals and normalizes them.
    """

    domain: Domain
    intervals: tuple[Interval, ...] = ()
    null: bool = False
    _cuts: Cuts = field(init=False, repr=False, compare=False)
    _hash: int | None = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.null and not self.domain.nullable:
            raise ValueError(f"null is not part of the non-nullable domain {self.domain}")
        bad = [b for iv in self.intervals for b in (iv.low, iv.high)
               if b is not None and not self.domain.accepts(b)]
        if bad:
            raise TypeError(f"{bad[0]!r} is not a {self.domain.kind} value")
        cuts = _normalize(self.domain, tuple(self.intervals))
        object.__setattr__(self, "_cuts", cuts)
        object.__setattr__(self, "intervals", _intervals(self.domain, cuts))

    def __hash__(self) -> int:
        if self._hash is None:
            object.__setattr__(self, "_hash", hash((self.domain, self._cuts, self.null)))
        return self._hash  # type: ignore[return-value]

    # -- constructors
    @classmethod
    def empty(cls, d: Domain) -> ValueSet:
        return _make(d, (), False)

    @classmethod
    def full(cls, d: Domain) -> ValueSet:
        return _make(d, _full(d), d.nullable)

    @classmethod
    def null_only(cls, d: Domain) -> ValueSet:
        if not d.nullable:
            raise ValueError(f"null is not part of the non-nullable domain {d}")
        return _make(d, (), True)

    @classmethod
    def point(cls, d: Domain, value: Any) -> ValueSet:
        """The set {value}; ``None`` gives the null-only set."""
        return cls.null_only(d) if value is None else cls.interval(d, value, value)

    @classmethod
    def points(cls, d: Domain, values: Any) -> ValueSet:
        vals = list(values)
        return cls(d, tuple(Interval.point(v) for v in vals if v is not None), None in vals)

    @classmethod
    def interval(cls, d: Domain, low: Any = None, high: Any = None,
                 low_closed: bool = True, high_closed: bool = True) -> ValueSet:
        return cls(d, (Interval(low, high, low_closed, high_closed),))

    # -- algebra
    def _merge(self, other: ValueSet, op: Callable[[bool, bool], bool]) -> Cuts:
        if other.domain is not self.domain and other.domain != self.domain:
            raise ValueError(f"domain mismatch: {self.domain} vs {other.domain}")
        return _combine(self._cuts, other._cuts, op)

    def union(self, other: ValueSet) -> ValueSet:
        return _make(self.domain, self._merge(other, operator.or_), self.null or other.null)

    def intersection(self, other: ValueSet) -> ValueSet:
        return _make(self.domain, self._merge(other, operator.and_), self.null and other.null)

    def difference(self, other: ValueSet) -> ValueSet:
        return _make(self.domain, self._merge(other, _minus), self.null and not other.null)

    def complement(self) -> ValueSet:
        d = self.domain
        return _make(d, _combine(_full(d), self._cuts, _minus), d.nullable and not self.null)

    __or__, __and__, __sub__, __invert__ = union, intersection, difference, complement

    def is_empty(self) -> bool:
        return not self._cuts and not self.null

    def is_full(self) -> bool:
        return self._cuts == _full(self.domain) and self.null == self.domain.nullable

    def issubset(self, other: ValueSet) -> bool:
        return not self._merge(other, _minus) and (not self.null or other.null)

    def __le__(self, other: object) -> bool:
        return self.issubset(other) if isinstance(other, ValueSet) else NotImplemented

    def isdisjoint(self, other: ValueSet) -> bool:
        return not self._merge(other, operator.and_) and not (self.null and other.null)

    def contains(self, value: Any) -> bool:
        """Membership; ``None`` is the missing value; wrong types are not members."""
        d = self.domain
        if value is None:
            return self.null
        if not d.accepts(value) or (d.kind in _NUMERIC and value in _INFINITIES):
            return False
        if d.kind == "integer" and value != math.floor(value):
            return False
        return bisect_right(self._cuts, _cut(d, value, 0)) % 2 == 1

    __contains__ = contains

    # -- witnesses and rendering
    def sample(self) -> Any:
        """A readable member; ``None`` if only null is in the set."""
        if self.is_empty():
            raise ValueError("cannot sample the empty set")
        if not self.intervals:
            return None
        if self.domain.kind == "string":
            return _sample_string(self)
        if self.domain.kind == "number":
            return _sample_number(self.intervals[0])
        iv = self.intervals[0]
        if self.domain.kind in _TEMPORAL and iv.low is None and self.contains(0):
            return 0  # a duration of nothing (PT0S, P0M) rather than the microsecond below a bound
        default = date(2000, 1, 1) if self.domain.kind == "date" else 0
        return next((v for v in (iv.low, iv.high) if v is not None), default)

    def to_unary_tests(self) -> str:
        """S-FEEL unary tests whose matches (FEEL semantics) are exactly this set."""
        d = self.domain
        if self.is_empty():
            raise ValueError("the empty set has no unary-test notation")
        if self.is_full():
            return "-"
        if self._cuts == _full(d):
            return "not(null)"
        holes = _string_holes(self)
        if holes is not None:
            nul = ["null"] if d.nullable and not self.null else []
            return f"not({', '.join([set_text.literal(d, h) for h in holes] + nul)})"
        items = [set_text.interval(d, iv) for iv in self.intervals]
        return ", ".join(items + (["null"] if self.null else []))

    def __str__(self) -> str:
        return "<empty>" if self.is_empty() else self.to_unary_tests()


def _sample_number(iv: Interval) -> Any:
    lo, hi = iv.low, iv.high
    if lo is not None and iv.low_closed:
        return lo
    if lo is None:
        return 0 if hi is None else math.ceil(hi) - 1 if not iv.high_closed else math.floor(hi)
    whole = math.floor(lo) + 1
    if hi is None or whole < hi or (whole == hi and iv.high_closed):
        return whole
    mid = (float(lo) + float(hi)) / 2
    return mid if lo < mid < hi else (Fraction(lo) + Fraction(hi)) / 2


def _sample_string(vs: ValueSet) -> str:
    first = vs.intervals[0]
    if first.low is not None and first.low_closed:
        return first.low
    readable = ["other"] + [f"other_{k}" for k in range(1, len(vs.intervals) + 2)] + ["a", "z"]
    fallback = [c for iv in vs.intervals for c in  # strictly above an open low bound
                ([""] if iv.low is None else [iv.low + "_", iv.low + "\x00", iv.high or ""])]
    for candidate in readable + fallback:
        if vs.contains(candidate):
            return candidate
    raise ValueError(f"no concrete string lies in {vs} (dense-string approximation)")


def _string_holes(vs: ValueSet) -> list[str] | None:
    """The excluded strings if ``vs`` is all strings but finitely many."""
    if vs.domain.kind != "string" or not vs._cuts:
        return None
    rest = _intervals(vs.domain, _combine(_full(vs.domain), vs._cuts, _minus))
    points = [set_text.point_value(vs.domain, iv) for iv in rest]
    return [v for _, v in points] if all(ok for ok, _ in points) else None
