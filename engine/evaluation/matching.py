"""Which rule makes each record's result, over whole columns: the match matrix and the hit policy.

Owns the (rules × records) boolean matrix, built once per distinct cell of each input
column, and its resolution by hit policy with array operations; the records that arrays
cannot settle cheaply (several matches under A, R, O, C and the aggregations) go through
the scalar resolver (``engine.evaluation.record.resolve_rules``), so both paths share one
meaning.  The matrix is built for a block of records at a time, of at most MATRIX_CELLS
booleans: a table of 20,000 rules over 140,000 records would otherwise need 2.8 GB, and
its copies more.  Tables of ordinary size take all records in one block.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from engine.evaluation.record import resolve_rules
from engine.feel.vectorized import category_table
from engine.model.hit_policy import priority
from engine.model.types import Model, Table

MATRIX_CELLS = 1 << 28  # 256 MiB of booleans: 2,048 rules over a block of 131,072 records


@dataclass(frozen=True)
class Outcome:
    """How one table came to each record's result, for those who count them (the population
    view, ``engine.review.population``): ``codes`` as ``match`` gives them (the rule that made
    the result; -1 no rule matched, -2 not evaluated, -3 see ``fired``), how many rules
    ``matched`` each record, the records whose hit policy ``failed`` (an error), and the rules
    ``fired`` for each record coded -3, in result order."""

    table: str
    codes: np.ndarray
    matched: np.ndarray
    failed: np.ndarray
    fired: Mapping[int, tuple[int, ...]]


def match(model: Model, table: Table, column: Callable[[str], pd.Series], context: Callable[[], pd.DataFrame],
          blocked: np.ndarray, errors: Any, warnings: Any
          ) -> tuple[np.ndarray, dict[int, Any], np.ndarray, np.ndarray]:
    """Per record: the rule that makes the result (codes: -1 no match, -2 not evaluated
    (``blocked``), -3 settled by the scalar resolver), the Resolution of each record so
    settled, the records whose resolution failed (its error added to ``errors``), and how
    many rules matched each record (0 where ``blocked``).
    ``column`` gives an input's values, ``context`` the frame of all the table reads."""
    n = len(blocked)
    size = max(1, MATRIX_CELLS // max(1, len(table.rules)))
    block = _Block(model, table, context, errors, warnings)
    whole = [column(c.name) for c in table.inputs]
    cells = _distinct_cells(table)
    if size >= n:
        return block.resolve(_matrix(table, cells, whole, context, n), blocked, 0)
    codes, failed, settled = np.empty(n, dtype=np.int64), np.zeros(n, dtype=bool), {}
    counts = np.zeros(n, dtype=np.int32)
    tables: dict[tuple[int, str], np.ndarray] = {}  # a categorical column's cells, made once for all blocks
    for start in range(0, n, size):
        part = slice(start, min(n, start + size))
        inputs = [series.iloc[part].reset_index(drop=True) for series in whole]
        frame = once(lambda part=part: context().iloc[part].reset_index(drop=True))
        matrix = _matrix(table, cells, inputs, frame, part.stop - start, tables)
        codes[part], found, failed[part], counts[part] = block.resolve(matrix, blocked[part], start)
        settled.update(found)
    return codes, settled, failed, counts


def once(make: Callable[[], pd.DataFrame]) -> Callable[[], pd.DataFrame]:
    """``make``, called at the first call only (a frame is made only if a cell reads it)."""
    made: list[pd.DataFrame] = []
    return lambda: made[0] if made else made.append(make()) or made[0]


def _distinct_cells(table: Table) -> list[dict[str, list[int]]]:
    """Per input column: each distinct cell text that tests something, with the rules that hold it."""
    columns: list[dict[str, list[int]]] = [{} for _ in table.inputs]
    for index, rule in enumerate(table.rules):
        for groups, test in zip(columns, rule.inputs):
            if not test.is_any:
                groups.setdefault(test.text, []).append(index)
    return columns


def _matrix(table: Table, cells: list[dict[str, list[int]]], inputs: list[pd.Series],
            context: Callable[[], pd.DataFrame], n: int, tables: dict[tuple[int, str], np.ndarray] | None = None
            ) -> np.ndarray:
    """matrix[r, i]: rule r matches record i (of ``inputs``, whose rows ``context`` has).
    With ``tables``, a cell of a categorical column is looked up in its table of categories
    (made on first use and kept there), so that each block costs numpy's time, not Python's."""
    matrix = np.ones((len(table.rules), n), dtype=bool)
    for position, (series, groups) in enumerate(zip(inputs, cells)):
        codes = series.array.codes if tables is not None and isinstance(series.dtype, pd.CategoricalDtype) else None
        for text, indexes in groups.items():
            test = table.rules[indexes[0]].inputs[position]
            if codes is not None and not test.names:
                key = (position, text)
                if key not in tables:
                    tables[key] = category_table(test.node, series.cat.categories) if not test.feel else \
                        feel_category_table(test, series.cat.categories)
                mask = tables[key][codes]
            else:
                mask = test.mask(series, context() if test.names else None)
            if len(indexes) == 1:
                matrix[indexes[0]] &= mask  # in place: a fancy index would copy the row and write it back
            else:
                matrix[indexes] &= mask
    return matrix


def feel_category_table(test: Any, index: pd.Index) -> np.ndarray:
    """``category_table`` of a FEEL cell: its answer per category, then for null (code -1)."""
    return np.asarray(test.mask(pd.Series([*index.tolist(), None], dtype=object)), dtype=bool)


class _Block:
    """Resolves blocks of the matrix by hit policy; what every block shares is made once."""

    def __init__(self, model: Model, table: Table, context: Callable[[], pd.DataFrame], errors: Any,
                 warnings: Any) -> None:
        self.model, self.table, self.context, self.errors, self.warnings = model, table, context, errors, warnings
        self.name = model.source.name(table.name)
        self._records: dict[str, np.ndarray] | None = None

    def records(self) -> dict[str, np.ndarray]:
        if self._records is None:
            frame = self.context()
            self._records = {name: frame[name].to_numpy(dtype=object) for name in frame.columns}
        return self._records

    def resolve(self, matrix: np.ndarray, blocked: np.ndarray, start: int
                ) -> tuple[np.ndarray, dict[int, Any], np.ndarray, np.ndarray]:
        table, policy = self.table, self.table.hit_policy
        matrix[:, blocked] = False
        counts = matrix.sum(axis=0, dtype=np.int32)
        codes = _chosen(table, matrix, counts)
        codes[counts == 0] = -1
        codes[blocked] = -2
        if policy.single_hit and not table.has_defaults:
            self.warnings.add((np.flatnonzero(codes == -1) + start).tolist(), f"{self.name}: no rule matched")
        slow = (counts > 0) & (codes < 0) & ~blocked
        slow |= self._without_value(codes, start)
        if any(o.default is not None and not o.default.constant[0] for o in table.outputs):
            slow |= codes == -1  # a default computed from the record: the record evaluator's
        slow_rows = np.flatnonzero(slow).tolist()
        codes[slow_rows] = -3
        failed = np.zeros(len(blocked), dtype=bool)
        settled: dict[int, Any] = {}
        for row in slow_rows:
            record = {name: values[start + row] for name, values in self.records().items()}
            resolution = resolve_rules(self.model, table, np.flatnonzero(matrix[:, row]).tolist(), record)
            settled[start + row] = resolution
            if resolution.error:
                self.errors.add([start + row], f"{self.name}: {resolution.error}")
                failed[row] = True
        return codes, settled, failed, counts


    def _without_value(self, codes: np.ndarray, start: int) -> np.ndarray:
        """Rows whose chosen rule has a FEEL output cell that gives them no value: the scalar
        resolver settles them (with the error that says why)."""
        none = np.zeros(len(codes), dtype=bool)
        for index, rule in enumerate(self.table.rules):
            feel = [cell for cell in rule.outputs if cell.feel and not cell.constant[0]]
            if not feel or not len(rows := np.flatnonzero(codes == index)):
                continue
            frame = self.context().iloc[rows + start]
            for cell in feel:
                none[rows[cell.evaluate_rows(frame)[1]]] = True
        return none


def _chosen(table: Table, matrix: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """The one rule whose outputs make each row's result where arrays settle it, else -3."""
    code, matches = table.hit_policy.code, int(counts.sum())
    first = _first(matrix, range(len(table.rules)), matches)
    if code == "F":
        return first
    if code == "P":
        ranks = _priority_positions(table)
        if ranks is not None:
            return _first(matrix, np.argsort(ranks, kind="stable").tolist(), matches)
    if code in ("C+", "C<", "C>"):
        return np.full(len(counts), -3)
    return np.where(counts == 1, first, -3)


def _first(matrix: np.ndarray, order: Iterable[int], matches: int) -> np.ndarray:
    """Per record, the first rule in ``order`` that matches it (-3 where none does);
    ``matches``: how many (rule, record) pairs match."""
    order = list(order)
    if len(order) > 64:  # one pass over the whole matrix beats many passes over rows
        ranked = matrix if order == list(range(len(matrix))) else matrix[order]  # no copy in rule order
        if matches <= 4 * ranked.shape[1]:  # few matches: their (rank, record) pairs, rank-major
            ranks, records = np.nonzero(ranked)
            chosen = np.full(ranked.shape[1], -3, dtype=np.int64)
            seen, first = np.unique(records, return_index=True)
            chosen[seen] = np.asarray(order, dtype=np.int64)[ranks[first]]
            return chosen
        found = ranked.argmax(axis=0)  # along the rules: slow for many records, hence the above
        return np.where(ranked.any(axis=0), np.asarray(order)[found], -3)
    # Last rule first, chosen += (rule - chosen) * matches: where the rule matches, chosen
    # becomes the rule. Arithmetic on int8 (rule numbers < 64, so rule + 3 fits) is about 40
    # times faster than the masked assignment chosen[matches] = rule.
    chosen = np.full(matrix.shape[1], -3, dtype=np.int8)
    step = np.empty_like(chosen)
    for rule in reversed(order):
        np.subtract(np.int8(rule), chosen, out=step)
        np.multiply(step, matrix[rule].view(np.int8), out=step)
        chosen += step
    return chosen.astype(np.int64)


def _priority_positions(table: Table) -> np.ndarray | None:
    """Each rule's place when rules are sorted by output priority (then rule order), or None
    when an output cell is not a constant."""
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
