"""File to file: read a patient file (whole or in chunks), evaluate it, write the results.

Owns what ``dtrun evaluate`` does between the workbook and the output file: the checks on
the file's columns before anything is evaluated, the chunk loop (so that memory stays
bounded with ``chunk_size``), the running counts for the summary, and progress reports.
Every row read is written, in order, whatever it contains.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Collection, Iterator

import pandas as pd

from engine import batch
from engine.evaluate import ERRORS, WARNINGS, selected_tables
from engine.files import read_chunks
from engine.model import Model
from engine.results import ResultWriter, result_types

Progress = Callable[[int], None]  # called with the number of rows just written


@dataclass
class Summary:
    rows: int = 0
    rows_with_errors: int = 0
    rows_with_warnings: int = 0
    seconds: float = 0.0
    warnings: list[str] = field(default_factory=list)  # about the file, e.g. a missing optional column


@dataclass(frozen=True)
class Options:
    decisions: tuple[str, ...] = ()
    explain: bool = False
    na_values: tuple[str, ...] = ()
    encoding: str | None = None
    delimiter: str | None = None
    chunk_size: int | None = None
    escape_formulas: bool = True


def evaluate_file(model: Model, patients: str | Path, out: str | None, fmt: str, options: Options = Options(),
                  progress: Progress | None = None, on_warning: Callable[[str], None] | None = None) -> Summary:
    """Evaluate every row of ``patients`` and write the results to ``out`` atomically."""
    started = time.perf_counter()
    summary = Summary()
    tables = selected_tables(model, options.decisions)
    chunks = read_chunks(patients, options.encoding, options.delimiter, options.chunk_size)
    first = next(chunks)
    summary.warnings = batch.check_frame(model, first.columns, tables, options.explain)
    for warning in summary.warnings:
        if on_warning:
            on_warning(warning)
    with ResultWriter(out, fmt, options.escape_formulas, result_types(model, tables)) as writer:
        for chunk in _chain(first, chunks):
            result = batch.evaluate_frame(model, chunk, options.decisions, options.explain, _na(options.na_values))
            writer.write(result)
            _count(summary, result)
            if progress:
                progress(len(result))
    summary.seconds = time.perf_counter() - started
    return summary


def _chain(first: pd.DataFrame, rest: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
    yield first
    yield from rest


def _na(values: Collection[str]) -> tuple[str, ...]:
    return tuple(v.strip() for v in values if v.strip())


def _count(summary: Summary, result: pd.DataFrame) -> None:
    summary.rows += len(result)
    summary.rows_with_errors += int((result[ERRORS] != "").sum())
    summary.rows_with_warnings += int((result[WARNINGS] != "").sum())
