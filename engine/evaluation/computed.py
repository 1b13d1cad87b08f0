"""Computed inputs evaluated: per record (the reference) and per column.

Owns the value of a computed input (``engine.model.computed``) for one record: its FEEL
expression evaluated by the reference interpreter (``engine.feel.interpret``) over the
converted values of the inputs it reads, the result made a value of the input's declared
type (a FEEL number becomes a float for a ``number`` input, as a patient file's numbers are;
an ``integer`` input takes only a whole number), then checked like any input (allowed values,
Required).  A result that does not fit the type, or an expression that cannot be evaluated, is
a problem of that record, which is kept.  Column-wise, the expression is evaluated once per
distinct combination of the values it reads (the columns factorized together) and the
results broadcast back, so both paths agree by construction.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd

from engine.evaluation import columns
from engine.evaluation import input_values as convert
from engine.feel import semantics
from engine.feel.interpret import run
from engine.feel.semantics import FeelError
from engine.feel.temporal import Unsupported, YearsMonths
from engine.feel.years import FarDate
from engine.model.computed import computed_order
from engine.model.types import InputDef, Model, element_type, is_list


def computed_names(model: Model) -> list[str]:
    """The model's computed inputs, each after the computed inputs it reads."""
    expressions = {n: d.expression for n, d in model.inputs.items() if d.expression is not None}
    return computed_order(expressions)[0] if expressions else []


def compute(definition: InputDef, scope: Mapping[str, Any], label: str) -> tuple[Any, str | None]:
    """The value of computed input ``definition`` from the converted values in ``scope`` (by
    input name), and why it cannot be used (None: it can); messages name it ``label``."""
    expression = definition.expression
    assert expression is not None
    try:
        result = run(expression.node, {n: semantics.feel_value(scope.get(n)) for n in expression.names})
    except (FeelError, Unsupported, ArithmeticError, ValueError) as error:  # the record's problem, not a crash
        return None, f"{label}: its expression {expression.text} cannot be evaluated: {error}"
    try:
        value = fit(result, definition.type)
    except convert.Invalid as error:
        return None, f"{label}: its expression {expression.text} gives {error}; the Type is {definition.type}"
    problem = convert.check_value(value, definition)
    return value, (f"{label}: {problem}" if problem else None)


def fit(result: Any, kind: str) -> Any:
    """A FEEL value as a value of an input of type ``kind`` (None for null); Invalid when it
    is not one."""
    if result is None:
        return None
    if is_list(kind):
        if not isinstance(result, list):
            raise convert.Invalid(f"{_shown(result)}, which is not a list")
        return tuple(fit(item, element_type(kind)) for item in result)
    if kind in ("number", "integer") and isinstance(result, Decimal):
        whole = result == result.to_integral_value()
        if kind == "integer" and not whole:
            raise convert.Invalid(f"{_shown(result)}, which is not {convert.EXPECTED[kind]}")
        if whole and abs(result) <= convert.MAX_INTEGER:
            return int(result)
        number = float(result)  # as a number input holds it: the nearest 64-bit float
        if kind == "integer" or math.isinf(number):
            raise convert.Invalid(f"{_shown(result)}, which is out of range ({convert.RANGE[kind]})")
        return number
    if (kind == "string" and isinstance(result, str)) or (kind == "boolean" and isinstance(result, bool)):
        return result
    if kind == "date" and type(result) is dt.date:
        return result
    if kind == "date" and isinstance(result, FarDate):
        raise convert.Invalid(f"{_shown(result)}, a date of the year {result.year}, which a date input cannot hold "
                            "(years 1 to 9999)")
    if isinstance(result, _TEMPORAL.get(kind, ())):  # a date and time, a time, a duration
        return result
    raise convert.Invalid(f"{_shown(result)}, which is not {convert.EXPECTED.get(kind, kind)}")


_TEMPORAL = {"date and time": dt.datetime, "time": dt.time, "days and time duration": dt.timedelta,
             "years and months duration": YearsMonths}


def _shown(value: Any) -> str:
    from engine.feel.library_strings import _string

    text = _string(value)
    return f'"{value}"' if isinstance(value, str) else (text if isinstance(text, str) else str(value))


def compute_column(definition: InputDef, column: Callable[[str], pd.Series], bad: Callable[[str], np.ndarray],
                   n: int, label: str) -> columns.Column:
    """The computed input as a typed column (as ``columns.convert_column`` gives an input):
    rows where an input it reads is unusable are unusable (without a message of their own:
    the input's says why); the others evaluated once per distinct combination of values."""
    names = definition.expression.names if definition.expression else ()
    unusable = np.zeros(n, dtype=bool)
    for name in names:
        unusable |= bad(name)
    codes: list[np.ndarray] = []
    uniques: list[list[Any]] = []
    for name in names:
        code, values = pd.factorize(column(name), use_na_sentinel=True)
        codes.append(code)
        uniques.append([_scalar(v) for v in values])
    if codes:
        keys, inverse = np.unique(np.stack(codes, axis=1), axis=0, return_inverse=True)
        inverse = inverse.reshape(-1)
    else:
        keys, inverse = np.zeros((1, 0), dtype=np.int64), np.zeros(n, dtype=np.int64)
    needed = np.zeros(len(keys), dtype=bool)
    needed[inverse[~unusable]] = True  # a combination only unusable rows have is not evaluated
    entries: list[Any] = []
    problems: list[str | None] = []
    for key, wanted in zip(keys.tolist(), needed.tolist()):
        scope = {name: (None if code < 0 else uniques[i][code]) for i, (name, code) in enumerate(zip(names, key))}
        value, problem = compute(definition, scope, label) if wanted else (None, None)
        entries.append(None if problem else value)
        problems.append(problem)
    failed = np.array([p is not None for p in problems], dtype=bool)[inverse] & ~unusable
    messages = {int(r): str(problems[inverse[r]]) for r in np.flatnonzero(failed).tolist()}
    entries.append(None)  # the unusable rows' value
    inverse = np.where(unusable, len(entries) - 1, inverse)
    return columns.Column(columns.typed(entries, inverse, definition.type, pd.RangeIndex(n)), messages,
                          unusable | failed)


def _scalar(value: Any) -> Any:
    """A value of a typed input column as the record path holds it."""
    if isinstance(value, (float, np.floating)):
        return columns.canonical_number(float(value))
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, (pd.Timestamp, np.datetime64)):
        return pd.Timestamp(value).date()
    return value
