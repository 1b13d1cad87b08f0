"""The literals of the condition language read from their tokens: a string's text with its
escapes (``\\n``, ``\\u00e9``, ``\\U01F40E``, surrogate pairs), a number (FEEL's 34-digit
``Decimal``, or a cell's int or float within bounds), a cell's temporal literal written as a
call of one text (``time("08:30:00")``), and :class:`SemanticError`, the error with its offset
and hint that each raises and ``engine.feel.syntax`` turns into a ConditionError.  Used by the
Transformer in ``engine.feel.transform``.
"""

from __future__ import annotations

import math
import re
from typing import Any

from lark import Token

from engine.feel.nodes import Literal, Span

_ESCAPES = {'"': '"', "\\": "\\", "n": "\n", "t": "\t", "r": "\r", "'": "'"}


class SemanticError(Exception):
    def __init__(self, message: str, offset: int, hint: str) -> None:
        super().__init__(message)
        self.message, self.offset, self.hint = message, offset, hint


def unquote(token: Token, feel: bool = True) -> str:
    """A string literal's text: ``\\n``, ``\\u00e9``, ``\\U01F40E`` (six hex digits, DMN 1.5 §10.3.1.2);
    FEEL also reads a surrogate pair of ``\\u`` escapes as one character (a cell keeps each half,
    which its result file refuses with its own message)."""
    body = token.value[1:-1]
    if token.value[0] != '"':
        return body  # typographic quotes: no escapes
    text = re.sub(r"\\(U[0-9a-fA-F]{6}|u[0-9a-fA-F]{4}|.)", _unescape, body)
    return _surrogates(text) if feel else text


def _unescape(match: re.Match[str]) -> str:
    code = match.group(1)
    if code[0] in "uU" and len(code) in (5, 7) and int(code[1:], 16) <= 0x10FFFF:
        return chr(int(code[1:], 16))
    return _ESCAPES.get(code, "\\" + code)


def _surrogates(text: str) -> str:
    """``\\ud83d\\udc0e`` written as two escapes: the one character they encode."""
    if not re.search("[\ud800-\udfff]", text):
        return text
    return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")


def number(token: Token, feel: bool) -> Any:
    if feel:
        from decimal import Decimal

        from engine.feel import decimals

        # inside run: an exponent past what Decimal holds at all (1e7000999...) is too large, not a crash
        value = decimals.run(lambda text: decimals.exact(Decimal(text)), token.value)
        if value is None:
            raise SemanticError("this number is too large for FEEL", token.start_pos,
                                "FEEL numbers have 34 digits and exponents up to 6144")
        return value
    try:
        value = int(token.value) if token.value.isdigit() else float(token.value)
    except ValueError:  # more digits than Python converts
        raise SemanticError("this number is too long", token.start_pos, "write at most 15 digits") from None
    if isinstance(value, float) and not math.isfinite(value):
        raise SemanticError("this number is too large", token.start_pos, "write a number below 1e300")
    return value


# A decision-table cell's temporal literals written as calls: the call of one text is its value,
# as date("...") is (DMN 1.5 §10.3.2.3); the form each reads, for the hint.
CONVERSIONS = {"date and time": ('date and time("2025-01-15T08:30:00")', "a date and time"),
                "time": ('time("08:30:00")', "a time"), "duration": ('duration("P3M") or duration("PT12H")',
                                                                  "a duration")}


def temporal_literal(name: str, args: tuple[Any, ...], span: Span) -> Literal:
    """The value of ``name("text")`` in a cell; a SemanticError for anything else."""
    from engine.feel import temporal

    example, what = CONVERSIONS[name]
    single = len(args) == 1 and isinstance(args[0], Literal) and isinstance(args[0].value, str)
    if not single:
        raise SemanticError(f"{name}(...) in a decision-table cell takes one text", span.start,
                            f"write e.g. {example}")
    text = args[0].value
    parse = {"date and time": temporal.parse_datetime, "time": temporal.parse_time,
             "duration": temporal.parse_duration}[name]
    try:
        value = parse(text)
    except temporal.Unsupported as error:
        raise SemanticError(f'"{text}" holds {error}, which dtrun cannot hold', args[0].span.start,
                            "write a value within those bounds") from None
    if value is None:
        raise SemanticError(f'"{text}" is not {what}', args[0].span.start, f"write e.g. {example}")
    return Literal(value, span)
