"""The scalar evaluator of FEEL expressions and unary tests: the reference meaning of the
expression language (DMN 1.5 chapter 10) on one set of values at a time.

    >>> evaluate_text("for i in 1..3 return i * i")
    [Decimal('1'), Decimal('4'), Decimal('9')]
    >>> evaluate_text('{a: 1, b: a + 1}.b')
    Decimal('2')

Owns the evaluation of every expression node of ``engine.feel.nodes`` in a scope (name →
value), user functions (``function(x) x + 1``, closures over their scope), invocation of them
and of the built-ins (``engine.feel.builtins``, positional or named arguments), and the
reading of ``range("[1..10)")``.  Unary tests with ``?`` are ``engine.feel.unary``'s, types and
paths ``engine.feel.feel_types``'.  Values follow ``engine.feel.semantics``: numbers are
``Decimal`` with 34 digits, what does not apply gives null.  Limits keep a hostile
expression from eating the machine: a list of more than :data:`MAX_ITEMS` items, or calls
nested deeper than :data:`MAX_CALLS`, stop the evaluation with :class:`FeelError`; a value
this implementation cannot hold (a year beyond 9999, nanoseconds) raises
:class:`~engine.feel.temporal.Unsupported`.  Nothing here uses eval or exec.
"""

from __future__ import annotations

from collections import ChainMap
from collections.abc import Callable, Collection, Mapping, Sequence
from decimal import Decimal
from typing import Any

from engine.feel import builtins, decimals, feel_types, library_other, semantics, temporal
from engine.feel import iteration as iteration_values
from engine.feel.nodes import (
    Arithmetic,
    Between,
    Call,
    Compare,
    Comparison,
    ContextOf,
    Filter,
    For,
    FunctionDef,
    If,
    In,
    InstanceOf,
    Interval,
    Invoke,
    Iteration,
    ListOf,
    Literal,
    Logical,
    Name,
    Negative,
    Not,
    Path,
    Quantified,
    Tuple,
)
from engine.feel.semantics import FeelError, Function, Range

MAX_ITEMS = iteration_values.MAX_ITEMS
MAX_CALLS = semantics.MAX_CALLS
Scope = Mapping[str, Any]


# ---------------------------------------------------------------------- entry points
def evaluate_text(text: str, variables: Mapping[str, Any] | None = None, names: Collection[str] = ()) -> Any:
    """The value of FEEL expression ``text`` with ``variables`` (Python or FEEL values) in scope."""
    from engine.feel.syntax import parse_feel_expression

    scope = {k: semantics.feel_value(v) for k, v in (variables or {}).items()}
    node = parse_feel_expression(text, frozenset(names) | frozenset(scope))
    return run(node, scope)


def run(node: Any, scope: Scope) -> Any:
    """The value of an expression's AST in ``scope``: :func:`evaluate`, with Python's own
    recursion limit (a deeply recursive FEEL function) reported as a :class:`FeelError`."""
    try:
        return evaluate(node, scope)
    except RecursionError:
        raise FeelError("the expression calls itself too deep") from None


def evaluate(node: Any, scope: Scope) -> Any:
    return _EVALUATORS[type(node)](node, scope)


# ---------------------------------------------------------------------- nodes
def _literal(node: Literal, scope: Scope) -> Any:
    return semantics.feel_value(node.value)


def _name(node: Name, scope: Scope) -> Any:
    if node.name in scope:
        return scope[node.name]
    if "." in node.name:  # a.b written as one token: a path, unless a name of its own
        head, *rest = node.name.split(".")
        value = _lookup(head, scope)
        for part in rest:
            value = feel_types.path_of(value, part)
        return value
    return _lookup(node.name, scope)


def _lookup(name: str, scope: Scope) -> Any:
    if name in scope:
        return scope[name]
    found = builtins.lookup(name)
    if found is not None and found.feel is not None:
        return _BuiltinFunction(found)
    return None


def _negative(node: Negative, scope: Scope) -> Any:
    return semantics.negate(evaluate(node.operand, scope))


def _arithmetic(node: Arithmetic, scope: Scope) -> Any:
    return semantics.arithmetic(node.op, evaluate(node.left, scope), evaluate(node.right, scope))


def _compare(node: Compare, scope: Scope) -> Any:
    return semantics.test(node.op, evaluate(node.left, scope), evaluate(node.right, scope))


def _logical(node: Logical, scope: Scope) -> Any:
    left = evaluate(node.left, scope)
    if node.op == "and":
        return False if left is False else semantics.and_(_boolean(left), evaluate(node.right, scope))
    return True if left is True else semantics.or_(_boolean(left), evaluate(node.right, scope))


def _boolean(value: Any) -> Any:
    return value if isinstance(value, bool) else None


def _not(node: Not, scope: Scope) -> Any:
    return semantics.not_(evaluate(node.operand, scope))


def _if(node: If, scope: Scope) -> Any:
    return evaluate(node.then if evaluate(node.condition, scope) is True else node.otherwise, scope)


def _bindings(iterations: Sequence[Iteration], scope: Scope) -> Any:
    """Every combination of the iterations' values, as scopes (the first varies slowest)."""
    if not iterations:
        yield scope
        return
    first, rest = iterations[0], iterations[1:]
    domain = _domain(first, scope)
    if domain is None:
        raise _NoDomain
    for item in domain:
        yield from _bindings(rest, ChainMap({first.name: item}, scope))  # type: ignore[arg-type]


def _domain(iteration: Iteration, scope: Scope) -> Sequence[Any] | None:
    """The values an iteration takes; None where it cannot iterate (``"a".."z"``, ``[2..1]``)."""
    source = evaluate(iteration.source, scope)
    if iteration.end is not None:
        return iteration_values.count(source, evaluate(iteration.end, scope))
    return iteration_values.domain(source)


class _NoDomain(Exception):
    """An iteration over what cannot be iterated: the whole expression is null."""


def _for(node: For, scope: Scope) -> Any:
    results: list[Any] = []
    partial = {"partial": results}
    try:
        for inner in _bindings(node.iterations, ChainMap(partial, scope)):  # type: ignore[arg-type]
            results.append(evaluate(node.body, inner))
            if len(results) > MAX_ITEMS:
                raise FeelError(f"the for loop makes more than {MAX_ITEMS} values")
    except _NoDomain:
        return None
    return results


def _quantified(node: Quantified, scope: Scope) -> Any:
    try:
        results = [evaluate(node.condition, inner) for inner in _bindings(node.iterations, scope)]
    except _NoDomain:
        return None
    if node.quantifier == "some":
        return any(r is True for r in results)
    return all(r is True for r in results)


class ExternalFunction(temporal.Unsupported):
    """A function whose body names code outside FEEL (Java, PMML): read, never run."""


def _function_def(node: FunctionDef, scope: Scope) -> Any:
    if node.external:
        raise ExternalFunction("an external function (function(...) external {java: ...} or {pmml: ...}): "
                                   "dtrun runs FEEL only, never Java or PMML code")
    return _UserFunction(node, scope)


def _between(node: Between, scope: Scope) -> Any:
    value, low, high = (evaluate(n, scope) for n in (node.value, node.low, node.high))
    return semantics.and_(semantics.compare(">=", value, low), semantics.compare("<=", value, high))


def _in(node: In, scope: Scope) -> Any:
    value = evaluate(node.value, scope)
    result: bool | None = False
    for item in node.tests:
        if isinstance(item, Comparison):
            outcome = semantics.test(item.op, value, evaluate(item.endpoint, scope))
        elif isinstance(item, Interval):
            outcome = in_interval(item, value, scope)
        else:
            outcome = semantics.contains(evaluate(item, scope), value)
        result = semantics.or_(result, outcome)
        if result is True:
            break
    return result


TYPES = "@types"  # a scope's entry (no FEEL name can be it) naming the types of the model: name → TypeRef


def in_interval(node: Interval, value: Any, scope: Scope) -> Any:
    """``value`` in ``[low..high]``: null when an end is null."""
    low, high = evaluate(node.low, scope), evaluate(node.high, scope)
    if low is None or high is None:
        return None
    return semantics.in_range(value, low, high, node.low_closed, node.high_closed)


def _instance_of(node: InstanceOf, scope: Scope) -> Any:
    return feel_types.instance_of(evaluate(node.value, scope), node.type, scope.get(TYPES) or {})


def _path(node: Path, scope: Scope) -> Any:
    return feel_types.path_of(evaluate(node.target, scope), node.name)


def _filter(node: Filter, scope: Scope) -> Any:
    target = evaluate(node.target, scope)
    if target is None:
        return None
    items = target if isinstance(target, list) else [target]
    condition = node.condition
    if isinstance(condition, (Literal, Negative)):
        index = evaluate(condition, scope)
        if isinstance(index, Decimal):
            return _index(items, index)
        if isinstance(index, bool):
            return list(items) if index else []
    kept = []
    for item in items:
        inner: dict[str, Any] = {"item": item, **(item if isinstance(item, dict) else {})}  # entries first
        result = evaluate(condition, ChainMap(inner, scope))  # type: ignore[arg-type]
        if isinstance(result, Decimal) and item is items[0] and not kept:
            return _index(items, result)
        if result is True:
            kept.append(item)
    return kept


def _index(items: Sequence[Any], index: Decimal) -> Any:
    whole = decimals.integral(index)
    if whole is None or whole == 0 or abs(whole) > len(items):
        return None
    return items[whole - 1] if whole > 0 else items[whole]


def _list(node: ListOf, scope: Scope) -> Any:
    return [evaluate(item, scope) for item in node.items]


def _context(node: ContextOf, scope: Scope) -> Any:
    result: dict[str, Any] = {}
    inner = ChainMap(result, scope)  # type: ignore[arg-type]
    for key, expr in node.entries:
        result[key] = evaluate(expr, inner)
    return result


def _tuple(node: Tuple, scope: Scope) -> Any:
    if len(node.tests) == 1 and isinstance(node.tests[0], Comparison):  # (>= 10), (=10): a range (DMN 1.5)
        return _unary_range(node.tests[0], scope)
    return [evaluate(t, scope) if not isinstance(t, Comparison) else _unary_range(t, scope) for t in node.tests]


def _unary_range(node: Comparison, scope: Scope) -> Any:
    value = evaluate(node.endpoint, scope)
    if node.op in ("<", "<="):
        return Range(None, value, False, node.op == "<=")
    if node.op in (">", ">="):
        return Range(value, None, node.op == ">=", False)
    return Range(value, value, True, True, equality=True) if node.op == "=" else None


def _interval(node: Interval, scope: Scope) -> Any:
    low, high = evaluate(node.low, scope), evaluate(node.high, scope)
    if semantics.kind(low) != semantics.kind(high) or low is None:
        return None
    return Range(low, high, node.low_closed, node.high_closed)


def _comparison(node: Comparison, scope: Scope) -> Any:
    return _unary_range(node, scope)


# ---------------------------------------------------------------------- invocation
def _call(node: Call, scope: Scope) -> Any:
    found = builtins.BUILTINS[node.name]
    args = [evaluate(a, scope) for a in node.args]
    return invoke_builtin(found, args, node.names)


def invoke_builtin(found: Any, args: list[Any], names: Sequence[str] = ()) -> Any:
    if found.feel is None:
        return None
    if names:
        chosen = builtins.by_name(found, dict(zip(names, args)))
        if chosen is None or (found.arities and len(chosen[0]) not in found.arities):
            return None
        return chosen[1](*chosen[0])  # type: ignore[misc]
    return found.feel(*args)


def _invoke(node: Invoke, scope: Scope) -> Any:
    target = evaluate(node.target, scope)
    if not isinstance(target, Function):
        return None
    args = [evaluate(a, scope) for a in node.args]
    return semantics.call(target, args, node.names)


class _UserFunction(Function):
    """``function(a, b) body``, closed over the scope where it was defined."""

    def __init__(self, node: FunctionDef, scope: Scope) -> None:
        self.node, self.scope, self.parameters = node, scope, node.parameters

    def call(self, args: Sequence[Any], names: Sequence[str] = ()) -> Any:
        parameters = self.node.parameters
        if names:
            if not set(names) <= set(parameters):
                return None
            bound = dict.fromkeys(parameters) | dict(zip(names, args))
        else:
            if len(args) != len(parameters):
                return None
            bound = dict(zip(parameters, args))
        for name, type_ in zip(parameters, self.node.types):  # function(a: number): another type gives null
            if type_ is not None and bound.get(name) is not None and not feel_types.instance_of(
                    bound[name], type_, self.scope.get(TYPES) or {}):
                return None
        return evaluate(self.node.body, ChainMap(bound, self.scope))  # type: ignore[arg-type]


class _BuiltinFunction(Function):
    def __init__(self, found: Any) -> None:
        self.found = found
        self.parameters = found.parameters[0] if found.parameters else None

    def call(self, args: Sequence[Any], names: Sequence[str] = ()) -> Any:
        if not names and self.found.arities and len(args) not in self.found.arities:
            return None
        return invoke_builtin(self.found, list(args), names)


_EVALUATORS: dict[type, Callable[[Any, Scope], Any]] = {
    Literal: _literal, Name: _name, Negative: _negative, Arithmetic: _arithmetic, Compare: _compare,
    Logical: _logical, Not: _not, Call: _call, If: _if, For: _for, Quantified: _quantified,
    FunctionDef: _function_def, Between: _between, In: _in, InstanceOf: _instance_of, Path: _path,
    Filter: _filter, Invoke: _invoke, ListOf: _list, ContextOf: _context, Tuple: _tuple, Interval: _interval,
    Comparison: _comparison,
}


def _read_range(text: str) -> Any:
    """``range("[1..10)")``: the range a text of FEEL writes, its ends literals; None if it is not one."""
    from engine._core.errors import ConditionError
    from engine.feel.syntax import parse_feel_unary_tests

    try:
        tests = parse_feel_unary_tests(text)
    except ConditionError:
        return None
    if tests.any_value or tests.negated or len(tests.tests) != 1 or not isinstance(tests.tests[0], Interval):
        return None
    test = tests.tests[0]
    if not all(_literal_end(end) for end in (test.low, test.high)):
        return None
    value = evaluate(test, {})
    if not isinstance(value, Range) or semantics.compare("<=", value.low, value.high) is not True:
        return None
    return value


def _literal_end(node: Any) -> bool:
    """A literal, or a temporal conversion of a literal text (``date("1970-01-01")``)."""
    if isinstance(node, Literal):
        return node.value is not None
    return (isinstance(node, Call) and node.name in ("date", "time", "date and time", "duration")
            and len(node.args) == 1 and isinstance(node.args[0], Literal) and isinstance(node.args[0].value, str))


library_other.READ_RANGE.append(_read_range)
