"""Tests for engine.feel.sets: the verifier's set algebra over unary-test domains.

The core checks use an independent oracle: small universes of values that
fully characterise every set built from a fixed list of bounds (each gap
between two bounds holds a universe member), so set operations can be
compared with Python set operations on the enumerated members, and the
rendered unary tests can be re-evaluated by a tiny FEEL evaluator written here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.feel.sets import Domain, Interval, ValueSet
from engine.feel.trisets import (
    TriSet,
    tri_and,
    tri_any,
    tri_compare,
    tri_equal,
    tri_interval,
    tri_not,
    tri_not_equal,
    tri_or,
)

# ---------------------------------------------------------------- universes


@dataclass(frozen=True)
class Universe:
    domain: Domain
    bounds: tuple[Any, ...]
    values: tuple[Any, ...]  # non-null members that characterise any set over `bounds`

    @property
    def members(self) -> tuple[Any, ...]:
        return self.values + ((None,) if self.domain.nullable else ())

    def __repr__(self) -> str:
        return f"{self.domain.kind}{'?' if self.domain.nullable else ''}"


_DAYS = (date.min, date(2025, 1, 1), date(2025, 1, 2), date(2025, 1, 4), date(2025, 1, 8),
         date.max)


def _around(day: date) -> list[date]:
    out = []
    for k in (-1, 0, 1):
        try:
            out.append(day + timedelta(days=k))
        except OverflowError:
            pass
    return out


_KINDS = {
    "integer": (tuple(range(-3, 7)) + (-2.5, 0.5, 3.5), tuple(range(-5, 9))),
    "number": (tuple(range(-3, 7)) + (0.5,), tuple(k / 4 for k in range(-20, 33))),
    "string": (("", "a", "b", "c", "other"),
               ("", "0", "a", "a0", "b", "b0", "c", "c0", "other", "other_1", "p")),
    "boolean": ((False, True), (False, True)),
    "date": (_DAYS, tuple(sorted({d for day in _DAYS for d in _around(day)}))),
}
UNIVERSES = [Universe(Domain(kind, nullable), bounds, values)
             for kind, (bounds, values) in _KINDS.items() for nullable in (True, False)]
FOREIGN = (None, True, False, "a", "", 3, 2.5, -1, date(2025, 1, 2))

N, I, S, B, D = (Domain(k) for k in ("number", "integer", "string", "boolean", "date"))


def members(vs: ValueSet, u: Universe) -> frozenset:
    return frozenset(x for x in u.members if vs.contains(x))


def naive_in(iv: Interval, x: Any) -> bool:
    low_ok = iv.low is None or iv.low < x or (iv.low_closed and iv.low == x)
    high_ok = iv.high is None or x < iv.high or (iv.high_closed and x == iv.high)
    return low_ok and high_ok


def naive_members(ivs: list[Interval], null: bool, u: Universe) -> frozenset:
    return frozenset(x for x in u.members
                     if (null if x is None else any(naive_in(iv, x) for iv in ivs)))


@st.composite
def raw_sets(draw: Any, u: Universe) -> tuple[list[Interval], bool]:
    bound = st.none() | st.sampled_from(u.bounds)
    ivs = draw(st.lists(st.builds(Interval, bound, bound, st.booleans(), st.booleans()),
                        max_size=4))
    return ivs, draw(st.booleans()) if u.domain.nullable else False


@st.composite
def value_sets(draw: Any, u: Universe) -> ValueSet:
    ivs, null = draw(raw_sets(u))
    vs = ValueSet(u.domain, tuple(ivs), null)
    return vs.complement() if draw(st.booleans()) else vs


universes = pytest.mark.parametrize("u", UNIVERSES, ids=repr)
# 10 universes x 60 examples per property; no deadline (shared CI machines are noisy).
PROPERTY = settings(max_examples=60, deadline=None)

# ---------------------------------------------------------------- test-side FEEL evaluator


def feel_type(v: Any) -> str:
    if isinstance(v, bool):
        return "boolean"
    if isinstance(v, (int, float, Decimal)):
        return "number"
    return "string" if isinstance(v, str) else "date"


def or3(values: list[bool | None]) -> bool | None:
    return True if True in values else None if None in values else False


def not3(v: bool | None) -> bool | None:
    return None if v is None else not v


def feel_eval(item: tuple, x: Any) -> bool | None:
    kind = item[0]
    if kind == "any":
        return True
    if kind == "not":
        return not3(or3([feel_eval(i, x) for i in item[1]]))
    if kind == "eq":
        lit = item[1]
        if x is None or lit is None:
            return x is None and lit is None
        return x == lit if feel_type(x) == feel_type(lit) else None
    lo, hi, lc, hc = item[1:] if kind == "range" else {
        "<": (None, item[2], False, False), "<=": (None, item[2], False, True),
        ">": (item[2], None, False, False), ">=": (item[2], None, True, False)}[item[1]]
    if kind == "cmp" and item[2] is None or x is None or feel_type(x) == "boolean":
        return None
    if any(b is not None and feel_type(b) != feel_type(x) for b in (lo, hi)):
        return None
    return naive_in(Interval(lo, hi, lc, hc), x)


def split_top(text: str) -> list[str]:
    parts, depth, quoted, start, k = [], 0, False, 0, 0
    while k < len(text):
        ch = text[k]
        if quoted and ch == "\\":
            k += 1
        elif ch == '"':
            quoted = not quoted
        elif not quoted and ch in "([":
            depth += 1
        elif not quoted and ch in ")]":
            depth -= 1
        elif not quoted and depth == 0 and ch == ",":
            parts.append(text[start:k])
            start = k + 1
        k += 1
    return [p.strip() for p in parts + [text[start:]]]


_UNESCAPE = {"n": "\n", "r": "\r", "t": "\t"}


def parse_literal(s: str) -> Any:
    if s in ("null", "true", "false"):
        return {"null": None, "true": True, "false": False}[s]
    if m := re.fullmatch(r'date\("(\d{4}-\d{2}-\d{2})"\)', s):
        return date.fromisoformat(m[1])
    if s.startswith('"') and s.endswith('"'):
        return re.sub(r"\\(.)", lambda m: _UNESCAPE.get(m[1], m[1]), s[1:-1])
    assert re.fullmatch(r"-?\d+(\.\d*[1-9])?", s), f"bad number literal {s!r}"
    return float(s) if "." in s else int(s)


def parse_item(s: str) -> tuple:
    if s == "-":
        return ("any",)
    if s.startswith("not(") and s.endswith(")"):
        return ("not", [parse_item(p) for p in split_top(s[4:-1])])
    if m := re.fullmatch(r"(<=|>=|<|>) (.+)", s):
        return ("cmp", m[1], parse_literal(m[2]))
    if m := re.fullmatch(r"([\[(])(.+?)\.\.(.+)([\])])", s):
        return ("range", parse_literal(m[2]), parse_literal(m[3]), m[1] == "[", m[4] == "]")
    return ("eq", parse_literal(s))


def feel_matches(text: str, x: Any) -> bool:
    return or3([feel_eval(parse_item(p), x) for p in split_top(text)]) is True


def tri_value(t: TriSet, x: Any) -> bool | None:
    if x is None:
        return t.on_null
    return True if t.true.contains(x) else None if t.unknown.contains(x) else False


# ---------------------------------------------------------------- oracle properties


@universes
@given(data=st.data())
@PROPERTY
def test_contains_agrees_with_naive_membership(u: Universe, data: Any) -> None:
    ivs, null = data.draw(raw_sets(u))
    vs = ValueSet(u.domain, tuple(ivs), null)
    assert members(vs, u) == naive_members(ivs, null, u)
    union = ValueSet.empty(u.domain)
    for iv in ivs:
        union = union | ValueSet.interval(u.domain, iv.low, iv.high, iv.low_closed, iv.high_closed)
    assert union | (ValueSet.null_only(u.domain) if null else ValueSet.empty(u.domain)) == vs


@universes
@given(data=st.data())
@PROPERTY
def test_operations_agree_with_python_sets(u: Universe, data: Any) -> None:
    a, b = data.draw(value_sets(u)), data.draw(value_sets(u))
    ma, mb = members(a, u), members(b, u)
    assert members(a.union(b), u) == ma | mb
    assert members(a.intersection(b), u) == ma & mb
    assert members(a.difference(b), u) == ma - mb
    assert members(a.complement(), u) == frozenset(u.members) - ma
    assert (a <= b) == a.issubset(b) == (ma <= mb)
    assert a.isdisjoint(b) == (not ma & mb)
    assert a.is_empty() == (not ma)
    assert a.is_full() == (ma == frozenset(u.members))


@universes
@given(data=st.data())
@PROPERTY
def test_normal_form_makes_equality_extensional(u: Universe, data: Any) -> None:
    a, b = data.draw(value_sets(u)), data.draw(value_sets(u))
    assert (a == b) == (members(a, u) == members(b, u))
    if a == b:
        assert hash(a) == hash(b)
    assert ValueSet(u.domain, a.intervals, a.null) == a
    assert ValueSet(u.domain, tuple(reversed(a.intervals)) * 2, a.null) == a
    check_normalized(a)


def check_normalized(vs: ValueSet) -> None:
    ivs = vs.intervals
    for iv in ivs:
        if vs.domain.discrete:
            assert iv.low is None or iv.low_closed
            assert iv.high is None or iv.high_closed
            if vs.domain.kind == "integer":
                assert all(type(v) is int for v in (iv.low, iv.high) if v is not None)
    for left, right in zip(ivs, ivs[1:]):
        assert left.high is not None and right.low is not None
        assert left.high < right.low or (
            left.high == right.low and not left.high_closed and not right.low_closed)
        if vs.domain.discrete:  # no adjacent discrete intervals: a gap of >= 1 value
            assert ValueSet(vs.domain, (Interval(left.high, right.low, False, False),)).intervals


@universes
@given(data=st.data())
@PROPERTY
def test_algebraic_laws(u: Universe, data: Any) -> None:
    a, b, c = (data.draw(value_sets(u)) for _ in range(3))
    assert ~(a | b) == ~a & ~b
    assert a - b == a & ~b
    assert ~~a == a
    assert a & (b | c) == (a & b) | (a & c)
    assert (a | ~a).is_full() and (a & ~a).is_empty()


@universes
@given(data=st.data())
@PROPERTY
def test_sample_is_a_member(u: Universe, data: Any) -> None:
    vs = data.draw(value_sets(u))
    if vs.is_empty():
        with pytest.raises(ValueError):
            vs.sample()
    else:
        assert vs.contains(vs.sample())


@universes
@given(data=st.data())
@PROPERTY
def test_unary_tests_round_trip_through_feel(u: Universe, data: Any) -> None:
    vs = data.draw(value_sets(u))
    if vs.is_empty():
        with pytest.raises(ValueError):
            vs.to_unary_tests()
        return
    text = vs.to_unary_tests()
    assert str(vs) == text
    for x in u.members:
        assert feel_matches(text, x) == vs.contains(x), (text, x)


# ---------------------------------------------------------------- three-valued layer


def literals(u: Universe) -> st.SearchStrategy:
    return st.sampled_from(u.bounds + FOREIGN)


@universes
@given(data=st.data())
@PROPERTY
def test_tri_constructors_follow_feel(u: Universe, data: Any) -> None:
    d, lit = u.domain, data.draw(literals(u))
    lo, hi = data.draw(literals(u)), data.draw(literals(u))
    op = data.draw(st.sampled_from(["<", "<=", ">", ">="]))
    lc, hc = data.draw(st.booleans()), data.draw(st.booleans())
    cases = [
        (tri_equal(d, lit), ("eq", lit)),
        (tri_not_equal(d, lit), ("not", [("eq", lit)])),
        (tri_compare(d, op, lit), ("cmp", op, lit)),
        (tri_interval(d, lo, hi, lc, hc), ("range", lo, hi, lc, hc)),
        (tri_any(d), ("any",)),
    ]
    for tri, item in cases:
        for x in u.members:
            assert tri_value(tri, x) == feel_eval(item, x), (item, x)
            assert tri.matches().contains(x) == (feel_eval(item, x) is True)


@st.composite
def tri_sets(draw: Any, u: Universe) -> TriSet:
    d, lit = u.domain, draw(literals(u))
    op = draw(st.sampled_from(["<", "<=", ">", ">="]))
    choices = [tri_equal(d, lit), tri_compare(d, op, lit), tri_any(d), tri_not_equal(d, lit)]
    return draw(st.sampled_from(choices))


@universes
@given(data=st.data())
@PROPERTY
def test_tri_connectives_are_kleene(u: Universe, data: Any) -> None:
    a, b = data.draw(tri_sets(u)), data.draw(tri_sets(u))
    for x in u.members:
        va, vb = tri_value(a, x), tri_value(b, x)
        assert tri_value(tri_or(a, b), x) == or3([va, vb])
        assert tri_value(tri_not(a), x) == not3(va)
        assert tri_value(tri_and(a, b), x) == not3(or3([not3(va), not3(vb)]))


# ---------------------------------------------------------------- tables


def pt(v: Any) -> Interval:
    return Interval.point(v)


def iv(lo: Any, hi: Any, lc: bool = True, hc: bool = True) -> Interval:
    return Interval(lo, hi, lc, hc)


Day = date
NUM_STRICT = Domain("number", nullable=False)
STR_STRICT = Domain("string", nullable=False)

UNARY_CASES = [
    (ValueSet.full(N), "-"),
    (ValueSet.full(NUM_STRICT), "-"),
    (ValueSet.full(N) - ValueSet.null_only(N), "not(null)"),
    (ValueSet.null_only(N), "null"),
    (ValueSet.interval(N, 6, 12), "[6..12]"),
    (ValueSet.interval(N, 1, 4, False, True), "(1..4]"),
    (ValueSet.interval(N, 1, 4, True, False), "[1..4)"),
    (ValueSet.interval(N, 1, 4, False, False), "(1..4)"),
    (ValueSet.interval(N, None, 5, high_closed=False), "< 5"),
    (ValueSet.interval(N, None, 5), "<= 5"),
    (ValueSet.interval(N, 12, None), ">= 12"),
    (ValueSet.interval(N, 12.0, None, low_closed=False), "> 12"),
    (ValueSet(N, (iv(None, 5, hc=False),), True), "< 5, null"),
    (ValueSet.point(N, 5.0), "5"),
    (ValueSet.point(N, -2.5), "-2.5"),
    (ValueSet.point(N, 1e-7), "0.0000001"),
    (ValueSet.point(N, 1e20), "100000000000000000000"),
    (ValueSet.point(N, Decimal("2.50")), "2.5"),
    (ValueSet.points(N, [3, 1, 2]), "1, 2, 3"),
    (~ValueSet.interval(N, 1, 4) - ValueSet.null_only(N), "< 1, > 4"),
    (~ValueSet.interval(N, 1, 4), "< 1, > 4, null"),
    (~ValueSet.interval(NUM_STRICT, 1, 4), "< 1, > 4"),
    (ValueSet.interval(I, 1, 4, False, False), "[2..3]"),
    (ValueSet.interval(I, 2.5, None, low_closed=False), ">= 3"),
    (ValueSet.interval(I, None, 2.5), "<= 2"),
    (~ValueSet.interval(I, 2, 3) - ValueSet.null_only(I), "<= 1, >= 4"),
    (ValueSet.points(I, [1, 2, 3, 5]), "[1..3], 5"),
    (ValueSet.points(S, ["b", "a"]), '"a", "b"'),
    (ValueSet.points(S, ["a", None]), '"a", null'),
    (~ValueSet.points(S, ["a", "b"]), 'not("a", "b")'),
    (~ValueSet.points(S, ["a", "b", None]), 'not("a", "b", null)'),
    (~ValueSet.points(STR_STRICT, ["a"]), 'not("a")'),
    (ValueSet.point(S, ""), '""'),
    (~ValueSet.points(S, ["", None]), 'not("", null)'),
    (ValueSet.interval(S, None, "m", high_closed=False), '< "m"'),
    (ValueSet.interval(S, "", "m", high_closed=False), '< "m"'),
    (ValueSet.interval(S, "a", "c", False, True), '("a".."c"]'),
    (~ValueSet.interval(S, "a", "c") - ValueSet.null_only(S), '< "a", > "c"'),
    (ValueSet.point(S, 'say "hi"\\'), r'"say \"hi\"\\"'),
    (ValueSet.point(S, "line\nbreak, tab\t"), '"line\\nbreak, tab\t"'),
    (ValueSet.point(B, True), "true"),
    (ValueSet.points(B, [False, None]), "false, null"),
    (ValueSet.points(B, [False, True]), "not(null)"),
    (ValueSet.points(B, [False, True, None]), "-"),
    (ValueSet.point(D, Day(2025, 1, 31)), 'date("2025-01-31")'),
    (ValueSet.interval(D, Day(2025, 1, 1), Day(2025, 1, 31), False, True),
     '[date("2025-01-02")..date("2025-01-31")]'),
    (~ValueSet.point(D, Day(2025, 1, 31)) - ValueSet.null_only(D),
     '<= date("2025-01-30"), >= date("2025-02-01")'),
    (ValueSet.interval(D, None, date.max), "not(null)"),
]


@pytest.mark.parametrize(("vs", "text"), UNARY_CASES, ids=[t for _, t in UNARY_CASES])
def test_to_unary_tests_table(vs: ValueSet, text: str) -> None:
    assert vs.to_unary_tests() == text
    assert str(vs) == text


NORMALIZE_CASES = [
    (ValueSet.interval(I, 1, 4, False, False), (iv(2, 3),)),
    (ValueSet(I, (iv(1, 2), iv(3, 4))), (iv(1, 4),)),
    (ValueSet(I, (iv(3, 4), iv(1, 1))), (iv(1, 1), iv(3, 4))),
    (ValueSet(I, (iv(2.0, 2.0),)), (iv(2, 2),)),
    (ValueSet.point(I, 2.5), ()),
    (~ValueSet.interval(I, 2, 3), (iv(None, 1, False, True), iv(4, None, True, False))),
    (ValueSet(N, (iv(1, 2, True, False), iv(2, 3))), (iv(1, 3),)),
    (ValueSet(N, (iv(1, 2, True, False), iv(2, 3, False, True))),
     (iv(1, 2, True, False), iv(2, 3, False, True))),
    (ValueSet(N, (iv(1, 5), iv(2, 3), iv(4, 9, False))), (iv(1, 9),)),
    (ValueSet(N, (iv(5, 1),)), ()),
    (ValueSet(N, (iv(1, 1, False, True),)), ()),
    (ValueSet.interval(N, float("-inf"), float("inf")), (iv(None, None, False, False),)),
    (ValueSet(S, (iv(None, ""), iv("", None, False))), (iv(None, None, False, False),)),
    (ValueSet.interval(S, None, "", high_closed=False), ()),
    (ValueSet.point(B, True), (iv(True, True),)),
    (ValueSet.interval(B, None, None), (iv(False, True),)),
    (ValueSet.interval(B, False, True, False, True), (iv(True, True),)),
    (ValueSet(D, (iv(Day(2025, 1, 1), Day(2025, 1, 2)), iv(Day(2025, 1, 3), Day(2025, 1, 4)))),
     (iv(Day(2025, 1, 1), Day(2025, 1, 4)),)),
    (ValueSet.interval(D, Day(2025, 1, 1), Day(2025, 1, 3), False, False),
     (iv(Day(2025, 1, 2), Day(2025, 1, 2)),)),
    (ValueSet.interval(D, date.min, Day(2025, 1, 1)), (iv(None, Day(2025, 1, 1), False),)),
]


@pytest.mark.parametrize(("vs", "intervals"), NORMALIZE_CASES)
def test_normalization_table(vs: ValueSet, intervals: tuple[Interval, ...]) -> None:
    assert vs.intervals == intervals


SAMPLE_CASES = [
    (ValueSet.interval(N, 1, 4), 1),
    (ValueSet.interval(N, 1, 4, False), 2),
    (ValueSet.interval(N, 1, 2, False, False), 1.5),
    (ValueSet.interval(N, 1.2, 1.4, False, True), 1.3),
    (ValueSet.interval(N, 1, None, False), 2),
    (ValueSet.interval(N, None, 5, high_closed=False), 4),
    (ValueSet.interval(N, None, 5.5), 5),
    (ValueSet.full(N), 0),
    (ValueSet.null_only(N), None),
    (ValueSet.interval(I, 1, 4, False, False), 2),
    (ValueSet.interval(I, None, 7, high_closed=False), 6),
    (~ValueSet.points(S, ["a", "b"]), "other"),
    (~ValueSet.points(S, ["other", "a"]), "other_1"),
    (ValueSet.interval(S, "b", "c"), "b"),
    (ValueSet.interval(S, None, "m", high_closed=False), "a"),
    (ValueSet.interval(S, "a", "a\x00", False, False) | ValueSet.point(S, "a\x00"), "a\x00"),
    (ValueSet.points(B, [True, False]), False),
    (ValueSet.interval(D, None, Day(2025, 3, 1)), Day(2025, 3, 1)),
]


@pytest.mark.parametrize(("vs", "expected"), SAMPLE_CASES)
def test_sample_table(vs: ValueSet, expected: Any) -> None:
    assert vs.sample() == pytest.approx(expected) if isinstance(expected, float) else \
        vs.sample() == expected


CONTAINS_CASES = [
    (ValueSet.full(N), True, False),
    (ValueSet.full(N), "1", False),
    (ValueSet.full(N), float("nan"), False),
    (ValueSet.full(N), float("inf"), False),
    (ValueSet.full(N), Decimal("1.5"), True),
    (ValueSet.full(I), 2.0, True),
    (ValueSet.full(I), 2.5, False),
    (ValueSet.full(I), True, False),
    (ValueSet.full(B), 1, False),
    (ValueSet.full(D), datetime(2025, 1, 1), False),
    (ValueSet.full(D), date.max, True),
    (ValueSet.full(S), "", True),
    (ValueSet.full(S), None, True),
    (ValueSet.full(Domain("string", False)), None, False),
    (ValueSet.interval(N, 1, 2, False, False), 2, False),
    (ValueSet.interval(N, 1, 2, False, True), 2, True),
]


@pytest.mark.parametrize(("vs", "value", "expected"), CONTAINS_CASES)
def test_contains_table(vs: ValueSet, value: Any, expected: bool) -> None:
    assert vs.contains(value) is expected
    assert (value in vs) is expected


TRI_CASES = [  # (tri, expected matches, expected unknown, expected on_null)
    (tri_equal(N, 5), ValueSet.point(N, 5), ValueSet.empty(N), False),
    (tri_equal(N, None), ValueSet.null_only(N), ValueSet.empty(N), True),
    (tri_equal(N, True), ValueSet.empty(N), ValueSet.full(N) - ValueSet.null_only(N),
     False),
    (tri_equal(N, "5"), ValueSet.empty(N), ValueSet.full(N) - ValueSet.null_only(N), False),
    (tri_equal(I, 2.5), ValueSet.empty(I), ValueSet.empty(I), False),
    (tri_not_equal(S, "a"), ~ValueSet.point(S, "a"), ValueSet.empty(S), True),
    (tri_compare(I, ">", 2.5), ValueSet.interval(I, 3, None), ValueSet.empty(I), None),
    (tri_compare(N, "<", None), ValueSet.empty(N), ValueSet.full(N) - ValueSet.null_only(N),
     None),
    (tri_compare(B, "<", True), ValueSet.empty(B), ValueSet.points(B, [False, True]), None),
    (tri_compare(S, ">=", "m"), ValueSet.interval(S, "m", None), ValueSet.empty(S), None),
    (tri_interval(N, 1, "x"), ValueSet.empty(N), ValueSet.full(N) - ValueSet.null_only(N),
     None),
    (tri_interval(D, Day(2025, 1, 1), Day(2025, 1, 3), False, False),
     ValueSet.point(D, Day(2025, 1, 2)), ValueSet.empty(D), None),
    (tri_any(S), ValueSet.full(S), ValueSet.empty(S), True),
    (tri_not(tri_or(tri_equal(S, "a"), tri_equal(S, "b"))), ~ValueSet.points(S, ["a", "b"]),
     ValueSet.empty(S), True),
    (tri_not(tri_compare(N, "<", 5)), ValueSet.interval(N, 5, None), ValueSet.empty(N), None),
]


@pytest.mark.parametrize(("tri", "matches", "unknown", "on_null"), TRI_CASES)
def test_tri_table(tri: TriSet, matches: ValueSet, unknown: ValueSet, on_null: Any) -> None:
    assert tri.matches() == matches
    assert tri.unknown == unknown
    assert tri.on_null is on_null


# ---------------------------------------------------------------- errors


ERROR_CASES = [
    (lambda: Domain("float"), ValueError),
    (lambda: ValueSet.empty(N).to_unary_tests(), ValueError),
    (lambda: ValueSet.empty(N).sample(), ValueError),
    (lambda: ValueSet.point(N, 1) | ValueSet.point(I, 1), ValueError),
    (lambda: ValueSet.point(N, 1) & ValueSet.point(NUM_STRICT, 1), ValueError),
    (lambda: ValueSet(NUM_STRICT, (), True), ValueError),
    (lambda: ValueSet.null_only(NUM_STRICT), ValueError),
    (lambda: ValueSet.point(N, True), TypeError),
    (lambda: ValueSet.point(N, "1"), TypeError),
    (lambda: ValueSet.point(N, float("nan")), TypeError),
    (lambda: ValueSet.point(D, datetime(2025, 1, 1)), TypeError),
    (lambda: ValueSet.interval(S, "a", 3), TypeError),
    (lambda: ValueSet.point(B, 1), TypeError),
    (lambda: tri_compare(N, "==", 1), ValueError),
    (lambda: TriSet(ValueSet.point(N, 1), ValueSet.point(N, 1), None), ValueError),
    (lambda: TriSet(ValueSet.null_only(N), ValueSet.empty(N), None), ValueError),
    (lambda: ValueSet.interval(S, "a", "a\x00", False, False).sample(), ValueError),
]


@pytest.mark.parametrize(("action", "error"), ERROR_CASES)
def test_errors(action: Any, error: type[Exception]) -> None:
    with pytest.raises(error):
        action()


def test_str_of_empty_set_is_marked() -> None:
    assert str(ValueSet.empty(S)) == "<empty>"


def test_sets_are_hashable_and_frozen() -> None:
    a = ValueSet.interval(N, 1, 4)
    b = ValueSet(N, (iv(3, 4), iv(1, 3)))
    assert a == b and len({a, b, ValueSet.point(N, 1)}) == 2
    with pytest.raises(AttributeError):
        a.null = True  # type: ignore[misc]


def test_long_chain_of_differences() -> None:
    sets = [ValueSet.interval(N, k, k + 3, bool(k % 2)) for k in range(0, 3000, 2)]
    acc = ValueSet.full(N)
    for vs in sets:
        acc = acc - vs
    assert acc.intervals == (iv(None, 0, False, True), iv(3001, None, False, False))
    assert acc.null
