"""FEEL's list functions (DMN 1.5 §10.3.4.4 and §10.3.4.7): membership, aggregates (``count``,
``min``, ``sum``, ``mean``, ``median``, ``stddev``, ``mode``, ``product``, ``all``, ``any``),
building lists (``sublist``, ``append``, ``concatenate``, ``insert before``, ``remove``,
``reverse``, ``union``, ``distinct values``, ``flatten``, ``list replace``) and ``sort``.
An aggregate of anything but its kind of item gives null; so does a position out of range."""

from __future__ import annotations

import functools
from decimal import Decimal
from typing import Any

from engine.feel import decimals, semantics
from engine.feel.library import as_list, function, items, truncated, whole
from engine.feel.semantics import Function


def _contains(list_: Any, element: Any) -> Any:
    if not isinstance(list_, list):
        return None
    return any(semantics.equal(item, element) is True for item in list_)


def _count(list_: Any) -> Any:
    return Decimal(len(list_)) if isinstance(list_, list) else None


def _extreme(op: str) -> Any:
    def apply(*args: Any) -> Any:
        values = items(args)
        if not values:
            return None
        best = values[0]
        for value in values[1:]:
            better = semantics.compare(op, value, best)
            if better is None:
                return None
            if better:
                best = value
        if len(values) == 1 and semantics.kind(best) not in semantics.ORDERED:
            return None
        return best
    return apply


def _numbers(args: tuple[Any, ...]) -> list[Decimal] | None:
    values = items(args)
    if values is None or not all(isinstance(v, Decimal) for v in values):
        return None
    return values


def _sum(*args: Any) -> Any:
    values = _numbers(args)
    if not values:
        return None
    return decimals.run(lambda: sum(values, Decimal(0)))


def _mean(*args: Any) -> Any:
    values = _numbers(args)
    if not values:
        return None
    return decimals.run(lambda: sum(values, Decimal(0)) / len(values))


def _product(*args: Any) -> Any:
    values = _numbers(args)
    if not values:
        return None
    return decimals.run(lambda: functools.reduce(lambda a, b: a * b, values, Decimal(1)))


def _median(*args: Any) -> Any:
    values = _numbers(args)
    if not values:
        return None
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return decimals.run(lambda: (ordered[middle - 1] + ordered[middle]) / 2)


def _stddev(*args: Any) -> Any:
    values = _numbers(args)
    if not values or len(values) < 2:
        return None

    def compute() -> Decimal:
        mean = sum(values, Decimal(0)) / len(values)
        return (sum(((v - mean) ** 2 for v in values), Decimal(0)) / (len(values) - 1)).sqrt()
    return decimals.run(compute)


def _mode(*args: Any) -> Any:
    values = _numbers(args)
    if values is None:
        return None
    counts: dict[Decimal, int] = {}
    for value in values:
        counts[value] = counts.get(value, 0) + 1
    if not counts:
        return []
    most = max(counts.values())
    return sorted(v for v, c in counts.items() if c == most)


def _all(*args: Any) -> Any:
    values = items(args)
    if values is None:
        return None
    if any(not isinstance(v, bool) and v is not None for v in values):
        return None
    result: bool | None = True
    for value in values:
        result = semantics.and_(result, value)
    return result


def _any(*args: Any) -> Any:
    values = items(args)
    if values is None:
        return None
    if any(not isinstance(v, bool) and v is not None for v in values):
        return None
    result: bool | None = False
    for value in values:
        result = semantics.or_(result, value)
    return result


def _position(values: list[Any], position: Any) -> int | None:
    index = truncated(position)
    if index is None or index == 0 or abs(index) > len(values):
        return None
    return index - 1 if index > 0 else len(values) + index


def _sublist(list_: Any, start: Any, length: Any = None) -> Any:
    values = as_list(list_)
    if values is None:
        return None
    first = _position(values, start)
    if first is None:
        return None
    if length is None:
        return values[first:]
    count = whole(length)
    if count is None or count < 0 or first + count > len(values):
        return None
    return values[first:first + count]


def _append(list_: Any, *new: Any) -> Any:
    values = as_list(list_)
    return None if values is None else [*values, *new]


def _concatenate(*lists: Any) -> Any:
    result: list[Any] = []
    for value in lists:
        if not isinstance(value, list):
            return None
        result.extend(value)
    return result


def _insert_before(list_: Any, position: Any, new: Any) -> Any:
    values = as_list(list_)
    if values is None:
        return None
    at = _position(values, position)
    return None if at is None else [*values[:at], new, *values[at:]]


def _remove(list_: Any, position: Any) -> Any:
    values = as_list(list_)
    if values is None:
        return None
    at = _position(values, position)
    return None if at is None else [*values[:at], *values[at + 1:]]


def _reverse(list_: Any) -> Any:
    values = as_list(list_)
    return None if values is None else values[::-1]


def _index_of(list_: Any, match: Any) -> Any:
    values = as_list(list_)
    if values is None:
        return None
    return [Decimal(i + 1) for i, v in enumerate(values) if semantics.equal(v, match) is True]


def _distinct(values: list[Any]) -> list[Any]:
    kept: list[Any] = []
    for value in values:
        if not any(semantics.equal(k, value) is True for k in kept):
            kept.append(value)
    return kept


def _union(*lists: Any) -> Any:
    joined = _concatenate(*(as_list(v) if v is not None else v for v in lists))
    return None if joined is None else _distinct(joined)


def _distinct_values(list_: Any) -> Any:
    values = as_list(list_)
    return None if values is None else _distinct(values)


def _flatten(list_: Any) -> Any:
    if not isinstance(list_, list):
        return None
    result: list[Any] = []
    stack = [iter(list_)]
    while stack:
        for value in stack[-1]:
            if isinstance(value, list):
                stack.append(iter(value))
                break
            result.append(value)
        else:
            stack.pop()
    return result


def _sort(list_: Any, precedes: Any = None) -> Any:
    values = as_list(list_)
    if values is None:
        return None
    if precedes is None:
        if not values:
            return []
        if any(semantics.compare("<", values[0], v) is None for v in values[1:]):
            return None
        if values and semantics.kind(values[0]) not in semantics.ORDERED:
            return None if len(values) > 1 else values
        return sorted(values, key=functools.cmp_to_key(lambda a, b: -1 if semantics.compare("<", a, b) else
                                                       (1 if semantics.compare(">", a, b) else 0)))
    if not isinstance(precedes, Function):
        return None
    def order(a: Any, b: Any) -> int:
        if semantics.call(precedes, [a, b]) is True:
            return -1
        return 1 if semantics.call(precedes, [b, a]) is True else 0
    return sorted(values, key=functools.cmp_to_key(order))


def _list_replace(list_: Any, position: Any, new: Any) -> Any:
    values = as_list(list_)
    if values is None:
        return None
    if isinstance(position, Function):
        if position.parameters is not None and len(position.parameters) != 2:
            return None
        matched = [semantics.call(position, [v, new]) for v in values]
        if not all(isinstance(m, bool) for m in matched):
            return None
        return [new if m else v for m, v in zip(matched, values)]
    at = _position(values, position)
    return None if at is None else [*values[:at], new, *values[at + 1:]]


FUNCTIONS = [
    function("list contains", "list, element", _contains),
    function("count", "list", _count),
    function("min", "list...", _extreme("<")),
    function("max", "list...", _extreme(">")),
    function("sum", "list...", _sum),
    function("mean", "list...", _mean),
    function("product", "list...", _product),
    function("median", "list...", _median),
    function("stddev", "list...", _stddev),
    function("mode", "list...", _mode),
    function("all", "list...", _all),
    function("any", "list...", _any),
    function("sublist", "list, start position[, length]", _sublist),
    function("append", "list, item...", _append),
    function("concatenate", "list...", _concatenate),
    function("insert before", "list, position, newItem", _insert_before),
    function("remove", "list, position", _remove),
    function("reverse", "list", _reverse),
    function("index of", "list, match", _index_of),
    function("union", "list...", _union),
    function("distinct values", "list", _distinct_values),
    function("flatten", "list", _flatten),
    function("sort", "list[, precedes]", _sort),
    function("list replace", "list, position, newItem | list, match, newItem", _list_replace),
]
