"""Vectorized evaluation of a whole pandas DataFrame of records.

Owns ``evaluate_frame``: the same results as ``engine.evaluate.evaluate_record`` row by
row, computed column-wise.  Inputs are converted once per distinct value into typed
columns (numbers, booleans, categorical texts, dates); each distinct cell of a table is
compiled once into a numpy mask; which rule makes each record's result is
``engine.evaluation.matching``'s (a rules × records matrix, resolved by hit policy), and
outputs are taken from per-rule tables by rule index.
Result columns stay codes into their distinct values (``engine.evaluation.coded``) until a pandas
column is asked for, so that ``engine.files.pipeline`` can write them without one Python object
per row; ``evaluate_columns`` gives them in that form.
"""

from __future__ import annotations

import difflib
import itertools
import os
from collections.abc import Callable, Collection, Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from engine._core.errors import InputDataError
from engine._core.threads import pool
from engine.evaluation import columns
from engine.evaluation import input_values as convert
from engine.evaluation.binding import as_input_names, input_columns
from engine.evaluation.coded import Coded, as_series, joined_notes, objects
from engine.evaluation.computed import compute_column, computed_names
from engine.evaluation.matching import Outcome, match, once
from engine.evaluation.record import (
    ERRORS,
    MODEL,
    SEPARATOR,
    WARNINGS,
    blocked_message,
)
from engine.evaluation.structures import column_problems
from engine.model.computed import read_through
from engine.model.graph import selected_tables, table_names
from engine.model.types import InputColumn, Model, Table

# A column of a patient table with, per row, why its record could not be read (a JSON line that
# is not an object, engine.files.jsonl): such a row's inputs are all unusable, its _errors say why.
ROW_PROBLEMS = "_dtrun_row_problems"


class _Notes:
    """Per-row messages (errors or warnings), kept only for rows that have any."""

    def __init__(self, n: int) -> None:
        self.rows: dict[int, list[str]] = {}
        self.n = n

    def add(self, rows: list[int], messages: Iterable[str] | str) -> None:
        """One message per row, or the same message for every row."""
        texts = itertools.repeat(messages) if isinstance(messages, str) else messages
        for row, text in zip(rows, texts):
            self.rows.setdefault(row, []).append(text)

    def column(self) -> Coded:
        return joined_notes(self.n, self.rows, SEPARATOR)


class _Run:
    """The working state of one evaluate_frame call."""

    def __init__(self, model: Model, n: int, observe: Callable[[Outcome], None] | None = None) -> None:
        self.model, self.n, self.observe = model, n, observe
        self.work: dict[str, pd.Series | Coded] = {}  # Coded until a table reads it
        self.unusable: dict[str, np.ndarray] = {}
        self.errors, self.warnings = _Notes(n), _Notes(n)
        self.results: dict[str, Coded | pd.Series] = {}

    def column(self, name: str) -> pd.Series:
        found = self.work.get(name)
        if isinstance(found, Coded):
            found = self.work[name] = found.series()
        return found if found is not None else pd.Series([None] * self.n, dtype=object)

    def bad(self, name: str) -> np.ndarray:
        found = self.unusable.get(name)
        return found if found is not None else np.zeros(self.n, dtype=bool)

    def frame(self, names: Iterable[str]) -> pd.DataFrame:
        return pd.DataFrame({name: self.column(name) for name in names if name in self.work},
                            index=pd.RangeIndex(self.n))


def result_columns(model: Model, tables: list[Table], explain: bool) -> list[str]:
    columns = []
    for table in tables:
        columns += list(table.output_names) + [f"{table.name}.rules"]
        if explain:
            columns += [f"{table.name}.reference", f"{table.name}.guidance"]
    return columns + [ERRORS, WARNINGS, MODEL]


def check_frame(model: Model, columns: Collection[str], tables: list[Table], explain: bool) -> list[str]:
    """Refuse a file that already holds result columns or lacks a required input; return
    the warnings for missing optional inputs."""
    clash = [c for c in result_columns(model, tables, explain) if c in columns]
    if clash:
        raise InputDataError(f"the patient file already has result column(s) {', '.join(clash)}; "
                             "remove them (or evaluate the original file) so that old and new results are not mixed")
    source = model.source
    needed = read_through(model.inputs, set().union(*(table_names(t, model) for t in tables)) if tables else set())
    computed = [name for name, d in model.inputs.items() if d.expression is not None]
    missing = [name for name in model.inputs if name not in columns and name in needed and name not in computed]
    required = [name for name in missing if model.inputs[name].required]
    if required:
        users = {name: [source.name(t.name) for t in tables if name in table_names(t, model)] for name in required}
        nearby = {name: _near(source.name(name), columns) for name in required}
        detail = "; ".join(f"{source.name(name)} (needed by {', '.join(users[name])}"
                           f"{'; ' + nearby[name] if nearby[name] else ''})" for name in required)
        raise InputDataError(f"the patient file has no column for required input(s): {detail}; "
                             f"add the column(s), named {source.words.input_columns}")
    nearby = {name: _near(source.name(name), columns) for name in missing}
    ignored = [f"{source.words.say('input', name=source.name(name))} is computed by its expression "
               f"{model.inputs[name].expression.text}; the file's column {source.name(name)} is ignored (the "
               "computed value is used)" for name in computed if name in columns]
    return ignored + [f"{source.words.say('input', name=source.name(name))} has no column in the file; it is "
                      "treated as missing for every record" + (f" ({nearby[name]})" if nearby[name] else "")
                      for name in missing]


def _near(name: str, columns: Collection[str]) -> str:
    """'is it the column "Weight_kg "? ...' for a column whose name differs only in case,
    spaces or a slip of the keyboard; '' when none is close."""
    def key(text: str) -> str:
        return "".join(text.lower().split()).replace("-", "_")

    close = [c for c in columns if key(c) == key(name)] or difflib.get_close_matches(name, list(columns), n=1,
                                                                                   cutoff=0.8)
    return f'is it the column "{close[0]}"? rename it to {name}' if close else ""


def evaluate_frame(model: Model, frame: pd.DataFrame, decisions: Iterable[str] = (), explain: bool = False,
                   na_values: Collection[str] = ()) -> pd.DataFrame:
    """The frame with the result columns added (see ``result_columns``)."""
    tables = selected_tables(model, decisions)
    problems = frame[ROW_PROBLEMS].reset_index(drop=True) if ROW_PROBLEMS in frame.columns else None
    frame = frame.drop(columns=[ROW_PROBLEMS]) if problems is not None else frame
    found = input_columns(model, frame.columns)  # a DMN model's inputs may be under their DMN names
    check_frame(model, as_input_names(frame.columns, found), tables, explain)
    source = {name: frame[column].reset_index(drop=True) for name, column in found.items()}
    results = evaluate_columns(model, source, len(frame), tables, explain, na_values, problems=problems)
    added = pd.DataFrame({k: as_series(v).array for k, v in results.items()}, index=frame.index)
    return pd.concat([frame, added], axis=1)


def evaluate_columns(model: Model, source: Mapping[str, Any], n: int, tables: list[Table], explain: bool,
                     na_values: Collection[str] = (), observe: Callable[[Outcome], None] | None = None,
                     problems: Any = None) -> dict[str, Coded | pd.Series]:
    """The result columns, in order, for ``n`` records whose input columns (pandas Series
    or Arrow arrays, by input name; absent: missing) are in ``source``; the frame's
    checks (``check_frame``) are the caller's.  ``observe`` is given each table's
    ``Outcome`` as it is evaluated.  ``problems`` (``ROW_PROBLEMS``): per row, why its
    record could not be read (None: it could); such rows have no usable input."""
    run = _Run(model, n, observe)
    unread = _unread_rows(problems, n)
    if unread:
        run.errors.add(list(unread), list(unread.values()))
    bad = np.zeros(n, dtype=bool)
    bad[list(unread)] = True
    for name, column in _converted(model, source, n, na_values).items():
        run.work[name], run.unusable[name] = column.values, column.unusable | bad
        said = [row for row in column.messages if row not in unread]
        run.errors.add(said, [column.messages[row] for row in said])
    if model.structures:
        present = lambda name: run.column(name).notna().to_numpy() | run.bad(name)  # noqa: E731
        for names, rows, problem in column_problems(model, present):
            rows = rows & ~bad
            run.errors.add(np.flatnonzero(rows).tolist(), problem)
            for name in names:
                run.unusable[name] = run.bad(name) | rows
    for name in computed_names(model):
        column = compute_column(model.inputs[name], run.column, run.bad, n, model.source.name(name))
        run.work[name], run.unusable[name] = column.values, column.unusable | bad
        said = [row for row in sorted(column.messages) if row not in unread]
        run.errors.add(said, [column.messages[row] for row in said])
    for table in tables:
        _evaluate_table(run, table, explain)
    results = {c: run.results[c] for c in result_columns(model, tables, explain)[:-3]}
    results[ERRORS] = run.errors.column()
    results[WARNINGS] = run.warnings.column()
    results[MODEL] = Coded((model.label,), np.zeros(n, dtype=np.int64))
    return results


def _converted(model: Model, source: Mapping[str, Any], n: int, na_values: Collection[str]
               ) -> dict[str, columns.Column]:
    """Every input column converted and checked, in the model's order.  Columns are
    independent and most of the work (hashing texts, numpy) runs without Python's lock,
    so large ones are converted at the same time on a pool of threads (``engine._core.threads``)."""
    def convert(name: str) -> columns.Column:
        raw = source[name] if name in source else pd.Series([None] * n, dtype=object)
        return columns.convert_column(raw, model.inputs[name], na_values, model.source.name(name))

    names = [name for name, definition in model.inputs.items() if definition.expression is None]
    if n < _PARALLEL_ROWS or len(names) < 2:
        return {name: convert(name) for name in names}
    return dict(zip(names, pool("convert", min(4, os.cpu_count() or 1)).map(convert, names)))


def _unread_rows(problems: Any, n: int) -> dict[int, str]:
    """Row → its problem, from a column of texts (None: no problem)."""
    if problems is None:
        return {}
    texts = problems.to_pylist() if hasattr(problems, "to_pylist") else list(problems)
    if len(texts) != n:
        raise ValueError(f"{ROW_PROBLEMS} has {len(texts)} rows, expected {n}")
    return {row: text for row, text in enumerate(texts) if isinstance(text, str) and text}


_PARALLEL_ROWS = 50_000  # below this, threads cost more than they save


def _evaluate_table(run: _Run, table: Table, explain: bool) -> None:
    names = table_names(table, run.model)
    context = once(lambda: run.frame(names | set(run.model.aliases)))
    narrowed = _narrowing(run, table, context)
    blocked = _report_blocked(run, table, names, narrowed)
    codes, fired, failed, matched = match(run.model, table, run.column, context, blocked, run.errors, run.warnings)
    if run.observe is not None:
        run.observe(Outcome(table.name, codes, matched, failed, {row: r.fired for row, r in fired.items()}))
    for index, output in enumerate(table.outputs):
        name = table.qualified(output)
        run.work[name] = run.results[name] = _output_column(table, index, codes, fired, context)
        run.unusable[name] = failed | blocked
    for alias, target in run.model.aliases.items():
        if target in table.output_names:
            run.work[alias], run.unusable[alias] = run.work[target], run.unusable[target]
    ids = [rule.id for rule in table.rules]
    run.results[f"{table.name}.rules"] = _joined(ids, codes, fired)
    if explain:
        for kind, annotation in (("reference", "Reference"), ("guidance", "Guidance")):
            notes = [table.annotation(rule, annotation) for rule in table.rules]
            run.results[f"{table.name}.{kind}"] = _joined(notes, codes, fired, " | ")


def _narrowing(run: _Run, table: Table, context: Callable[[], pd.DataFrame]) -> dict[str, np.ndarray]:
    """Rows whose value lies outside an input column's own allowed values (row 3), or is
    missing where the column requires one."""
    narrowed = {}
    source = run.model.source
    for column in table.inputs:
        if column.allowed is None and not column.required:
            continue
        series = run.column(column.name)
        where = f"{source.name(table.name)}: {source.name(column.heading)}"
        present = series.notna().to_numpy()
        refused = np.zeros(run.n, dtype=bool)
        if column.required:
            refused = ~run.bad(column.name) & ~present
            run.errors.add(np.flatnonzero(refused).tolist(), f"{where}: {source.words.required_here}")
        if column.allowed is not None:
            frame = context() if column.allowed.names else None
            outside = ~run.bad(column.name) & present & ~column.allowed.mask(series, frame)
            rows = np.flatnonzero(outside).tolist()
            run.errors.add(rows, [f"{where} {_refused(series.iat[r], column)} in this table" for r in rows])
            refused = refused | outside
        narrowed[column.name] = refused
    return narrowed


def _refused(value: Any, column: InputColumn) -> str:
    if isinstance(value, tuple):  # a list: its first element not allowed
        return convert.refusal(value, column.allowed)
    return convert.not_allowed_message(value, column.allowed_text)


def _report_blocked(run: _Run, table: Table, names: set[str], narrowed: dict[str, np.ndarray]) -> np.ndarray:
    """Mark and explain the rows this table cannot evaluate; return their mask."""
    blocked = np.zeros(run.n, dtype=bool)
    for name in names:
        blocked |= run.bad(name)
    for mask in narrowed.values():
        blocked |= mask
    rows = np.flatnonzero(blocked).tolist()
    ordered = sorted(names)
    messages = []
    for row in rows:
        bad = [n for n in ordered if run.bad(n)[row]] + [n for n, mask in narrowed.items() if mask[row]]
        messages.append(blocked_message(run.model, table, bad))
    run.errors.add(rows, messages)
    return blocked


def _output_column(table: Table, position: int, codes: np.ndarray, settled: dict[int, Any],
                   context: Callable[[], pd.DataFrame]) -> Coded | pd.Series:
    """One output's values: taken from a per-rule table by code, computed cells evaluated
    over the rows that chose them, slow rows from their Resolution."""
    policy = table.hit_policy
    if policy.code == "C#":  # each rule that fires counts one
        constants = [(True, 1)] * len(table.rules)
    else:
        constants = [rule.outputs[position].constant for rule in table.rules]
    table_values = [value if known else None for known, value in constants]
    computed = [i for i, (known, _) in enumerate(constants) if not known]
    per_rule = [[v] for v in table_values] if policy.returns_list else table_values
    default = table.outputs[position].default  # rows that use a computed one are settled (slow)
    empty = policy.empty_result(default.constant[1] if default is not None and default.constant[0] else None)
    entries = per_rule + [None, None, empty]  # codes -3, -2, -1
    if not computed:
        column = Coded.of(entries, codes)
        return column.with_rows(settled, (r.outputs[position] for r in settled.values())) if settled else column
    found = {i: table.rules[i].outputs[position].evaluate_frame(context().iloc[rows])
             for i in computed if len(rows := np.flatnonzero(codes == i))}
    if not (policy.returns_list or settled) and _numeric(table_values, found.values()):
        numbers = np.array([np.nan if v is None else v for v in entries], dtype=np.float64)
        result = numbers[np.where(codes < 0, len(entries) + codes, codes)]
        for index, values in found.items():
            result[codes == index] = values.to_numpy(dtype=np.float64)
        return pd.Series(result)
    values = objects(entries)[np.where(codes < 0, len(entries) + codes, codes)]
    for index, series in found.items():
        items = series.to_numpy(dtype=object)
        values[codes == index] = objects([[v] for v in items]) if policy.returns_list else items
    for row, resolution in settled.items():
        values[row] = resolution.outputs[position]
    return _typed_output(values)


def _numeric(constants: list[Any], computed: Iterable[pd.Series]) -> bool:
    """Whether every constant is a number (or null) and every computed column is numbers."""
    return all(v is None or (isinstance(v, (int, float)) and not isinstance(v, bool)) for v in constants) and all(
        s.dtype.kind in "if" for s in computed)


def _typed_output(values: np.ndarray) -> pd.Series:
    """Texts as a categorical, numbers as float64, so that downstream tables are fast."""
    series = pd.Series(values, dtype=object)
    inferred = pd.api.types.infer_dtype(series, skipna=True)
    if inferred == "string":
        return series.astype("category")
    if inferred in ("integer", "floating", "mixed-integer-float"):
        return series.astype("float64")
    return series


def _joined(texts: list[str], codes: np.ndarray, settled: dict[int, Any], separator: str = ";") -> Coded:
    """Per row, the texts of the rules that made the result (e.g. rule ids), joined."""
    column = Coded.of(texts + ["", "", ""], codes)
    if not settled:
        return column
    return column.with_rows(settled, (separator.join(texts[i] for i in r.fired) for r in settled.values()))
