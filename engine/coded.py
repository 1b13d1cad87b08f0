"""Result columns as codes: a short table of distinct values and, per row, an index into it.

Owns the form in which ``engine.batch`` keeps most result columns and hands them to
``engine.results``: an output that is a constant per rule, the fired rules' ids, the
messages of the few kinds of bad rows, a collect table's lists: each holds few distinct
values, so it is kept as those values and an integer code per row.  The conversions turn
a column into a pandas column (a categorical for texts, float64 for numbers, objects
otherwise) or into Arrow arrays, working once per distinct value, never once per row.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable, Sequence

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
        """``table[pick]`` per row, where negative picks count from the end of ``table``."""
        return cls(tuple(table), np.where(picks < 0, len(table) + picks, picks).astype(np.int64, copy=False))

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
            lookup = np.array([-1 if v is None else position[v] for v in self.values], dtype=np.int64)
            return pd.Series(pd.Categorical.from_codes(lookup[self.codes], categories=categories))
        if all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in present):
            return pd.Series(np.array([np.nan if v is None else v for v in self.values], dtype=np.float64)[self.codes])
        return pd.Series(objects(list(self.values))[self.codes], dtype=object)

    def count_not(self, value: Any) -> int:
        """How many rows hold something other than ``value``."""
        same = np.array([v == value if type(v) is type(value) else False for v in self.values], dtype=bool)
        return int(len(self.codes) - np.count_nonzero(same[self.codes])) if len(self.codes) else 0


def combinations(codes: Sequence[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """The distinct combinations of codes (one array per column, each code >= 0) found in
    the rows: per row the number of its combination, and per combination the first row
    that has it; so that what is made of several columns is made once per combination."""
    key = np.zeros(len(codes[0]) if len(codes) else 0, dtype=np.int64)
    span = 1
    for column in codes:
        width = int(column.max(initial=0)) + 1
        if span * width >= _KEY_LIMIT:  # the key would overflow: number the combinations so far
            _, key = np.unique(key, return_inverse=True)
            span = int(key.max(initial=0)) + 1
        key = key * width + column
        span *= width
    if span > 4 * len(key) + 1024:  # sparse keys: sort them
        _, firsts, per_row = np.unique(key, return_index=True, return_inverse=True)
        return per_row.reshape(-1), firsts
    return _dense_combinations(key, span)


def _dense_combinations(key: np.ndarray, span: int) -> tuple[np.ndarray, np.ndarray]:
    """``combinations`` for keys below ``span`` (not much more than the rows): a lookup
    table of the keys present instead of a sort (about 20 times faster), numbered in key
    order as np.unique numbers them."""
    present = np.zeros(span, dtype=bool)
    present[key] = True
    number = np.cumsum(present, dtype=np.int64) - 1
    per_row = number[key]
    firsts = np.full(int(number[-1]) + 1 if len(key) else 0, len(key), dtype=np.int64)
    np.minimum.at(firsts, per_row, np.arange(len(key), dtype=np.int64))
    return per_row, firsts


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
