"""FEEL unary tests on the reference path (DMN 1.5 §10.3.2.9.3): S-FEEL's tests and any
expression as a test, with ``?`` standing for the value tested (``? > 3``, ``before(?, 26)``,
``string length(?) > 3``).

    >>> test_text("string length(?) > 3", "abcd")
    True
"""

from __future__ import annotations

from collections import ChainMap
from collections.abc import Mapping
from typing import Any

from engine.feel import semantics
from engine.feel.interpret import Scope, evaluate, in_interval
from engine.feel.nodes import Comparison, ExpressionTest, Interval, Name, UnaryTests


def test_text(text: str, value: Any, variables: Mapping[str, Any] | None = None) -> bool | None:
    """Whether FEEL unary tests ``text`` hold for ``value``: True, False or None (null)."""
    from engine.feel.syntax import parse_feel_unary_tests

    scope = {k: semantics.feel_value(v) for k, v in (variables or {}).items()}
    return unary_tests(parse_feel_unary_tests(text, frozenset(scope)), semantics.feel_value(value), scope)


def unary_tests(node: UnaryTests, value: Any, scope: Scope) -> bool | None:
    if node.any_value:
        return True
    inner = ChainMap({"?": value}, scope)  # type: ignore[arg-type]
    result: bool | None = False
    for positive in node.tests:
        result = semantics.or_(result, _positive(positive, value, inner))
        if result is True:
            break
    return semantics.not_(result) if node.negated else result


def _positive(node: Any, value: Any, scope: Scope) -> bool | None:
    if isinstance(node, Comparison):
        endpoint = evaluate(node.endpoint, scope)
        if node.op == "=" and isinstance(endpoint, list) and not isinstance(value, list):
            return semantics.contains(endpoint, value)  # a name whose value is a list: the value is in it
        return semantics.test(node.op, value, endpoint)
    if isinstance(node, Interval):
        return in_interval(node, value, scope)
    assert isinstance(node, ExpressionTest)
    result = evaluate(node.expr, scope)
    if _mentions_question(node.expr):
        return result if isinstance(result, bool) else None
    if isinstance(result, bool) and not isinstance(value, bool):
        return result
    return semantics.contains(result, value)


def _mentions_question(node: Any) -> bool:
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, Name) and item.name == "?":
            return True
        if hasattr(item, "__dataclass_fields__"):
            for field in item.__dataclass_fields__:
                child = getattr(item, field)
                if isinstance(child, tuple):
                    stack.extend(c for c in child if hasattr(c, "__dataclass_fields__") or isinstance(c, tuple))
                    stack.extend(c[1] for c in child if isinstance(c, tuple) and len(c) == 2)
                elif hasattr(child, "__dataclass_fields__"):
                    stack.append(child)
    return False
