"""Cell texts between dtrun's condition language and standard FEEL, both ways.

Owns two small translations that DMN interchange needs:

* AST → standard FEEL text (for export): ``≥`` becomes ``>=``, typographic quotes become
  ``"``, ``]1..5]`` becomes ``(1..5]``, ``TRUE`` becomes ``true``, ``!= x`` becomes
  ``not(x)``, numbers are written without exponents, and every name is written as the DMN
  model spells it (``rename``: a single-output table's ``t.out`` is the decision ``t``).
* FEEL text → dtrun text (for import): DMN names, which may contain spaces and other
  characters (``Approval Status``, ``Approved/Declined``), are replaced by dtrun
  identifiers outside string literals; everything else is left as the author wrote it.

A cell that standard FEEL cannot say in S-FEEL raises :class:`FeelWriteError`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

from engine._core.errors import DtrunError
from engine.feel import temporal
from engine.feel.syntax import (
    Arithmetic,
    Call,
    Compare,
    Comparison,
    Expr,
    Interval,
    Literal,
    Logical,
    Name,
    Negative,
    Not,
    PositiveTest,
    UnaryTests,
)

Rename = Callable[[str], str]


class FeelWriteError(DtrunError):
    """A dtrun cell that standard S-FEEL cannot express; ``hint`` says how to rewrite it."""

    def __init__(self, message: str, hint: str) -> None:
        self.message, self.hint = message, hint
        super().__init__(f"{message}. {hint}")


def _same(name: str) -> str:
    return name


# ---------------------------------------------------------------------- AST → FEEL
def literal(value: Any) -> str:
    """A value as a FEEL literal."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return format(Decimal(repr(value)), "f")
    if isinstance(value, dt.datetime):  # the conversion calls every DMN version reads, not @"..."
        return f'date and time("{temporal.to_text(value)}")'
    if isinstance(value, dt.date):
        return f'date("{value.isoformat()}")'
    if isinstance(value, dt.time):
        return f'time("{temporal.to_text(value)}")'
    if isinstance(value, (dt.timedelta, temporal.YearsMonths)):
        return f'duration("{temporal.to_text(value)}")'
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace(
        "\r", "\\r").replace("\t", "\\t") + '"'


def unary_tests(node: UnaryTests, rename: Rename = _same) -> str:
    """An input cell in standard S-FEEL."""
    if node.any_value:
        return "-"
    tests = node.tests
    if not node.negated and len(tests) == 1 and isinstance(tests[0], Comparison) and tests[0].op == "!=":
        return f"not({_endpoint(tests[0].endpoint, rename)})"
    if any(isinstance(t, Comparison) and t.op == "!=" for t in tests):
        raise FeelWriteError("S-FEEL has no '!=' test inside a list or a not(...)",
                             "write the cell as not(...) of the values it excludes")
    body = ", ".join(_positive(t, rename) for t in tests)
    return f"not({body})" if node.negated else body


def _positive(test: PositiveTest, rename: Rename) -> str:
    if isinstance(test, Interval):
        start = "[" if test.low_closed else "("
        end = "]" if test.high_closed else ")"
        return f"{start}{_endpoint(test.low, rename)}..{_endpoint(test.high, rename)}{end}"
    endpoint = _endpoint(test.endpoint, rename)
    return endpoint if test.op == "=" else f"{test.op} {endpoint}"


def _endpoint(node: Any, rename: Rename) -> str:
    return rename(node.name) if isinstance(node, Name) else literal(node.value)


_LEVEL = {"or": 1, "and": 2, "compare": 3, "+": 4, "-": 4, "*": 5, "/": 5, "**": 6}


def expression(node: Expr, rename: Rename = _same) -> str:
    """An output cell in standard FEEL, with as few parentheses as keep its meaning."""
    return _expr(node, rename)


def _level(node: Expr) -> int:
    if isinstance(node, Logical):
        return _LEVEL[node.op]
    if isinstance(node, Compare):
        return _LEVEL["compare"]
    if isinstance(node, Arithmetic):
        return _LEVEL[node.op]
    if isinstance(node, Negative):
        return 7
    return 8


def _expr(node: Expr, rename: Rename) -> str:
    if isinstance(node, Literal):
        return literal(node.value)
    if isinstance(node, Name):
        return rename(node.name)
    if isinstance(node, Not):
        return f"not({_expr(node.operand, rename)})"
    if isinstance(node, Call):
        return f"{node.name}({', '.join(_expr(arg, rename) for arg in node.args)})"
    if isinstance(node, Negative):
        operand = _expr(node.operand, rename)
        return f"-{operand}" if _level(node.operand) == 8 and not operand.startswith("-") else f"-({operand})"
    level = _level(node)
    left, right = _expr(node.left, rename), _expr(node.right, rename)  # type: ignore[union-attr]
    left_level, right_level = _level(node.left), _level(node.right)  # type: ignore[union-attr]
    power = isinstance(node, Arithmetic) and node.op == "**"
    if left_level < level or (power and left_level <= 7) or (level == 3 and left_level == 3):
        left = f"({left})"
    if right_level < level or right_level == level or (level == 3 and right_level == 3):
        right = f"({right})"
    return f"{left} {node.op} {right}"  # type: ignore[union-attr]


# ---------------------------------------------------------------------- FEEL → dtrun
_NAME_CHAR = re.compile(r"\w")
_STRING = re.compile(r'"(\\.|[^"\\])*"?|“[^”]*”?')


def rename_names(text: str, names: Mapping[str, str], members: Mapping[str, Mapping[str, str]] | None = None) -> str:
    """``text`` with every DMN name of ``names`` replaced by its dtrun name, outside strings.

    Longer names win (``Approval Status`` before ``Approval``); a name must not run on into
    letters or digits, nor be called (``odd(?)`` calls FEEL's odd, whatever a decision
    ``odd``).  ``members[name]`` maps the output names of a multi-output decision:
    ``Approval.Approved/Declined`` → ``Approval.Approved_Declined``.
    """
    ordered = sorted((name for name in names if name), key=len, reverse=True)  # "" would match everywhere, forever
    if not ordered:
        return text
    out, at = [], 0
    while at < len(text):
        string = _STRING.match(text, at) if text[at] in '"“' else None
        if string:
            out.append(string.group(0))
            at = string.end()
            continue
        found = None
        if (at == 0 or not _NAME_CHAR.match(text[at - 1])) and not text[at].isspace():
            found = next((n for n in ordered if text.startswith(n, at) and _ends_word(text, at + len(n))
                          and not _CALL.match(text, at + len(n))), None)  # odd(?) calls a function, not odd
        if found is None:
            out.append(text[at])
            at += 1
            continue
        out.append(names[found])
        at += len(found)
        member = _member(text, at, (members or {}).get(found, {}))
        if member:
            out.append("." + member[1])
            at += 1 + len(member[0])
    return "".join(out)


_CALL = re.compile(r"\s*\(")


def _ends_word(text: str, end: int) -> bool:
    return end >= len(text) or not _NAME_CHAR.match(text[end])


def _member(text: str, at: int, outputs: Mapping[str, str]) -> tuple[str, str] | None:
    if not outputs or not text.startswith(".", at):
        return None
    for name in sorted(outputs, key=len, reverse=True):
        if text.startswith(name, at + 1) and _ends_word(text, at + 1 + len(name)):
            return name, outputs[name]
    return None
