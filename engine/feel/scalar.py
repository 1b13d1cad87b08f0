"""AST → scalar evaluators: one value (and one record's context) at a time.

This is the plain, obviously-correct form of every condition, used for single-record
evaluation and as the oracle that the vectorized form is tested against.  Each node
becomes a small closure; the meaning of every operator lives in ``engine.feel.values``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from engine.feel import builtins, values
from engine.feel.syntax import (
    Arithmetic,
    Call,
    Compare,
    Comparison,
    Expr,
    Interval,
    Literal,
    Logical,
    Name,
    Negative,
    Not,
    PositiveTest,
    UnaryTests,
)

Context = Mapping[str, Any]
ExpressionFn = Callable[[Context], Any]
TestFn = Callable[[Any, Context], "bool | None"]


def compile_expression(node: Expr) -> ExpressionFn:
    """A function from a record (name → value) to the expression's value."""
    if isinstance(node, Literal):
        constant = node.value
        return lambda context: constant
    if isinstance(node, Name):
        name = node.name
        return lambda context: values.canonical(context.get(name))
    if isinstance(node, Negative):
        operand = compile_expression(node.operand)
        return lambda context: values.negate(operand(context))
    if isinstance(node, Not):
        operand = compile_expression(node.operand)
        return lambda context: values.not_(operand(context))
    if isinstance(node, Call):
        function, args = builtins.BUILTINS[node.name].scalar, [compile_expression(a) for a in node.args]
        return lambda context: function(*(arg(context) for arg in args))
    left, right = compile_expression(node.left), compile_expression(node.right)
    op = node.op
    if isinstance(node, Arithmetic):
        return lambda context: values.arithmetic(op, left(context), right(context))
    if isinstance(node, Compare):
        return lambda context: values.test_operator(op, left(context), right(context))
    if isinstance(node, Logical):
        combine = values.and_ if op == "and" else values.or_
        return lambda context: combine(left(context), right(context))
    raise TypeError(f"not an expression node: {node!r}")


def compile_unary_tests(node: UnaryTests) -> TestFn:
    """A function (input value, record) → True / False / None (FEEL's null)."""
    if node.any_value:
        return lambda value, context: True
    tests = [_compile_positive(test) for test in node.tests]

    def disjunction(value: Any, context: Context) -> bool | None:
        result: bool | None = False
        for test in tests:
            result = values.or_(result, test(value, context))
            if result is True:
                break
        return result

    if node.negated:
        return lambda value, context: values.not_(disjunction(value, context))
    return disjunction


def compile_list_tests(node: UnaryTests, each: str) -> TestFn:
    """The tests of a cell over a list value (an input of type ``list of <type>``).

    ``each="any"`` (a rule's cell): ``-`` matches any list, null included; the tests match a
    list that holds at least one element they accept, and ``not(...)`` one that holds no
    element the tests inside accept (the empty list matches no positive test).
    ``each="all"`` (allowed values): every element is accepted (the empty list too).
    A null list is a missing value: the tests answer as for any null value."""
    if node.any_value:
        return lambda value, context: True
    whole = compile_unary_tests(node)
    inner = compile_unary_tests(UnaryTests(node.tests, False, node.span)) if each == "any" else whole

    def any_element(value: Any, context: Context) -> bool | None:
        if value is None:
            return whole(None, context)
        found = any(inner(element, context) is True for element in elements(value))
        return not found if node.negated else found

    def all_elements(value: Any, context: Context) -> bool | None:
        if value is None:
            return whole(None, context)
        return all(whole(element, context) is True for element in elements(value))

    if each not in ("any", "all"):
        raise ValueError(f"each must be 'any' or 'all', not {each!r}")
    return any_element if each == "any" else all_elements


def elements(value: Any) -> tuple[Any, ...]:
    """A list value's elements: a tuple or list as it is, any other value a list of one."""
    return tuple(value) if isinstance(value, (tuple, list)) else (value,)


def _compile_positive(test: PositiveTest) -> TestFn:
    if isinstance(test, Comparison):
        endpoint, op = compile_expression(test.endpoint), test.op
        return lambda value, context: values.test_operator(op, value, endpoint(context))
    if isinstance(test, Interval):
        low, high = compile_expression(test.low), compile_expression(test.high)
        low_op = ">=" if test.low_closed else ">"
        high_op = "<=" if test.high_closed else "<"
        return lambda value, context: values.and_(
            values.compare(low_op, value, low(context)),
            values.compare(high_op, value, high(context)),
        )
    raise TypeError(f"not a unary test node: {test!r}")
