"""File to file: read a patient file (whole or in chunks), evaluate it, write the results.

Owns what ``dtrun evaluate`` does between the workbook and the output file: the checks on
the file's columns before anything is evaluated, the chunk loop (so that memory stays
bounded with ``chunk_size``), the running counts for the summary, and progress reports.
Every row read is written, in order, whatever it contains.

Rows stay Arrow arrays from the reader to the writer (only input columns are converted,
by ``engine.evaluation.columns``), and are evaluated in blocks of at most ``BLOCK`` rows even when the
file is read whole: a writer thread writes one block while the next is evaluated (Arrow's
writers run without Python's lock), and no block's results need more than a block's memory.
The file itself can be read from before the workbook is loaded (``Reading``), so that the
two overlap.  docs/architecture.md lists the threads.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable, Collection, Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from engine._core.errors import InputDataError
from engine.evaluation import frame as batch
from engine.evaluation.binding import as_input_names, input_columns
from engine.evaluation.coded import Coded
from engine.evaluation.frame import ROW_PROBLEMS
from engine.evaluation.record import ERRORS, WARNINGS
from engine.files.patients import open_patients
from engine.files.results import ResultWriter, result_types
from engine.model.graph import selected_tables
from engine.model.types import Model, is_list

BLOCK = 1 << 17  # rows evaluated at a time (and written while the next block is evaluated)

Progress = Callable[[int], None]  # called with the number of rows just written


@dataclass
class Summary:
    rows: int = 0
    rows_with_errors: int = 0
    rows_with_warnings: int = 0
    seconds: float = 0.0
    warnings: list[str] = field(default_factory=list)  # about the file, e.g. a missing optional column
    encoding: str = ""  # the encoding a CSV file was read in, when it is not UTF-8


@dataclass(frozen=True)
class Options:
    decisions: tuple[str, ...] = ()
    explain: bool = False
    na_values: tuple[str, ...] = ()
    encoding: str | None = None
    delimiter: str | None = None
    chunk_size: int | None = None
    escape_formulas: bool = True
    sheet: str | None = None  # of an Excel patient file: the first when None


class Reading:
    """A patient file being read on a thread of its own from the moment this is made, so
    that the file is read (by pyarrow, without Python's lock) while the workbook is loaded;
    ``tables()`` gives what ``read_tables`` gives, and raises what it raised.  The thread is
    a daemon: a command that stops early (a broken workbook) does not wait for it."""

    def __init__(self, patients: str | Path, options: Options) -> None:
        self.patients, self._first, self._rest, self._error = patients, None, iter(()), None
        self.encoding = ""  # known once tables() returns
        self._thread = threading.Thread(target=self._read_first, args=(options,), daemon=True,
                                        name="dtrun-reader")
        self._thread.start()

    def _read_first(self, options: Options) -> None:
        try:
            opened = open_patients(self.patients, options.encoding, options.delimiter, options.sheet)
            self.encoding = opened.encoding
            self._rest = opened.tables(options.chunk_size)
            self._first = next(self._rest)
        except BaseException as error:  # handed to the caller of tables()
            self._error = error

    def tables(self) -> Iterator[Any]:
        self._thread.join()
        if self._error is not None:
            raise self._error
        first, self._first = self._first, None
        return _chain(first, self._rest)


def evaluate_file(model: Model, patients: str | Path, out: str | None, fmt: str, options: Options = Options(),
                  progress: Progress | None = None, on_warning: Callable[[str], None] | None = None,
                  reading: Reading | None = None) -> Summary:
    """Evaluate every row of ``patients`` and write the results to ``out`` atomically
    (``reading``: the file already being read, see ``Reading``)."""
    if reading is not None and Path(reading.patients) != Path(patients):
        raise ValueError(f"reading {reading.patients} is not reading {patients}")
    started = time.perf_counter()
    summary = Summary()
    tables = selected_tables(model, options.decisions)
    reading = reading or Reading(patients, options)
    chunks = reading.tables()
    summary.encoding = reading.encoding
    first = next(chunks)
    names = first.column_names
    try:  # a DMN model's inputs may be in columns named with their DMN names
        summary.warnings = batch.check_frame(model, as_input_names(names, input_columns(model, names)), tables,
                                             options.explain)
    except InputDataError as error:  # name the file: the checks see only its columns
        raise InputDataError(f"{patients}: {error}") from None
    check_values(patients, first.schema, input_columns(model, names), list_inputs(model))
    for warning in summary.warnings:
        if on_warning:
            on_warning(warning)
    na_values = _na(options.na_values)
    with ResultWriter(out, fmt, options.escape_formulas, result_types(model, tables),
                      {name: d.type for name, d in model.inputs.items()}) as writer, \
            ThreadPoolExecutor(max_workers=1, thread_name_prefix="dtrun-writer") as background:
        pending: Future[None] | None = None
        rows, first = _chain(first, chunks), None  # only the chain holds a chunk: freed once written
        for chunk in _blocks(rows):
            problems = None
            if ROW_PROBLEMS in chunk.column_names:  # records that could not be read (JSON lines)
                problems, chunk = chunk.column(ROW_PROBLEMS), chunk.drop_columns([ROW_PROBLEMS])
            found = input_columns(model, chunk.column_names)
            batch.check_frame(model, as_input_names(chunk.column_names, found), tables, options.explain)
            source = {name: chunk.column(column) for name, column in found.items()}
            result = batch.evaluate_columns(model, source, chunk.num_rows, tables, options.explain, na_values,
                                            problems)
            _count(summary, chunk.num_rows, result)
            if pending is not None:
                pending.result()  # one block in the writer at a time: memory stays bounded
            pending = background.submit(writer.write_columns, chunk, result)
            if progress:
                progress(chunk.num_rows)
        if pending is not None:
            pending.result()
    summary.seconds = time.perf_counter() - started
    return summary


def check_values(patients: str | Path, schema: Any, found: Mapping[str, str], lists: Collection[str] = ()) -> None:
    """An input read from a column of lists, structs or maps (a Parquet file) has no single
    value per record: refused, naming the column (other such columns are written as they
    are); except a column of lists for an input of ``lists`` (``list of string``, ...)."""
    import pyarrow as pa

    for name, column in found.items():
        kind = schema.field(column).type
        if name in lists and (pa.types.is_list(kind) or pa.types.is_large_list(kind)):
            continue
        if pa.types.is_nested(kind):
            raise InputDataError(f"{patients}: column {column!r} holds {_nested_kind(kind)} ({kind}), not one value "
                                 "per record; give the input a column of texts, numbers, booleans or dates")


def list_inputs(model: Model) -> frozenset[str]:
    return frozenset(name for name, definition in model.inputs.items() if is_list(definition.type))


def _nested_kind(kind: Any) -> str:
    import pyarrow as pa

    return "structs" if pa.types.is_struct(kind) else "maps" if pa.types.is_map(kind) else "lists"


def _chain(first: Any, rest: Iterator[Any]) -> Iterator[Any]:
    """``first`` then ``rest``, holding ``first`` no longer than until it is taken."""
    return itertools.chain([first], rest)


def _blocks(tables: Iterator[Any]) -> Iterator[Any]:
    """Each table in slices of at most BLOCK rows (a table with no rows as it is)."""
    for table in tables:
        if table.num_rows <= BLOCK:
            yield table
            continue
        for start in range(0, table.num_rows, BLOCK):
            yield table.slice(start, BLOCK)


def _na(values: Collection[str]) -> tuple[str, ...]:
    return tuple(v.strip() for v in values if v.strip())


def _count(summary: Summary, rows: int, result: Mapping[str, Coded | pd.Series]) -> None:
    summary.rows += rows
    summary.rows_with_errors += _not_empty(result[ERRORS])
    summary.rows_with_warnings += _not_empty(result[WARNINGS])


def _not_empty(column: Coded | pd.Series) -> int:
    return column.count_not("") if isinstance(column, Coded) else int((column != "").sum())
