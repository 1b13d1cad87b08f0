"""Cells over list inputs in DMN: dtrun's cells written as standard FEEL, and read back.

A cell over a list input (``list of string``) matches a list that holds an element its tests
accept (``not(...)``: none); a missing list is tested as any missing value.  Standard FEEL
says this with ``?``: ``"Fever"`` is written ``list contains(?, "Fever")``; any other tests T
``some e in ? satisfies e in (T)``, ``not(T)`` ``every e in ? satisfies not(e in (T))``, each
guarded for a missing list (``? != null and ...``, or ``? = null or ...`` where the cell
matches the missing value).  Allowed values of a table's column over a list (inputValues)
constrain every element: ``every e in ? satisfies e in (T)``.  ``plain_cell`` reads these
shapes back into dtrun's cells; other FEEL with ``?`` is refused as before.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from engine.feel.conditions import CompiledUnaryTests
from engine.feel.syntax import Comparison, Literal, UnaryTests
from engine.feel.unparse import FeelWriteError, unary_tests

_GUARD = re.compile(r"^\?\s*(?P<op>!=|=)\s*null\s+(and|or)\s+\((?P<body>.+)\)$", re.S)
_CONTAINS = re.compile(r"^list contains\(\s*\?\s*,\s*(?P<tests>.+)\)$", re.S)
_SOME = re.compile(r"^some e in \? satisfies e in \((?P<tests>.+)\)$", re.S)
_EVERY_NOT = re.compile(r"^every e in \? satisfies not\(e in \((?P<tests>.+)\)\)$", re.S)
_EVERY = re.compile(r"^every e in \? satisfies e in \((?P<tests>.+)\)$", re.S)


def cell_text(cell: CompiledUnaryTests, rename: Callable[[str], str]) -> str:
    """A rule's cell over a list input, as FEEL unary tests with ``?``."""
    node = cell.node
    if node.any_value:
        return "-"
    if any(isinstance(t, Comparison) and t.op == "!=" for t in node.tests):
        raise FeelWriteError("a test of a list's elements cannot use '!=' in DMN (e in (...) takes positive tests)",
                             'write the values an element may have, e.g. "a", "b", or not(...) of a list that '
                             "holds only the value")
    inner = unary_tests(UnaryTests(node.tests, False, node.span), rename)
    null = cell.matches(None)
    single = len(node.tests) == 1 and isinstance(node.tests[0], Comparison) and node.tests[0].op == "=" and \
        isinstance(node.tests[0].endpoint, Literal) and node.tests[0].endpoint.value is not None
    if single and not node.negated and not null:
        return f"list contains(?, {inner})"  # a missing list: null, which is no match
    body = (f"every e in ? satisfies not(e in ({inner}))" if node.negated else
            f"some e in ? satisfies e in ({inner})")
    return f"? = null or ({body})" if null else f"? != null and ({body})"


def allowed_text(allowed: CompiledUnaryTests, rename: Callable[[str], str]) -> str:
    """A list column's allowed values (every element), as FEEL unary tests with ``?``."""
    return f"? = null or (every e in ? satisfies e in ({unary_tests(allowed.node, rename)}))"


def plain_cell(text: str) -> tuple[str, bool | None, str] | None:
    """A FEEL entry of one of the shapes above as dtrun's cell, with what its guard says of a
    missing list (None: no guard) and whether it tests ``any`` element (a rule's cell) or
    ``all`` (allowed values, which then allow null where the guard does); None when the text
    is not of these shapes."""
    text = text.strip()
    if "?" not in text:
        return None
    found = _CONTAINS.match(text)
    if found:
        return found["tests"].strip(), False, "any"
    null: bool | None = None
    guarded = _GUARD.match(text)
    if guarded and (guarded["op"] == "=") == (guarded[2] == "or"):  # ? = null or (...), ? != null and (...)
        text, null = guarded["body"].strip(), guarded["op"] == "="
    for pattern, negated, each in ((_EVERY_NOT, True, "any"), (_SOME, False, "any"), (_EVERY, False, "all")):
        found = pattern.match(text)
        if found:
            tests = found["tests"].strip()
            if each == "all":
                return (f"{tests}, null" if null else tests), null, each
            return (f"not({tests})" if negated else tests), null, each
    return None
