"""Parse tree → AST: the Lark Transformer of the condition language.

Owns how each grammar rule becomes a node of ``engine.feel.nodes`` (the literals, the names,
the operators, the FEEL expression forms) and the errors found while doing so (a number too
long, a date that is not one, a function given the wrong number of arguments): each a
:class:`~engine.feel.literals.SemanticError` with its offset and a hint, which ``engine.feel.syntax`` turns into a
ConditionError.  ``feel=True`` reads FEEL expressions (an invalid ``date("...")`` is a call that
gives null, as the spec says); ``feel=False`` reads decision-table cells as they always were.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from lark import Token, Transformer, v_args

from engine.feel import literals
from engine.feel.literals import SemanticError
from engine.feel.nodes import (
    Arithmetic,
    Between,
    Call,
    Compare,
    Comparison,
    ContextOf,
    Expr,
    ExpressionTest,
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
    PositiveTest,
    Quantified,
    Span,
    Tuple,
    TypeRef,
    UnaryTests,
)

_COMPARATORS = {"≤": "<=", "≥": ">=", "≠": "!="}
_OPERATORS = {"−": "-", "×": "*"}


@dataclass(frozen=True)
class _Named:
    key: str
    value: Expr
    span: Span


def span_of(item: Any) -> Span:
    if isinstance(item, Token):
        return Span(item.start_pos, item.end_pos)
    if hasattr(item, "span"):
        return item.span
    return Span(item.start_pos, item.end_pos)


def _join(first: Any, last: Any) -> Span:
    return Span(span_of(first).start, span_of(last).end)


def _node(expr: Expr) -> Expr:
    return expr.value if isinstance(expr, _Named) else expr  # type: ignore[return-value]


class _TypedName(str):
    """A parameter's name with its declared type (``a: number``), until the function is built."""

    type: TypeRef

    def __new__(cls, name: str, type_: TypeRef) -> _TypedName:
        made = super().__new__(cls, name)
        made.type = type_
        return made


@v_args(inline=True)
class ToAst(Transformer):
    """Parse tree → AST nodes.  Errors raised here arrive wrapped in VisitError.  ``names``:
    the placeholders that stood for names with spaces or other characters (``syntax.mask``)."""

    def __init__(self, feel: bool = False, names: Mapping[str, str] | None = None, text: str = "") -> None:
        super().__init__()
        self.feel, self.names, self.text = feel, names or {}, text

    # ----------------------------------------------------------- literals and names
    def number(self, token: Token) -> Literal:
        return Literal(literals.number(token, self.feel), span_of(token))

    def negative_number(self, sign: Token, token: Token) -> Literal:
        return Literal(-literals.number(token, self.feel), _join(sign, token))

    def string(self, token: Token) -> Literal:
        return Literal(literals.unquote(token, self.feel), span_of(token))

    def boolean(self, token: Token) -> Literal:
        return Literal(token.value.lower() == "true", span_of(token))

    def null(self, token: Token) -> Literal:
        return Literal(None, span_of(token))

    def name(self, token: Token) -> Name:
        return Name(self._unmask(token.value), span_of(token))

    def question(self, token: Token) -> Name:
        return Name("?", span_of(token))

    def _unmask(self, text: str) -> str:
        if not self.names:
            return text
        return ".".join(self.names.get(part, part) for part in text.split("."))

    def at_literal(self, at: Token, text: Token) -> Literal:
        from engine.feel import temporal

        try:
            value = temporal.parse_literal(literals.unquote(text, self.feel))
        except temporal.Unsupported as error:
            if self.feel:
                raise
            raise SemanticError(f"@{text.value} holds {error}, which dtrun cannot hold", text.start_pos,
                                "write a value within those bounds") from None
        if value is None:
            raise SemanticError(f"@{text.value} is not a date, time, date and time or duration", text.start_pos,
                                'write e.g. @"2025-01-15", @"10:30:00", @"2025-01-15T10:30:00" or @"P1D"')
        return Literal(value, _join(at, text))

    @v_args(inline=True, meta=True)
    def date(self, meta: Any, keyword: Token, *rest: Any) -> Expr:
        args = rest[0] if rest else ()
        span = Span(meta.start_pos, meta.end_pos)
        single = len(args) == 1 and isinstance(args[0], Literal) and isinstance(args[0].value, str)
        if single and re.fullmatch(r"\d{4}-\d{2}-\d{2}", args[0].value):
            try:
                return Literal(dt.date.fromisoformat(args[0].value), span)
            except ValueError:
                pass
        if self.feel or not single:
            return self._call(keyword, "date", args, span)
        raise SemanticError(f'"{args[0].value}" is not a valid date', args[0].span.start,
                            'write the date as date("YYYY-MM-DD"), e.g. date("2025-01-31")')

    def comparator(self, token: Token) -> Token:
        return token

    # ----------------------------------------------------------- operators
    def negative(self, sign: Token, operand: Expr) -> Negative:
        return Negative(operand, _join(sign, operand))

    def arithmetic(self, left: Expr, op: Token, right: Expr) -> Arithmetic:
        return Arithmetic(_OPERATORS.get(op.value, op.value), left, right, _join(left, right))

    def compare(self, left: Expr, op: Token, right: Expr) -> Compare:
        return Compare(_COMPARATORS.get(op.value, op.value), left, right, _join(left, right))

    def logical(self, left: Expr, op: Token, right: Expr) -> Logical:
        return Logical(op.value.lower(), left, right, _join(left, right))

    @v_args(inline=True, meta=True)
    def not_call(self, meta: Any, keyword: Token, operand: Expr) -> Not:
        return Not(operand, Span(meta.start_pos, meta.end_pos))

    @v_args(inline=True, meta=True)
    def call(self, meta: Any, function: Token, *rest: Any) -> Call:
        return self._call(function, function.value, rest[0] if rest else (), Span(meta.start_pos, meta.end_pos))

    def _call(self, function: Token, written: str, args: tuple[Any, ...], span: Span) -> Expr:
        from engine.feel import builtins

        found = builtins.lookup(written)
        assert found is not None  # the FUNCTION terminal matches the registry's names only
        if not self.feel and found.name in literals.CONVERSIONS:  # date and time("..."), time("..."), duration("...")
            return literals.temporal_literal(found.name, args, span)
        positional, names = _split_arguments(args, function.start_pos)
        if found.arities and not names and len(positional) not in found.arities:
            given = f"{len(positional)} argument{'' if len(positional) == 1 else 's'}"
            raise SemanticError(f"{found.name} takes {found.arity_text()} ({found.params}), not {given}",
                                function.start_pos, f"write e.g. {found.example}")
        return Call(found.name, positional, span, names)

    def arguments(self, *args: Any) -> tuple[Any, ...]:
        return args

    def named_argument(self, key: Token, value: Expr) -> _Named:
        return _Named(" ".join(key.value.split()), value, _join(key, value))

    # ----------------------------------------------------------- FEEL expressions
    def if_expr(self, keyword: Token, condition: Expr, _then: Token, then: Expr, _else: Token,
                otherwise: Expr) -> If:
        return If(condition, then, otherwise, _join(keyword, otherwise))

    def name_words(self, *words: Token) -> Token:
        text = self._unmask(" ".join(w.value for w in words))
        return Token("NAME", text, start_pos=words[0].start_pos, end_pos=words[-1].end_pos)

    def iteration(self, name: Token, _in: Token, source: Expr, end: Expr | None = None) -> Iteration:
        return Iteration(name.value, source, end, _join(name, end or source))

    def binding(self, name: Token, _in: Token, source: Expr) -> Iteration:
        return Iteration(name.value, source, None, _join(name, source))

    def for_expr(self, keyword: Token, *rest: Any) -> For:
        *iterations, _return, body = rest
        return For(tuple(iterations), body, _join(keyword, body))

    def quantified(self, keyword: Token, *rest: Any) -> Quantified:
        *iterations, _satisfies, condition = rest
        return Quantified(keyword.value, tuple(iterations), condition, _join(keyword, condition))

    def function_def(self, keyword: Token, *rest: Any) -> FunctionDef:
        parameters, body = (rest[0], rest[1]) if len(rest) == 2 else ((), rest[0])
        types = tuple(getattr(p, "type", None) for p in parameters)
        return FunctionDef(tuple(str(p) for p in parameters), body, _join(keyword, body),
                           types if any(t is not None for t in types) else ())

    def external_function(self, keyword: Token, *rest: Any) -> FunctionDef:
        """``function(a) external {java: {...}}``: read, so that it is refused for what it is."""
        parameters, body = (rest[0], rest[-1]) if len(rest) == 3 else ((), rest[-1])
        return FunctionDef(tuple(str(p) for p in parameters), body, _join(keyword, body), external=True)

    def parameters(self, *names: str) -> tuple[str, ...]:
        return names

    def parameter(self, name: Token) -> str:
        return name.value

    def typed_parameter(self, key: Token, type_: TypeRef) -> str:
        return _TypedName(self._unmask(" ".join(key.value.split())), type_)

    def between(self, value: Expr, _between: Token, low: Expr, _and: Token, high: Expr) -> Between:
        return Between(value, low, high, _join(value, high))

    def in_expr(self, value: Expr, _in: Token, test: Any) -> In:
        tests = test.tests if isinstance(test, Tuple) else (test,)
        return In(value, tests, _join(value, test))

    def instance_of(self, value: Expr, keyword: Token, type_: TypeRef) -> InstanceOf:
        return InstanceOf(value, type_, Span(span_of(value).start, keyword.end_pos))

    def type(self, name: Token, *args: TypeRef) -> TypeRef:
        return TypeRef(" ".join(name.value.split()), tuple(args))

    def context_type(self, name: Token, fields: tuple[tuple[str, TypeRef], ...]) -> TypeRef:
        return TypeRef("context", tuple(t for _, t in fields), tuple(k for k, _ in fields))

    def function_type(self, _fn: Token, *types: TypeRef) -> TypeRef:
        return TypeRef("function", tuple(types))

    def type_fields(self, *items: Any) -> tuple[tuple[str, TypeRef], ...]:
        return tuple((" ".join(items[i].value.split()), items[i + 1]) for i in range(0, len(items), 2))

    def path(self, target: Expr, _dot: Token, name: Token) -> Expr:
        for part in self._unmask(name.value).split("."):
            target = Path(target, part, _join(target, name))
        return target

    @v_args(inline=True, meta=True)
    def filter(self, meta: Any, target: Expr, condition: Expr) -> Filter:
        return Filter(target, condition, Span(meta.start_pos, meta.end_pos))

    @v_args(inline=True, meta=True)
    def invoke(self, meta: Any, target: Expr, *rest: Any) -> Invoke:
        positional, names = _split_arguments(rest[0] if rest else (), span_of(target).start)
        return Invoke(target, positional, names, Span(meta.start_pos, meta.end_pos))

    @v_args(inline=True, meta=True)
    def list(self, meta: Any, *items: Expr) -> ListOf:
        return ListOf(items, Span(meta.start_pos, meta.end_pos))

    @v_args(inline=True, meta=True)
    def context(self, meta: Any, *entries: tuple[str, Expr]) -> ContextOf:
        keys = [key for key, _ in entries]
        if len(set(keys)) != len(keys):
            twice = next(k for k in keys if keys.count(k) > 1)
            raise SemanticError(f"the context has two entries named {twice}", meta.start_pos,
                                "give each entry its own name")
        return ContextOf(entries, Span(meta.start_pos, meta.end_pos))

    def entry(self, key: Token, value: Expr) -> tuple[str, Expr]:
        return (self._unmask(" ".join(key.value.split())), value)

    def string_entry(self, key: Token, value: Expr) -> tuple[str, Expr]:
        return (literals.unquote(key), value)

    @v_args(inline=True, meta=True)
    def tuple(self, meta: Any, tests: tuple[Any, ...]) -> Tuple:
        return Tuple(tests, Span(meta.start_pos, meta.end_pos))

    def tuple_items(self, *tests: Any) -> tuple[Any, ...]:
        return tests

    def first_comparison(self, op: Token, endpoint: Expr, *rest: Any) -> tuple[Any, ...]:
        return (self.comparison(op, endpoint), *rest)

    # ----------------------------------------------------------- unary tests
    @v_args(inline=True, meta=True)
    def expression_test(self, meta: Any, expr: Expr) -> PositiveTest:
        if not self.feel and (meta.start_pos, meta.end_pos) != (span_of(expr).start, span_of(expr).end):
            return ExpressionTest(expr, Span(meta.start_pos, meta.end_pos))  # (x): not S-FEEL, refused in cells
        return positive_test(expr)

    def comparison(self, op: Token, endpoint: Expr) -> Comparison:
        return Comparison(_COMPARATORS.get(op.value, op.value), endpoint, _join(op, endpoint))

    def interval(self, opening: Token, low: Expr, _dots: Token, high: Expr, closing: Token) -> Interval:
        return Interval(low, high, opening.value == "[", closing.value == "]", _join(opening, closing))

    def positive_unary_tests(self, *tests: PositiveTest) -> tuple[PositiveTest, ...]:
        return tests

    def any_value(self, token: Token) -> UnaryTests:
        return UnaryTests((), False, span_of(token), any_value=True)

    def unary_tests(self, tests: tuple[PositiveTest, ...]) -> UnaryTests:
        only = tests[0]
        if len(tests) == 1 and isinstance(only, ExpressionTest) and isinstance(only.expr, Not):
            return UnaryTests((positive_test(only.expr.operand),), True, only.expr.span)  # not(...) of one test
        return UnaryTests(tests, False, _join(tests[0], tests[-1]))

    @v_args(inline=True, meta=True)
    def negation(self, meta: Any, keyword: Token, tests: tuple[PositiveTest, ...]) -> UnaryTests:
        return UnaryTests(tests, True, Span(meta.start_pos, meta.end_pos))


def positive_test(expr: Expr) -> PositiveTest:
    """An expression standing as a unary test: a plain value is ``= value`` (S-FEEL's
    reading); an interval is itself; anything else an :class:`ExpressionTest`."""
    if isinstance(expr, Negative) and isinstance(expr.operand, Literal) and type(expr.operand.value) in (int, float):
        expr = Literal(-expr.operand.value, expr.span)
    if isinstance(expr, (Literal, Name)) and not (isinstance(expr, Name) and expr.name == "?"):
        return Comparison("=", expr, expr.span)
    if isinstance(expr, Interval):
        return expr
    return ExpressionTest(expr, span_of(expr))


def _split_arguments(args: tuple[Any, ...], at: int) -> tuple[tuple[Expr, ...], tuple[str, ...]]:
    named = [a for a in args if isinstance(a, _Named)]
    if not named:
        return tuple(args), ()
    if len(named) != len(args):
        raise SemanticError("the arguments mix names (name: value) and positions", at,
                            "name every argument or none")
    return tuple(a.value for a in named), tuple(a.key for a in named)
