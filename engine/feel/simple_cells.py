"""The commonest cells that are more than plain texts, read without the parser: comma lists
of numbers, names, booleans and null, each alone, after a comparator (``>= 12``) or as an
interval's end (``[1..4]``, ``(2.5..10]``); in an output cell a single number, name, boolean
or null.  About twenty times faster than the LALR parser, whose grammar holds all of FEEL;
``tests/feel/test_plain_cells.py`` checks that the nodes are exactly the parser's and that
every text it does not know is left to the parser (None).
"""

from __future__ import annotations

import re
from typing import Any

from engine.feel.nodes import Comparison, Interval, Literal, Name, Span, UnaryTests

_NUMBER = r"(?:\d+(?:\.(?!\.)\d*)?|(?<!\.)\.\d+)(?:[eE][+-]?\d+)?"
_NAME = r"[^\W\d]\w*(?:\.[^\W\d]\w*)*"
_VALUE = rf"-?{_NUMBER}|{_NAME}"
_ITEM = re.compile(rf"\s*(?:(<=|>=|!=|<|>|=)\s*)?({_VALUE})\s*"
                   rf"|\s*([\[(\]])\s*({_VALUE})\s*\.\.\s*({_VALUE})\s*([\])\[])\s*")
_ONLY = re.compile(rf"\s*({_VALUE})\s*")
_WORDS = {"true": True, "false": False, "null": None}
# Words the grammar reads as keywords (or that start something else): left to the parser.
_KEYWORDS = frozenset({"not", "and", "or", "date", "if", "then", "else", "for", "in", "return", "some", "every",
                       "satisfies", "between", "instance", "function"})


def simple(source: str, start: str) -> Any:
    """The node of a simple cell, as the parser makes it; None for any other text."""
    if start == "expression":
        found = _ONLY.fullmatch(source)
        if not found or found.group(1).startswith("-"):
            return None
        return _value(found.group(1), found.start(1))
    tests: list[Any] = []
    at = 0
    while True:
        found = _ITEM.match(source, at)
        if not found:
            return None
        test = _test(found)
        if test is None:
            return None
        tests.append(test)
        at = found.end()
        if at == len(source):
            break
        if source[at] != ",":
            return None
        at += 1
    return UnaryTests(tuple(tests), False, Span(tests[0].span.start, tests[-1].span.end))


def _test(found: re.Match[str]) -> Any:
    if found.group(2) is not None:
        value = _value(found.group(2), found.start(2))
        if value is None:
            return None
        if found.group(1):
            return Comparison(found.group(1), value, Span(found.start(1), value.span.end))
        return Comparison("=", value, value.span)
    low, high = _value(found.group(4), found.start(4)), _value(found.group(5), found.start(5))
    if low is None or high is None:
        return None
    return Interval(low, high, found.group(3) == "[", found.group(6) == "]", Span(found.start(3), found.end(6)))


def _value(text: str, at: int) -> Literal | Name | None:
    word = text.lower()
    if word in _WORDS:
        return Literal(_WORDS[word], Span(at, at + len(text)))
    if text[0].isdigit() or text[0] in "-.":
        digits = text.lstrip("-")
        if len(digits.replace(".", "").split("e")[0].split("E")[0]) > 15:
            return None  # the parser's own number checks apply
        try:
            value: Any = int(digits) if digits.isdigit() else float(digits)
        except ValueError:
            return None
        if value != value or value in (float("inf"), float("-inf")):
            return None
        return Literal(-value if text.startswith("-") else value, Span(at, at + len(text)))
    if any(part.lower() in _KEYWORDS or part.lower() in _WORDS for part in text.split(".")):
        return None
    return Name(text, Span(at, at + len(text)))
