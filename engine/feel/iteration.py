"""The values a FEEL iteration takes (``for``, ``some``, ``every``): ``1..3``, dates one day
apart, the whole numbers or dates of a range (``[1..5)``), a list's items, or None where the
source cannot be iterated (``"a".."z"``, ``[2..1]``); at most :data:`MAX_ITEMS` of them, else
:class:`~engine.feel.semantics.FeelError`.  Values only: ``engine.feel.interpret`` evaluates
the sources and binds the names.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from engine.feel import decimals, semantics, years
from engine.feel.semantics import FeelError, Range

MAX_ITEMS = 1_000_000


def domain(source: Any) -> Sequence[Any] | None:
    """The values of ``for x in source``: a range's whole numbers or dates, a list's items, a
    single value; None where it cannot iterate."""
    if isinstance(source, Range):
        if source.low is None or source.high is None or semantics.compare("<=", source.low, source.high) is not True:
            return None
        values = count(source.low, source.high)
        if values is None:
            return None
        return [v for v in values
                if (source.low_closed or v != source.low) and (source.high_closed or v != source.high)]
    if source is None:
        return []
    return source if isinstance(source, list) else [source]


def count(low: Any, high: Any) -> Sequence[Any] | None:
    """``low..high``: whole numbers, or dates one day apart, up or down."""
    if years.is_date(low) and years.is_date(high):  # of any year
        first, days = years.ordinal(low), years.ordinal(high) - years.ordinal(low)
        if abs(days) >= MAX_ITEMS:
            raise FeelError(f"the range has more than {MAX_ITEMS} values")
        step = 1 if days >= 0 else -1
        return [years.from_ordinal(first + i) for i in range(0, days + step, step)]
    if not (isinstance(low, Decimal) and isinstance(high, Decimal)):
        return None
    a, b = decimals.integral(low), decimals.integral(high)
    if a is None or b is None:
        return None
    if abs(b - a) >= MAX_ITEMS:
        raise FeelError(f"the range {a}..{b} has more than {MAX_ITEMS} values")
    step = 1 if b >= a else -1
    return [Decimal(i) for i in range(a, b + step, step)]
