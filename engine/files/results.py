"""Result files out: CSV, JSON (an array of row objects) or Parquet, written atomically.

Owns how evaluated rows are written, chunk after chunk: every CSV cell as text (lists as
JSON arrays, booleans as true/false, whole numbers without ``.0``), texts that a
spreadsheet would run as a formula neutralised as OWASP recommends (a leading ``'``), in
the header as in the data, and the atomic write (``engine._core.atomic``: a device or named
pipe is written into).  JSON has no NaN or Infinity (RFC 8259): such numbers are written as
null.  JSON and Parquet keep texts as they are: escaping is for CSV, which spreadsheets
open.  A failure of the system while writing is an ``OutputError`` naming the file; a
reader that leaves (a broken pipe) makes the rest vanish, and the text is no longer made.
``write_columns`` takes the input columns as Arrow arrays and the result columns as
``engine.evaluation.coded`` codes, so that a text is made once per distinct value, not once
per row; a CSV block is made text in Arrow kernels (``csv_lines``), byte for byte what
pyarrow's CSV writer writes, the result columns once per combination of values.  The Arrow
type of each column in a Parquet file is ``engine.files.arrow_columns``'s (``native_table`` and
``result_types`` are named here too, where scripts and docs/scale-out.md import them).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from engine._core.atomic import atomic_path
from engine._core.errors import InputDataError, OutputError
from engine._core.streams import gone, standard_output
from engine.evaluation.coded import Coded, as_series
from engine.files.arrow_columns import native_column, native_table, result_types
from engine.files.csv_text import (
    coded_text,
    csv_header,
    csv_lines,
    escaped,
    is_text,
    text_column,
    text_table,
    whole,
)
from engine.files.json_cells import json_records, json_texts

__all__ = ["FORMATS", "ResultWriter", "format_for", "native_table", "result_types", "write_results"]
FORMATS = ("csv", "json", "parquet", "xlsx")


def format_for(path: str | None, requested: str | None) -> str:
    if requested:
        return requested
    suffix = Path(path).suffix.lower() if path and path != "-" else ""
    return {".json": "json", ".parquet": "parquet", ".pq": "parquet", ".xlsx": "xlsx"}.get(suffix, "csv")


class ResultWriter:
    """Writes frames of results one after another to ``path`` ('-' or None: standard output)."""

    def __init__(self, path: str | None, fmt: str, escape_formulas: bool = True,
                 types: dict[str, Any] | None = None, input_types: dict[str, str] | None = None) -> None:
        if fmt in ("parquet", "xlsx") and (not path or path == "-"):
            name = {"parquet": "Parquet", "xlsx": "An Excel workbook"}[fmt]
            raise InputDataError(f"{name} cannot be written to standard output; give -o FILE.{fmt}")
        self.path, self.fmt, self.escape = path, fmt, escape_formulas
        self.types = types or {}  # column → Arrow type, so that every chunk of a Parquet file agrees
        self.to_stdout = not path or path == "-"
        self._atomic: atomic_path | None = None
        self._sink: Any = None
        self._writer: Any = None
        self._rows_written = 0
        self._header_written = False
        self._xlsx: Any = None  # engine.files.xlsx_results.XlsxResults, saved whole at the end
        self.input_types = input_types or {}  # input name → its Inputs type: how an xlsx result types its cells

    def __enter__(self) -> ResultWriter:
        if self.to_stdout:
            standard_output().flush()
            self._sink = standard_output(binary=True)
        else:
            self._atomic = atomic_path(Path(self.path))  # type: ignore[arg-type]
            written = self._atomic.__enter__()
            # "r+b", not "wb": the temporary file is new and empty, and truncating it made ext4
            # flush the whole file when it was closed (0.12 s for 350 MiB; auto_da_alloc)
            try:
                handle = open(written, "wb" if self._atomic.direct else "r+b")
            except OSError as error:
                self._atomic.discard()
                raise self._atomic.error(error) from None
            self._sink = _Sink(handle, self._atomic)
        if self.fmt == "json":
            try:
                self._sink.write(b"[")
            except BaseException:
                self.__exit__(*sys.exc_info())
                raise
        return self

    def write(self, frame: pd.DataFrame) -> None:
        if gone(self._sink):
            return
        with _encodable(self.path):
            if self.fmt == "json":
                self._write_json(frame)
            elif self.fmt == "xlsx":
                self._write_xlsx(frame)
            elif self.fmt == "parquet":
                self._write_table(native_table(frame, self.types))
            else:
                table = text_table(frame, self.escape)
                self._write_csv(table.column_names, table.columns)

    def write_columns(self, inputs: Any, results: Mapping[str, Coded | pd.Series]) -> None:
        """Write rows given as an Arrow table of input columns and the result columns."""
        if gone(self._sink):  # nobody reads any more: the text is not made
            return
        with _encodable(self.path):
            self._write_columns(inputs, results)

    def _write_columns(self, inputs: Any, results: Mapping[str, Coded | pd.Series]) -> None:
        if self.fmt in ("json", "xlsx"):
            frame = _with_nested_as_values(inputs)
            frame = pd.concat([frame, pd.DataFrame({k: as_series(v).array for k, v in results.items()},
                                                   index=frame.index)], axis=1)
            if self.fmt == "json":
                self._write_json(frame)
            else:
                self._write_xlsx(frame)
            return
        names = inputs.column_names + list(results)
        if self.fmt == "csv":  # coded columns stay codes: csv_lines makes their text per combination
            texts = [self._text(whole(column)) for column in inputs.columns]
            self._write_csv(names, texts + list(results.values()))
            return
        import pyarrow as pa

        columns = list(inputs.columns) + [native_column(r, self.types.get(n)) for n, r in results.items()]
        self._write_table(pa.table(dict(zip(names, columns))).combine_chunks())  # one batch: the writer's fast case

    def _write_csv(self, names: list[str], columns: list[Any]) -> None:
        if not self._header_written:
            self._sink.write(csv_header(names, self.escape))
            self._header_written = True
        for piece in csv_lines(columns, self.escape):
            self._sink.write(piece)

    def _text(self, column: Any) -> Any:
        if isinstance(column, Coded):
            return coded_text(column, self.escape)
        if not isinstance(column, pd.Series) and _nested(column.type):  # a Parquet list or struct: JSON text
            column = json_texts(column)
        if not isinstance(column, pd.Series) and is_text(column.type):
            return escaped(column) if self.escape else column
        if isinstance(column, pd.Series):
            text = text_column(column)
        else:  # whole numbers as they are: pandas would make those of a column with nulls floats
            import pyarrow as pa

            text = column.cast(pa.string()) if pa.types.is_integer(column.type) else text_column(column.to_pandas())
        return escaped(text) if self.escape else text

    def _write_table(self, table: Any) -> None:
        import pyarrow.parquet as pq

        if self._writer is None:
            self._writer = pq.ParquetWriter(self._sink, table.schema)
        elif table.schema != self._writer.schema:
            table = table.cast(self._writer.schema)
        self._writer.write_table(table)

    def __exit__(self, kind: Any, error: Any, trace: Any) -> None:
        failed = kind is not None
        try:
            if not failed:
                with _encodable(self.path):
                    if self.fmt == "json":
                        self._sink.write(b"\n]\n")
                    if self.fmt == "xlsx":
                        if self._xlsx is None:
                            self._write_xlsx(pd.DataFrame())
                        self._sink.write(self._xlsx.save())
                    if self._writer is not None:
                        self._writer.close()
                self._sink.flush()
        except BaseException:
            failed = True
            raise
        finally:
            if not self.to_stdout:
                self._close(failed)

    def _close(self, failed: bool) -> None:
        """The file closed, then renamed over the target, or removed when anything failed."""
        try:
            self._sink.close(quietly=failed)
        except BaseException:
            self._atomic.discard()  # type: ignore[union-attr]
            raise
        if failed:
            self._atomic.discard()  # type: ignore[union-attr]
        else:
            self._atomic.commit()  # type: ignore[union-attr]

    def _write_xlsx(self, frame: pd.DataFrame) -> None:
        if self._xlsx is None:
            from engine.files.xlsx_results import XlsxResults

            self._xlsx = XlsxResults(str(self.path), self.input_types)
        self._xlsx.add(frame)

    def _write_json(self, frame: pd.DataFrame) -> None:
        parts = [json.dumps(record, ensure_ascii=False, default=str) for record in json_records(frame)]
        if parts:
            lead = "\n" if self._rows_written == 0 else ",\n"
            self._sink.write((lead + ",\n".join(parts)).encode("utf-8"))
            self._rows_written += len(parts)


def write_results(frame: pd.DataFrame, path: str | None, fmt: str, escape_formulas: bool = True) -> None:
    """Write one frame of results (see ResultWriter)."""
    with ResultWriter(path, fmt, escape_formulas) as writer:
        writer.write(frame)


# ---------------------------------------------------------------------- nested input columns


def _nested(arrow_type: Any) -> bool:
    import pyarrow as pa

    return bool(pa.types.is_nested(arrow_type))


def _with_nested_as_values(table: Any) -> pd.DataFrame:
    """An Arrow table as pandas, nested columns as Python lists and dicts (not numpy arrays)."""
    frame = table.to_pandas()
    for position, field in enumerate(table.schema):
        if _nested(field.type):
            frame.isetitem(position, pd.Series(table.column(position).to_pylist(), index=frame.index, dtype=object))
    return frame


class _Sink:
    """The file being written: a refusal of the system becomes an ``OutputError`` that names
    the target; a reader that leaves (a named pipe) makes the rest vanish."""

    def __init__(self, handle: Any, atomic: atomic_path) -> None:
        self._handle, self._atomic, self.gone = handle, atomic, False

    def write(self, data: Any) -> int:
        if not self.gone:
            try:
                return int(self._handle.write(data) or 0)
            except BrokenPipeError:
                self.gone = True
            except OSError as error:
                raise self._atomic.error(error) from None
        return len(data)

    def flush(self) -> None:
        if not self.gone:
            try:
                self._handle.flush()
            except BrokenPipeError:
                self.gone = True
            except OSError as error:
                raise self._atomic.error(error) from None

    def close(self, quietly: bool = False) -> None:
        try:
            self._handle.close()
        except BrokenPipeError:
            self.gone = True
        except OSError as error:
            if not quietly:
                raise self._atomic.error(error) from None

    def __getattr__(self, name: str) -> Any:
        return getattr(self._handle, name)


class _encodable:
    """A text that UTF-8 cannot hold (an unpaired surrogate such as \\ud800, which a cell's
    escape can make) is an ``OutputError``, not a crash."""

    def __init__(self, path: str | None) -> None:
        self.path = path

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: Any, error: Any, trace: Any) -> None:
        if kind is not None and issubclass(kind, UnicodeEncodeError):
            where = self.path if self.path and self.path != "-" else "standard output"
            bad = error.object[error.start:error.end] if isinstance(error.object, str) else ""
            raise OutputError(f"{where}: cannot write a result text that holds {ascii(bad)}, an unpaired surrogate "
                              "(half of a character, not a character): UTF-8 cannot hold it. Correct the "
                              "workbook cell that gives it (a \\u escape such as \\ud800)") from None
