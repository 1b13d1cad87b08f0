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
    text = _decode(path, encoding)
    return _parse_csv(path, text, delimiter or sniff_delimiter(text))


def _decode(path: Path, encoding: str | None) -> str:
    data = path.read_bytes()
    for candidate in [encoding] if encoding else ["utf-8-sig", "cp1252", "latin-1"]:
        try:
            return data.decode(candidate)
        except (UnicodeDecodeError, LookupError) as error:
            if encoding:
                raise InputDataError(f"{path}: cannot decode as {encoding} ({error})") from None
    raise AssertionError("latin-1 decodes every byte")  # pragma: no cover


def sniff_delimiter(text: str) -> str:
    """The delimiter of the header line: the most frequent of , ; tab | outside quotes."""
    header = next(iter(text.splitlines()), "")
    counts = {d: header.count(d) for d in DELIMITERS}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _parse_csv(path: Path, text: str, delimiter: str) -> pd.DataFrame:
    rows = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = next(rows, None)
    if header is None:
        raise InputDataError(f"{path}: the file is empty; the first line must name the columns")
    _check_header(path, header)
    data = []
    for line_number, row in enumerate(rows, start=2):
        if len(row) != len(header) and row:
            raise InputDataError(f"{path}: line {line_number} has {len(row)} fields but the header has "
                                 f"{len(header)}; check for a missing or extra {delimiter!r} or an unclosed quote")
        if row:
            data.append(row)
    return pd.DataFrame(data, columns=header, dtype=object) if data else pd.DataFrame(
        {name: pd.Series([], dtype=object) for name in header})


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
        sys.stdout.write(_render_text(frame, fmt))
        return
    with atomic_path(Path(path)) as temporary:
        if fmt == "parquet":
            _write_parquet(frame, temporary)
        else:
            temporary.write_text(_render_text(frame, fmt), encoding="utf-8", newline="")


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


def _render_text(frame: pd.DataFrame, fmt: str) -> str:
    if fmt == "json":
        return json.dumps(list(_records(frame)), ensure_ascii=False, indent=1, default=str) + "\n"
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(frame.columns)
    for row in frame.itertuples(index=False, name=None):
        writer.writerow(["" if v is None else v for v in map(format_cell, row)])
    return buffer.getvalue()


def _records(frame: pd.DataFrame) -> Iterator[dict[str, Any]]:
    columns = list(frame.columns)
    for row in frame.itertuples(index=False, name=None):
        yield {c: _json_native(v) for c, v in zip(columns, row)}


def _json_native(value: Any) -> Any:
    if isinstance(value, list):
        return [_json_native(v) for v in value]
    cell = format_cell(value)
    return None if cell == "" and value is None else cell


def _write_parquet(frame: pd.DataFrame, path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    columns = {}
    for name in frame.columns:
        series = frame[name]
        if series.dtype == object:
            columns[name] = pa.array([_json_native(v) for v in series], from_pandas=True)
        else:
            columns[name] = pa.array(series, from_pandas=True)
    pq.write_table(pa.table(columns), path)
