"""The built-in functions, properties and literals of ``engine.feel.vector_expr``'s subset over
columns: FEEL's rounding functions, ``abs`` and ``modulo`` on numbers (``engine.feel.vector_numbers``), the
text functions of one text column (the reference built-in once per distinct text), dates as
days since 1970 (``.year .month .day .weekday``, ``years and months duration`` as
``engine.feel.temporal.months_between`` computes it, ``(date - date).days``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import numpy as np

from engine.feel import builtins, semantics
from engine.feel import vector_numbers as vn
from engine.feel.nodes import Call, Literal, Negative
from engine.feel.semantics import FeelError
from engine.feel.temporal import Unsupported
from engine.feel.vector_numbers import BOOLEAN, DATE, DAYS, MONTHS, NULL, NUMBER, STRING, NotVectorized, V, need

ROUNDING = {"decimal": "half even", "round half up": "half up", "round half down": "half down",
            "round up": "up", "round down": "down", "floor": "floor", "ceiling": "ceiling"}
TEXT = {"string length", "upper case", "lower case", "substring", "contains", "starts with", "ends with"}
EPOCH = np.datetime64("1970-01-01", "D")


def literal(value: Any, n: int) -> V:
    """A literal as a column of ``n`` equal values."""
    none = np.zeros(n, dtype=bool)
    value = semantics.feel_value(value)
    if value is None:
        return V(NULL, np.zeros(n, dtype=np.int64), None, np.ones(n, dtype=bool), none)
    if isinstance(value, bool):
        return V(BOOLEAN, np.full(n, value), None, none, none)
    if isinstance(value, Decimal):
        num, den = vn.rational(value)
        return V(NUMBER, np.full(n, num, dtype=np.int64), np.full(n, den, dtype=np.int64), none, none)
    if isinstance(value, str):
        return V(STRING, np.zeros(n, dtype=np.int64), [value], none, none)
    if type(value) is dt.date:
        return V(DATE, np.full(n, (np.datetime64(value, "D") - EPOCH).astype(np.int64)), None, none, none)
    raise NotVectorized("a literal of this kind")


def call(node: Call, n: int, arg: Callable[[Any], V]) -> V:
    """A built-in function of the subset over columns; ``arg`` evaluates an argument's node."""
    if node.names:
        raise NotVectorized("named arguments")
    name, args = node.name, node.args
    if name in ROUNDING and 1 <= len(args) <= 2:
        if len(args) == 1 and name not in ("floor", "ceiling"):
            raise NotVectorized(f"{name} of one argument")
        places = _literal_int(args[1]) if len(args) == 2 else 0
        v = arg(args[0])
        need(v, NUMBER)
        return vn.rounded(v, places, ROUNDING[name])
    if name == "abs" and len(args) == 1:
        v = arg(args[0])
        need(v, NUMBER)
        return V(NUMBER, np.abs(v.a), v.b, v.null, v.bad, v.approx)
    if name == "modulo" and len(args) == 2:  # a - b * floor(a / b), each step as FEEL computes it
        a, b = arg(args[0]), arg(args[1])
        need(a, NUMBER)
        need(b, NUMBER)
        times = vn.arithmetic("*", b, vn.rounded(vn.arithmetic("/", a, b), 0, "floor"))
        return vn.arithmetic("-", a, times)
    if name == "date" and len(args) == 1 and isinstance(args[0], Literal) and isinstance(args[0].value, str):
        return literal(builtins.BUILTINS["date"].feel(args[0].value), n)  # type: ignore[misc]
    if name == "years and months duration" and len(args) == 2:
        start, end = arg(args[0]), arg(args[1])
        need(start, DATE)
        need(end, DATE)
        return V(MONTHS, _months_between(start.a, end.a), None, start.null | end.null, start.bad | end.bad)
    if name in TEXT and args:
        text = arg(args[0])
        need(text, STRING)
        rest = [_constant(arg) for arg in args[1:]]
        return _per_text(builtins.BUILTINS[name].feel, text, rest, n)  # type: ignore[arg-type]
    raise NotVectorized(f"the function {name}")


def _literal_int(node: Any) -> int:
    value = node.value if isinstance(node, Literal) else None
    if not (isinstance(value, Decimal) and value == value.to_integral_value() and 0 <= value <= vn.MAX_PLACES):
        raise NotVectorized("a scale that is not a literal 0 to 9")
    return int(value)


def _constant(node: Any) -> Any:
    if isinstance(node, Literal) and node.value is not None:
        return semantics.feel_value(node.value)
    if isinstance(node, Negative) and isinstance(node.operand, Literal) and isinstance(node.operand.value, Decimal):
        return -node.operand.value
    raise NotVectorized("an argument that is not a literal")


def _per_text(function: Callable[..., Any], text: V, rest: list[Any], n: int) -> V:
    """A text function, evaluated by the reference once per distinct text (and for null)."""
    try:
        answers = [function(value, *rest) for value in [*text.b, None]]
    except (FeelError, Unsupported, ArithmeticError, ValueError, TypeError):  # the interpreter's to say
        raise NotVectorized("a text function that fails") from None
    codes = np.where(text.a < 0, len(text.b), text.a)
    kinds = {semantics.kind(a) for a in answers} - {semantics.NULL}
    if len(kinds) != 1:  # none (every answer null: of which kind?) or several
        raise NotVectorized("a function of several kinds of value")
    (kind,) = kinds
    null = np.array([a is None for a in answers])[codes]
    if kind == semantics.BOOLEAN:
        return V(BOOLEAN, np.array([a is True for a in answers])[codes], None, null, text.bad)
    if kind == semantics.STRING:
        distinct = sorted({a for a in answers if a is not None})
        position = {a: i for i, a in enumerate(distinct)}
        table = np.array([-1 if a is None else position[a] for a in answers], dtype=np.int64)
        return V(STRING, table[codes], distinct, null, text.bad)
    if kind == semantics.NUMBER:
        pairs = [(0, 1) if a is None else vn.rational(a) for a in answers]
        num = np.array([p[0] for p in pairs], dtype=np.int64)[codes]
        den = np.array([p[1] for p in pairs], dtype=np.int64)[codes]
        return V(NUMBER, num, den, null, text.bad)
    raise NotVectorized(f"a text function giving a {kind}")


def _parts(days: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    dates = EPOCH + days.astype("timedelta64[D]")
    years = dates.astype("datetime64[Y]")
    months = dates.astype("datetime64[M]")
    year = years.astype(np.int64) + 1970
    month = (months - years.astype("datetime64[M]")).astype(np.int64) + 1
    day = (dates - months.astype("datetime64[D]")).astype(np.int64) + 1
    return year, month, day


def _months_between(start: np.ndarray, end: np.ndarray) -> np.ndarray:
    """``engine.feel.temporal.months_between`` over columns of days."""
    (sy, sm, sd), (ey, em, ed) = _parts(start), _parts(end)
    months = (ey - sy) * 12 + em - sm
    return months - ((months > 0) & (ed < sd)) + ((months < 0) & (ed > sd))


def path(v: V, name: str) -> V:
    """A property of a column of dates or durations: ``.year``, ``.days``, ``.years`` ..."""
    whole = np.ones(len(v.a), dtype=np.int64)
    if v.kind == DATE and name in ("year", "month", "day", "weekday"):
        days = np.where(v.null, 0, v.a)
        if name == "weekday":  # 1970-01-01 was a Thursday (4)
            return vn.number((days + 3) % 7 + 1, whole, v.null, v.bad)
        year, month, day = _parts(days)
        return vn.number({"year": year, "month": month, "day": day}[name], whole, v.null, v.bad)
    if v.kind == DAYS and name == "days":
        return vn.number(v.a, whole, v.null, v.bad)
    if v.kind == MONTHS and name in ("years", "months"):
        size = np.abs(v.a)
        part = size // 12 if name == "years" else size % 12
        return vn.number(np.sign(v.a) * part, whole, v.null, v.bad)
    raise NotVectorized(f"the property {name} of a {v.kind}")
