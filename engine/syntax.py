"""Text → AST for the condition language.

Owns the Lark parser (built once, from ``grammar.lark``), the frozen AST node types, the
Transformer from parse tree to nodes, and the translation of every parse failure into
one :class:`~engine.errors.ConditionError` with a 1-based column and, for the common
mistakes, a hint in the author's terms.  Nothing here evaluates anything: see
``engine.scalar``, ``engine.vectorized`` and ``engine.set_form`` for the compiled forms.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Union

from lark import Lark, Token, Transformer, v_args
from lark.exceptions import UnexpectedCharacters, UnexpectedInput, UnexpectedToken, VisitError

from engine.errors import ConditionError


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
    operand: "Expr"
    span: Span


@dataclass(frozen=True)
class Arithmetic:
    op: str  # + - * / **
    left: "Expr"
    right: "Expr"
    span: Span


@dataclass(frozen=True)
class Compare:
    op: str  # = != < <= > >=
    left: "Expr"
    right: "Expr"
    span: Span


@dataclass(frozen=True)
class Logical:
    op: str  # and / or
    left: "Expr"
    right: "Expr"
    span: Span


@dataclass(frozen=True)
class Not:
    operand: "Expr"
    span: Span


Expr = Union[Literal, Name, Negative, Arithmetic, Compare, Logical, Not]
Endpoint = Union[Literal, Name]


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


PositiveTest = Union[Comparison, Interval]


@dataclass(frozen=True)
class UnaryTests:
    """A whole input cell: ``-``, a comma list of positive tests, or ``not(...)`` of one."""

    tests: tuple[PositiveTest, ...]
    negated: bool
    span: Span
    any_value: bool = False


# ------------------------------------------------------------------ parsing
_COMPARATORS = {"≤": "<=", "≥": ">=", "≠": "!="}
_OPERATORS = {"−": "-", "×": "*"}
_ESCAPES = {'"': '"', "\\": "\\", "n": "\n", "t": "\t", "r": "\r", "'": "'"}


@lru_cache(maxsize=1)
def _parser() -> Lark:
    """The one LALR parser, built on first use and shared (it holds no per-call state)."""
    grammar = (Path(__file__).parent / "grammar.lark").read_text(encoding="utf-8")
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


def _number(text: str) -> int | float:
    if re.fullmatch(r"\d+", text):
        return int(text)
    return float(text)


@v_args(inline=True)
class _ToAst(Transformer):
    """Parse tree → AST nodes.  Errors raised here arrive wrapped in VisitError."""

    def number(self, token: Token) -> Literal:
        return Literal(_number(token.value), _span(token))

    def negative_number(self, sign: Token, token: Token) -> Literal:
        return Literal(-_number(token.value), _join(sign, token))

    def string(self, token: Token) -> Literal:
        return Literal(_unquote(token), _span(token))

    def boolean(self, token: Token) -> Literal:
        return Literal(token.value.lower() == "true", _span(token))

    def null(self, token: Token) -> Literal:
        return Literal(None, _span(token))

    def name(self, token: Token) -> Name:
        return Name(token.value, _span(token))

    def date(self, keyword: Token, text: Token) -> Literal:
        try:
            value = dt.date.fromisoformat(_unquote(text))
        except ValueError:
            raise _SemanticError(
                f"{text.value} is not a valid date",
                text.start_pos,
                'write the date as date("YYYY-MM-DD"), e.g. date("2025-01-31")',
            ) from None
        return Literal(value, _join(keyword, text))

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
        return Logical(op.value, left, right, _join(left, right))

    def not_call(self, keyword: Token, operand: Expr) -> Not:
        return Not(operand, _join(keyword, operand))

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

    def negation(self, keyword: Token, tests: tuple[PositiveTest, ...]) -> UnaryTests:
        return UnaryTests(tests, True, Span(keyword.start_pos, _span(tests[-1]).end + 1))


class _SemanticError(Exception):
    def __init__(self, message: str, offset: int, hint: str) -> None:
        super().__init__(message)
        self.message, self.offset, self.hint = message, offset, hint


def normalize(text: str) -> str:
    """Blank out non-breaking spaces (same length, so columns stay true)."""
    return text.replace("\u00a0", " ").replace("\u2007", " ").replace("\u202f", " ")


def parse_unary_tests(text: str) -> UnaryTests:
    """Parse an input cell.  A blank cell means ``-``."""
    if not normalize(text).strip():
        return UnaryTests((), False, Span(0, len(text)), any_value=True)
    return _parse(text, "unary_tests")


def parse_expression(text: str) -> Expr:
    """Parse an output cell or computed value."""
    if not normalize(text).strip():
        raise ConditionError("the cell is empty", text, 1, "write a value, e.g. \"yes\", 42 or null")
    return _parse(text, "expression")


def _parse(text: str, start: str) -> Any:
    source = normalize(text)
    try:
        tree = _parser().parse(source, start=start)
    except UnexpectedInput as error:
        raise _parse_error(text, source, start, error) from None
    try:
        return _ToAst().transform(tree)
    except VisitError as error:
        inner = error.orig_exc
        if isinstance(inner, _SemanticError):
            raise ConditionError(inner.message, text, inner.offset + 1, inner.hint) from None
        raise


# ------------------------------------------------------------------ error messages
def _parse_error(text: str, source: str, start: str, error: UnexpectedInput) -> ConditionError:
    offset = _error_offset(source, error)
    for diagnose in _DIAGNOSES:
        found = diagnose(source, start)
        if found:
            message, at, hint = found
            return ConditionError(message, text, at + 1, hint)
    what = _describe_unexpected(source, error, offset)
    hint = (
        "an input cell holds tests such as -, 12, \"positive\", >= 12, [1..4] or not(\"a\", \"b\")"
        if start == "unary_tests"
        else "an output cell holds a value such as \"first_line\", 840, 8 * weight_kg or null"
    )
    return ConditionError(what, text, offset + 1, hint)


def _error_offset(source: str, error: UnexpectedInput) -> int:
    if isinstance(error, UnexpectedToken) and error.token.type == "$END":
        return len(source.rstrip())
    pos = getattr(error, "pos_in_stream", None)
    if pos is None and isinstance(error, UnexpectedToken):
        pos = error.token.start_pos
    return max(0, min(pos or 0, len(source)))


def _describe_unexpected(source: str, error: UnexpectedInput, offset: int) -> str:
    if isinstance(error, UnexpectedCharacters):
        return f"unexpected character {source[offset]!r}"
    if isinstance(error, UnexpectedToken) and error.token.type != "$END":
        return f"unexpected {error.token.value!r}"
    return "the text ends too early"


def _unclosed_quote(source: str, start: str) -> tuple[str, int, str] | None:
    stripped = re.sub(r'"(\\.|[^"\\])*"', lambda m: " " * len(m.group()), source)
    stripped = re.sub(r"[“”„‘’‚][^“”„‘’‚\"]*[“”‘’]", lambda m: " " * len(m.group()), stripped)
    at = re.search(r"[\"“”„‘’‚]", stripped)
    if at:
        return ("this text has no closing quote", at.start(), 'end the text with a quote: "positive"')
    return None


def _single_quotes(source: str, start: str) -> tuple[str, int, str] | None:
    at = source.find("'")
    if at >= 0:
        return ("single quotes do not make a text", at, 'use double quotes: "positive"')
    return None


def _reversed_comparator(source: str, start: str) -> tuple[str, int, str] | None:
    found = re.search(r"=\s*([<>])", source)
    if found and not re.search(r"[<>!]\s*$", source[: found.start()]):
        op = found.group(1) + "="
        return (f"{found.group().replace(' ', '')!r} is not an operator", found.start(), f"write {op}")
    return None


def _double_equals(source: str, start: str) -> tuple[str, int, str] | None:
    found = source.find("==")
    if found >= 0:
        return ("'==' is not an operator", found, "write a single = (or just the value, e.g. 12)")
    return None


def _dash_range(source: str, start: str) -> tuple[str, int, str] | None:
    found = re.fullmatch(r"\s*(-?\d+(?:\.\d+)?)\s*[-–—]\s*(\d+(?:\.\d+)?)\s*", source)
    if start == "unary_tests" and found:
        low, high = found.groups()
        return (
            f"'{found.group().strip()}' is not a range",
            found.start(1),
            f"write [{low}..{high}] for the values from {low} to {high}, both included",
        )
    return None


def _missing_bound(source: str, start: str) -> tuple[str, int, str] | None:
    found = re.search(r"[\[\(\]]\s*\.\.|\.\.\s*[\]\)\[]|\.\.\s*$", source)
    if found:
        return (
            "an interval needs both ends",
            found.start(),
            "write both ends, e.g. [1..4]; for no upper end write >= 1, for no lower end <= 4",
        )
    return None


def _unclosed_bracket(source: str, start: str) -> tuple[str, int, str] | None:
    found = re.search(r"[\[\(\]][^\[\]\(\)]*\.\.[^\[\]\(\)]*$", source)
    if found:
        return ("this interval is not closed", found.start(), "close it with ] (end included) or ) (end excluded)")
    if source.count("(") > source.count(")"):
        return ("a bracket is not closed", source.rfind("("), "add the closing )")
    return None


def _bare_words(source: str, start: str) -> tuple[str, int, str] | None:
    found = re.fullmatch(r"\s*([A-Za-z_][\w]*)(\s+[A-Za-z_][\w]*)+\s*", source)
    if found:
        word = found.group().strip()
        return ("text must be in quotes", found.start(1), f'write "{word}" (with double quotes)')
    return None


_DIAGNOSES = (
    _unclosed_quote,
    _single_quotes,
    _double_equals,
    _reversed_comparator,
    _dash_range,
    _missing_bound,
    _unclosed_bracket,
    _bare_words,
)
