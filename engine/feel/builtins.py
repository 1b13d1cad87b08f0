"""The FEEL built-in functions an output cell may call: one place that knows each of them.

Owns the registry :data:`BUILTINS` (name → :class:`Builtin`): a function's name as FEEL
spells it (``round half up``: names may contain spaces, matched case-insensitively), the
numbers of arguments it takes, what kind of value it gives, its scalar implementation (the
reference, on canonical values as ``engine.feel.values`` sees them) and its vectorized one
(numpy on float64, for ``engine.feel.vectorized``).  The grammar's ``FUNCTION`` terminal is
made from these names (``engine.feel.syntax``), so adding a function here adds it to the
language; every compiled form finds it here.

The number functions follow DMN 1.5 (the rounding built-ins, ``decimal``, ``floor``,
``ceiling``, ``abs``) and the DMN TCK: they round the *decimal* value of a number (the
shortest decimal text of a float, ``Decimal(repr(x))``: 2.675 at scale 2 is 2.68, as a
reader of the number expects, not 2.67 as its binary value would give); a scale is an
integer in [-6111..6176] (a fractional scale is cut to its whole part, as the TCK's
``decimal(1/3, 2.5)`` = 0.33 says); anything but a number, and a scale outside that range,
gives null.  A whole result is an int, any other a float.
"""

from __future__ import annotations

import decimal
import math
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from engine.feel import values

MIN_SCALE, MAX_SCALE = -6111, 6176  # DMN 1.5: the scale of decimal() and the rounding functions
EXACT = 2.0**53  # ints of smaller magnitude are exact in float64
_CONTEXT = decimal.Context(prec=20000, Emax=decimal.MAX_EMAX, Emin=decimal.MIN_EMIN)


@dataclass(frozen=True)
class Builtin:
    """One built-in function.  ``scalar(*args)`` takes canonical values (the arity already
    checked) and gives a value; ``vectorized(x, scale)`` takes a float64 array of numbers
    (NaN: null) and a whole-number scale and gives ``(result, unsure)``: the result as
    float64 and where the float arithmetic may have landed on the wrong side of a rounding
    boundary (those elements are computed again by ``scalar``)."""

    name: str
    arities: tuple[int, ...]  # empty: any number (min, max, concatenate, ...)
    params: str  # how a hint names the arguments: "n, scale"
    example: str
    scalar: Callable[..., Any] | None  # None: FEEL expressions only, not decision-table cells
    vectorized: Callable[[Any, int], tuple[Any, Any]] | None
    kind: str = values.NUMBER  # the kind of value it gives (or null)
    feel: Callable[..., Any] | None = None  # on FEEL values (Decimal numbers): engine.feel.interpret
    parameters: tuple[tuple[str, ...], ...] = ()  # the parameter names of each signature (named invocation)
    by_signature: tuple[Callable[..., Any] | None, ...] = ()  # the FEEL form per signature, where they differ

    def arity_text(self) -> str:
        if not self.arities:
            return "any number of arguments"
        counts = " or ".join(str(a) for a in self.arities)
        return f"{counts} argument{'s' if self.arities[-1] != 1 else ''}"


# ---------------------------------------------------------------------- scalar forms
def _number(value: Any) -> decimal.Decimal | None:
    """The decimal value of a FEEL number; None for anything else."""
    if values.kind_of(value) != values.NUMBER or isinstance(value, bool):
        return None
    value = values.canonical(value)
    if isinstance(value, int):
        return decimal.Decimal(value)
    if isinstance(value, float) and math.isfinite(value):
        return decimal.Decimal(repr(value))
    return None


def _scale(value: Any) -> int | None:
    """A scale argument: a number cut to its whole part, in [MIN_SCALE..MAX_SCALE]; else None."""
    number = _number(value)
    if number is None:
        return None
    whole = int(number)
    return whole if MIN_SCALE <= whole <= MAX_SCALE else None


def scale_of(value: Any) -> int | None:
    """The scale a value gives as a scale argument (None: the call is null)."""
    return _scale(value)


def _result(rounded: decimal.Decimal, original: Any) -> Any:
    """A rounded decimal as a FEEL number: an int when whole (exact for an int argument, and
    for a float one below 2**53, where float64 holds every int), else the nearest float."""
    if rounded == rounded.to_integral_value() and (isinstance(original, int) or abs(rounded) < EXACT):
        return int(rounded)
    return float(rounded)


def _rounding(mode: str) -> Callable[..., Any]:
    def apply(n: Any, scale: Any = 0) -> Any:
        number, places = _number(n), _scale(scale)
        if number is None or places is None:
            return None
        if number.as_tuple().exponent >= -places:  # already at that scale or finer: unchanged
            return _result(number, values.canonical(n))
        with decimal.localcontext(_CONTEXT):
            rounded = number.quantize(decimal.Decimal(1).scaleb(-places), rounding=mode)
        return _result(rounded, values.canonical(n))
    return apply


def _abs(n: Any) -> Any:
    number = _number(n)
    return None if number is None else _result(abs(number), values.canonical(n))


# ---------------------------------------------------------------------- vectorized forms
def _np_rounding(mode: str) -> Callable[[Any, int], tuple[Any, Any]]:
    """numpy rounding at a whole-number scale.  ``y = x * 10**scale`` is exact at scale 0
    (every integer and half below 2**53 is a float, so the float is on the right side of any
    boundary that its shortest decimal is); at other scales it may be a few ulps off, so the
    elements near a boundary (an integer for up/down/floor/ceiling, a half for the half
    modes) are marked unsure."""
    half = mode in (decimal.ROUND_HALF_UP, decimal.ROUND_HALF_DOWN, decimal.ROUND_HALF_EVEN)

    def apply(x: Any, scale: int) -> tuple[Any, Any]:
        import numpy as np

        if abs(scale) > 22:  # 10**scale is not exact in float64: every element exactly
            return np.array(x, dtype=np.float64), ~np.isnan(x)
        factor = 10.0 ** abs(scale)
        with np.errstate(all="ignore"):
            y = x * factor if scale > 0 else x / factor if scale < 0 else x
            down, up = np.floor(y), np.ceil(y)
            away = np.where(y >= 0, up, down)
            toward = np.where(y >= 0, down, up)
            if mode == decimal.ROUND_UP:
                r = away
            elif mode == decimal.ROUND_DOWN:
                r = toward
            elif mode == decimal.ROUND_FLOOR:
                r = down
            elif mode == decimal.ROUND_CEILING:
                r = up
            else:
                gap = np.abs(y - toward)
                if mode == decimal.ROUND_HALF_UP:
                    tie = away
                elif mode == decimal.ROUND_HALF_DOWN:
                    tie = toward
                else:  # half even
                    tie = np.where(down % 2 == 0, down, up)
                r = np.where(gap > 0.5, away, np.where(gap < 0.5, toward, tie))
            if scale == 0:
                unsure = np.zeros(x.shape, dtype=bool)
            else:
                boundary = np.floor(y) + 0.5 if half else np.round(y)
                unsure = np.abs(y - boundary) <= 8 * np.spacing(np.abs(y))
            result = r / factor if scale > 0 else r * factor if scale < 0 else r
            unsure |= ~np.isfinite(y) & ~np.isnan(x)
        return result, unsure
    return apply


def _np_abs(x: Any, scale: int) -> tuple[Any, Any]:
    import numpy as np

    return np.abs(x), np.zeros(x.shape, dtype=bool)


def _builtin(name: str, arities: tuple[int, ...], params: str, example: str, mode: str) -> Builtin:
    return Builtin(name, arities, params, example, _rounding(mode), _np_rounding(mode))


BUILTINS: dict[str, Builtin] = {b.name: b for b in (
    _builtin("round half up", (2,), "n, scale", "round half up(8 * weight_kg, 0)", decimal.ROUND_HALF_UP),
    _builtin("round half down", (2,), "n, scale", "round half down(x, 2)", decimal.ROUND_HALF_DOWN),
    _builtin("round up", (2,), "n, scale", "round up(x, 0)", decimal.ROUND_UP),
    _builtin("round down", (2,), "n, scale", "round down(x, 0)", decimal.ROUND_DOWN),
    _builtin("decimal", (2,), "n, scale", "decimal(x, 2)", decimal.ROUND_HALF_EVEN),
    _builtin("floor", (1, 2), "n[, scale]", "floor(x)", decimal.ROUND_FLOOR),
    _builtin("ceiling", (1, 2), "n[, scale]", "ceiling(x)", decimal.ROUND_CEILING),
    Builtin("abs", (1,), "n", "abs(x)", _abs, _np_abs),
)}


def _library() -> None:
    """Add the FEEL built-in library (engine/feel/library_*.py) to the registry: the cell
    functions above get their FEEL forms, the rest are FEEL's only."""
    from engine.feel import library_lists, library_numbers, library_other, library_strings, library_time

    for module in (library_numbers, library_strings, library_lists, library_time, library_other):
        for spec in module.FUNCTIONS:
            cell = BUILTINS.get(spec.name)
            fields = {"feel": spec.implementation, "parameters": spec.signatures, "by_signature": spec.by_signature}
            if cell is not None:
                BUILTINS[spec.name] = replace(cell, **fields)  # type: ignore[arg-type]
            else:
                BUILTINS[spec.name] = Builtin(spec.name, spec.arities, spec.params_text, spec.example, None, None,
                                              spec.kind, **fields)  # type: ignore[arg-type]


_library()


def by_name(found: Builtin, arguments: dict[str, Any]) -> tuple[list[Any], Callable[..., Any] | None] | None:
    """Named arguments in the order of the first signature that has every name, and the FEEL form
    of that signature; None if no signature has them."""
    for index, signature in enumerate(found.parameters):
        if set(arguments) <= set(signature):
            count = max([signature.index(name) + 1 for name in arguments] + [min(found.arities, default=0)])
            form = found.by_signature[index] if index < len(found.by_signature) else None
            return [arguments.get(name) for name in signature[:count]], form or found.feel  # not named: null
    return None


def cell_lookup(text: str) -> Builtin | None:
    """A built-in that decision-table cells may call (it has a vectorized form)."""
    found = lookup(text)
    return found if found is not None and found.vectorized is not None else None


def canonical_name(text: str) -> str:
    """``Round  Half Up`` → ``round half up``: the registry's key for a name as written."""
    return " ".join(text.lower().split())


def lookup(text: str) -> Builtin | None:
    return BUILTINS.get(canonical_name(text))


def names_pattern() -> str:
    """A regular expression matching every built-in name, longest first, spaces as runs of
    white space, case-insensitively: the grammar's FUNCTION terminal."""
    words = sorted((n for n in BUILTINS if n not in _KEYWORD_NAMES), key=len, reverse=True)
    return "|".join(r"\s+".join(part for part in name.split()) for name in words)


_KEYWORD_NAMES = frozenset({"date", "not"})  # the grammar's own DATE and NOT terminals


def cell_names() -> list[str]:
    """The functions decision-table cells may call (those with a vectorized form), sorted."""
    return sorted(n for n, b in BUILTINS.items() if b.vectorized is not None)


def listing() -> str:
    """The names of the cell functions for a hint: ``abs, ceiling, decimal, ...``."""
    return ", ".join(cell_names())
