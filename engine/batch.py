"""Vectorized evaluation of a whole pandas DataFrame of records.

Owns ``evaluate_frame``: the same results as ``engine.evaluate.evaluate_record`` row by
row, computed column-wise.  Each distinct cell of a table is compiled once into a numpy
mask; rule masks form an (records × rules) boolean matrix; hit policies are resolved
with array operations, and output cells are evaluated over the rows that chose them.
Rows the array path cannot settle cheaply (several matches under A, R, O, C, C+, C<, C>)
go through the scalar resolver, so both paths share one meaning.
"""

from __future__ import annotations

from typing import Any, Collection, Iterable

import numpy as np
import pandas as pd

from engine import convert
from engine.errors import InputDataError
from engine.evaluate import ERRORS, MODEL, SEPARATOR, WARNINGS, blocked_message, resolve_rules, selected_tables, table_names
from engine.model import Model, Table


class _Notes:
    """Per-row messages (errors or warnings), kept only for rows that have any."""

    def __init__(self, n: int) -> None:
        self.rows: dict[int, list[str]] = {}
        self.n = n

    def add(self, mask: np.ndarray, message: str | Iterable[str]) -> None:
        indexes = np.flatnonzero(mask)
        texts = [message] * len(indexes) if isinstance(message, str) else list(message)
        for index, text in zip(indexes.tolist(), texts):
            self.rows.setdefault(index, []).append(text)

    def column(self) -> np.ndarray:
        out = np.full(self.n, "", dtype=object)
        for index, texts in self.rows.items():
            out[index] = SEPARATOR.join(texts)
        return out


class _Run:
    """The working state of one evaluate_frame call."""

    def __init__(self, model: Model, n: int) -> None:
        self.model, self.n = model, n
        self.work: dict[str, pd.Series] = {}
        self.unusable: dict[str, np.ndarray] = {}
        self.errors, self.warnings = _Notes(n), _Notes(n)
        self.results: dict[str, Any] = {}

    def frame(self, names: Iterable[str]) -> pd.DataFrame:
        return pd.DataFrame({name: self.work[name] for name in names if name in self.work}, index=pd.RangeIndex(self.n))


def result_columns(model: Model, tables: list[Table], explain: bool) -> list[str]:
    columns = []
    for table in tables:
        columns += list(table.output_names) + [f"{table.name}.rules"]
        if explain:
            columns.append(f"{table.name}.reference")
    return columns + [ERRORS, WARNINGS, MODEL]


def check_frame(model: Model, columns: Collection[str], tables: list[Table], explain: bool) -> list[str]:
    """Refuse a file that already holds result columns or lacks a required input; return
    the warnings for missing optional inputs."""
    clash = [c for c in result_columns(model, tables, explain) if c in columns]
    if clash:
        raise InputDataError(f"the patient file already has result column(s) {', '.join(clash)}; "
                             "remove them (or evaluate the original file) so that old and new results are not mixed")
    needed = set().union(*(table_names(t, model) for t in tables)) if tables else set()
    missing = [name for name in model.inputs if name not in columns and name in needed]
    required = [name for name in missing if model.inputs[name].required]
    if required:
        users = {name: [t.name for t in tables if name in table_names(t, model)] for name in required}
        detail = "; ".join(f"{name} (needed by {', '.join(users[name])})" for name in required)
        raise InputDataError(f"the patient file has no column for required input(s): {detail}; "
                             "add the column(s), named exactly as in the workbook's Inputs sheet")
    return [f"input {name} has no column in the file; it is treated as missing for every record" for name in missing]


def evaluate_frame(model: Model, frame: pd.DataFrame, decisions: Iterable[str] = (), explain: bool = False,
                   na_values: Collection[str] = ()) -> pd.DataFrame:
    tables = selected_tables(model, decisions)
    check_frame(model, frame.columns, tables, explain)
    run = _Run(model, len(frame))
    for name, definition in model.inputs.items():
        raw = frame[name].reset_index(drop=True) if name in frame else pd.Series([None] * run.n, dtype=object)
        _convert_input(run, name, definition, raw, na_values)
    for table in tables:
        _evaluate_table(run, table, explain)
    out = frame.copy()
    for column in result_columns(model, tables, explain)[:-3]:
        out[column] = run.results[column]
    out[ERRORS] = run.errors.column()
    out[WARNINGS] = run.warnings.column()
    out[MODEL] = model.label
    return out


def _convert_input(run: _Run, name: str, definition: Any, raw: pd.Series, na_values: Collection[str]) -> None:
    converted, problems = convert.convert_column(raw, definition.type, na_values)
    bad = problems.notna().to_numpy()
    run.errors.add(bad, (f"{name}: {p}" for p in problems[bad]))
    missing = converted.isna().to_numpy() & ~bad
    unusable = bad.copy()
    if definition.required:
        run.errors.add(missing, f"{name}: a value is required")
        unusable |= missing
    if definition.allowed is not None:
        refused = ~missing & ~bad & ~definition.allowed.mask(converted)
        run.errors.add(refused, (f"{name}: {convert.not_allowed_message(v, definition.allowed.text)}"
                                 for v in converted[refused]))
        unusable |= refused
    run.work[name], run.unusable[name] = converted, unusable


def _evaluate_table(run: _Run, table: Table, explain: bool) -> None:
    names = table_names(table, run.model)
    context = run.frame(names | set(run.model.aliases))
    narrowed = _narrowing(run, table, context)
    blocked = _report_blocked(run, table, names, narrowed)
    matrix = _rule_matrix(table, context)
    matrix[blocked] = False
    outputs, fired, failed = _resolve(run, table, matrix, context, blocked)
    for index, output in enumerate(table.outputs):
        name = table.qualified(output)
        run.work[name] = run.results[name] = pd.Series(outputs[index], dtype=object)
        run.unusable[name] = failed | blocked
    for alias, target in run.model.aliases.items():
        if target in table.output_names:
            run.work[alias], run.unusable[alias] = run.work[target], run.unusable[target]
    ids = np.array(table.rule_ids + ("",), dtype=object)
    run.results[f"{table.name}.rules"] = np.array([";".join(ids[list(f)]) for f in fired], dtype=object)
    if explain:
        refs = np.array([table.annotation(r, "Reference") for r in table.rules] + [""], dtype=object)
        run.results[f"{table.name}.reference"] = np.array([" | ".join(refs[list(f)]) for f in fired], dtype=object)


def _narrowing(run: _Run, table: Table, context: pd.DataFrame) -> dict[str, np.ndarray]:
    """Rows whose value lies outside an input column's own allowed values (row 3)."""
    narrowed = {}
    for column in table.inputs:
        if column.allowed is None:
            continue
        series = context[column.name]
        usable = ~run.unusable.get(column.name, np.zeros(run.n, bool))
        refused = usable & series.notna().to_numpy() & ~column.allowed.mask(series, context)
        message = (f"{table.name}: {column.heading} {convert.not_allowed_message(v, column.allowed_text)} in this table"
                   for v in series[refused])
        run.errors.add(refused, message)
        narrowed[column.name] = refused
    return narrowed


def _report_blocked(run: _Run, table: Table, names: set[str], narrowed: dict[str, np.ndarray]) -> np.ndarray:
    """Mark and explain the rows this table cannot evaluate; return their mask."""
    blocked = np.zeros(run.n, bool)
    for name in names:
        blocked |= run.unusable.get(name, False)
    for mask in narrowed.values():
        blocked |= mask
    messages = []
    for row in np.flatnonzero(blocked).tolist():
        bad = [n for n in sorted(names) if run.unusable.get(n, np.zeros(run.n, bool))[row]]
        bad += [n for n, mask in narrowed.items() if mask[row]]
        messages.append(blocked_message(table, bad))
    run.errors.add(blocked, messages)
    return blocked


def _rule_matrix(table: Table, context: pd.DataFrame) -> np.ndarray:
    matrix = np.ones((len(context), len(table.rules)), dtype=bool)
    for position, column in enumerate(table.inputs):
        groups: dict[str, list[int]] = {}
        for index, rule in enumerate(table.rules):
            if not rule.inputs[position].is_any:
                groups.setdefault(rule.inputs[position].text, []).append(index)
        series = context[column.name]
        for indexes in groups.values():
            mask = table.rules[indexes[0]].inputs[position].mask(series, context)
            matrix[:, indexes] &= mask[:, None]
    return matrix


def _resolve(run: _Run, table: Table, matrix: np.ndarray, context: pd.DataFrame, blocked: np.ndarray
             ) -> tuple[list[np.ndarray], list[tuple[int, ...]], np.ndarray]:
    policy, n = table.hit_policy, run.n
    counts = matrix.sum(axis=1)
    outputs = [np.full(n, None, dtype=object) for _ in table.outputs]
    fired: list[tuple[int, ...]] = [()] * n
    failed = np.zeros(n, bool)
    empty = (counts == 0) & ~blocked
    for values in outputs:
        count = int(empty.sum())
        values[empty] = _objects([[] for _ in range(count)]) if policy.returns_list else policy.empty_result()
    if policy.single_hit:
        run.warnings.add(empty, f"{table.name}: no rule matched")
    chosen = _chosen(table, matrix, counts)
    _fill(table, chosen, outputs, context, listed=policy.returns_list)
    for row in np.flatnonzero(chosen >= 0).tolist():
        fired[row] = (int(chosen[row]),)
    if policy.code == "C#":
        outputs[0][counts == 1] = 1
    slow = np.flatnonzero((counts > 0) & (chosen < 0)).tolist()
    for row in slow:
        matched = np.flatnonzero(matrix[row]).tolist()
        record = {name: series.iat[row] for name, series in context.items()}
        resolution = resolve_rules(table, matched, record)
        for index, values in enumerate(outputs):
            values[row] = resolution.outputs[index]
        fired[row] = resolution.fired
        if resolution.error:
            run.errors.add(np.arange(n) == row, f"{table.name}: {resolution.error}")
            failed[row] = True
    return outputs, fired, failed


def _chosen(table: Table, matrix: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """The one rule whose outputs make each row's result where arrays settle it, else -1."""
    code = table.hit_policy.code
    first = np.where(counts > 0, matrix.argmax(axis=1), -1)
    if code == "F":
        return first
    if code == "P":
        ranks = _priority_positions(table)
        if ranks is not None:
            ranked = np.where(matrix, ranks[None, :], len(table.rules))
            return np.where(counts > 0, ranked.argmin(axis=1), -1)
    if code in ("C+", "C<", "C>"):
        return np.full(len(counts), -1)
    return np.where(counts == 1, first, -1)


def _priority_positions(table: Table) -> np.ndarray | None:
    """Each rule's place when rules are sorted by output priority (then rule order), or None
    when an output cell is not a constant."""
    from engine.hit_policy import priority

    keys = []
    for index, rule in enumerate(table.rules):
        constants = [e.constant for e in rule.outputs]
        if not all(known for known, _ in constants):
            return None
        keys.append((tuple(priority(v, o) for (_, v), o in zip(constants, table.priorities) if o), index))
    order = sorted(range(len(keys)), key=lambda i: keys[i])
    positions = np.empty(len(keys), dtype=np.int64)
    positions[order] = np.arange(len(keys))
    return positions


def _fill(table: Table, chosen: np.ndarray, outputs: list[np.ndarray], context: pd.DataFrame, listed: bool) -> None:
    for index, rule in enumerate(table.rules):
        rows = np.flatnonzero(chosen == index)
        if not len(rows):
            continue
        for position, expression in enumerate(rule.outputs):
            known, constant = expression.constant
            if known:
                outputs[position][rows] = _objects([[constant] for _ in rows]) if listed else constant
                continue
            computed = expression.evaluate_frame(context.iloc[rows]).to_numpy(dtype=object)
            outputs[position][rows] = _objects([[v] for v in computed]) if listed else computed


def _objects(items: list[Any]) -> np.ndarray:
    """A 1-D object array holding ``items`` as they are (lists stay list objects)."""
    array = np.empty(len(items), dtype=object)
    for index, item in enumerate(items):
        array[index] = item
    return array
