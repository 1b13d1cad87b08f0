"""AST → set form: what values of a column's domain a unary test matches, as a set.

The static verifier reasons with these sets instead of evaluating rules.  The meaning is
FEEL's three-valued one (``engine.feel.values``): each positive test becomes a
:class:`~engine.feel.trisets.TriSet` (true / null / false per value, and its answer for a missing
input), comma lists are three-valued ORs and ``not(...)`` a three-valued NOT.  Tests that
name another input (``> other_input``) have no static set; callers get None for them.
"""

from __future__ import annotations

from collections.abc import Callable

from engine.feel import temporal_keys
from engine.feel.sets import Domain, ValueSet
from engine.feel.syntax import Comparison, Interval, Literal, PositiveTest, UnaryTests
from engine.feel.trisets import (
    TriSet,
    tri_and,
    tri_any,
    tri_compare,
    tri_equal,
    tri_not,
    tri_not_equal,
    tri_or,
)


def unary_tests_set(node: UnaryTests, domain: Domain) -> TriSet:
    if node.any_value:
        return tri_any(domain)
    points, others = [], []
    for test in node.tests:  # "a", "b", ... (the long lists): one set of points, sorted once
        plain = isinstance(test, Comparison) and test.op == "=" and isinstance(test.endpoint, Literal)
        if plain and test.endpoint.value is not None and domain.accepts(test.endpoint.value) and \
                domain.kind not in temporal_keys.KINDS:  # a temporal type's sets hold keys: its literals are no keys
            points.append(test.endpoint.value)
        else:
            others.append(_positive(test, domain))
    if points:
        others.append(TriSet(ValueSet.points(domain, points), ValueSet.empty(domain), False))
    combined = _pairwise(tri_or, others)
    return tri_not(combined) if node.negated else combined


def _pairwise(op: Callable[[TriSet, TriSet], TriSet], sets: list[TriSet]) -> TriSet:
    """``op`` (associative) over ``sets`` in pairs, then pairs of pairs: a list of 100,000
    texts costs n log n, where folding it from the left would merge ever longer sets n times."""
    while len(sets) > 1:
        sets = [op(sets[k], sets[k + 1]) if k + 1 < len(sets) else sets[k] for k in range(0, len(sets), 2)]
    return sets[0]


def _positive(test: PositiveTest, domain: Domain) -> TriSet:
    if domain.kind in temporal_keys.KINDS:
        return _temporal(test, domain)
    if isinstance(test, Comparison):
        value = _literal(test.endpoint)
        if test.op == "=":
            return tri_equal(domain, value)
        if test.op == "!=":
            return tri_not_equal(domain, value)
        return tri_compare(domain, test.op, value)
    if isinstance(test, Interval):  # x >= low and x <= high, each side three-valued on its own
        return tri_and(tri_compare(domain, ">=" if test.low_closed else ">", _literal(test.low)),
                       tri_compare(domain, "<=" if test.high_closed else "<", _literal(test.high)))
    raise TypeError(f"not a unary test node: {test!r}")


def _temporal(test: PositiveTest, domain: Domain) -> TriSet:
    """A test over keys (``engine.feel.temporal_keys``): ``=`` to the second for a date and time
    or a time; ``<``, ``>``, ranges within the class of their literal (true or false there),
    null for every value of another class; a literal of another type null for all (as
    ``engine.feel.values``)."""
    if isinstance(test, Interval):
        return tri_and(_temporal(Comparison(">=" if test.low_closed else ">", test.low, test.span), domain),
                       _temporal(Comparison("<=" if test.high_closed else "<", test.high, test.span), domain))
    assert isinstance(test, Comparison)
    value, kind = _literal(test.endpoint), domain.kind
    at = temporal_keys.key(kind, value)
    if value is None or at is None:  # null, or a value of another type: as the other domains treat them
        return _mismatched(test.op, domain, value)
    if test.op in ("=", "!="):
        low, high = temporal_keys.equal_range(kind, value)
        equal = TriSet(ValueSet.interval(domain, low, high - 1), ValueSet.empty(domain), False)
        return equal if test.op == "=" else tri_not(equal)
    first, last = temporal_keys.class_range(kind, at)
    bounds = {"<": (first, at, True, False), "<=": (first, at, True, True),
              ">": (at, None if last is None else last - 1, False, True),
              ">=": (at, None if last is None else last - 1, True, True)}[test.op]
    every = ValueSet.full(domain)
    every = every - ValueSet.null_only(domain) if domain.nullable else every
    same = every if first is None else ValueSet.interval(domain, first, last - 1)
    return TriSet(ValueSet.interval(domain, *bounds), every - same, None)


def _mismatched(op: str, domain: Domain, value: object) -> TriSet:
    """A test whose literal is null (as ``tri_equal``/``tri_compare`` say) or of another type:
    null for every value (a number is no key), false for a missing value where it is ``=``."""
    if value is None:
        return tri_equal(domain, None) if op == "=" else tri_not_equal(domain, None) if op == "!=" else \
            tri_compare(domain, op, None)
    every = ValueSet.full(domain)
    every = every - ValueSet.null_only(domain) if domain.nullable else every
    equal = TriSet(ValueSet.empty(domain), every, False)
    return equal if op == "=" else tri_not(equal) if op == "!=" else TriSet(ValueSet.empty(domain), every, None)


def _literal(endpoint: object) -> object:
    if not isinstance(endpoint, Literal):
        raise TypeError("a test that names another input has no static set")
    return endpoint.value
