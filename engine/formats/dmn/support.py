"""What dtrun does not run in a DMN model, found before it could be run with another meaning.

Owns the checks that refuse, with the element and its place named: an expression language
other than FEEL wherever it is declared (the model's default on ``definitions``, an input
expression, an entry, allowed values, a default output), a FEEL constant or keyword as an
input expression (``true``, ``null``, ``not``: a value, never the name of an input), an output entry
whose literal contradicts the type the decision declares for it, and decisions that require
each other in a cycle (through ``informationRequirement``).  The
reader (``engine.formats.dmn.importer``) calls them; each finds, the reader reports.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Iterator
from typing import Any

from engine._core.errors import ConditionError
from engine.feel.syntax import Comparison, Literal, Negative, parse_expression, parse_unary_tests
from engine.formats.dmn.names import local_name

# The start of the hint of a construct the decision tables refuse but the DRG evaluator runs:
# dtrun evaluate falls back to it (engine.cli.drg), the other commands need decision tables.
DRG_RUNS = ("run the model as it is with dtrun evaluate (on the DRG evaluator, record by record); for lint, "
            "show, diff and convert, ")

FEEL_KEYWORDS = frozenset({"true", "false", "null", "not", "and", "or"})
LANGUAGE_PARTS = {"inputExpression", "inputValues", "outputValues", "defaultOutputEntry", "inputEntry",
                  "outputEntry"}


def is_feel(language: str | None) -> bool:
    """Whether an ``expressionLanguage`` URI (or name) is FEEL; no attribute means the default."""
    return not language or "feel" in language.lower()


def foreign_languages(element: Any) -> Iterator[tuple[Any, str]]:
    """(element, language) for each expression inside ``element`` that declares a language
    other than FEEL (what the model's own default says is checked on ``definitions``)."""
    for found in element.iter():
        language = found.get("expressionLanguage")
        if local_name(found) in LANGUAGE_PARTS and not is_feel(language):
            yield found, language


def keyword_expression(text: str) -> bool:
    """Whether an input expression is a FEEL keyword or constant (``true``, ``null``, ``not``),
    which names no input."""
    return text.strip().lower() in FEEL_KEYWORDS


def literal_kind(entry: str | Any) -> str | None:
    """``number``, ``string``, ``boolean`` or ``date`` for an entry (a text, or a parsed node)
    that is a FEEL literal of that kind (``-5`` included); None for null, for anything
    computed, or for what does not parse."""
    try:
        node = parse_expression(entry) if isinstance(entry, str) else entry
    except ConditionError:
        return None
    if isinstance(node, Negative):
        node = node.operand
    if not isinstance(node, Literal) or node.value is None:
        return None
    value = node.value
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, str):
        return "string"
    if isinstance(value, dt.datetime):
        return "date and time"
    if isinstance(value, dt.date):
        return "date"
    return _TEMPORAL_KINDS.get(type(value).__name__, "number")


_TEMPORAL_KINDS = {"time": "time", "timedelta": "days and time duration", "YearsMonths": "years and months duration"}


def test_kinds(text: str) -> set[str]:
    """The kinds of the literals a unary test compares with (``< 18``: number; ``"a","b"``:
    string); empty for ``-``, null, names, or what does not parse."""
    try:
        node = parse_unary_tests(text)
    except ConditionError:
        return set()
    kinds = set()
    for test in node.tests:
        for endpoint in (test.endpoint,) if isinstance(test, Comparison) else (test.low, test.high):
            kind = literal_kind(endpoint)
            if kind:
                kinds.add(kind)
    return kinds


def same_kind(declared: str, found: str) -> bool:
    return declared == found or {declared, found} <= {"number", "integer"}


_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')
_PACKED = re.compile(r"(?<![\w.])(\d+),(?=\d)")


def spaced_lists(text: str) -> tuple[str, list[str]]:
    """A DMN unary test with its lists of numbers written as dtrun's cells write them: ``1,2,3``
    is the FEEL list ``1, 2, 3`` in a model a tool wrote (a workbook cell refuses it, as an
    Excel decimal comma may hide there).  Also returns the parts that look like a decimal comma:
    two numbers whose second has one or two digits (``1,5``, ``0,25``)."""
    parts, looks, last = [], [], 0
    for string in [*_STRING.finditer(text), None]:
        end = string.start() if string else len(text)
        piece = text[last:end]
        looks += [m.group() for m in re.finditer(r"(?<![\w.,])\d+,\d{1,2}(?![\w.,])", piece)]
        parts.append(_PACKED.sub(r"\1, ", piece))
        if string:
            parts.append(string.group())
            last = string.end()
    return "".join(parts), looks


def requirement_cycles(requires: dict[str, list[str]]) -> list[list[str]]:
    """The cycles of a 'requires' graph (decision id → the ids it requires), each a path that
    comes back to its start, each cycle once (from its first decision in document order)."""
    cycles: list[list[str]] = []
    seen: set[frozenset[str]] = set()
    state: dict[str, str] = {}

    def visit(node: str, path: list[str]) -> None:
        if state.get(node) == "done":
            return
        if state.get(node) == "active":
            cycle = path[path.index(node):] + [node]
            if frozenset(cycle) not in seen:
                seen.add(frozenset(cycle))
                cycles.append(cycle)
            return
        state[node] = "active"
        for target in requires.get(node, ()):
            if target in requires:
                visit(target, path + [node])
        state[node] = "done"

    for node in requires:
        visit(node, [])
    return cycles


def required_ids(decision: Any, children: Any) -> Iterable[str]:
    """The ids of the decisions ``decision`` requires (``informationRequirement/requiredDecision``)."""
    for requirement in children(decision, "informationRequirement"):
        for required in children(requirement, "requiredDecision"):
            yield required.get("href", "").lstrip("#")
