"""Patient files in, result files out.

Owns how ``dtrun evaluate`` reads CSV (every field as text: only conversion by the
``Inputs`` types gives it a meaning) and Parquet, and how results are written: CSV, JSON
(an array of row objects) or Parquet, always atomically (a temporary file in the same
folder, renamed over the target only when complete), so that a failed run never leaves a
half-written file.
"""

from __future__ import annotations

import csv
import io
import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any, Iterator

import pandas as pd

from engine.errors import InputDataError
from engine.evaluate import format_cell

FORMATS = ("csv", "json", "parquet")
DELIMITERS = (",", ";", "\t", "|")


def read_patients(path: str | Path, encoding: str | None = None, delimiter: str | None = None) -> pd.DataFrame:
    """The patient file as a DataFrame: CSV fields as text ("" for an empty field)."""
    path = Path(path)
    if not path.exists():
        raise InputDataError(f"{path}: file not found")
    if path.is_dir():
        raise InputDataError(f"{path}: is a folder, not a patient file")
    if path.suffix.lower() in (".parquet", ".pq"):
        try:
            return pd.read_parquet(path)
        except Exception as error:  # pyarrow raises several kinds for broken files
            raise InputDataError(f"{path}: cannot read as Parquet ({error})") from None
    return _read_csv(path, encoding, delimiter)


def _read_csv(path: Path, encoding: str | None, delimiter: str | None) -> pd.DataFrame:
    import pyarrow as pa
    import pyarrow.csv as pa_csv

    with path.open("rb") as handle:
        head = handle.read(1 << 16)
    encoding = encoding or _guess_encoding(path, head)
    text = _decode(path, head, encoding)
    if not text.strip():
        raise InputDataError(f"{path}: the file is empty; the first line must name the columns")
    delimiter = delimiter or sniff_delimiter(text)
    header = next(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    _check_header(path, header)
    try:
        table = pa_csv.read_csv(
            path,
            read_options=pa_csv.ReadOptions(encoding=_arrow_encoding(encoding)),
            parse_options=pa_csv.ParseOptions(delimiter=delimiter, newlines_in_values=True),
            convert_options=pa_csv.ConvertOptions(column_types={n: pa.string() for n in header},
                                                  strings_can_be_null=False, quoted_strings_can_be_null=False),
        )
    except (pa.ArrowInvalid, UnicodeDecodeError) as error:
        detail = _ragged_line(path, encoding, delimiter, len(header)) or str(error).splitlines()[0]
        raise InputDataError(f"{path}: {detail}; check for a missing or extra {delimiter!r} or an unclosed quote"
                             ) from None
    return table.to_pandas()


def _ragged_line(path: Path, encoding: str, delimiter: str, width: int) -> str | None:
    """Where the file first has a row of another width (only read when Arrow refused it)."""
    with path.open(encoding=encoding, errors="replace", newline="") as handle:
        reader = csv.reader(handle, delimiter=delimiter)
        for row in reader:
            if row and len(row) != width:
                return f"line {reader.line_num} has {len(row)} fields but the header has {width}"
    return None


def _guess_encoding(path: Path, head: bytes) -> str:
    """UTF-8 (with or without BOM) when the file decodes as UTF-8, else Windows-1252."""
    if head.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    try:
        (path.read_bytes() if len(head) == 1 << 16 else head).decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        return "cp1252"


def _arrow_encoding(encoding: str) -> str:
    return "utf8" if encoding.lower().replace("-", "").replace("_", "") in ("utf8", "utf8sig") else encoding


def _decode(path: Path, head: bytes, encoding: str) -> str:
    """The first bytes as text (a character cut at the end of the block is dropped)."""
    try:
        return head.decode(encoding, errors="strict" if len(head) < 1 << 16 else "ignore")
    except (UnicodeDecodeError, LookupError) as error:
        raise InputDataError(f"{path}: cannot decode as {encoding} ({error}); give --encoding") from None


def sniff_delimiter(text: str) -> str:
    """The delimiter of the header line: the most frequent of , ; tab | outside quotes."""
    header = next(iter(text.splitlines()), "")
    counts = {d: header.count(d) for d in DELIMITERS}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _check_header(path: Path, header: list[str]) -> None:
    blank = [i + 1 for i, name in enumerate(header) if not name.strip()]
    if blank:
        raise InputDataError(f"{path}: column {blank[0]} of the header has no name; name it or delete the column")
    seen: set[str] = set()
    for name in header:
        if name in seen:
            raise InputDataError(f"{path}: the header names column {name!r} twice; rename one of them")
        seen.add(name)


def format_for(path: str | None, requested: str | None) -> str:
    if requested:
        return requested
    suffix = Path(path).suffix.lower() if path and path != "-" else ""
    return {".json": "json", ".parquet": "parquet", ".pq": "parquet"}.get(suffix, "csv")


def write_results(frame: pd.DataFrame, path: str | None, fmt: str) -> None:
    """Write ``frame`` to ``path`` (standard output for None or '-') in ``fmt``."""
    if not path or path == "-":
        if fmt == "parquet":
            raise InputDataError("Parquet cannot be written to standard output; give -o FILE.parquet")
        if fmt == "json":
            sys.stdout.write(_json_text(frame))
        else:
            sys.stdout.flush()
            _write_csv(frame, sys.stdout.buffer)
        return
    with atomic_path(Path(path)) as temporary:
        if fmt == "parquet":
            import pyarrow.parquet as pq

            pq.write_table(to_arrow(frame, lists_as_json=False), temporary)
        elif fmt == "json":
            temporary.write_text(_json_text(frame), encoding="utf-8")
        else:
            with open(temporary, "wb") as handle:
                _write_csv(frame, handle)


def _write_csv(frame: pd.DataFrame, handle: Any) -> None:
    import pyarrow.csv as pa_csv

    pa_csv.write_csv(to_arrow(frame, lists_as_json=True), handle,
                     pa_csv.WriteOptions(quoting_style="needed"))


def to_arrow(frame: pd.DataFrame, lists_as_json: bool) -> Any:
    """The frame as an Arrow table: texts as strings, numbers as numbers, lists as JSON
    text (CSV) or Arrow lists (Parquet)."""
    import pyarrow as pa

    return pa.table({str(name): _arrow_column(frame[name], lists_as_json) for name in frame.columns})


def _arrow_column(series: pd.Series, lists_as_json: bool) -> Any:
    import pyarrow as pa

    if isinstance(series.dtype, pd.CategoricalDtype):
        categories = [str(format_cell(c)) for c in series.cat.categories]
        codes = series.cat.codes.to_numpy()
        dictionary = pa.DictionaryArray.from_arrays(pa.array(codes, mask=codes < 0), pa.array(categories, pa.string()))
        return dictionary.cast(pa.string())
    if pd.api.types.is_float_dtype(series.dtype) or pd.api.types.is_string_dtype(series.dtype) and series.dtype != object:
        return pa.array(series, from_pandas=True)
    cells = [_cell(v, lists_as_json) for v in series.to_numpy(dtype=object)]
    try:
        return pa.array(cells, from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError):  # mixed kinds: write each as text
        return pa.array([None if c is None else str(c) for c in cells], pa.string())


def _cell(value: Any, lists_as_json: bool) -> Any:
    if isinstance(value, list) and not lists_as_json:
        return [format_cell(v) for v in value]
    return format_cell(value)


class atomic_path:
    """A temporary path beside ``target`` that replaces it on success and vanishes on failure."""

    def __init__(self, target: Path) -> None:
        self.target = target

    def __enter__(self) -> Path:
        folder = self.target.parent if str(self.target.parent) else Path(".")
        if not folder.is_dir():
            raise InputDataError(f"{self.target}: the folder {folder} does not exist")
        handle, name = tempfile.mkstemp(prefix=f".{self.target.name}.", suffix=".tmp", dir=folder)
        os.close(handle)
        self.temporary = Path(name)
        return self.temporary

    def __exit__(self, kind: Any, error: Any, trace: Any) -> None:
        if kind is None:
            os.replace(self.temporary, self.target)
        else:
            self.temporary.unlink(missing_ok=True)


def _json_text(frame: pd.DataFrame) -> str:
    return json.dumps(list(_records(frame)), ensure_ascii=False, indent=1, default=str) + "\n"


def _records(frame: pd.DataFrame) -> Iterator[dict[str, Any]]:
    columns = list(frame.columns)
    for row in frame.itertuples(index=False, name=None):
        yield {c: _json_native(v) for c, v in zip(columns, row)}


def _json_native(value: Any) -> Any:
    return [_json_native(v) for v in value] if isinstance(value, list) else format_cell(value)
