"""Computed inputs evaluated: per record (the reference) and per column.

Owns the value of a computed input (``engine.model.computed``) for one record: its FEEL
expression evaluated by the reference interpreter (``engine.feel.interpret``) over the
converted values of the inputs it reads, the result made a value of the input's declared
type (a FEEL number becomes a float for a ``number`` input, as a patient file's numbers are;
an ``integer`` input takes only a whole number), then checked like any input (allowed values,
Required).  A result that does not fit the type, or an expression that cannot be evaluated, is
a problem of that record, which is kept.  Column-wise, an expression in the subset of
``engine.feel.vector_expr`` is computed over whole columns, exactly as the interpreter would
(its property tests); the rows it cannot prove, and every row of any other expression, are
evaluated once per distinct combination of the values read (the columns factorized together)
and the results broadcast back, so that both paths agree by construction.  The checks of the
result (allowed values, Required) run once per distinct value.
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
from engine.feel import semantics, vector_expr
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
    the input's says why).  The others: over whole columns where ``engine.feel.vector_expr``
    computes the expression exactly, and the rows it cannot (and every row of an expression
    outside its subset) once per distinct combination of the values read."""
    names = definition.expression.names if definition.expression else ()
    unusable = np.zeros(n, dtype=bool)
    for name in names:
        unusable |= bad(name)
    vector = _vectorized(definition, column, n, unusable, label)
    if vector is None:
        return _by_combination(definition, column, n, label, unusable, None)
    values, interpreted, messages = vector
    failed = np.zeros(n, dtype=bool)
    failed[list(messages)] = True
    rows = np.flatnonzero(interpreted & ~unusable)
    if rows.size:  # the interpreter's rows: their values, problems and messages
        scalar = _by_combination(definition, column, n, label, unusable, rows)
        values = _merged(values, scalar.values, rows)
        messages.update(scalar.messages)
        failed |= scalar.unusable & ~unusable
    return columns.Column(_merged(values, None, np.flatnonzero(unusable | failed)), messages, unusable | failed)


def _merged(values: pd.Series, others: pd.Series | None, rows: np.ndarray) -> pd.Series:
    """``values`` with the rows of ``rows`` taken from ``others`` (None: made null); texts as
    the categorical of the values used, as ``columns.typed`` makes it."""
    if not rows.size:
        return values
    if isinstance(values.dtype, pd.CategoricalDtype):
        data = values.to_numpy(dtype=object, na_value=None)
        data[rows] = None if others is None else others.to_numpy(dtype=object, na_value=None)[rows]
        return _texts(data, values.index)
    values = values.copy()
    values.iloc[rows] = np.nan if others is None else others.iloc[rows].array
    return values


def _texts(data: np.ndarray, index: pd.Index) -> pd.Series:
    codes, distinct = pd.factorize(data, use_na_sentinel=True)
    return columns.typed([*distinct.tolist(), None], np.where(codes < 0, len(distinct), codes), "string", index)


def _vectorized(definition: InputDef, column: Callable[[str], pd.Series], n: int, unusable: np.ndarray,
                label: str) -> tuple[pd.Series, np.ndarray, dict[int, str]] | None:
    """(typed values, rows the interpreter must compute, the checks' messages by row) of the
    expression over whole columns; None where it is outside the vectorized subset or gives a
    kind of value the input's Type cannot hold (each record's problem, said by the interpreter)."""
    expression = definition.expression
    if expression is None or not n:
        return None
    result = vector_expr.evaluate(expression.node, {name: column(name) for name in expression.names}, n)
    kind = definition.type
    if result is None or result.kind != {"integer": vector_expr.NUMBER}.get(kind, kind):
        return None
    v, index = result.value, pd.RangeIndex(n)
    failed = v.bad.copy()
    if result.kind == vector_expr.NUMBER:
        floats, whole, failed = result.numbers()
        if kind == "integer":  # a fraction, or beyond what an integer input holds: the interpreter says so
            failed = failed | (~v.null & (~whole | (np.abs(floats) > convert.MAX_INTEGER)))
        values = pd.Series(floats, index=index)
    elif result.kind == vector_expr.BOOLEAN:
        values = pd.Series(pd.arrays.BooleanArray(v.a & ~v.null, v.null.copy()), index=index)
    elif result.kind == vector_expr.DATE:
        days = np.where(v.null, 0, v.a).astype("timedelta64[D]") + np.datetime64("1970-01-01", "D")
        values = pd.Series(np.where(v.null, np.datetime64("NaT"), days).astype("datetime64[s]"), index=index)
    else:
        values = _texts(np.append(np.asarray(v.b, dtype=object), None)[v.a], index)
    return values, failed, _checked(values, definition, failed | unusable, label)


def _checked(values: pd.Series, definition: InputDef, skip: np.ndarray, label: str) -> dict[int, str]:
    """The messages of ``convert.check_value`` (Required, allowed values) for the rows not
    skipped, each distinct value checked once."""
    if definition.allowed is None and not definition.required:
        return {}
    rows = np.flatnonzero(~skip)
    codes, distinct = pd.factorize(values.iloc[rows], use_na_sentinel=True)
    said = [convert.check_value(_scalar(value), definition) for value in distinct]
    said.append(convert.check_value(None, definition))
    picked = np.asarray(said, dtype=object)[np.where(codes < 0, len(distinct), codes)]
    return {int(row): f"{label}: {text}" for row, text in zip(rows.tolist(), picked.tolist()) if text}


def _by_combination(definition: InputDef, column: Callable[[str], pd.Series], n: int, label: str,
                    unusable: np.ndarray, rows: np.ndarray | None) -> columns.Column:
    """The expression by the interpreter once per distinct combination of the values it
    reads, over every row (``rows`` None) or those of ``rows`` (the others null, not failed)."""
    names = definition.expression.names if definition.expression else ()
    codes: list[np.ndarray] = []
    uniques: list[list[Any]] = []
    for name in names:
        series = column(name)
        code, values = pd.factorize(series if rows is None else series.iloc[rows], use_na_sentinel=True)
        codes.append(code)
        uniques.append([_scalar(v) for v in values])
    m = n if rows is None else len(rows)
    if codes:
        keys, inverse = np.unique(np.stack(codes, axis=1), axis=0, return_inverse=True)
        inverse = inverse.reshape(-1)
    else:
        keys, inverse = np.zeros((1, 0), dtype=np.int64), np.zeros(m, dtype=np.int64)
    skipped = unusable if rows is None else unusable[rows]
    needed = np.zeros(len(keys), dtype=bool)
    needed[inverse[~skipped]] = True  # a combination only unusable rows have is not evaluated
    entries: list[Any] = []
    problems: list[str | None] = []
    for key, wanted in zip(keys.tolist(), needed.tolist()):
        scope = {name: (None if code < 0 else uniques[i][code]) for i, (name, code) in enumerate(zip(names, key))}
        value, problem = compute(definition, scope, label) if wanted else (None, None)
        entries.append(None if problem else value)
        problems.append(problem)
    entries.append(None)  # the unusable rows' value, and the rows not asked for
    at = np.arange(n) if rows is None else rows
    failed = np.zeros(n, dtype=bool)
    failed[at] = np.array([p is not None for p in problems], dtype=bool)[inverse] & ~skipped
    messages = {int(r): str(problems[inverse[np.searchsorted(at, r)]]) for r in np.flatnonzero(failed).tolist()}
    full = np.full(n, len(entries) - 1, dtype=np.int64)
    full[at] = np.where(skipped, len(entries) - 1, inverse)
    return columns.Column(columns.typed(entries, full, definition.type, pd.RangeIndex(n)), messages,
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
