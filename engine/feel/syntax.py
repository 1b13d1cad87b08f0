"""Text → AST for the condition language.

Owns the Lark parser (built once, from ``grammar.lark``), the frozen AST node types and
the Transformer from parse tree to nodes.  Every failure becomes one
:class:`~engine.errors.ConditionError` with a 1-based column; ``engine.feel.hints`` words the
message and the hint for the common mistakes.  Nothing here evaluates anything: see
``engine.feel.scalar``, ``engine.feel.vectorized`` and ``engine.feel.set_form`` for the compiled forms.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from lark import Lark, Token, Transformer, Tree, v_args
from lark.exceptions import UnexpectedInput, VisitError

from engine._core.errors import ConditionError
from engine.feel import hints


@dataclass(frozen=True)
class Span:
    """0-based [start, end) offsets into the cell text."""

    start: int
    end: int

    @property
    def column(self) -> int:
        return self.start + 1


# ------------------------------------------------------------------ expression nodes
@dataclass(frozen=True)
class Literal:
    value: Any  # None, bool, int, float, str or datetime.date
    span: Span


@dataclass(frozen=True)
class Name:
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
    ``name`` is the registry's spelling (``engine.feel.builtins``), lower case, single spaces."""

    name: str
    args: tuple[Expr, ...]
    span: Span


Expr = Literal | Name | Negative | Arithmetic | Compare | Logical | Not | Call
Endpoint = Literal | Name


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
    low: Endpoint
    high: Endpoint
    low_closed: bool
    high_closed: bool
    span: Span


PositiveTest = Comparison | Interval


@dataclass(frozen=True)
class UnaryTests:
    """A whole input cell: ``-``, a comma list of positive tests, or ``not(...)`` of one."""

    tests: tuple[PositiveTest, ...]
    negated: bool
    span: Span
    any_value: bool = False


# ------------------------------------------------------------------ names
# A name, as the grammar's NAME token reads it: a letter of any script or _, then letters,
# digits and _ (``age``, ``décision``, ``страна``).  Inputs, tables and outputs are named so.
IDENTIFIER = re.compile(r"[^\W\d]\w*")
KEYWORDS = frozenset({"true", "false", "null", "not", "and", "or", "date"})


def identifier(text: str) -> str:
    """The name nearest to ``text``: runs of characters that cannot be in a name become ``_``
    (``Logique de décision 1`` → ``Logique_de_décision_1``, ``COVID-19`` → ``COVID_19``); a
    leading digit gets ``x_``, a keyword a trailing ``_``."""
    cleaned = re.sub(r"\W+", "_", unicodedata.normalize("NFC", text).strip()).strip("_") or "x"
    if cleaned[0].isdigit():
        cleaned = f"x_{cleaned}"
    return f"{cleaned}_" if cleaned.lower() in KEYWORDS else cleaned


# ------------------------------------------------------------------ parsing
_COMPARATORS = {"≤": "<=", "≥": ">=", "≠": "!="}
_OPERATORS = {"−": "-", "×": "*"}
_ESCAPES = {'"': '"', "\\": "\\", "n": "\n", "t": "\t", "r": "\r", "'": "'"}


@lru_cache(maxsize=1)
def _parser() -> Lark:
    """The one LALR parser, built on first use and shared (it holds no per-call state)."""
    from engine.feel import builtins

    grammar = (Path(__file__).parent / "grammar.lark").read_text(encoding="utf-8")
    grammar = grammar.replace("@BUILTIN_NAMES@", builtins.names_pattern())
    return Lark(
        grammar,
        parser="lalr",
        start=["unary_tests", "expression"],
        propagate_positions=True,
        maybe_placeholders=False,
    )


def _span(item: Any) -> Span:
    if isinstance(item, Token):
        return Span(item.start_pos, item.end_pos)
    if hasattr(item, "span"):
        return item.span
    return Span(item.start_pos, item.end_pos)


def _join(first: Any, last: Any) -> Span:
    return Span(_span(first).start, _span(last).end)


def _unquote(token: Token) -> str:
    body = token.value[1:-1]
    if token.value[0] != '"':
        return body  # typographic quotes: no escapes
    return re.sub(r"\\(u[0-9a-fA-F]{4}|.)", _unescape, body)


def _unescape(match: re.Match[str]) -> str:
    code = match.group(1)
    if code.startswith("u") and len(code) == 5:
        return chr(int(code[1:], 16))
    return _ESCAPES.get(code, "\\" + code)


def _number(token: Token) -> int | float:
    try:
        value = int(token.value) if token.value.isdigit() else float(token.value)
    except ValueError:  # more digits than Python converts
        raise _SemanticError("this number is too long", token.start_pos, "write at most 15 digits") from None
    if isinstance(value, float) and not math.isfinite(value):
        raise _SemanticError("this number is too large", token.start_pos, "write a number below 1e300")
    return value


@v_args(inline=True)
class _ToAst(Transformer):
    """Parse tree → AST nodes.  Errors raised here arrive wrapped in VisitError."""

    def number(self, token: Token) -> Literal:
        return Literal(_number(token), _span(token))

    def negative_number(self, sign: Token, token: Token) -> Literal:
        return Literal(-_number(token), _join(sign, token))

    def string(self, token: Token) -> Literal:
        return Literal(_unquote(token), _span(token))

    def boolean(self, token: Token) -> Literal:
        return Literal(token.value.lower() == "true", _span(token))

    def null(self, token: Token) -> Literal:
        return Literal(None, _span(token))

    def name(self, token: Token) -> Name:
        return Name(token.value, _span(token))

    @v_args(inline=True, meta=True)
    def date(self, meta: Any, keyword: Token, text: Token) -> Literal:
        try:
            if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", _unquote(text)):
                raise ValueError
            value = dt.date.fromisoformat(_unquote(text))
        except ValueError:
            raise _SemanticError(
                f"{text.value} is not a valid date",
                text.start_pos,
                'write the date as date("YYYY-MM-DD"), e.g. date("2025-01-31")',
            ) from None
        return Literal(value, Span(meta.start_pos, meta.end_pos))

    def comparator(self, token: Token) -> Token:
        return token

    # expressions
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
    def call(self, meta: Any, function: Token, *rest: tuple[Expr, ...]) -> Call:
        from engine.feel import builtins

        found = builtins.lookup(function.value)
        assert found is not None  # the FUNCTION terminal matches the registry's names only
        args = rest[0] if rest else ()
        if len(args) not in found.arities:
            given = f"{len(args)} argument{'' if len(args) == 1 else 's'}"
            raise _SemanticError(f"{found.name} takes {found.arity_text()} ({found.params}), not {given}",
                                 function.start_pos, f"write e.g. {found.example}")
        return Call(found.name, tuple(args), Span(meta.start_pos, meta.end_pos))

    def arguments(self, *args: Expr) -> tuple[Expr, ...]:
        return args

    # unary tests
    def equal_to(self, endpoint: Endpoint) -> Comparison:
        return Comparison("=", endpoint, endpoint.span)

    def comparison(self, op: Token, endpoint: Endpoint) -> Comparison:
        return Comparison(_COMPARATORS.get(op.value, op.value), endpoint, _join(op, endpoint))

    def interval(self, start: Any, low: Endpoint, high: Endpoint, end: Any) -> Interval:
        opening, closing = start.children[0], end.children[0]
        return Interval(low, high, opening.value == "[", closing.value == "]", _join(opening, closing))

    def positive_unary_tests(self, *tests: PositiveTest) -> tuple[PositiveTest, ...]:
        return tests

    def any_value(self, token: Token) -> UnaryTests:
        return UnaryTests((), False, _span(token), any_value=True)

    def unary_tests(self, tests: tuple[PositiveTest, ...]) -> UnaryTests:
        return UnaryTests(tests, False, _join(tests[0], tests[-1]))

    @v_args(inline=True, meta=True)
    def negation(self, meta: Any, keyword: Token, tests: tuple[PositiveTest, ...]) -> UnaryTests:
        return UnaryTests(tests, True, Span(meta.start_pos, meta.end_pos))


class _SemanticError(Exception):
    def __init__(self, message: str, offset: int, hint: str) -> None:
        super().__init__(message)
        self.message, self.offset, self.hint = message, offset, hint


MAX_DEPTH = 100  # operators, minus signs and not() within one another; docs/condition-language.md


def _check_depth(tree: Tree, text: str) -> None:
    """Refuse a cell nested deeper than MAX_DEPTH, measured without recursion, so that every
    later walk of its nodes (compile, evaluate, unparse, lint) stays far inside Python's limit."""
    stack = [(tree, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise ConditionError(
                f"the calculation is nested more than {MAX_DEPTH} levels deep (each operator, minus sign and "
                "not( ) inside another counts)", text, node.meta.column if not node.meta.empty else 1,
                "split it over several output columns or tables, or write it more simply")
        stack.extend((child, depth + 1) for child in node.children if isinstance(child, Tree))


_INVISIBLE = re.compile("[\u00a0\u2000-\u200b\u202f\u205f\u3000\ufeff]")


def normalize(text: str) -> str:
    """Every kind of space (non-breaking, thin, zero-width) becomes a plain space; the
    length is kept, so columns stay true."""
    return _INVISIBLE.sub(" ", text)


@lru_cache(maxsize=65536)  # the nodes are immutable: a text that recurs down a column is parsed once
def parse_unary_tests(text: str) -> UnaryTests:
    """Parse an input cell.  A blank cell means ``-``."""
    if not normalize(text).strip():
        return UnaryTests((), False, Span(0, len(text)), any_value=True)
    return _parse(text, "unary_tests")


@lru_cache(maxsize=65536)
def parse_expression(text: str) -> Expr:
    """Parse an output cell or computed value."""
    if not normalize(text).strip():
        raise ConditionError("the cell is empty", text, 1, "write a value, e.g. \"yes\", 42 or null")
    return _parse(text, "expression")


# The commonest cells of all: plain texts ("positive", or "a", "b", ...) or -.  Read without
# the parser (a thousandth of its time); tests/feel/test_plain_cells.py checks that the nodes
# are the parser's.
_TEXT = r'"[^"\\\n“”„‘’‚]*"'
_PLAIN_TEXTS = re.compile(rf"\s*{_TEXT}\s*(?:,\s*{_TEXT}\s*)*")
_ONE_TEXT = re.compile(_TEXT)
_ANY = re.compile(r"(\s*)-\s*")


def _plain(source: str, start: str) -> Any:
    """The node of a cell of plain texts or ``-``, as the parser makes it; None for any other."""
    if _PLAIN_TEXTS.fullmatch(source):
        literals = [Literal(m[0][1:-1], Span(m.start(), m.end())) for m in _ONE_TEXT.finditer(source)]
        if start == "expression":
            return literals[0] if len(literals) == 1 else None
        tests = tuple(Comparison("=", literal, literal.span) for literal in literals)
        return UnaryTests(tests, False, Span(literals[0].span.start, literals[-1].span.end))
    found = _ANY.fullmatch(source) if start == "unary_tests" else None
    if found:
        return UnaryTests((), False, Span(found.end(1), found.end(1) + 1), any_value=True)
    return None


def _parse(text: str, start: str) -> Any:
    source = normalize(text)
    plain = _plain(source, start)
    if plain is not None:
        return plain
    refused = hints.refuse_valid_but_misleading(source, start)
    if refused:
        message, at, hint = refused
        raise ConditionError(message, text, at + 1, hint)
    try:
        tree = _parser().parse(source, start=start)
    except UnexpectedInput as error:
        raise hints.parse_error(text, source, start, error) from None
    _check_depth(tree, text)
    try:
        return _ToAst().transform(tree)
    except VisitError as error:
        inner = error.orig_exc
        if isinstance(inner, _SemanticError):
            raise ConditionError(inner.message, text, inner.offset + 1, inner.hint) from None
        raise
