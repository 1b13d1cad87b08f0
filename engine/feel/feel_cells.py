"""Input cells in FEEL beyond S-FEEL (DMN 1.5 unary tests): ``?`` and any boolean expression
as a test (``string length(?) > 3``, ``? > 3 and ? < 10``, ``odd(?)``), and function calls
inside plain tests (``> abs(-3)``).

Owns which texts count as *clearly FEEL* (they use ``?`` or call a function of FEEL's
library: only those are read with the full language, so a cell that looks like an S-FEEL
mistake keeps S-FEEL's hint), the check of the names such a cell uses, its scalar test (the
FEEL interpreter, ``engine.feel.unary``, with ``?`` bound to the value tested, converted from
dtrun's values to FEEL's) and its vectorized mask, which evaluates the test once per distinct
value (or combination of values, when the cell reads other inputs) and broadcasts the answers.
A test that gives anything but true for a value does not match it (DMN: a unary test
expression that is not boolean does not match).  ``engine.feel.conditions`` wraps the result
in a ``CompiledUnaryTests`` whose ``feel`` field names what makes it FEEL.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterator, Mapping
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from engine._core.errors import ConditionError
from engine.feel import builtins, hints, semantics, values
from engine.feel.nodes import (
    Call,
    ContextOf,
    ExpressionTest,
    Filter,
    For,
    FunctionDef,
    Invoke,
    Iteration,
    Name,
    Path,
    Quantified,
    UnaryTests,
)
from engine.feel.temporal import Unsupported

if TYPE_CHECKING:  # pragma: no cover
    import numpy
    import pandas

TestFn = Callable[[Any, Mapping[str, Any]], "bool | None"]
USES_QUESTION = "use ?"
CALLS_FUNCTION = "call a function"
_STRINGS = re.compile(r'"(?:[^"\\]|\\.)*"|[“”„‘’‚][^“”„‘’‚]*[“”„‘’‚]')


@lru_cache(maxsize=1)
def _calls() -> re.Pattern[str]:
    return re.compile(rf"(?<!\w)(?:{builtins.names_pattern()})\s*\(", re.IGNORECASE)


def clearly_feel(text: str) -> str:
    """What makes ``text`` FEEL rather than a mistaken S-FEEL cell: ``use ?`` when it holds a
    ``?`` outside quotes, ``call a function`` when it calls a function of FEEL's library; ""
    for neither (such a text keeps S-FEEL's message and hint)."""
    blanked = _STRINGS.sub(lambda m: '"' + " " * (len(m.group()) - 2) + '"', text)
    if "?" in blanked:
        return USES_QUESTION
    return CALLS_FUNCTION if _calls().search(blanked) else ""


def parse(text: str, names: Collection[str] | None) -> tuple[UnaryTests, frozenset[str]]:
    """The FEEL AST of a clearly-FEEL cell and the inputs it reads, its names checked; a
    ConditionError where it cannot be read (with the refusals S-FEEL cells have for texts that
    would be misread)."""
    from engine.feel.syntax import normalize, parse_feel_unary_tests

    source = normalize(text)
    refused = hints.refuse_valid_but_misleading(source, "unary_tests")
    if refused:
        message, at, hint = refused
        raise ConditionError(message, text, at + 1, hint)
    comment = hints.comment_in_cell(text, source, "unary_tests")
    if comment is not None:
        raise comment
    node = parse_feel_unary_tests(text, frozenset(names or ()))
    used = set()
    for name in free_names(node):
        if name.name == "?":
            continue
        if names is None or name.name in names:
            used.add(name.name)
            continue
        if builtins.lookup(name.name) is not None:
            continue
        raise ConditionError(f"{name.name} is not a known input or function", text, name.span.column,
                             "use the name of an input, or a function of FEEL's library (docs/feel.md)",
                             end_column=name.span.end)
    return node, frozenset(used)


def free_names(node: Any, bound: frozenset[str] = frozenset()) -> Iterator[Name]:
    """The names ``node`` reads from outside (not bound by a ``for``, ``some``/``every``, a
    function's parameters or an earlier context entry); a filter's condition, which reads
    the items' own entries, is left out.  Builtin calls (``Call``) name no variable."""
    if isinstance(node, Name):
        if node.name.split(".")[0] not in bound and node.name not in bound:
            yield node
    elif isinstance(node, (For, Quantified)):
        inner = bound
        for iteration in node.iterations:
            yield from _iteration(iteration, inner)
            inner = inner | {iteration.name}
        yield from free_names(node.body if isinstance(node, For) else node.condition, inner)
    elif isinstance(node, FunctionDef):
        yield from free_names(node.body, bound | set(node.parameters))
    elif isinstance(node, ContextOf):
        inner = bound
        for key, value in node.entries:
            yield from free_names(value, inner)
            inner = inner | {key}
    elif isinstance(node, Filter):
        yield from free_names(node.target, bound)
    elif isinstance(node, Path):
        yield from free_names(node.target, bound)
    elif isinstance(node, Invoke):
        yield from free_names(node.target, bound)
        for arg in node.args:
            yield from free_names(arg, bound)
    elif isinstance(node, Call):
        for arg in node.args:
            yield from free_names(arg, bound)
    elif isinstance(node, tuple):
        for item in node:
            yield from free_names(item, bound)
    elif hasattr(node, "__dataclass_fields__"):
        for field in node.__dataclass_fields__:
            child = getattr(node, field)
            if isinstance(child, tuple) or hasattr(child, "__dataclass_fields__"):
                yield from free_names(child, bound)


def _iteration(iteration: Iteration, bound: frozenset[str]) -> Iterator[Name]:
    yield from free_names(iteration.source, bound)
    if iteration.end is not None:
        yield from free_names(iteration.end, bound)


def feel_input(value: Any) -> Any:
    """A value of dtrun's (float, numpy or pandas scalar, midnight timestamp, list or array
    of them, NaN) as the FEEL value it stands for (Decimal, date, list, null)."""
    if isinstance(value, (list, tuple)) or type(value).__name__ == "ndarray":
        return [feel_input(item) for item in value]
    return semantics.feel_value(values.canonical(value))


def compile_test(node: UnaryTests, names: frozenset[str]) -> TestFn:
    """The scalar test: True / False / None (null; also for an evaluation that stops on a
    limit or a value Python cannot hold).  Only True is a match."""
    from engine.feel.unary import unary_tests

    def test(value: Any, context: Mapping[str, Any]) -> bool | None:
        scope = {name: feel_input(context.get(name)) for name in names}
        try:
            result = unary_tests(node, feel_input(value), scope)
        except (semantics.FeelError, Unsupported, RecursionError):
            return None
        return result if isinstance(result, bool) else None

    return test


def mask(test: TestFn, names: frozenset[str], series: pandas.Series,
         frame: pandas.DataFrame | None, node: UnaryTests | None = None) -> numpy.ndarray:
    """``test(value, row) is True`` for every row: for a cell that reads other inputs, over
    whole columns where every test of ``node`` is a boolean expression of ``?`` that
    ``engine.feel.vector_expr`` computes exactly; the other rows (all, for other cells) with
    the test run once per distinct value of ``series`` (and of the columns of ``names`` in
    ``frame``), never once per row (for a cell of ``?`` alone this is the quicker: few
    distinct values, one factorization)."""
    found = _vector_mask(node, names, series, frame) if node is not None and names else None
    if found is None:
        return _by_distinct(test, names, series, frame)
    match, bad = found
    rows = bad.nonzero()[0]
    if rows.size:
        match[rows] = _by_distinct(test, names, series.iloc[rows], None if frame is None else frame.iloc[rows])
    return match


def _vector_mask(node: UnaryTests, names: frozenset[str], series: pandas.Series, frame: pandas.DataFrame | None
                 ) -> tuple[numpy.ndarray, numpy.ndarray] | None:
    """(matches, rows left to the interpreter), or None where a test is not such an expression."""
    from engine.feel import vector_expr
    from engine.feel.unary import _mentions_question

    if node.any_value or not all(isinstance(t, ExpressionTest) and _mentions_question(t.expr) for t in node.tests):
        return None
    if names and (frame is None or not all(name in frame.columns for name in names)):
        return None
    columns = {"?": series, **{name: frame[name] for name in names}} if names else {"?": series}
    results = []
    for positive in node.tests:
        result = vector_expr.evaluate(positive.expr, columns, len(series))
        if result is None or result.kind != vector_expr.BOOLEAN:
            return None
        results.append(result.value)
    true = results[0].a & ~results[0].null
    null, bad = results[0].null, results[0].bad
    for v in results[1:]:  # FEEL's or over the tests, then not() for a negated cell
        true, null, bad = true | (v.a & ~v.null), (null | v.null), bad | v.bad
    null = null & ~true
    match = (~true & ~null) if node.negated else true
    return match.copy(), bad


def _by_distinct(test: TestFn, names: frozenset[str], series: pandas.Series,
                 frame: pandas.DataFrame | None) -> numpy.ndarray:
    import numpy as np

    ordered = sorted(names)
    columns = [series, *(frame[name] for name in ordered)] if ordered and frame is not None else [series]
    coded = [_factorize(column) for column in columns]
    if len(coded) == 1:
        codes, uniques = coded[0]
        answers = [test(value, {}) is True for value in uniques] + [test(None, {}) is True]
        return np.asarray(answers, dtype=bool)[codes]  # code -1 (missing) takes the last answer
    stacked = np.stack([codes for codes, _ in coded], axis=1)
    combos, inverse = np.unique(stacked, axis=0, return_inverse=True)
    answers = []
    for combo in combos:
        picked = [None if code < 0 else uniques[code] for code, (_, uniques) in zip(combo, coded)]
        answers.append(test(picked[0], dict(zip(ordered, picked[1:]))) is True)
    return np.asarray(answers, dtype=bool)[np.asarray(inverse).reshape(-1)]


def _factorize(column: pandas.Series) -> tuple[numpy.ndarray, list[Any]]:
    """(codes, distinct values): -1 for a missing value; lists (unhashable) by their items."""
    import pandas as pd

    try:
        codes, uniques = pd.factorize(column, use_na_sentinel=True)
        return codes, list(uniques)
    except TypeError:  # a column of lists
        keys = [tuple(v) if isinstance(v, (list, tuple)) or type(v).__name__ == "ndarray" else v
                for v in column.to_numpy(dtype=object)]
        missing = [values.kind_of(k) == values.NULL if not isinstance(k, tuple) else False for k in keys]
        codes, uniques = pd.factorize(pd.Series([None if m else k for k, m in zip(keys, missing)], dtype=object),
                                      use_na_sentinel=True)
        return codes, [list(u) if isinstance(u, tuple) else u for u in uniques]
