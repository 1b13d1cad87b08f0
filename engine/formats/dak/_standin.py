"""A stand-in for ``engine.feel.dak`` (the dak-grammar branch) until it is merged: the same
interface, reading only the commonest shapes of DAK pseudo-code.  Delete after the merge."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field

from engine._core.errors import ConditionError
from engine.feel.syntax import Span, UnaryTests, parse_unary_tests


class DakSyntaxError(ConditionError):
    pass


@dataclass(frozen=True)
class ElementTest:
    element: str
    tests: UnaryTests
    unit: str
    span: Span
    text: str


@dataclass(frozen=True)
class DakCondition:
    alternatives: tuple[tuple[ElementTest, ...], ...]
    unsatisfiable: tuple[str, ...] = ()
    notes: tuple[str, ...] = field(default=())


_OPS = {"=": "=", "≠": "!=", "!=": "!=", "<": "<", "≤": "<=", "<=": "<=", ">": ">", "≥": ">=", ">=": ">="}
_NUM = r"-?\d+(?:\.\d+)?"
_UNIT = r"(?:\s*(%|[A-Za-z°/]+))?"
_VALUE = rf'("[^"]*"|TRUE|FALSE|{_NUM}{_UNIT})'
_OP = r"(=|≠|!=|≤|<=|≥|>=|<|>)"
_SIMPLE = re.compile(rf'^"([^"]+)"\s*{_OP}\s*{_VALUE}((?:\s+OR\s+"[^"]*")*)$')
_RANGE = re.compile(rf"^({_NUM}){_UNIT}\s*(<|≤|<=)\s*\"([^\"]+)\"\s*(<|≤|<=)\s*({_NUM}){_UNIT}$")
_OPTIONAL = re.compile(r'^"([^"]+)"\s+IS\s+(OPTIONAL|NOT NULL)$', re.I)


def _literal(value: str) -> tuple[str, str]:
    if value.startswith('"'):
        return value, ""
    if value in ("TRUE", "FALSE"):
        return value.lower(), ""
    number = re.match(_NUM, value)
    assert number
    return number.group(0), value[number.end():].strip()


def _one(text: str, offset: int) -> ElementTest:
    text = text.strip()
    if match := _OPTIONAL.match(text):
        cell = "-" if match.group(2).upper() == "OPTIONAL" else "not(null)"
        return ElementTest(match.group(1), parse_unary_tests(cell), "", Span(offset, offset + len(text)), cell)
    if match := _SIMPLE.match(text):
        name, op, value, more = match.group(1), _OPS[match.group(2)], match.group(3), match.group(5) or ""
        literal, unit = _literal(value)
        extra = re.findall(r'"[^"]*"', more)
        if op == "=":
            cell = ",".join([literal, *extra])
        elif op == "!=":
            cell = f"not({','.join([literal, *extra])})"
        else:
            cell = f"{op} {literal}"
        return ElementTest(name, parse_unary_tests(cell), unit, Span(offset, offset + len(text)), cell)
    if match := _RANGE.match(text):
        low, unit, lop, name, hop, high = (match.group(i) for i in (1, 2, 3, 4, 5, 6))
        cell = f"{'[' if lop != '<' else '('}{low}..{high}{']' if hop != '<' else ')'}"
        return ElementTest(name, parse_unary_tests(cell), unit or "", Span(offset, offset + len(text)), cell)
    quotes = text.count('"')
    hint = "balance the quotes around the data element's name and its value" if quotes % 2 else None
    raise DakSyntaxError("cannot read this condition", text, 1, hint)


def _split(text: str, word: str) -> list[str]:
    parts, depth, quoted, start = [], 0, False, 0
    pattern = re.compile(rf"\s+{word}\s+")
    i = 0
    while i < len(text):
        if text[i] == '"':
            quoted = not quoted
        if not quoted and (m := pattern.match(text, i)) and not re.match(r'\s*"[^"]*"\s*($|OR|AND)', text[m.end():]
                                                                           ) or (not quoted and (m := pattern.match(
                                                                               text, i)) and word == "AND"):
            parts.append(text[start:i])
            start = i = m.end()
            continue
        i += 1
    del depth
    return [*parts, text[start:]]


def read_condition(text: str) -> DakCondition:
    text = " ".join(text.replace("\u201c", '"').replace("\u201d", '"').split())
    if text in ("", "-", "–", "—"):
        return DakCondition(((),))
    alternatives = []
    for alternative in _split(text, "OR"):
        alternatives.append(tuple(_one(part, text.find(part)) for part in _split(alternative, "AND")))
    return DakCondition(tuple(alternatives))


def suggest_name(name: str, known: list[str] | tuple[str, ...] | set[str]) -> tuple[str, str] | None:
    folded = {" ".join(k.split()).casefold(): k for k in known}
    key = " ".join(name.split()).casefold()
    if key in folded:
        return folded[key], "case and spaces"
    close = difflib.get_close_matches(key, list(folded), n=1, cutoff=0.9)
    return (folded[close[0]], "a typo") if close else None
