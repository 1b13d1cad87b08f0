"""The population view: what the records of a patient file did in each table.

Owns ``Population`` and how it is counted.  Per table: how many records each rule fired for;
how many fell in a gap (no rule matched), matched several rules (an overlap: an error in a
UNIQUE table, the order or the priority decides in others, several results in a collect
table), met a hit-policy error (a conflict: rules of a U table that overlap, rules of an A
table that disagree, values a collect table cannot add) or could not be evaluated (an input
without a usable value); and the distribution of each output: the records per value (for a
list output, the records whose list holds the value), numbers with many distinct values as a
histogram.  Counted block by block (``Tally``) from what the vectorized path gives (each
table's ``engine.evaluation.matching.Outcome`` and the result columns), so that a file of
any size is counted in the memory of its distinct values.  ``population_of_file`` reads and
evaluates a patient file as ``dtrun evaluate`` does, ``population_of_frame`` a DataFrame.
The page is made by ``engine.review.population_render``.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from engine.evaluation.coded import Coded
from engine.evaluation.record import ERRORS, WARNINGS, format_cell
from engine.model.graph import selected_tables
from engine.model.types import Model, Table

HISTOGRAM_VALUES = 12  # a number output with more distinct values than this is shown as a histogram
HISTOGRAM_BINS = 10


@dataclass(frozen=True)
class RuleCount:
    """One rule: its id, how the model's source names it, and the records it fired for."""

    id: str
    shown: str
    fired: int


@dataclass(frozen=True)
class Bin:
    """Records whose value lies in [low, high) (the last bin: [low, high])."""

    low: float
    high: float
    count: int


@dataclass(frozen=True)
class Distribution:
    """One output's values over the records the table gave a value: ``values`` (the value
    as a CSV cell holds it, and its records), most frequent first, or ``bins`` for numbers
    with many distinct values; ``missing``: records with no value (null, an empty list)."""

    output: str  # table.output
    shown: str  # the output's name as the model's file names it
    values: tuple[tuple[str, int], ...] = ()
    bins: tuple[Bin, ...] = ()
    missing: int = 0
    listed: bool = False  # the output is a list (R, O and C tables): a record counts once per value it holds

    @property
    def largest(self) -> int:
        return max([c for _, c in self.values] + [b.count for b in self.bins] + [self.missing, 1])


@dataclass(frozen=True)
class TablePopulation:
    """What the records did in one table (``records``: all of them, evaluated or not)."""

    name: str
    shown: str
    policy: str  # the hit policy's code
    policy_shown: str  # as the model's file names it
    records: int
    rules: tuple[RuleCount, ...]
    gap: int  # evaluated, no rule matched
    overlap: int  # evaluated, more than one rule matched
    conflict: int  # the hit policy gave an error (an overlap under U, a disagreement under A, ...)
    not_evaluated: int  # an input (or an upstream result) without a usable value
    outputs: tuple[Distribution, ...]

    @property
    def errors(self) -> int:
        """Records this table gave no result because of an error."""
        return self.conflict + self.not_evaluated

    @property
    def evaluated(self) -> int:
        return self.records - self.not_evaluated

    @property
    def single_hit(self) -> bool:
        return self.policy in ("U", "A", "P", "F")

    @property
    def largest(self) -> int:
        return max([r.fired for r in self.rules] + [self.gap, 1])


@dataclass(frozen=True)
class Population:
    """Every selected table's counts over the records of ``source``."""

    model: str  # the model's label (file name and version), as _model holds it
    source: str  # the patient file's name, or what the records came from
    records: int
    with_errors: int  # records whose _errors is not empty
    with_warnings: int
    tables: tuple[TablePopulation, ...]
    warnings: tuple[str, ...] = ()  # about the file: a missing optional column, ...

    def table(self, name: str) -> TablePopulation:
        return next(t for t in self.tables if t.name == name)


class Tally:
    """Counts blocks of records as they are evaluated: ``add`` is the observer that
    ``engine.files.pipeline.evaluate_file`` calls with each block's result columns and
    outcomes; ``population`` gives the counts so far."""

    def __init__(self, model: Model, tables: Sequence[Table] | None = None) -> None:
        self.model = model
        self.tables = list(model.tables if tables is None else tables)
        self.records = self.with_errors = self.with_warnings = 0
        self.fired = {t.name: np.zeros(len(t.rules), dtype=np.int64) for t in self.tables}
        self.counts = {t.name: Counter[str]() for t in self.tables}  # gap, overlap, conflict, not_evaluated
        self.values = {name: Counter[Any]() for t in self.tables for name in t.output_names}

    def add(self, results: Mapping[str, Any], outcomes: Iterable[Any]) -> None:
        """One block: its result columns (Coded or pandas, by name) and each table's Outcome."""
        self.records += len(results[ERRORS])
        self.with_errors += _not_empty(results[ERRORS])
        self.with_warnings += _not_empty(results[WARNINGS])
        for outcome in outcomes:
            self._outcome(outcome)
        for table in self.tables:
            listed = table.hit_policy.returns_list
            for name in table.output_names:
                if name in results:
                    _count_values(self.values[name], results[name], listed)

    def _outcome(self, outcome: Any) -> None:
        if outcome.table not in self.fired:
            return
        codes, matched = outcome.codes, outcome.matched
        fired = self.fired[outcome.table]
        fired += np.bincount(codes[codes >= 0], minlength=len(fired))[:len(fired)]
        for rules in outcome.fired.values():
            for rule in rules:
                fired[rule] += 1
        blocked = codes == -2
        counts = self.counts[outcome.table]
        counts["gap"] += int(np.count_nonzero((matched == 0) & ~blocked))
        counts["overlap"] += int(np.count_nonzero(matched > 1))
        counts["conflict"] += int(np.count_nonzero(outcome.failed & ~blocked))
        counts["not_evaluated"] += int(np.count_nonzero(blocked))

    def population(self, source: str = "", warnings: Sequence[str] = ()) -> Population:
        model = self.model
        tables = []
        for table in self.tables:
            counts = self.counts[table.name]
            rules = tuple(RuleCount(rule.id, model.source.rule_label(table.name, rule.id), int(count))
                          for rule, count in zip(table.rules, self.fired[table.name]))
            outputs = tuple(distribution(name, model.source.name(output.name), self.values[name],
                                         table.hit_policy.returns_list)
                            for name, output in zip(table.output_names, table.outputs))
            tables.append(TablePopulation(table.name, model.source.name(table.name), table.hit_policy.code,
                                          model.source.policy(table.hit_policy), self.records, rules, counts["gap"],
                                          counts["overlap"], counts["conflict"], counts["not_evaluated"], outputs))
        return Population(model.label, source, self.records, self.with_errors, self.with_warnings, tuple(tables),
                          tuple(warnings))


def population_of_frame(model: Model, frame: pd.DataFrame, decisions: Iterable[str] = (),
                        na_values: Collection[str] = (), source: str = "") -> Population:
    """The population of the records of ``frame`` (columns named as in a patient file),
    evaluated as ``engine.evaluation.evaluate_frame`` evaluates them."""
    from engine.evaluation.binding import as_input_names, input_columns
    from engine.evaluation.frame import check_frame, evaluate_columns

    tables = selected_tables(model, decisions)
    found = input_columns(model, frame.columns)
    warnings = check_frame(model, as_input_names(frame.columns, found), tables, False)
    columns = {name: frame[column].reset_index(drop=True) for name, column in found.items()}
    tally = Tally(model, tables)
    outcomes: list[Any] = []
    results = evaluate_columns(model, columns, len(frame), tables, False, na_values, outcomes.append)
    tally.add(results, outcomes)
    return tally.population(source, warnings)


def population_of_file(model: Model, patients: str | Path, options: Any = None, source: str | None = None
                       ) -> Population:
    """The population of a patient file, read and checked as ``dtrun evaluate`` reads it
    (``options``: its ``engine.files.Options``), block by block; nothing is written."""
    from engine.files.pipeline import Options, Summary, evaluated_blocks

    options = options or Options()
    summary = Summary()
    tally = Tally(model, selected_tables(model, options.decisions))
    for block in evaluated_blocks(model, patients, options, summary, outcomes=True):
        if block is not None:
            tally.add(block[1], block[2])
    return tally.population(Path(patients).name if source is None else source, summary.warnings)


# ---------------------------------------------------------------------- values
def _not_empty(column: Any) -> int:
    return column.count_not("") if isinstance(column, Coded) else int((column != "").sum())


def _count_values(counter: Counter[Any], column: Any, listed: bool) -> None:
    """Add a result column's values to ``counter`` (by ``_key``; None for a record without a
    value), a list column's once per record per value it holds."""
    for value, count in _value_counts(column):
        if count == 0:
            continue
        if listed:
            items = value if isinstance(value, list) else []
            keys = {_key(v) for v in items if _key(v) is not None}
            for key in keys or (None,):
                counter[key] += count
        else:
            counter[_key(value)] += count


def _value_counts(column: Any) -> Iterable[tuple[Any, int]]:
    """(value, records) for each distinct value of a Coded or pandas result column."""
    if isinstance(column, Coded):
        counts = np.bincount(column.codes, minlength=len(column.values))
        return zip(column.values, counts.tolist())
    series = column if isinstance(column, pd.Series) else pd.Series(column)
    if series.dtype.kind in "fiu":
        numbers = series.to_numpy(dtype=np.float64)
        nan = np.isnan(numbers)
        found, counts = np.unique(numbers[~nan], return_counts=True)
        return [*zip(found.tolist(), counts.tolist()), (None, int(nan.sum()))]
    if isinstance(series.dtype, pd.CategoricalDtype):
        counts = series.value_counts(dropna=False, sort=False)
        return [(None if _missing(v) else v, int(c)) for v, c in counts.items()]
    found = Counter(_Hashable(v) for v in series.tolist())
    return [(key.value, count) for key, count in found.items()]


class _Hashable:
    """A result value (a list too) as a key: equal when their CSV cells are equal."""

    def __init__(self, value: Any) -> None:
        self.value = value
        self.text = repr(format_cell(value))

    def __hash__(self) -> int:
        return hash(self.text)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Hashable) and other.text == self.text


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _key(value: Any) -> Any:
    """How a value is counted: numbers as floats (1 and 1.0 alike), booleans apart from
    numbers, everything else as the text of its CSV cell; None for no value."""
    if _missing(value):
        return None
    if isinstance(value, bool):
        return ("boolean", value)
    if isinstance(value, (int, float)):
        return ("number", float(value))
    if isinstance(value, str):
        return ("text", value)
    return ("other", str(format_cell(value)))


def distribution(output: str, shown: str, counter: Mapping[Any, int], listed: bool = False) -> Distribution:
    """The distribution of one output from its counted keys (see ``_key``)."""
    missing = int(counter.get(None, 0))
    present = {k: int(c) for k, c in counter.items() if k is not None and c}
    if len(present) > HISTOGRAM_VALUES and all(kind == "number" for kind, _ in present):
        return Distribution(output, shown, bins=histogram(present), missing=missing, listed=listed)
    values = sorted(((_text(k), c) for k, c in present.items()), key=lambda item: (-item[1], item[0]))
    return Distribution(output, shown, tuple(values), missing=missing, listed=listed)


def histogram(numbers: Mapping[tuple[str, float], int]) -> tuple[Bin, ...]:
    """HISTOGRAM_BINS bins of equal width from the least number to the greatest."""
    found = np.array([v for _, v in numbers], dtype=np.float64)
    weights = np.array(list(numbers.values()), dtype=np.int64)
    counts, edges = np.histogram(found, bins=HISTOGRAM_BINS, weights=weights)
    return tuple(Bin(float(edges[i]), float(edges[i + 1]), int(counts[i])) for i in range(len(counts)))


def _text(key: tuple[str, Any]) -> str:
    kind, value = key
    if kind == "boolean":
        return "true" if value else "false"
    if kind == "number":
        return str(format_cell(value))
    return str(value)
