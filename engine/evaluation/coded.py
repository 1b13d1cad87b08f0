"""Result columns as codes: a short table of distinct values and, per row, an index into it.

Owns the form in which ``engine.evaluation.frame`` keeps most result columns and hands them to
``engine.files.results``: an output that is a constant per rule, the fired rules' ids, the
messages of the few kinds of bad rows, a collect table's lists: each holds few distinct
values, so it is kept as those values and an integer code per row.  The conversions turn
a column into a pandas column (a categorical for texts, float64 for numbers, objects
otherwise) or into Arrow arrays, working once per distinct value, never once per row.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

_KEY_LIMIT = 1 << 62


@dataclass(frozen=True)
class Coded:
    """``values[codes[i]]`` is row i's value (None for null; lists for R, O and C tables)."""

    values: tuple[Any, ...]
    codes: np.ndarray  # int64, each in range(len(values))

    def __len__(self) -> int:
        return len(self.codes)

    @classmethod
    def of(cls, table: list[Any], picks: np.ndarray) -> Coded:
        """``table[pick]`` per row, where negative picks count from the end of ``table``: the
        entries a negative pick can reach are put once more in front, and every pick moves
        up by as many (one addition per row, not a comparison and a choice)."""
        lowest = int(picks.min(initial=0))
        if lowest >= 0:
            return cls(tuple(table), picks.astype(np.int64, copy=False))
        return cls(tuple(table[lowest:]) + tuple(table), (picks - lowest).astype(np.int64, copy=False))

    def with_rows(self, rows: Iterable[int], values: Iterable[Any]) -> Coded:
        """The column with ``rows`` set to ``values`` (each appended to the value table)."""
        table, codes = list(self.values), self.codes.copy()
        for row, value in zip(rows, values):
            codes[row] = len(table)
            table.append(value)
        return Coded(tuple(table), codes)

    def series(self) -> pd.Series:
        """A pandas column: a categorical when every value is a text (or null), float64 when
        every value is a number (or null), else objects (rows with one list share it)."""
        present = [v for v in self.values if v is not None]
        if present and all(isinstance(v, str) for v in present):
            categories = sorted(set(present))
            position = {v: k for k, v in enumerate(categories)}
            lookup = np.array([-1 if v is None else position[v] for v in self.values],
                              dtype=category_codes(len(categories)))
            codes = np.full(len(self.codes), lookup[0]) if len(self.values) == 1 else lookup[self.codes]
            return pd.Series(pd.Categorical.from_codes(codes, categories=categories, validate=False))
        if all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in present):
            return pd.Series(np.array([np.nan if v is None else v for v in self.values], dtype=np.float64)[self.codes])
        return pd.Series(objects(list(self.values))[self.codes], dtype=object)

    def count_not(self, value: Any) -> int:
        """How many rows hold something other than ``value``."""
        same = np.array([v == value if type(v) is type(value) else False for v in self.values], dtype=bool)
        return int(len(self.codes) - np.count_nonzero(same[self.codes])) if len(self.codes) else 0


def category_codes(count: int) -> type:
    """The integer type pandas keeps the codes of ``count`` categories in (picking it here
    saves a conversion of every row's code)."""
    return np.int8 if count < 127 else np.int16 if count < 32_767 else np.int32 if count < 2**31 - 1 else np.int64


def combinations(codes: Sequence[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """The distinct combinations of codes (one array per column, each code >= 0) found in
    the rows: per row the number of its combination (in the order of the codes, column by
    column), and per combination the first row that has it; so that what is made of
    several columns is made once per combination.  The codes are combined into one key per
    row and the keys numbered by hashing (not sorting the rows: twice as fast)."""
    rows = len(codes[0]) if len(codes) else 0
    key, span = np.zeros(rows, dtype=np.int64), 1
    for column in codes:
        width = int(column.max(initial=0)) + 1
        if span * width >= _KEY_LIMIT:  # the key would overflow: number the combinations so far
            key, distinct = pd.factorize(key, sort=True)
            span = len(distinct)
        key = key * width + column
        span *= width
    per_row, distinct = pd.factorize(key, sort=True)
    firsts = np.full(len(distinct), rows, dtype=np.int64)
    np.minimum.at(firsts, per_row, np.arange(rows, dtype=np.int64))
    return per_row.astype(np.int64, copy=False), firsts


def objects(items: list[Any]) -> np.ndarray:
    """A 1-D object array holding ``items`` as they are (lists stay list objects)."""
    out = np.empty(len(items), dtype=object)
    for index, item in enumerate(items):
        out[index] = item
    return out


def joined_notes(n: int, rows: dict[int, list[str]], separator: str) -> Coded:
    """Per row its messages joined ('' for rows without any), one table entry per distinct text."""
    table: dict[str, int] = {"": 0}
    codes = np.zeros(n, dtype=np.int64)
    for row, texts in rows.items():
        codes[row] = table.setdefault(separator.join(texts), len(table))
    return Coded(tuple(table), codes)


def as_series(column: Coded | pd.Series) -> pd.Series:
    return column.series() if isinstance(column, Coded) else column
