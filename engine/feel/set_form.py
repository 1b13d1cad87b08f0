"""AST → set form: what values of a column's domain a unary test matches, as a set.

The static verifier reasons with these sets instead of evaluating rules.  The meaning is
FEEL's three-valued one (``engine.feel.values``): each positive test becomes a
:class:`~engine.feel.trisets.TriSet` (true / null / false per value, and its answer for a missing
input), comma lists are three-valued ORs and ``not(...)`` a three-valued NOT.  Tests that
name another input (``> other_input``) have no static set; callers get None for them.
"""

from __future__ import annotations

from collections.abc import Callable

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
        if plain and test.endpoint.value is not None and domain.accepts(test.endpoint.value):
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


def _literal(endpoint: object) -> object:
    if not isinstance(endpoint, Literal):
        raise TypeError("a test that names another input has no static set")
    return endpoint.value
