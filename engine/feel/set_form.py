"""AST → set form: what values of a column's domain a unary test matches, as a set.

The static verifier reasons with these sets instead of evaluating rules.  The meaning is
FEEL's three-valued one (``engine.feel.values``): each positive test becomes a
:class:`~engine.sets.TriSet` (true / null / false per value, and its answer for a missing
input), comma lists are three-valued ORs and ``not(...)`` a three-valued NOT.  Tests that
name another input (``> other_input``) have no static set; callers get None for them.
"""

from __future__ import annotations

from functools import reduce

from engine.feel.sets import (
    Domain,
    TriSet,
    tri_and,
    tri_any,
    tri_compare,
    tri_equal,
    tri_not,
    tri_not_equal,
    tri_or,
)
from engine.feel.syntax import Comparison, Interval, Literal, PositiveTest, UnaryTests


def unary_tests_set(node: UnaryTests, domain: Domain) -> TriSet:
    if node.any_value:
        return tri_any(domain)
    combined = reduce(tri_or, (_positive(test, domain) for test in node.tests))
    return tri_not(combined) if node.negated else combined


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
