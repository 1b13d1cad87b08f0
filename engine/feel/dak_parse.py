"""DAK pseudo-code text → terms: the parse of one condition cell, before its meaning.

Owns the Lark parser of ``dak.lark`` (built once), the terms it gives (a data element, the
comparisons on it, the values with their units, as written and where), the check of the quotes
before parsing (an unbalanced, doubled, stray or missing quote is named with the fix), and the
translation of Lark's failures into :class:`DakSyntaxError` in an author's words.
``engine.feel.dak`` turns the terms into dtrun's AST.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from lark import Lark, Token, Transformer, v_args
from lark.exceptions import UnexpectedInput, UnexpectedToken, VisitError

from engine._core.errors import ConditionError
from engine.feel.syntax import Span


class DakSyntaxError(ConditionError):
    """A DAK condition cell that cannot be read: ``column`` (1-based) in the cell text, ``reason`` in
    an author's words, ``hint`` a likely correction (``close the quote: "Anaemia diagnosis" = ...``)."""

    @property
    def reason(self) -> str:
        return self.message


QUOTES = '"“”„'
_COMPARATORS = {"=": "=", "≠": "!=", "!=": "!=", "<>": "!=", "<": "<", "≤": "<=", "⩽": "<=", "<=": "<=",
                ">": ">", "≥": ">=", "⩾": ">=", ">=": ">="}
FLIPPED = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "=": "=", "!=": "!="}
_BAD = {"==": "=", "=>": "≥", "=<": "≤"}
UNITS_READ = ("mmHg, bpm, °C, %, g/L, g/dL, mg/dL, mmol/L, mg, g, kg, µg, IU, cm, mm, days, weeks, months, years, "
              "hours, minutes, cells/microlitre, per 100 000 population")
SHAPES = ('a condition reads e.g. "Danger signs" = "Central cyanosis", "Gestational age" ≥ 20 weeks, '
          '90 mmHg ≤ "Diastolic blood pressure" < 110 mmHg or "X" IS OPTIONAL')


@dataclass(frozen=True)
class Value:
    """A value as written: ``"Central cyanosis"``, ``140 mmHg``, ``TRUE``; ``None`` for NULL."""

    value: Any
    unit: str | None
    span: Span


@dataclass(frozen=True)
class Operand:
    """A data element as written: ``kind`` is ``quoted``, ``unquoted`` (words without quotes) or
    ``computed`` (``Today's date − "Date of birth"``); ``mentioned``: the quoted names inside."""

    name: str
    kind: str
    span: Span
    mentioned: tuple[str, ...]


@dataclass(frozen=True)
class Term:
    """One comparison on one data element.  ``kind``: ``compare`` (``ops[0]`` with every value of
    ``values``, ``"X" ≠ "a" OR "b"`` giving two), ``chain`` (``a ≤ X < b``: ``X ops[0] values[0]``
    and ``X ops[1] values[1]``), ``optional`` (any value) or ``value`` (a lone value after OR)."""

    kind: str
    operand: Operand | None
    ops: tuple[str, ...]
    values: tuple[Value, ...]
    span: Span


@dataclass(frozen=True)
class Parsed:
    """A cell's terms: an OR of ANDs (``joins`` holds the words between the ANDs: OR or AND/OR),
    the IF before it and the ON MORE THAN ONE ... qualifier after it (with its span)."""

    conjunctions: tuple[tuple[Term, ...], ...]
    joins: tuple[str, ...]
    qualifier: str | None
    body: Span


def spaces(text: str) -> str:
    """Runs of spaces (and line breaks) as one space, none at the ends."""
    return " ".join(text.split())


@lru_cache(maxsize=1)
def _parser() -> Lark:
    grammar = (Path(__file__).parent / "dak.lark").read_text(encoding="utf-8")
    return Lark(grammar, parser="lalr", propagate_positions=True, maybe_placeholders=True)


def _span(item: Any) -> Span:
    if isinstance(item, Token):
        return Span(item.start_pos, item.end_pos)
    if isinstance(item, (Value, Operand, Term)):
        return item.span
    return Span(item.meta.start_pos, item.meta.end_pos)


def _join(first: Any, last: Any) -> Span:
    return Span(_span(first).start, _span(last).end)


class _Refused(Exception):
    def __init__(self, message: str, offset: int, hint: str) -> None:
        super().__init__(message)
        self.message, self.offset, self.hint = message, offset, hint


def _number(token: Token) -> int | float:
    digits = token.value.replace(" ", "").replace("−", "-")
    return float(digits) if "." in digits else int(digits)


@v_args(inline=True)
class _ToTerms(Transformer):
    def __init__(self, source: str) -> None:
        super().__init__()
        self.source = source

    # values
    def text(self, token: Token) -> Value:
        return Value(token.value[1:-1], None, _span(token))

    def number(self, token: Token, unit: Token | None) -> Value:
        return Value(_number(token), spaces(unit.value) if unit else None, _join(token, unit or token))

    bound = number

    def boolean(self, token: Token) -> Value:
        return Value(token.value.upper() == "TRUE", None, _span(token))

    def null(self, token: Token) -> Value:
        return Value(None, None, _span(token))

    def unquoted_value(self, *words: Token) -> Value:
        written = self.source[words[0].start_pos:words[-1].end_pos]
        raise _Refused(f"the value {written} is not in quotes", words[0].start_pos,
                       f'write "{spaces(written).strip(chr(39) + "‘’")}" (with double quotes), or TRUE or FALSE '
                       "for a yes/no value")

    def comparator(self, token: Token) -> str:
        if token.type == "BAD_OPERATOR":
            raise _Refused(f"'{token.value}' is not a comparison", token.start_pos, f"write {_BAD[token.value]}")
        return _COMPARATORS[token.value]

    # data elements
    def quoted(self, token: Token) -> Operand:
        name = spaces(token.value[1:-1])
        if not name:
            raise _Refused("the name in quotes is empty", token.start_pos,
                           'write the data element\'s name between the quotes, e.g. "Gestational age"')
        return Operand(name, "quoted", _span(token), (name,))

    def word(self, token: Token) -> Operand:
        return Operand(token.value, "unquoted", _span(token), ())

    @v_args(inline=True, meta=True)
    def group(self, meta: Any, *items: Any) -> Operand:
        names = [spaces(item.value[1:-1]) for item, after in zip(items, (*items[1:], None), strict=False)
                 if isinstance(item, Token) and item.type == "STRING" and isinstance(after, str)
                 and not isinstance(after, Token)]
        nested = [name for item in items if isinstance(item, Operand) for name in item.mentioned]
        return Operand("", "computed", Span(meta.start_pos, meta.end_pos), tuple(names + nested))

    def operand(self, *pieces: Operand) -> Operand:
        span = _join(pieces[0], pieces[-1])
        if len(pieces) == 1 and pieces[0].kind == "quoted":
            return pieces[0]
        words_only = all(p.kind == "unquoted" and p.name not in "−-–—" for p in pieces)
        name = spaces(self.source[span.start:span.end])
        for quote in "“”„":
            name = name.replace(quote, '"')
        mentioned = tuple(n for p in pieces for n in p.mentioned)
        return Operand(name, "unquoted" if words_only else "computed", span, mentioned)

    # terms
    def comparison(self, operand: Operand, op: str, value: Value) -> Term:
        return Term("compare", operand, (op,), (value,), _join(operand, value))

    def chain(self, low: Value, op1: str, operand: Operand, op2: str, high: Value) -> Term:
        return Term("chain", operand, (FLIPPED[op1], op2), (low, high), _join(low, high))

    def reversed(self, value: Value, op: str, operand: Operand) -> Term:
        return Term("compare", operand, (FLIPPED[op],), (value,), _join(value, operand))

    def optional(self, operand: Operand, token: Token) -> Term:
        return Term("optional", operand, (), (), _join(operand, token))

    def null_test(self, operand: Operand, token: Token) -> Term:
        op = "!=" if re.search(r"(?i)\bNOT\b", token.value) else "="
        return Term("compare", operand, (op,), (Value(None, None, _span(token)),), _join(operand, token))

    def bare_value(self, value: Value) -> Term:
        return Term("value", None, (), (value,), value.span)

    def conjunction(self, *terms: Any) -> tuple[Term, ...]:
        return tuple(t for t in terms if isinstance(t, Term))

    def or_op(self, token: Token) -> str:
        return "AND/OR" if token.type == "ANDOR" else "OR"

    def disjunction(self, *items: Any) -> tuple[tuple[tuple[Term, ...], ...], tuple[str, ...]]:
        return tuple(i for i in items if isinstance(i, tuple)), tuple(i for i in items if isinstance(i, str))

    @v_args(inline=True, meta=True)
    def start(self, meta: Any, keyword: Token | None, body: Any, qualifier: Token | None) -> Parsed:
        conjunctions, joins = body
        first = conjunctions[0][0].span.start
        last = (qualifier.end_pos if qualifier else conjunctions[-1][-1].span.end)
        return Parsed(conjunctions, joins, spaces(qualifier.value) if qualifier else None, Span(first, last))


def parse(text: str, source: str) -> Parsed:
    """The terms of a cell (``source``: ``text`` with every kind of space made plain, same length)."""
    check_quotes(text, source)
    try:
        tree = _parser().parse(source)
    except UnexpectedInput as error:
        raise _parse_error(text, source, error) from None
    try:
        return _ToTerms(source).transform(tree)
    except VisitError as error:
        inner = error.orig_exc
        if isinstance(inner, _Refused):
            raise DakSyntaxError(inner.message, text, inner.offset + 1, inner.hint) from None
        raise


# ---------------------------------------------------------------------- quotes
_AFTER_CLOSE = set(" \t\n=≠<>≤≥⩽⩾!)")


def check_quotes(text: str, source: str) -> None:
    """Refuse quotes that do not pair up, naming the likely fix: ``"Anaemia diagnosis = "Positive"``
    (a name not closed), ``Age" ≤ 17 years`` (no opening quote), ``second"hand``, ``"a""``."""
    inside: int | None = None
    closed_at = -2
    for at, char in enumerate(source):
        if char not in QUOTES:
            continue
        before = source[at - 1] if at else " "
        after = source[at + 1] if at + 1 < len(source) else " "
        if before.isalnum() and after.isalnum():
            raise DakSyntaxError(f"a quote inside the words {_word_around(source, at)}", text, at + 1,
                                 f"remove the quote (or put a hyphen or space in its place): "
                                 f"{_fixed(source, at, at + 1, '')}")
        opening = before.isspace() or before in "=≠<>≤≥⩽⩾(" or at == 0
        closing = not before.isspace() and after in _AFTER_CLOSE or at + 1 == len(source)
        if inside is None:
            if closed_at == at - 1:
                raise DakSyntaxError("a doubled quote", text, at + 1, f"remove one: {_fixed(source, at, at + 1, '')}")
            if closing and not opening:
                start = _words_before(source, at)
                raise DakSyntaxError(f"{source[start:at].strip()} has a closing quote but no opening quote", text,
                                     start + 1, f"add the opening quote before {source[start:at].strip()}: "
                                     f"{_fixed(source, start, start, chr(34))}")
            inside = at
        elif opening and not closing and _comparator_in(source, inside, at):
            _unclosed(text, source, inside, at)
        else:
            inside, closed_at = None, at
    if inside is not None:
        _unclosed(text, source, inside, len(source))


def _comparator_in(source: str, start: int, end: int) -> re.Match[str] | None:
    return re.search(r"\s(?:=|≠|!=|<>|<=|>=|[<>≤≥⩽⩾])\s*$|\s(?:=|≠|!=|<>|<=|>=|[<>≤≥⩽⩾])\s", source[start:end])


def _unclosed(text: str, source: str, start: int, end: int) -> None:
    operator = _comparator_in(source, start, end)
    if operator:
        at = start + operator.start()
        name = source[start + 1:at].strip()
        raise DakSyntaxError(f"the name {name} has no closing quote", text, at + 1,
                             f"close the quote: {_fixed(source, at, at, chr(34))}")
    end_of_text = len(source.rstrip())
    raise DakSyntaxError("this quote is not closed", text, start + 1,
                         f"add the closing quote: {_fixed(source, end_of_text, end_of_text, chr(34))}")


def _words_before(source: str, at: int) -> int:
    """Where the words that end at ``at`` begin: after a comparator, AND, OR, IF or a quote."""
    head = source[:at]
    cut = max((m.end() for m in re.finditer(r'["“”„=≠<>≤≥⩽⩾]|\b(?:AND|OR|IF)\b', head)), default=0)
    return cut + len(head[cut:]) - len(head[cut:].lstrip())


def _word_around(source: str, at: int) -> str:
    start = at
    while start > 0 and source[start - 1].isalnum():
        start -= 1
    end = at + 1
    while end < len(source) and source[end].isalnum():
        end += 1
    return source[start:end]


def _fixed(source: str, start: int, end: int, insert: str) -> str:
    fixed = source[:start] + insert + source[end:]
    for quote in "“”„":
        fixed = fixed.replace(quote, '"')
    return spaces(fixed)


# ---------------------------------------------------------------------- parse errors
_OPERATORS = {"EQ", "NE", "LT", "LE", "GT", "GE", "BAD_OPERATOR"}
_VALUES = {"STRING", "NUMBER", "BOOLEAN", "NULL"}
_JOINS = {"AND", "OR", "ANDOR", "QUALIFIER", "$END"}


def _parse_error(text: str, source: str, error: UnexpectedInput) -> DakSyntaxError:
    if isinstance(error, UnexpectedToken):
        at = len(source.rstrip()) if error.token.type == "$END" else error.token.start_pos
        expected, found = set(error.expected), error.token.type
    else:
        at, expected, found = error.pos_in_stream, set(error.allowed or ()), "CHARACTER"
    before, rest = source[:at].rstrip(), source[at:].strip()
    keyword = re.search(r"\bIS\b", before) if found == "$END" else None
    if keyword:
        return DakSyntaxError("IS must be followed by OPTIONAL, NULL or NOT NULL", text, keyword.start() + 1,
                              'write e.g. "X" IS OPTIONAL (any value) or "X" IS NULL (no value given)')
    message, hint = _diagnose(before, rest, expected, found)
    return DakSyntaxError(message, text, at + 1, hint)


def _diagnose(before: str, rest: str, expected: set[str], found: str) -> tuple[str, str]:
    if found == "$END":
        joined = re.search(r"\b(AND/OR|AND|OR|IF)$", before)
        if joined:
            return (f"the condition ends with {joined.group()}", f"write the condition after {joined.group()}, "
                    f"or remove {joined.group()}")
        if expected & _OPERATORS and "OPTIONAL" in expected:
            last = re.search(f"[{QUOTES}]([^{QUOTES}]+)[{QUOTES}]$", before)
            name = last.group(1) if last and last.start() == 0 else before
            return (f"{spaces(name)} is not compared with anything",
                    f'compare it with a value, e.g. "{spaces(name)}" = TRUE, or write "{spaces(name)}" IS OPTIONAL')
        if expected & _VALUES:
            return ("the comparison has no value after it", 'write the value, e.g. = "Positive" or ≥ 140 mmHg')
        if "RPAR" in expected:
            return ("a bracket is not closed", "add the closing )")
        return ("the condition ends too early", SHAPES)
    word = rest.split()[0] if rest.split() else rest
    if before[-1:].isdigit() and "UNIT" in expected:
        if re.match(r",\d", rest):
            number = re.search(r"[\d.]+$", before).group()  # type: ignore[union-attr]
            digits = re.match(r",(\d+)", rest).group(1)  # type: ignore[union-attr]
            return (f"'{number},{digits}' is ambiguous",
                    f"write {number}.{digits} for a decimal number or {number}{digits} for a whole number")
        return (f"'{word}' is not a unit dtrun reads", f"the units read are {UNITS_READ}")
    if expected & _OPERATORS and re.fullmatch(r"[-–—]", word):
        return (f"'{word}' is not a comparison", f"write ≤ (or <) in its place: {spaces(before)} ≤ {rest[1:].strip()}")
    if expected & _JOINS and found == "STRING":
        return ("two conditions with nothing between them", "join them with AND (both hold) or OR (either holds)")
    if expected & _JOINS:
        return (f"unexpected text after the condition: {rest}",
                "remove it, or move it to the Annotation(s) column")
    if expected & _OPERATORS:
        return (f"unexpected {word} where a comparison (=, ≠, <, ≤, >, ≥) belongs", SHAPES)
    return (f"unexpected {word}", SHAPES)

