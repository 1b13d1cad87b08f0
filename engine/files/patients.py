"""Patient files in: CSV (every field as text) and Parquet, whole or in chunks.

Owns how ``dtrun evaluate`` reads a patient file: the encoding (UTF-8 with or without BOM,
else Windows-1252, or as given), the delimiter (detected from the header line, or as
given), the header checks (no blank or repeated column names), ragged rows (refused with
their line number), and chunked streaming with pyarrow so that a file larger than memory
can be evaluated.  Every CSV field stays text: only conversion by the ``Inputs`` types
gives it a meaning, so "NA" is never silently taken for a missing value.  The file is
scanned once in blocks (never held whole) for its encoding and for quotes: a file without
any ``"`` cannot have a line break inside a field, and is parsed without looking for one
(about three times faster).  ``read_tables`` gives Arrow tables (for ``engine.files.pipeline``),
``read_chunks`` pandas frames.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from engine._core.errors import InputDataError

DELIMITERS = (",", ";", "\t", "|")
_HEAD = 1 << 16
_SCAN_BLOCK = 1 << 24


def read_patients(path: str | Path, encoding: str | None = None, delimiter: str | None = None) -> pd.DataFrame:
    """The whole patient file as a DataFrame: CSV fields as text ("" for an empty field)."""
    return next(read_chunks(path, encoding, delimiter, chunk_size=None))


def read_chunks(path: str | Path, encoding: str | None = None, delimiter: str | None = None,
                chunk_size: int | None = None) -> Iterator[pd.DataFrame]:
    """The patient file in DataFrames of ``chunk_size`` rows (one frame when None); at
    least one frame is yielded, empty for a file with a header only."""
    for table in _tables(Path(path), encoding, delimiter, chunk_size, keep_index=True):
        yield table.to_pandas()


def read_tables(path: str | Path, encoding: str | None = None, delimiter: str | None = None,
                chunk_size: int | None = None) -> Iterator[Any]:
    """The patient file as Arrow tables of ``chunk_size`` rows (one table when None), CSV
    fields as text; a stored pandas index of a Parquet file is left out (it is no patient
    data).  At least one table is yielded, empty for a file with a header only."""
    yield from _tables(Path(path), encoding, delimiter, chunk_size, keep_index=False)


def _tables(path: Path, encoding: str | None, delimiter: str | None, chunk_size: int | None,
            keep_index: bool) -> Iterator[Any]:
    path = _existing(path)
    if path.suffix.lower() in (".parquet", ".pq"):
        yield from _parquet_chunks(path, chunk_size, keep_index)
    else:
        yield from _csv_chunks(CsvLayout.of(path, encoding, delimiter), chunk_size)


def _existing(path: Path) -> Path:
    if not path.exists():
        raise InputDataError(f"{path}: file not found")
    if path.is_dir():
        raise InputDataError(f"{path}: is a folder, not a patient file")
    with path.open("rb") as handle:
        head = handle.read(8)
    if head.startswith(b"PK\x03\x04") or head.startswith(b"\xd0\xcf\x11\xe0") or path.suffix.lower() in (
            ".xlsx", ".xlsm", ".xls", ".ods"):
        raise InputDataError(f"{path}: is a spreadsheet, not a patient file; in Excel, save it as "
                             "'CSV UTF-8 (Comma delimited)' (or write Parquet) and give that file")
    return path


def _parquet_chunks(path: Path, chunk_size: int | None, keep_index: bool) -> Iterator[Any]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        source = pq.ParquetFile(path)
        schema = source.schema_arrow
        index = [] if keep_index else [c for c in (schema.pandas_metadata or {}).get("index_columns", [])
                                       if isinstance(c, str) and c in schema.names]
        if chunk_size is None:
            yield source.read().drop_columns(index)
            return
        empty = True
        for batch in source.iter_batches(batch_size=chunk_size):
            empty = False
            yield pa.Table.from_batches([batch]).drop_columns(index)
        if empty:
            yield schema.empty_table().drop_columns(index)
    except (OSError, ValueError) as error:  # pyarrow's errors derive from these
        raise InputDataError(f"{path}: cannot read as Parquet ({error})") from None


@dataclass(frozen=True)
class CsvLayout:
    """What the first bytes of a CSV file tell: its encoding, delimiter and header."""

    path: Path
    encoding: str
    delimiter: str
    header: tuple[str, ...]
    bytes_per_row: float
    quoted: bool = True  # the file has a '"' somewhere (so a field may hold a line break)

    @classmethod
    def of(cls, path: Path, encoding: str | None, delimiter: str | None) -> CsvLayout:
        with path.open("rb") as handle:
            head = handle.read(_HEAD)
        utf8, quoted = _scan(path)
        encoding = encoding or ("utf-8-sig" if head.startswith(codecs.BOM_UTF8) else "utf-8" if utf8 else "cp1252")
        quoted = quoted or not _ascii_compatible(encoding)
        text = _decode(path, head, encoding)
        if not text.strip():
            raise InputDataError(f"{path}: the file is empty; the first line must name the columns")
        delimiter = delimiter or sniff_delimiter(text)
        header = next(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
        _check_header(path, header)
        lines = max(1, text.count("\n"))
        return cls(path, encoding, delimiter, tuple(header), len(head) / lines, quoted)

    def arrow_options(self, block_size: int | None = None) -> dict[str, Any]:
        import pyarrow as pa
        import pyarrow.csv as pa_csv

        read = pa_csv.ReadOptions(encoding=_arrow_encoding(self.encoding))
        if block_size:
            read.block_size = block_size
        return {
            "read_options": read,
            "parse_options": pa_csv.ParseOptions(delimiter=self.delimiter, newlines_in_values=self.quoted),
            "convert_options": pa_csv.ConvertOptions(
                column_types={n: pa.string() for n in self.header},
                strings_can_be_null=False, quoted_strings_can_be_null=False),
        }

    def refusal(self, error: Exception) -> InputDataError:
        detail = _ragged_line(self) or str(error).splitlines()[0]
        return InputDataError(f"{self.path}: {detail}; check for a missing or extra {self.delimiter!r} "
                              "or an unclosed quote")


def _csv_chunks(layout: CsvLayout, chunk_size: int | None) -> Iterator[Any]:
    import pyarrow as pa
    import pyarrow.csv as pa_csv

    try:
        if chunk_size is None:
            yield pa_csv.read_csv(layout.path, **layout.arrow_options())
            return
        block = int(min(max(layout.bytes_per_row * chunk_size / 4, 1 << 16), 1 << 28))
        reader = pa_csv.open_csv(layout.path, **layout.arrow_options(block))
        pending: list[Any] = []
        rows, sent = 0, False
        for batch in reader:
            pending.append(batch)
            rows += batch.num_rows
            while rows >= chunk_size:
                table = pa.Table.from_batches(pending)
                yield table.slice(0, chunk_size)
                sent = True
                rest = table.slice(chunk_size)
                pending, rows = rest.to_batches(), rest.num_rows
        if rows or not sent:
            yield pa.Table.from_batches(pending, schema=reader.schema)
    except (pa.ArrowInvalid, UnicodeDecodeError) as error:
        raise layout.refusal(error) from None


def _ragged_line(layout: CsvLayout) -> str | None:
    """Where the file first has a row of another width (read only when Arrow refused it)."""
    with layout.path.open(encoding=layout.encoding, errors="replace", newline="") as handle:
        reader = csv.reader(handle, delimiter=layout.delimiter)
        for row in reader:
            if row and len(row) != len(layout.header):
                return f"line {reader.line_num} has {len(row)} fields but the header has {len(layout.header)}"
    return None


def _ascii_compatible(encoding: str) -> bool:
    """Whether '"' is the byte 0x22 in ``encoding`` (so that scanning bytes finds quotes)."""
    try:
        return 'a"'.encode(encoding).endswith(b'a"')
    except (LookupError, UnicodeError):
        return False


def _scan(path: Path) -> tuple[bool, bool]:
    """(whether the whole file decodes as UTF-8, whether it holds a '"'), read in blocks."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    utf8, quoted = True, False
    with path.open("rb") as handle:
        while block := handle.read(_SCAN_BLOCK):
            quoted = quoted or b'"' in block
            if utf8 and not (block.isascii() and not decoder.getstate()[0]):
                try:
                    decoder.decode(block)
                except UnicodeDecodeError:
                    utf8 = False
            if quoted and not utf8:
                break
    if utf8:
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            utf8 = False
    return utf8, quoted


def _arrow_encoding(encoding: str) -> str:
    return "utf8" if encoding.lower().replace("-", "").replace("_", "") in ("utf8", "utf8sig") else encoding


def _decode(path: Path, head: bytes, encoding: str) -> str:
    """The first bytes as text (a character cut at the end of the block is dropped)."""
    try:
        return head.decode(encoding, errors="strict" if len(head) < _HEAD else "ignore")
    except (UnicodeDecodeError, LookupError) as error:
        raise InputDataError(f"{path}: cannot decode as {encoding} ({error}); give --encoding") from None


def sniff_delimiter(text: str) -> str:
    """The delimiter of the header line: the most frequent of , ; tab |."""
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
