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
pyarrow's CSV writer writes, the result columns once per combination of values.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from engine._core.atomic import atomic_path
from engine._core.errors import InputDataError, OutputError
from engine._core.streams import gone, standard_output
from engine.evaluation.coded import Coded, as_series
from engine.files.csv_text import (
    coded_text,
    csv_header,
    csv_lines,
    escaped,
    is_text,
    result_text,
    text_column,
    text_table,
    whole,
)
from engine.files.json_cells import json_records, json_texts, native

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

        columns = list(inputs.columns) + [_native_column(r, self.types.get(n)) for n, r in results.items()]
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


# ---------------------------------------------------------------------- columns


def native_table(frame: pd.DataFrame, types: dict[str, Any] | None = None) -> Any:
    """Columns with their own types (numbers, booleans, texts, lists) for Parquet; ``types``
    fixes the Arrow type of result columns whose values do not show it."""
    import pyarrow as pa

    return pa.table({str(name): _native_column(frame[name], (types or {}).get(str(name))) for name in frame.columns})


def _native_column(column: Coded | pd.Series, known: Any) -> Any:
    """One column for Parquet: of type ``known`` when given, else of its values' own type;
    a coded column is made once per distinct value, then taken by code."""
    import pyarrow as pa

    series = column if isinstance(column, pd.Series) else pd.Series(column.values, dtype=object)
    if known is not None and pa.types.is_floating(known) and series.dtype.kind in "if":
        return pa.array(series.to_numpy(dtype=np.float64), type=known, from_pandas=True)  # NaN: null
    if known is not None:
        array = pa.array([_typed_cell(v, known) for v in series.to_numpy(dtype=object)], type=known,
                         from_pandas=True)
    elif isinstance(series.dtype, pd.CategoricalDtype) or series.dtype == object:
        cells = [native(v) for v in series.to_numpy(dtype=object)]
        try:
            array = pa.array(cells, from_pandas=True)
        except (pa.ArrowInvalid, pa.ArrowTypeError):  # mixed kinds: write each as text
            array = pa.array([result_text(v) for v in cells], pa.string())
        array = _without_null_type(array)
    else:
        array = pa.array(series, from_pandas=True)
    if isinstance(column, pd.Series):
        return array
    return array.take(pa.array(column.codes))


def result_types(model: Any, tables: list[Any]) -> dict[str, Any]:
    """The Arrow type of each output column, from what its table's cells can give: numbers
    (constants, arithmetic, number inputs) as float64, anything else (dates too) as text;
    lists of those for R, O, C."""
    import pyarrow as pa

    from engine.feel import values

    types: dict[str, Any] = {}
    for table in tables:
        for position, output in enumerate(table.outputs):
            cells = [rule.outputs[position] for rule in table.rules]
            kinds = {values.kind_of(c.constant[1]) if c.constant[0] else _cell_kind(c.node, model, types)
                     for c in cells}
            kinds |= {values.kind_of(v) for v in output.values}
            kinds.discard(values.NULL)
            item = pa.float64() if kinds <= {values.NUMBER} and kinds else pa.string()
            if table.hit_policy.code == "C#":
                item = pa.float64()
            types[table.qualified(output)] = pa.list_(item) if table.hit_policy.returns_list else item
    return types


def _cell_kind(node: Any, model: Any, types: dict[str, Any]) -> str:
    """The kind of value a computed output cell gives (``other``: not known, written as text):
    an input's declared type, an upstream output's column type, a number from arithmetic."""
    import pyarrow as pa

    from engine.feel import values
    from engine.feel.builtins import BUILTINS
    from engine.feel.syntax import Arithmetic, Call, Literal, Name, Negative

    if isinstance(node, Literal):
        return values.STRING
    if isinstance(node, Name):
        name = model.aliases.get(node.name, node.name)
        if name in model.inputs:
            return {"number": values.NUMBER, "integer": values.NUMBER}.get(model.inputs[name].type, values.OTHER)
        known = types.get(name)
        return values.NUMBER if known is not None and pa.types.is_floating(known) else values.OTHER
    if isinstance(node, Negative):
        return values.NUMBER
    if isinstance(node, Call):
        return BUILTINS[node.name].kind
    if isinstance(node, Arithmetic) and node.op == "+":  # texts are joined with +
        sides = {_cell_kind(node.left, model, types), _cell_kind(node.right, model, types)}
        return values.NUMBER if sides == {values.NUMBER} else values.OTHER
    return values.NUMBER if isinstance(node, Arithmetic) else values.BOOLEAN


def _without_null_type(array: Any) -> Any:
    """Columns (or list items) with no value at all are typed as text, so that the chunks
    of one file share one schema."""
    import pyarrow as pa

    if pa.types.is_null(array.type):
        return array.cast(pa.string())
    if pa.types.is_list(array.type) and pa.types.is_null(array.type.value_type):
        return array.cast(pa.list_(pa.string()))
    return array


def _typed_cell(value: Any, arrow_type: Any) -> Any:
    """A value shaped for ``arrow_type``: texts where the column is text (a table may give
    "adult" in one row and 65 in another)."""
    import pyarrow as pa

    if pa.types.is_list(arrow_type):
        return None if not isinstance(value, list) else [_typed_cell(v, arrow_type.value_type) for v in value]
    return result_text(value) if pa.types.is_string(arrow_type) else native(value)


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
