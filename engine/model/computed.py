"""Computed inputs: an input whose value is a FEEL expression over other inputs.

Owns the compiled form of an ``Inputs`` sheet's ``Expression`` cell (a DMN input clause's
``inputExpression`` that is more than a name): :class:`Computed` (its text, its FEEL AST,
the inputs it reads), the refusals made when it is compiled (a name that is no input, a
function whose value depends on the moment it is called: ``now()``, ``today()``), and the
order computed inputs are computed in (each after the computed inputs it reads) with the
cycles among them.  Their evaluation is ``engine.evaluation.computed``'s.
"""

from __future__ import annotations

import dataclasses
import difflib
from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from lark.exceptions import LarkError

from engine._core.errors import ConditionError
from engine._core.order import ordered_with_cycles
from engine.feel import builtins
from engine.feel.nodes import Call, ContextOf, Filter, For, FunctionDef, Name, Quantified
from engine.feel.syntax import parse_feel_expression
from engine.feel.temporal import Unsupported

NOT_DETERMINISTIC = ("now", "today")


@dataclass(frozen=True)
class Computed:
    """An input's expression: ``text`` as written, ``node`` its FEEL AST, ``names`` the inputs
    it reads (sorted)."""

    text: str
    node: Any
    names: tuple[str, ...]


def compile_computed(text: str, inputs: Collection[str]) -> Computed:
    """The expression ``text`` over ``inputs`` (the names it may read), or ConditionError at
    the column of what is wrong, with a hint."""
    try:
        node = parse_feel_expression(text, inputs)
    except LarkError:  # a number beyond what a decimal can hold (1e70009999999...): the parser gives up
        raise ConditionError("a number in it is beyond what FEEL can hold", text, 1,
                             "write numbers of at most 34 digits and exponents within ±6144") from None
    except Unsupported as error:  # a value this implementation cannot hold (@"10:00:00.123456789")
        raise ConditionError(f"it holds a value dtrun cannot hold: {error}", text, 1,
                             "write times to the microsecond and durations shorter than 999,999,999 days") from None
    used: set[str] = set()
    for found, bound, in_filter in _names(node, frozenset(), False):
        if isinstance(found, Call):
            if found.name in NOT_DETERMINISTIC:
                raise ConditionError(f"{found.name}() gives a different value each time it is evaluated", text,
                                     found.span.start + 1, "pass the date as an input of its own (e.g. "
                                     "assessment_date) and compute from it", end_column=found.span.end)
            continue
        name = found.name
        head = name if name in inputs else name.partition(".")[0]
        if head in bound:
            continue
        if head in inputs:
            used.add(head)
        elif not in_filter and builtins.lookup(head) is None:
            close = difflib.get_close_matches(head, list(inputs), n=1)
            error = ConditionError(f"{head} is not a known input", text, found.span.start + 1,
                                   f"did you mean {close[0]}?" if close else
                                   "use the name of another input from the Inputs sheet",
                                   end_column=found.span.end)
            error.unknown = (head, close[0] if close else None, False)
            raise error
    return Computed(str(text), node, tuple(sorted(used)))


def _names(node: Any, bound: frozenset[str], in_filter: bool) -> Iterator[tuple[Any, frozenset[str], bool]]:
    """Every name and built-in call in ``node``, with the names bound around it (iteration
    variables, parameters, context entries) and whether it stands in a filter's condition
    (where a name may be a key of the list's items)."""
    if isinstance(node, Name):
        yield node, bound, in_filter
        return
    if isinstance(node, Call):
        yield node, bound, in_filter
    if isinstance(node, (For, Quantified)):
        inner = bound
        for iteration in node.iterations:
            yield from _names(iteration.source, inner, in_filter)
            if iteration.end is not None:
                yield from _names(iteration.end, inner, in_filter)
            inner = inner | {iteration.name}
        yield from _names(node.body if isinstance(node, For) else node.condition, inner, in_filter)
        return
    if isinstance(node, FunctionDef):
        yield from _names(node.body, bound | set(node.parameters), in_filter)
        return
    if isinstance(node, ContextOf):
        inner = bound
        for key, value in node.entries:
            yield from _names(value, inner, in_filter)
            inner = inner | {key}
        return
    if isinstance(node, Filter):
        yield from _names(node.target, bound, in_filter)
        yield from _names(node.condition, bound | {"item"}, True)
        return
    if not dataclasses.is_dataclass(node):
        return
    for field in dataclasses.fields(node):
        value = getattr(node, field.name)
        for item in (value if isinstance(value, tuple) else (value,)):
            if dataclasses.is_dataclass(item):
                yield from _names(item, bound, in_filter)


def computed_order(expressions: Mapping[str, Computed]) -> tuple[list[str], list[list[str]]]:
    """The computed inputs (name → expression), each after the computed inputs it reads, and
    the cycles found (each a path back to its start: ``[a, b, a]``)."""
    return ordered_with_cycles(expressions, lambda name: [r for r in expressions[name].names if r in expressions])


def read_through(inputs: Mapping[str, Any], names: Collection[str]) -> set[str]:
    """``names`` with every input the computed inputs among them read, through other computed
    inputs (``inputs``: name → InputDef): what a table reading ``names`` needs from a record."""
    found, todo = set(names), list(names)
    while todo:
        definition = inputs.get(todo.pop())
        for read in definition.expression.names if definition is not None and definition.expression else ():
            if read not in found:
                found.add(read)
                todo.append(read)
    return found
