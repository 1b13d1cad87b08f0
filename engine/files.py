"""Patient files in: CSV (every field as text) and Parquet, whole or in chunks.

Owns how ``dtrun evaluate`` reads a patient file: the encoding (UTF-8 with or without BOM,
else Windows-1252, or as given), the delimiter (detected from the header line, or as
given), the header checks (no blank or repeated column names), ragged rows (refused with
their line number), and chunked streaming with pyarrow so that a file larger than memory
can be evaluated.  Every CSV field stays text: only conversion by the ``Inputs`` types
gives it a meaning, so "NA" is never silently taken for a missing value.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

import pandas as pd

from engine.errors import InputDataError

DELIMITERS = (",", ";", "\t", "|")
_HEAD = 1 << 16


def read_patients(path: str | Path, encoding: str | None = None, delimiter: str | None = None) -> pd.DataFrame:
    """The whole patient file as a DataFrame: CSV fields as text ("" for an empty field)."""
    return next(read_chunks(path, encoding, delimiter, chunk_size=None))


def read_chunks(path: str | Path, encoding: str | None = None, delimiter: str | None = None,
                chunk_size: int | None = None) -> Iterator[pd.DataFrame]:
    """The patient file in DataFrames of ``chunk_size`` rows (one frame when None); at
    least one frame is yielded, empty for a file with a header only."""
    path = _existing(Path(path))
    if path.suffix.lower() in (".parquet", ".pq"):
        yield from _parquet_chunks(path, chunk_size)
    else:
        yield from _csv_chunks(CsvLayout.of(path, encoding, delimiter), chunk_size)


def _existing(path: Path) -> Path:
    if not path.exists():
        raise InputDataError(f"{path}: file not found")
    if path.is_dir():
        raise InputDataError(f"{path}: is a folder, not a patient file")
    return path


def _parquet_chunks(path: Path, chunk_size: int | None) -> Iterator[pd.DataFrame]:
    import pyarrow.parquet as pq

    try:
        if chunk_size is None:
            yield pd.read_parquet(path)
            return
        source = pq.ParquetFile(path)
        empty = True
        for batch in source.iter_batches(batch_size=chunk_size):
            empty = False
            yield batch.to_pandas()
        if empty:
            yield source.schema_arrow.empty_table().to_pandas()
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

    @classmethod
    def of(cls, path: Path, encoding: str | None, delimiter: str | None) -> "CsvLayout":
        with path.open("rb") as handle:
            head = handle.read(_HEAD)
        encoding = encoding or _guess_encoding(path, head)
        text = _decode(path, head, encoding)
        if not text.strip():
            raise InputDataError(f"{path}: the file is empty; the first line must name the columns")
        delimiter = delimiter or sniff_delimiter(text)
        header = next(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
        _check_header(path, header)
        lines = max(1, text.count("\n"))
        return cls(path, encoding, delimiter, tuple(header), len(head) / lines)

    def arrow_options(self, block_size: int | None = None) -> dict[str, Any]:
        import pyarrow as pa
        import pyarrow.csv as pa_csv

        read = pa_csv.ReadOptions(encoding=_arrow_encoding(self.encoding))
        if block_size:
            read.block_size = block_size
        return {
            "read_options": read,
            "parse_options": pa_csv.ParseOptions(delimiter=self.delimiter, newlines_in_values=True),
            "convert_options": pa_csv.ConvertOptions(
                column_types={n: pa.string() for n in self.header},
                strings_can_be_null=False, quoted_strings_can_be_null=False),
        }

    def refusal(self, error: Exception) -> InputDataError:
        detail = _ragged_line(self) or str(error).splitlines()[0]
        return InputDataError(f"{self.path}: {detail}; check for a missing or extra {self.delimiter!r} "
                              "or an unclosed quote")


def _csv_chunks(layout: CsvLayout, chunk_size: int | None) -> Iterator[pd.DataFrame]:
    import pyarrow as pa
    import pyarrow.csv as pa_csv

    try:
        if chunk_size is None:
            yield pa_csv.read_csv(layout.path, **layout.arrow_options()).to_pandas()
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
                yield table.slice(0, chunk_size).to_pandas()
                sent = True
                rest = table.slice(chunk_size)
                pending, rows = rest.to_batches(), rest.num_rows
        if rows or not sent:
            yield pa.Table.from_batches(pending, schema=reader.schema).to_pandas()
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


def _guess_encoding(path: Path, head: bytes) -> str:
    """UTF-8 (with or without BOM) when the file decodes as UTF-8, else Windows-1252."""
    if head.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    try:
        (path.read_bytes() if len(head) == _HEAD else head).decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        return "cp1252"


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
