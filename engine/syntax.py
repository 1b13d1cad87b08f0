"""Text → AST for the condition language.

Owns the Lark parser (built once, from ``grammar.lark``), the frozen AST node types, the
Transformer from parse tree to nodes, and the translation of every parse failure into
one :class:`~engine.errors.ConditionError` with a 1-based column and, for the common
mistakes, a hint in the author's terms.  Nothing here evaluates anything: see
``engine.scalar``, ``engine.vectorized`` and ``engine.set_form`` for the compiled forms.
"""

from __future__ import annotations

import datetime as dt
import math
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


_INVISIBLE = re.compile("[\u00a0\u2000-\u200b\u202f\u205f\u3000\ufeff]")


def normalize(text: str) -> str:
    """Every kind of space (non-breaking, thin, zero-width) becomes a plain space; the
    length is kept, so columns stay true."""
    return _INVISIBLE.sub(" ", text)


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
    refused = ambiguous_number_list(source) or _bare_date(_blank_strings(source), start)
    if refused:
        message, at, hint = refused
        raise ConditionError(message, text, at + 1, hint)
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
    found = _unclosed_quote(source, start)
    blanked = _blank_strings(source)
    for diagnose in _DIAGNOSES:
        found = found or diagnose(blanked, start)
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


_STRINGS = re.compile(r'"(\\.|[^"\\])*"|“[^”]*”|”[^”]*”|„[^“”]*[“”]|‘[^’]*’|‚[^‘’]*[‘’]')
_KEYWORDS = {"true", "false", "null", "not", "and", "or", "date"}
Diagnosis = tuple[str, int, str] | None


def _blank_strings(source: str) -> str:
    """The text with every quoted string replaced by as many 'x' between quotes, so that
    the checks below do not look inside texts."""
    return _STRINGS.sub(lambda m: '"' + "x" * (len(m.group()) - 2) + '"', source)


def _unclosed_quote(source: str, start: str) -> Diagnosis:
    at = re.search(r'["“„‘‚]', _STRINGS.sub(lambda m: " " * len(m.group()), source))
    if at:
        return ("this text has no closing quote", at.start(), 'end the text with a quote: "positive"')
    return None


def _single_quotes(source: str, start: str) -> Diagnosis:
    at = source.find("'")
    return ("single quotes do not make a text", at, 'use double quotes: "positive"') if at >= 0 else None


def _operators(source: str, start: str) -> Diagnosis:
    for pattern, message, hint in _OPERATOR_MISTAKES:
        found = re.search(pattern, source)
        if found:
            return (message.format(found.group().replace(" ", "")), found.start(), hint.format(*found.groups()))
    return None


_OPERATOR_MISTAKES = (
    (r"==", "'{}' is not an operator", "write a single = (or just the value, e.g. 12)"),
    (r"<>", "'{}' is not an operator", "write != for 'not equal'"),
    (r"=\s*([<>])", "'{}' is not an operator", "write {0}= (the = comes second)"),
    (r"\.\.\.", "'{}' has one dot too many", "write two dots, e.g. [1..4]"),
)


def _dash_range(source: str, start: str) -> Diagnosis:
    found = re.fullmatch(r"\s*(-?\d+(?:\.\d+)?)\s*[-–—]\s*(\d+(?:\.\d+)?)\s*", source)
    if start == "unary_tests" and found:
        low, high = found.groups()
        return (f"'{found.group().strip()}' is not a range", found.start(1),
                f"write [{low}..{high}] for the values from {low} to {high}, both included")
    return None


def _bare_range(source: str, start: str) -> Diagnosis:
    if start != "unary_tests":
        return None
    found = re.fullmatch(r"\s*(-?[\d.]+)\s*\.\.\s*(-?[\d.]+)\s*", source)
    if found:
        low, high = found.groups()
        return ("a range needs brackets", found.start(1), f"write [{low}..{high}] (both ends included)")
    return None


def _missing_bound(source: str, start: str) -> Diagnosis:
    if start != "unary_tests":
        return None
    found = re.search(r"[\[\(\]]\s*\.\.|\.\.\s*[\]\)\[]|\.\.\s*$", source)
    if found:
        return ("an interval needs both ends", found.start(),
                "write both ends, e.g. [1..4]; for no upper end write >= 1, for no lower end <= 4")
    return None


def _unclosed_bracket(source: str, start: str) -> Diagnosis:
    found = re.search(r"[\[\(\]][^\[\]\(\)]*\.\.[^\[\]\(\)]*$", source)
    if found and start == "unary_tests":
        return ("this interval is not closed", found.start(), "close it with ] (end included) or ) (end excluded)")
    if source.count("(") > source.count(")"):
        return ("a bracket is not closed", source.rfind("("), "add the closing )")
    return None


def _words(source: str, start: str) -> Diagnosis:
    """Conjunctions and units written as words."""
    found = re.search(r"\bbetween\b", source, re.IGNORECASE)
    if found:
        return ("'between' is not part of the language", found.start(), "write an interval such as [1..4]")
    found = re.search(r"\b(and|or)\b", source, re.IGNORECASE)
    if start == "unary_tests" and found:
        return (f"'{found.group()}' cannot join tests in an input cell", found.start(),
                "a comma means 'or' (e.g. < 5, > 10); for 'between' write an interval such as (3..5) or [3..5]")
    found = re.search(r"\d\s*([A-Za-z%]+)", source)
    if found and found.group(1).lower() not in _KEYWORDS and not re.fullmatch(r"[eE]\d*", found.group(1)):
        return (f"'{found.group(1)}' after a number", found.start(1),
                "leave out the unit: the Inputs sheet gives each input's unit")
    return None


def _bare_date(source: str, start: str) -> Diagnosis:
    found = re.search(r"\d{4}-\d{2}-\d{2}", source)
    if found:
        return ("a date needs date(...)", found.start(), f'write date("{found.group()}")')
    return None


def _negated_any(source: str, start: str) -> Diagnosis:
    found = re.search(r"not\s*\(\s*-\s*\)", source, re.IGNORECASE)
    if found:
        return ("- (any value) cannot be negated", found.start(), "to match only a missing value write null")
    return None


def _output_range(source: str, start: str) -> Diagnosis:
    found = re.search(r"\.\.|\bbetween\b", source, re.IGNORECASE)
    if start == "expression" and found:
        return ("an output cell holds one value, not a range", found.start(),
                "write the value itself (e.g. 4); conditions belong in the input columns")
    return None


def _dash_output(source: str, start: str) -> Diagnosis:
    if start == "expression" and source.strip() in ("-", "−"):
        return ("- is not a value", source.index(source.strip()), "write null for 'no value'")
    return None


def _trailing_comma(source: str, start: str) -> Diagnosis:
    found = re.search(r",\s*\)?\s*$", source)
    if found and start == "unary_tests":
        return ("the list ends with a comma", found.start(), "remove the comma at the end, or add the missing test")
    if found:
        return ("an output cell holds one value", found.start(), "remove the comma")
    return None


def _bare_words(source: str, start: str) -> Diagnosis:
    found = re.fullmatch(r"\s*([A-Za-z_][\w]*)(\s+[A-Za-z_][\w]*)+\s*", source)
    if found and not {w.lower() for w in found.group().split()} & _KEYWORDS:
        word = found.group().strip()
        return ("text must be in quotes", found.start(1), f'write "{word}" (with double quotes)')
    found = re.match(r"\s*(not)\s+[^\s(]", source, re.IGNORECASE)
    if found:
        return ("not needs brackets", found.start(1), "write not(...) around the tests, e.g. not(\"a\")")
    return None


_DIAGNOSES = (
    _output_range, _single_quotes, _operators, _dash_range, _bare_range, _missing_bound, _negated_any, _unclosed_bracket,
    _trailing_comma, _bare_date, _words, _dash_output, _bare_words,
)


def ambiguous_number_list(source: str) -> Diagnosis:
    """``2,5`` or ``1,000`` read as a list of numbers: a decimal comma or a thousands
    separator would silently change the meaning, so it is refused."""
    found = re.search(r"(?<![\w.])(\d+),(\d+)(?![\w.])", _blank_strings(source))
    if found:
        a, b = found.groups()
        return (f"'{a},{b}' is ambiguous", found.start(),
                f"write {a}.{b} for a decimal number, {a}{b} for a whole number, or {a}, {b} (with a space) "
                "for a list of two values")
    return None
