"""Hit policies: what a decision table returns when zero, one or several rules match.

Owns the eleven DMN 1.4 hit policies (``U A P F R O C C+ C< C> C#``), their spellings,
and the scalar resolution of one record's matches into a result.  The vectorized
evaluator resolves whole columns at once and must agree with :func:`resolve`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from engine.feel import values

NAMES = {  # code → the standard's name
    "U": "UNIQUE", "A": "ANY", "P": "PRIORITY", "F": "FIRST", "R": "RULE ORDER", "O": "OUTPUT ORDER",
    "C": "COLLECT", "C+": "COLLECT SUM", "C<": "COLLECT MIN", "C>": "COLLECT MAX", "C#": "COLLECT COUNT",
}
_LONG_NAMES = {name: code for code, name in NAMES.items()}
CODES = tuple(NAMES)
_AGGREGATION_NAMES = {"+": "sum", "<": "minimum", ">": "maximum", "#": "count"}


@dataclass(frozen=True)
class HitPolicy:
    code: str  # one of CODES

    @classmethod
    def parse(cls, text: Any) -> HitPolicy | None:
        """The policy an A1 cell names (``U``, ``C+``, ``COLLECT SUM``, ...), or None."""
        key = " ".join(str(text or "").upper().replace("_", " ").split())
        key = _LONG_NAMES.get(key, key).replace(" ", "")
        return cls(key) if key in CODES else None

    @property
    def name(self) -> str:
        """The standard's name: ``UNIQUE``, ``COLLECT SUM``, ..."""
        return NAMES[self.code]

    @property
    def single_hit(self) -> bool:
        return self.code in ("U", "A", "P", "F")

    @property
    def aggregation(self) -> str | None:
        return self.code[1] if len(self.code) == 2 else None

    @property
    def returns_list(self) -> bool:
        return self.code in ("R", "O", "C")

    @property
    def needs_priorities(self) -> bool:
        return self.code in ("P", "O")

    def empty_result(self, default: Any = None) -> Any:
        """The value of an output when no rule matches: its ``default`` (a DMN model's
        defaultOutputEntry; in a list for R, O and C) where it has one, else null, an empty
        list, or 0 for C#."""
        if default is not None:
            return [default] if self.returns_list else default
        if self.returns_list:
            return []
        return 0 if self.code == "C#" else None

    def __str__(self) -> str:
        return self.code


@dataclass(frozen=True)
class Resolution:
    """One table's answer for one record."""

    outputs: tuple[Any, ...]  # one value (or list) per output column
    fired: tuple[int, ...]  # indexes of the rules that make up the result, in result order
    error: str | None = None
    warning: str | None = None


def priority(value: Any, order: Sequence[Any]) -> int:
    """Position of an output value in the priority list; unknown values come last."""
    for index, candidate in enumerate(order):
        if values.equal(value, candidate) is True:
            return index
    return len(order)


def resolve(
    policy: HitPolicy,
    matched: Sequence[int],
    outputs: Sequence[tuple[Any, ...]],
    rule_ids: Sequence[str],
    priorities: Sequence[Sequence[Any]] = (),
    policy_name: str | None = None,
    defaults: Sequence[Any] = (),
) -> Resolution:
    """Resolve the matched rules (indexes in rule order) given each matched rule's outputs;
    messages name the rules by ``rule_ids`` and the policy by ``policy_name`` (its code by
    default).  ``defaults``: each output's value when no rule matches (None: none), as a DMN
    model's defaultOutputEntry gives it; a table whose every output has one gives no
    'no rule matched' warning."""
    shown = policy_name or policy.code
    width = len(outputs[0]) if outputs else len(priorities) or len(defaults) or 1
    if not matched:
        given = list(defaults) or [None] * width
        warning = "no rule matched" if policy.single_hit and None in given else None
        return Resolution(tuple(policy.empty_result(d) for d in given), (), warning=warning)
    code = policy.code
    if code == "U" and len(matched) > 1:
        return _failure(width, f"rules {_and(rule_ids, matched)} {_all(matched)} match under hit policy {shown}")
    if code == "A" and len(set(map(_key, outputs))) > 1:
        return _failure(width, f"rules {_and(rule_ids, matched)} {_all(matched)} match under hit policy {shown} "
                               "but give different outputs")
    if code in ("U", "A", "F"):
        fired = tuple(matched) if code == "A" else (matched[0],)
        return Resolution(tuple(outputs[0]), fired)
    order = sorted(range(len(matched)), key=lambda i: _rank(outputs[i], priorities))
    if code == "P":
        return Resolution(tuple(outputs[order[0]]), (matched[order[0]],))
    if code == "O":
        return _lists([outputs[i] for i in order], tuple(matched[i] for i in order), width)
    if code in ("R", "C"):
        return _lists(list(outputs), tuple(matched), width)
    return _aggregate(policy, [row[0] for row in outputs], tuple(matched), rule_ids, shown)


def _failure(width: int, message: str) -> Resolution:
    return Resolution(tuple(None for _ in range(width)), (), error=message)


def _lists(rows: list[tuple[Any, ...]], fired: tuple[int, ...], width: int) -> Resolution:
    return Resolution(tuple([row[k] for row in rows] for k in range(width)), fired)


def _aggregate(policy: HitPolicy, items: list[Any], fired: tuple[int, ...], rule_ids: Sequence[str],
               shown: str) -> Resolution:
    op = policy.aggregation
    if op == "#":
        return Resolution((len(items),), fired)
    kinds = {values.kind_of(v) for v in items}
    allowed = {values.NUMBER} if op == "+" else {values.NUMBER, values.STRING, values.DATE, values.DATETIME}
    if len(kinds) != 1 or not kinds <= allowed:
        what = "add" if op == "+" else "order"
        values_shown = ", ".join(_show(v) for v in items)
        return Resolution((None,), fired, error=f"hit policy {shown} cannot {what} the values {values_shown} of rules "
                                                f"{_and(rule_ids, fired)}")
    items = [values.canonical(v) for v in items]
    result = sum(items) if op == "+" else (min(items) if op == "<" else max(items))
    return Resolution((result,), fired)


def _rank(row: tuple[Any, ...], priorities: Sequence[Sequence[Any]]) -> tuple[int, ...]:
    return tuple(priority(value, order) for value, order in zip(row, priorities) if order)


def _key(row: tuple[Any, ...]) -> tuple[Any, ...]:
    return tuple((values.kind_of(v), _hashable(values.canonical(v))) for v in row)


def _hashable(value: Any) -> Any:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    return repr(value) if isinstance(value, list) else value


def _all(items: Sequence[Any]) -> str:
    return "both" if len(items) == 2 else "all"


def _and(rule_ids: Sequence[str], indexes: Sequence[int]) -> str:
    names = [rule_ids[i] for i in indexes]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _show(value: Any) -> str:
    value = values.canonical(value)
    if value is None:
        return "null"
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
