"""Results as CSV text: every cell as text, formulas neutralised, byte for byte pyarrow's writer.

Owns how an evaluated block becomes CSV bytes: lists as JSON arrays, booleans as
true/false, whole numbers without ``.0``; texts that a spreadsheet would run as a formula
(starting with ``= + - @``, tab or carriage return) get a leading ``'`` as OWASP
recommends, column names in the header line as well; the result columns
(``engine.evaluation.coded`` codes) are made text once per distinct combination of their
values and then looked up per row, and a block's lines are joined in
Arrow kernels (``csv_lines``), with the quoting pyarrow's CSV writer uses (a test compares
them byte for byte), a few thousand rows at a time, two pieces at once on a small pool of
threads.  ``engine.files.results`` writes the bytes.
"""

from __future__ import annotations

import collections
import itertools
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from engine._core.threads import pool
from engine.evaluation.coded import Coded, combinations
from engine.evaluation.record import format_cell

FORMULA_START_CHARACTERS = "=+-@\t\r"
_FORMULA_START = np.zeros(256, dtype=bool)  # by first byte (the characters are ASCII)
_FORMULA_START[np.frombuffer(FORMULA_START_CHARACTERS.encode("ascii"), dtype=np.uint8)] = True
PIECE_ROWS = 8192  # rows of CSV text made at a time (about 3 MB: stays in the 32 MiB cache)
PLAIN_NUMBER = r"^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?$"


def text_table(frame: pd.DataFrame, escape_formulas: bool) -> Any:
    """Every column as Arrow strings, as CSV cells are written."""
    import pyarrow as pa

    columns = {}
    for name in frame.columns:
        column = text_column(frame[name])
        columns[str(name)] = escaped(column) if escape_formulas else column
    return pa.table(columns)


def coded_text(column: Coded, escape_formulas: bool) -> Any:
    """A coded column as Arrow strings, each distinct value made text (and escaped) once."""
    import pyarrow as pa

    texts = pa.array([result_text(v) for v in column.values], pa.string())
    texts = escaped(texts) if escape_formulas else texts
    codes = pa.array(column.codes.astype(np.int32, copy=False))
    return pa.DictionaryArray.from_arrays(codes, texts).cast(pa.string())


# ---------------------------------------------------------------------- CSV text
def csv_header(names: list[str], escape_formulas: bool = False) -> bytes:
    """The header line as pyarrow's CSV writer writes it: every name quoted; a name that
    starts like a formula escaped as a data cell is (a patient file's column names are data
    too)."""
    if escape_formulas:
        import pyarrow as pa

        names = escaped(pa.array(names, pa.string())).to_pylist()
    return (",".join(_quoted(name) for name in names) + "\n").encode("utf-8")


def csv_lines(columns: list[Any], escape_formulas: bool, rows_per_piece: int = PIECE_ROWS) -> Iterator[Any]:
    """The rows as CSV text (buffers of at most ``rows_per_piece`` rows each), byte for byte
    as pyarrow's CSV writer writes text columns: every text quoted with '"' doubled, a null
    as nothing, a line feed after each row.  ``columns`` are Arrow text arrays (escaped
    already) and result columns (``Coded`` or pandas Series, made text and escaped here).
    Work per row and cell is what costs, so a run of result columns is made text once per
    combination of their values, and a run of text columns without nulls is joined in one
    pass.  The text is made a piece at a time so that what is made stays in the processor's
    cache and the memory of one piece is reused for the next (a block's text made at once
    took fresh pages from the system, and clearing them cost more than making the text)."""
    runs = [_Run.of(kind, [column for _, column in run], escape_formulas)
            for kind, run in itertools.groupby(map(_prepared, columns), key=lambda c: c[0])]
    rows = len(columns[0]) if columns else 0
    starts = range(0, rows if runs else 0, rows_per_piece)
    yield from _in_order(lambda start: _piece(runs, start, min(rows, start + rows_per_piece)), starts)


def _in_order(make: Callable[[int], Any], starts: Iterable[int]) -> Iterator[Any]:
    """``make(start)`` for each start, in order, made two at a time on a pool of threads
    (``engine._core.threads``): Arrow's kernels run without Python's lock, so a second core makes
    the next piece."""
    pending: collections.deque[Future[Any]] = collections.deque()
    for start in starts:
        pending.append(pool("csv", _AHEAD).submit(make, start))
        if len(pending) > _AHEAD:
            yield pending.popleft().result()
    while pending:
        yield pending.popleft().result()


_AHEAD = 2  # pieces being made while one is written


def _piece(runs: list[_Run], start: int, stop: int) -> Any:
    import pyarrow.compute as pc

    pieces: list[Any] = []
    for run in runs:
        for part in run.cells(start, stop):
            pieces += [*part, ","]
    pieces[-1] = "\n"
    lines = pc.binary_join_element_wise(*_merged(pieces), _large(""))
    offsets = np.frombuffer(lines.buffers()[1], dtype=np.int64)
    first, last = int(offsets[lines.offset]), int(offsets[lines.offset + len(lines)])
    return lines.buffers()[2].slice(first, last - first)


@dataclass(frozen=True)
class _Run:
    """Consecutive columns of one kind, ready to be made text for any slice of rows: Arrow
    texts ('whole' without nulls, 'nullable'), or result columns as the CSV text of each
    combination of their values and, per row, the number of its combination."""

    kind: str
    columns: tuple[Any, ...]
    per_row: np.ndarray | None = None

    @classmethod
    def of(cls, kind: str, columns: list[Any], escape_formulas: bool) -> _Run:
        if kind != "result":
            return cls(kind, tuple(columns))
        texts, per_row = _result_cells(columns, escape_formulas)
        return cls(kind, (texts,), per_row)

    def cells(self, start: int, stop: int) -> list[list[Any]]:
        """The pieces of each cell of rows start..stop (a run of whole texts or of result
        columns makes one piece of several cells)."""
        import pyarrow as pa
        import pyarrow.compute as pc

        if self.per_row is not None:
            return [[self.columns[0].take(pa.array(self.per_row[start:stop]))]]
        run = [_quotes_doubled(column.slice(start, stop - start)) for column in self.columns]
        if self.kind == "whole":
            return [['"', run[0] if len(run) == 1 else pc.binary_join_element_wise(*run, _large('","')), '"']]
        quote = _large('"')
        return [[pc.binary_join_element_wise(quote, column, quote, _large("")).fill_null("")] for column in run]


def _large(text: str) -> Any:
    import pyarrow as pa

    return pa.scalar(text, pa.large_string())


def _merged(pieces: list[Any]) -> list[Any]:
    """Adjacent plain strings as one Arrow scalar (fewer arguments for the join)."""
    merged: list[Any] = []
    for piece in pieces:
        if isinstance(piece, str) and merged and isinstance(merged[-1], str):
            merged[-1] += piece
        else:
            merged.append(piece)
    return [_large(p) if isinstance(p, str) else p for p in merged]


def _prepared(column: Any) -> tuple[str, Any]:
    """(kind, column): 'result' for a Coded or pandas column; an Arrow text column as 64-bit
    strings ('whole' when no row is null, else 'nullable'), marked when it holds a '"'."""
    import pyarrow as pa

    if isinstance(column, (Coded, pd.Series)):
        return "result", column
    column = whole(column)
    if not pa.types.is_large_string(column.type):
        column = column.cast(pa.large_string())
    return ("whole" if column.null_count == 0 else "nullable"), _Quoted(column) if _holds_quote(column) else column


@dataclass(frozen=True)
class _Quoted:
    """A text column in which some text holds a '"' (to be doubled in CSV)."""

    column: Any

    def slice(self, start: int, length: int) -> _Quoted:
        return _Quoted(self.column.slice(start, length))


def _quotes_doubled(column: Any) -> Any:
    import pyarrow.compute as pc

    return pc.replace_substring(column.column, '"', '""') if isinstance(column, _Quoted) else column


def _result_cells(columns: list[Coded | pd.Series], escape_formulas: bool) -> tuple[Any, np.ndarray]:
    """Consecutive result columns as the text of each distinct combination of their values
    (their CSV cells joined by ','), made once per combination, and per row the number of
    its combination."""
    import pyarrow as pa
    import pyarrow.compute as pc

    cells, codes = zip(*(_value_cells(column, escape_formulas) for column in columns))
    per_row, firsts = combinations(codes)
    parts: list[Any] = []
    for texts, picks in zip(cells, codes):
        parts += [texts.take(pa.array(picks[firsts])), _large(",")]
    return pc.binary_join_element_wise(*parts[:-1], _large("")), per_row


def _value_cells(column: Coded | pd.Series, escape_formulas: bool) -> tuple[Any, np.ndarray]:
    """A result column as its distinct CSV cells (quoted, escaped) and a code per row;
    each distinct value is made text as ``coded_text`` or ``_text_column`` would."""
    import pyarrow as pa

    if isinstance(column, Coded):
        texts, codes = pa.array([result_text(v) for v in column.values], pa.string()), column.codes
    elif isinstance(column.dtype, np.dtype) and column.dtype.kind in "iuf":  # distinct bits: -0.0 is not 0.0
        bits = np.ascontiguousarray(column.to_numpy()).view(f"u{column.dtype.itemsize}")
        codes, distinct = pd.factorize(bits)
        texts = text_column(pd.Series(distinct.view(column.dtype)))
    else:  # objects: 0 and False are one value to pandas, two texts here
        encoded = text_column(column).dictionary_encode(null_encoding="encode")
        texts, codes = encoded.dictionary, encoded.indices.to_numpy(zero_copy_only=False)
    texts = escaped(texts) if escape_formulas else texts
    return pa.array([_quoted(t) for t in texts.to_pylist()], pa.large_string()), codes


def _quoted(text: str | None) -> str:
    return "" if text is None else '"' + text.replace('"', '""') + '"'


def whole(column: Any) -> Any:
    """An Arrow column as one array (a chunked column's chunks joined)."""
    return column.combine_chunks() if hasattr(column, "combine_chunks") else column


def _holds_quote(array: Any) -> bool:
    data = array.buffers()[2]
    return data is not None and bool((np.frombuffer(data, dtype=np.uint8) == ord('"')).any())


def is_text(arrow_type: Any) -> bool:
    import pyarrow as pa

    return bool(pa.types.is_string(arrow_type) or pa.types.is_large_string(arrow_type))


def may_start_like_a_formula(array: Any) -> bool:
    """Whether some text of a string array starts with one of FORMULA_START_CHARACTERS."""
    return bool(len(_formula_rows(array)))


def _formula_rows(array: Any) -> np.ndarray:
    """The rows of a string array whose text starts with one of FORMULA_START_CHARACTERS:
    the first byte of each text, read from Arrow's buffers (no copy of the texts)."""
    import pyarrow as pa

    validity, offsets_buffer, data_buffer = array.buffers()
    if data_buffer is None or len(array) == 0:
        return np.zeros(0, dtype=np.int64)
    width = np.int64 if pa.types.is_large_string(array.type) else np.int32
    offsets = np.frombuffer(offsets_buffer, dtype=width)[array.offset:array.offset + len(array) + 1]
    risky = offsets[1:] > offsets[:-1]
    risky[risky] = _FORMULA_START[np.frombuffer(data_buffer, dtype=np.uint8)[offsets[:-1][risky]]]
    if validity is not None and array.null_count:
        risky &= array.is_valid().to_numpy(zero_copy_only=False)
    return np.flatnonzero(risky)


def escaped(column: Any) -> Any:
    """Texts that start like a formula (but are not plain numbers) get a leading '.  Only
    the rows whose first byte says so are looked at more closely."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if isinstance(column, pa.ChunkedArray):
        return pa.chunked_array([escaped(chunk) for chunk in column.chunks], column.type)
    if not is_text(column.type):
        column = column.cast(pa.string())
    rows = _formula_rows(column)
    if len(rows):
        plain = pc.match_substring_regex(column.take(pa.array(rows)), PLAIN_NUMBER)
        rows = rows[~plain.to_numpy(zero_copy_only=False)]
    if not len(rows):
        return column
    risky = np.zeros(len(column), dtype=bool)
    risky[rows] = True
    quote, empty = pa.scalar("'", column.type), pa.scalar("", column.type)  # string or large_string
    return pc.if_else(pa.array(risky), pc.binary_join_element_wise(quote, column, empty), column)


def text_column(series: pd.Series) -> Any:
    """One column as Arrow strings, column-wise wherever the dtype allows."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if isinstance(series.dtype, pd.CategoricalDtype):
        categories = pa.array([result_text(c) for c in series.cat.categories], pa.string())
        codes = series.cat.codes.to_numpy()
        return pa.DictionaryArray.from_arrays(pa.array(codes, mask=codes < 0), categories).cast(pa.string())
    if pd.api.types.is_float_dtype(series.dtype) or pd.api.types.is_integer_dtype(series.dtype):
        return pc.cast(pa.array(series, from_pandas=True), pa.string())
    if pd.api.types.is_bool_dtype(series.dtype):
        flags = pa.array(series, from_pandas=True)
        return pc.if_else(flags, "true", "false")
    if pd.api.types.is_string_dtype(series.dtype) and series.dtype != object:
        return pa.array(series, from_pandas=True).cast(pa.string())
    values = series.to_numpy(dtype=object)
    if pd.api.types.infer_dtype(values, skipna=True) == "string":
        return pa.array(values, pa.string(), from_pandas=True)
    memo: dict[Any, str | None] = {}
    return pa.array([_memo_text(v, memo) for v in values], pa.string())


def _memo_text(value: Any, memo: dict[Any, str | None]) -> str | None:
    """_text with a memory, for columns (such as lists of alerts) that repeat few values."""
    key = (type(value), tuple(value)) if isinstance(value, list) else None
    if key is None:
        return result_text(value)
    try:
        if key not in memo:
            memo[key] = result_text(value)
        return memo[key]
    except TypeError:  # unhashable items
        return result_text(value)


def result_text(value: Any) -> str | None:
    if isinstance(value, list):
        return format_cell(value)
    cell = format_cell(value)
    if cell is None:
        return None
    if isinstance(cell, bool):
        return "true" if cell else "false"
    return str(cell)
