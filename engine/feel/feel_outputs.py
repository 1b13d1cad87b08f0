"""Output cells in FEEL beyond S-FEEL: ``if weight_kg > 100 then "review" else "standard"``,
``string join(["a", "b"], ", ")``, ``decimal(weight_kg * 0.45359237, 1)``.

Owns the FEEL side of ``engine.feel.conditions.compile_expression``: the parse of a cell S-FEEL
cannot read (the full grammar, ``parse_feel_expression``), the check of the names it reads (an
input or a function of FEEL's library, else an error at its column), its scalar evaluation
(the reference interpreter, ``engine.feel.interpret``, over the record's values made FEEL
values, 34-digit decimals) and the result made a value of dtrun's (a number an ``int`` when
whole and exact as a float, else the nearest float, as a patient file's numbers are; text,
boolean, date kept; null).  What an output cannot hold (a list, a context, a time, a
duration, a function) or an evaluation that fails is an :class:`OutputError`, which the
evaluators make that record's problem.  Column-wise the cell is evaluated once per distinct
combination of the values it reads and the answers broadcast (``evaluate_rows``); the scalar
function memoizes its answers, so both paths run the same code on the same values.  A cell in
the subset of ``engine.feel.vector_expr`` is computed over whole columns instead, exactly
(the rows it cannot prove go the first way).
"""

from __future__ import annotations

import datetime as dt
import difflib
import math
from collections.abc import Callable, Collection, Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from engine._core.errors import ConditionError
from engine.feel import builtins, semantics, values
from engine.feel.feel_cells import _factorize, feel_input, free_names
from engine.feel.temporal import Unsupported
from engine.feel.years import FarDate, FarDateTime

if TYPE_CHECKING:  # pragma: no cover
    import numpy
    import pandas

MAX_INTEGER = 2**53 - 1  # every whole number up to this is exact as a 64-bit float
_MEMO = 4096  # answers remembered per cell (distinct combinations of the values it reads)
OUTPUT_KINDS = "a number, a text, a boolean, a date or null"


class OutputError(ValueError):
    """A FEEL output cell that gives no value for one record; ``str`` says why, in the
    author's terms (the cell's text, what it gave)."""


def parse(text: str, names: Collection[str] | None) -> tuple[Any, frozenset[str]]:
    """The FEEL AST of an output cell and the inputs it reads, its names checked; a
    ConditionError at the column of what is wrong."""
    from lark.exceptions import LarkError

    from engine.feel.nodes import ListOf
    from engine.feel.syntax import parse_feel_expression

    try:
        node = parse_feel_expression(text, frozenset(names or ()))
    except LarkError:
        raise ConditionError("a number in it is beyond what FEEL can hold", text, 1,
                             "write numbers of at most 34 digits and exponents within ±6144") from None
    except Unsupported as error:
        raise ConditionError(f"it holds a value dtrun cannot hold: {error}", text, 1,
                             "write times to the microsecond and durations shorter than 999,999,999 days") from None
    if isinstance(node, ListOf):
        raise ConditionError("an output cell holds one value, not a list", text, node.span.column,
                             "write one value; to collect values over rules use hit policy C (Collect)",
                             end_column=node.span.end)
    used = set()
    for name in free_names(node):
        head = name.name if names is None or name.name in names else name.name.split(".")[0]
        if names is None or head in names:
            used.add(head)
            continue
        if builtins.lookup(head) is not None:
            continue
        close = difflib.get_close_matches(head, list(names), n=1)
        error = ConditionError(f"{head} is not a known input", text, name.span.column,
                               f"did you mean {close[0]}?" if close else
                               "use the name of an input, or a function of FEEL's library (docs/feel.md)",
                               end_column=name.span.end)
        error.unknown = (head, close[0] if close else None, False)
        raise error
    return node, frozenset(used)


def compile_output(text: str, node: Any, names: frozenset[str], types: Mapping[str, Any] | None = None
                   ) -> Callable[[Mapping[str, Any]], Any]:
    """The scalar evaluation: the cell's value for one record (``context``: input name →
    dtrun's value); OutputError where it has none.  Answers are memoized per combination.
    ``types``: the model's own types by name, for ``instance of`` (a DMN model's item
    definitions, ``engine.model.drg_types.types_for_instance_of``)."""
    from engine.feel.interpret import TYPES, run

    ordered = sorted(names)
    memo: dict[tuple[Any, ...], tuple[Any, str | None]] = {}

    def evaluate(context: Mapping[str, Any]) -> Any:
        scope = [feel_input(context.get(name)) for name in ordered]
        return remembered(memo, tuple(_hashable(v) for v in scope), lambda: _answer(
            text, node, {**dict(zip(ordered, scope)), **({TYPES: types} if types else {})}, run))

    return evaluate


def remembered(memo: dict[Any, tuple[Any, str | None]], key: Any,
               answer: Callable[[], tuple[Any, str | None]]) -> Any:
    """The value of ``answer()`` (value, problem), kept in ``memo`` under ``key`` while it holds
    fewer than its bound (a key that is not hashable is not kept); OutputError for a problem."""
    try:
        found = memo.get(key)
    except TypeError:
        found, key = None, None
    if found is None:
        found = answer()
        if key is not None and len(memo) < _MEMO:
            memo[key] = found
    value, problem = found
    if problem is not None:
        raise OutputError(problem)
    return value


def _answer(text: str, node: Any, scope: dict[str, Any], run: Callable[..., Any]) -> tuple[Any, str | None]:
    try:
        result = run(node, scope)
    except (semantics.FeelError, Unsupported, ArithmeticError, ValueError) as error:
        return None, f"the output cell {text} cannot be evaluated: {error}"
    try:
        return dtrun_value(result), None
    except OutputError as error:
        return None, (f"the output cell {text} gives {error}; an output holds {OUTPUT_KINDS}: to give its text, "
                      f"write string({text})")


def dtrun_value(result: Any) -> Any:
    """A FEEL value as dtrun holds an output's value; OutputError for what an output cannot hold."""
    if result is None or isinstance(result, (bool, str)) or type(result) is dt.date:
        return result
    if isinstance(result, Decimal):
        if result == result.to_integral_value() and abs(result) <= MAX_INTEGER:
            return int(result)
        number = float(result)
        if math.isinf(number):
            raise OutputError(f"{result}, which is beyond a 64-bit number")
        return number
    from engine.feel.library_strings import _string

    shown = _string(result)
    if isinstance(result, (FarDate, FarDateTime)):  # FEEL's years reach ±999,999,999; a table's dates do not
        raise OutputError(f"{shown}, whose year {result.year} is not one of 1 to 9999 that a table's dates hold")
    raise OutputError(f"{shown if isinstance(shown, str) else repr(result)} ({semantics.kind(result)})")


def _hashable(value: Any) -> Any:
    if isinstance(value, list):
        return tuple(_hashable(v) for v in value)
    if isinstance(value, dict):
        return tuple(sorted((k, _hashable(v)) for k, v in value.items()))
    return value


def evaluate_rows(evaluate: Callable[[Mapping[str, Any]], Any], names: frozenset[str], frame: pandas.DataFrame,
                  node: Any = None) -> tuple[pandas.Series, numpy.ndarray]:
    """The cell over every row of ``frame``: (values, rows where it has none), over whole
    columns where ``engine.feel.vector_expr`` computes ``node`` exactly, the other rows (all,
    for a cell outside its subset) once per distinct combination of the columns it reads."""
    import numpy as np
    import pandas as pd

    from engine.feel import vector_expr

    result = None
    if node is not None and names and len(frame) and all(name in frame.columns for name in names):
        result = vector_expr.evaluate(node, {name: _single(frame[name]) for name in names}, len(frame))
    if result is None:
        return _by_combination(evaluate, names, frame)
    values, bad = result.objects()
    failed = np.zeros(len(frame), dtype=bool)
    rows = np.flatnonzero(bad)
    if rows.size:
        found, missing = _by_combination(evaluate, names, frame.iloc[rows])
        values[rows], failed[rows] = found.to_numpy(dtype=object), missing
    return pd.Series(values, index=frame.index, dtype=object), failed


def _single(column: Any) -> Any:
    return column.iloc[:, 0] if getattr(column, "ndim", 1) == 2 else column  # duplicate labels: the first


def _by_combination(evaluate: Callable[[Mapping[str, Any]], Any], names: frozenset[str], frame: pandas.DataFrame
                    ) -> tuple[pandas.Series, numpy.ndarray]:
    import numpy as np
    import pandas as pd

    ordered = sorted(names)
    n = len(frame)
    if not ordered:
        keys, inverse, coded = [()], np.zeros(n, dtype=np.int64), []
    else:
        coded = [_factorize(frame[name]) for name in ordered]
        stacked = np.stack([codes for codes, _ in coded], axis=1)
        combos, inverse = np.unique(stacked, axis=0, return_inverse=True)
        keys, inverse = combos.tolist(), np.asarray(inverse).reshape(-1)
    answers: list[Any] = []
    failed: list[bool] = []
    for key in keys:
        context = {name: (None if code < 0 else values.canonical(coded[i][1][code]))
                   for i, (name, code) in enumerate(zip(ordered, key))}
        try:
            answers.append(evaluate(context))
            failed.append(False)
        except OutputError:
            answers.append(None)
            failed.append(True)
    table = np.empty(len(answers), dtype=object)
    table[:] = answers
    return pd.Series(table[inverse], index=frame.index, dtype=object), np.asarray(failed, dtype=bool)[inverse]
