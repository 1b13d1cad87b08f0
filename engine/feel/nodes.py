"""The frozen AST of the condition language: S-FEEL cells and the FEEL expression language.

Owns the node types and their traversal (:func:`walk`): ``engine.feel.syntax`` makes them from text (and
re-exports them, where the rest of the engine imports them from), the compiled forms read them.
Every node carries its :class:`Span` in the text.  The S-FEEL nodes (``Literal`` to ``Call``,
``Comparison``, ``Interval``, ``UnaryTests``) are what decision-table cells may hold; the others
belong to FEEL expressions (``engine.feel.interpret``), which cells do not run yet.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Span:
    """0-based [start, end) offsets into the cell text."""

    start: int
    end: int

    @property
    def column(self) -> int:
        return self.start + 1


# ------------------------------------------------------------------ S-FEEL expression nodes
@dataclass(frozen=True)
class Literal:
    value: Any  # None, bool, int, float, str or datetime.date; in FEEL also the temporal values
    span: Span


@dataclass(frozen=True)
class Name:
    """A name (``weight_kg``; ``a.b`` as written; ``?`` for the value a unary test tests)."""

    name: str
    span: Span


@dataclass(frozen=True)
class Negative:
    operand: Expr
    span: Span


@dataclass(frozen=True)
class Arithmetic:
    op: str  # + - * / **
    left: Expr
    right: Expr
    span: Span


@dataclass(frozen=True)
class Compare:
    op: str  # = != < <= > >=
    left: Expr
    right: Expr
    span: Span


@dataclass(frozen=True)
class Logical:
    op: str  # and / or
    left: Expr
    right: Expr
    span: Span


@dataclass(frozen=True)
class Not:
    operand: Expr
    span: Span


@dataclass(frozen=True)
class Call:
    """A built-in function applied to its arguments: ``round half up(8 * weight_kg, 0)``.
    ``name`` is the registry's spelling (``engine.feel.builtins``), lower case, single spaces.
    ``names``: the parameter names of a named invocation (``substring(string: s, start position: 2)``),
    one per argument; empty for positional arguments."""

    name: str
    args: tuple[Expr, ...]
    span: Span
    names: tuple[str, ...] = ()


# ------------------------------------------------------------------ unary-test nodes
@dataclass(frozen=True)
class AnyValue:
    """``-``: matches every value, a missing one included."""

    span: Span


@dataclass(frozen=True)
class Comparison:
    """``< 10``, ``= "a"``, ``!= x``; a bare value ``"a"`` is ``Comparison("=", ...)``."""

    op: str
    endpoint: Endpoint
    span: Span


@dataclass(frozen=True)
class Interval:
    """``[1..4]``: an interval test in a cell, a range value in a FEEL expression."""

    low: Endpoint
    high: Endpoint
    low_closed: bool
    high_closed: bool
    span: Span


@dataclass(frozen=True)
class ExpressionTest:
    """A FEEL unary test that is an expression (DMN 1.5): ``? > 3``, ``before(?, 26)``,
    ``[1, 2]``.  It holds when the expression is true with ``?`` bound to the value tested, or
    when the value equals the expression's value (or is in its list or range)."""

    expr: Expr
    span: Span


PositiveTest = Comparison | Interval | ExpressionTest


@dataclass(frozen=True)
class UnaryTests:
    """A whole input cell: ``-``, a comma list of positive tests, or ``not(...)`` of one."""

    tests: tuple[PositiveTest, ...]
    negated: bool
    span: Span
    any_value: bool = False


# ------------------------------------------------------------------ FEEL expression nodes
@dataclass(frozen=True)
class If:
    condition: Expr
    then: Expr
    otherwise: Expr
    span: Span


@dataclass(frozen=True)
class Iteration:
    """``i in 1..3`` (``end`` set) or ``x in list`` of a ``for``; ``x in list`` of ``some``/``every``."""

    name: str
    source: Expr
    end: Expr | None
    span: Span


@dataclass(frozen=True)
class For:
    iterations: tuple[Iteration, ...]
    body: Expr
    span: Span


@dataclass(frozen=True)
class Quantified:
    quantifier: str  # some / every
    iterations: tuple[Iteration, ...]
    condition: Expr
    span: Span


@dataclass(frozen=True)
class FunctionDef:
    parameters: tuple[str, ...]
    body: Expr
    span: Span
    types: tuple[Any, ...] = ()  # per parameter its TypeRef (``function(a: number)``) or None
    external: bool = False  # ``function(x) external {java: ...}``: the body names code outside FEEL


@dataclass(frozen=True)
class Between:
    value: Expr
    low: Expr
    high: Expr
    span: Span


@dataclass(frozen=True)
class In:
    """``x in t``: ``tests`` holds one test, or those of a bracketed list ``x in (1, > 5)``."""

    value: Expr
    tests: tuple[Expr | Comparison, ...]
    span: Span


@dataclass(frozen=True)
class TypeRef:
    """A type after ``instance of``: ``number``, ``list<string>``, ``context<a: number>``."""

    name: str
    args: tuple[TypeRef, ...] = ()
    fields: tuple[str, ...] = ()  # context<...>: the names of ``args``


@dataclass(frozen=True)
class InstanceOf:
    value: Expr
    type: TypeRef
    span: Span


@dataclass(frozen=True)
class Path:
    target: Expr
    name: str
    span: Span


@dataclass(frozen=True)
class Filter:
    target: Expr
    condition: Expr
    span: Span


@dataclass(frozen=True)
class Invoke:
    """A function value applied to arguments: ``f(1)``, ``{f: function(x) x}.f(1)``."""

    target: Expr
    args: tuple[Expr, ...]
    names: tuple[str, ...]
    span: Span


@dataclass(frozen=True)
class ListOf:
    items: tuple[Expr, ...]
    span: Span


@dataclass(frozen=True)
class ContextOf:
    entries: tuple[tuple[str, Expr], ...]
    span: Span


@dataclass(frozen=True)
class Tuple:
    """``(1, > 5)`` on the right of ``in``: a list of tests."""

    tests: tuple[Expr | Comparison, ...]
    span: Span


Expr = (Literal | Name | Negative | Arithmetic | Compare | Logical | Not | Call | If | For | Quantified | FunctionDef
        | Between | In | InstanceOf | Path | Filter | Invoke | ListOf | ContextOf | Tuple | Interval)
Endpoint = Literal | Name | Negative | Call
SFEEL_EXPRESSIONS = (Literal, Name, Negative, Arithmetic, Compare, Logical, Not, Call)


def walk(node: Any) -> Iterator[Any]:
    """Every node of an AST, ``node`` included (tuples and lists looked through), in no set order."""
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, (tuple, list)):
            stack.extend(item)
        elif hasattr(item, "__dataclass_fields__") and not isinstance(item, type):
            yield item
            stack.extend(getattr(item, f) for f in item.__dataclass_fields__)
