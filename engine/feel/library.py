"""What the FEEL built-in library modules (``library_*.py``) share: how a function is declared
(:func:`function`: its name, its signatures as the spec writes them, its implementation) and
the checks of its arguments (:func:`number`, :func:`whole`, :func:`items` ...), each giving
None where the argument is not what the function takes, so that the call gives null.

``engine.feel.builtins`` gathers the declarations into the one registry.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from engine.feel import decimals, semantics
from engine.feel.years import FarDate, FarDateTime


@dataclass(frozen=True)
class Spec:
    """One built-in of the FEEL library, as declared by a ``library_*`` module."""

    name: str
    signatures: tuple[tuple[str, ...], ...]
    arities: tuple[int, ...]  # empty: any number
    params_text: str
    example: str
    implementation: Callable[..., Any]
    kind: str = "any"
    by_signature: tuple[Callable[..., Any] | None, ...] = ()  # named invocation: the form of each signature


def function(name: str, params: str, implementation: Callable[..., Any], example: str = "") -> Spec:
    """``function("substring", "string, start position[, length]", impl)``; signatures are
    separated by ``|``, ``...`` after the last name means any number of arguments."""
    signatures, arities, variadic = [], set(), False
    for signature in params.split("|"):
        required, _, optional = signature.strip().partition("[")
        names = [n.strip() for n in required.split(",") if n.strip()]
        extra = [n.strip(" ,]") for n in optional.split(",") if n.strip(" ,]")]
        if any(n.endswith("...") for n in names + extra):
            variadic = True
        names = [n.removesuffix("...") for n in names]
        extra = [n.removesuffix("...") for n in extra]
        signatures.append(tuple(names + extra))
        arities.update(range(len(names), len(names) + len(extra) + 1))
    return Spec(name, tuple(signatures), () if variadic else tuple(sorted(arities)), params.replace("|", "or"),
                example or f"{name}({params.split('|')[0].strip()})", implementation)


def single(value: Any) -> Any:
    """A list of one item stands for the item where a function takes one value (DMN 1.5 §10.3.2.9.4)."""
    return value[0] if isinstance(value, list) and len(value) == 1 else value


def number(value: Any) -> Decimal | None:
    value = single(value)
    return value if isinstance(value, Decimal) else None


def whole(value: Any) -> int | None:
    """An integer argument (a position, a length); None for a fraction or a non-number."""
    value = single(value)
    return decimals.integral(value) if isinstance(value, Decimal) else None


def truncated(value: Any) -> int | None:
    """A position or length argument cut to its whole part (``substring("foobar", 3, 3.8)`` is ``"oba"``)."""
    value = single(value)
    return int(value) if isinstance(value, Decimal) else None


def text(value: Any) -> str | None:
    value = single(value)
    return value if isinstance(value, str) else None


def items(args: tuple[Any, ...]) -> list[Any] | None:
    """The list a list function works on: its one list argument, or its arguments themselves
    (``min(1, 2, 3)``); None when given nothing."""
    if len(args) == 1 and isinstance(args[0], list):
        return args[0]
    if len(args) == 1 and args[0] is None:
        return None
    return list(args) if args else None


def as_list(value: Any) -> list[Any] | None:
    """A list argument; a single value stands for the list of it (FEEL's singleton rule)."""
    if value is None:
        return None
    return value if isinstance(value, list) else [value]


def date_of(value: Any) -> dt.date | FarDate | None:
    """The date of a date or of a date and time (of any year: ``engine.feel.years``); else None."""
    value = single(value)
    if isinstance(value, (dt.datetime, FarDateTime)):
        return value.date()
    return value if isinstance(value, (dt.date, FarDate)) else None


def feel_bool(value: Any) -> bool | None:
    return value if isinstance(value, bool) else None


def kind(value: Any) -> str:
    return semantics.kind(value)
