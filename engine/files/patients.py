"""Patient files in: CSV (every field as text), Parquet (``engine.files.parquet``), JSON lines
(``engine.files.jsonl``) and Excel sheets (``engine.files.spreadsheet``), whole or in chunks,
from a file or a named pipe.

Owns how ``dtrun evaluate`` reads a patient file: the encoding (decided on the whole file
by ``engine.files.encoding``, or as given), the delimiter (detected from the header line,
or as given), the header, read whole however long it is (no blank or repeated column
names), ragged rows (refused with their line number), and chunked streaming with pyarrow
so that a file larger than memory can be evaluated.  Every CSV field stays text: only
conversion by the ``Inputs`` types gives it a meaning, so "NA" is never silently taken for
a missing value.  A file without any ``"`` cannot have a line break inside a field, and is
parsed without looking for one (about three times faster).  A blank line is skipped,
except in a file of one column, where it is an empty value.  A row longer than Arrow's
block is read by reading again with larger blocks.  A named pipe (``<(zcat p.csv.gz)``) is
read once, as it comes.  ``read_tables`` gives Arrow tables (for ``engine.files.pipeline``),
``read_chunks`` pandas frames; ``open_patients`` also tells the encoding used.
"""

from __future__ import annotations

import contextlib
import csv
import io
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from engine._core.errors import InputDataError
from engine.files.encoding import Replay, decide, head_scan, is_utf8, scan
from engine.files.jsonl import SUFFIXES as JSON_LINES
from engine.files.jsonl import read_json_lines
from engine.files.parquet import check_names, parquet_chunks, parquet_file
from engine.files.spreadsheet import SPREADSHEETS, SUFFIXES, read_sheet

DELIMITERS = (",", ";", "\t", "|")
_HEAD = 1 << 16
MAX_HEADER = 1 << 24  # bytes of a header line: 16 MiB is about a million columns
_MAX_BLOCK = 1 << 30  # Arrow's blocks are at most this large (a row must fit in one)
STREAM_BLOCK = 1 << 24  # a named pipe cannot be read again with larger blocks


def read_patients(path: str | Path, encoding: str | None = None, delimiter: str | None = None) -> pd.DataFrame:
    """The whole patient file as a DataFrame: CSV fields as text ("" for an empty field)."""
    return next(read_chunks(path, encoding, delimiter, chunk_size=None))


def read_chunks(path: str | Path, encoding: str | None = None, delimiter: str | None = None,
                chunk_size: int | None = None) -> Iterator[pd.DataFrame]:
    """The patient file in DataFrames of ``chunk_size`` rows (one frame when None); at
    least one frame is yielded, empty for a file with a header only."""
    for table in open_patients(path, encoding, delimiter).tables(chunk_size, keep_index=True):
        yield table.to_pandas()


def read_tables(path: str | Path, encoding: str | None = None, delimiter: str | None = None,
                chunk_size: int | None = None) -> Iterator[Any]:
    """The patient file as Arrow tables of ``chunk_size`` rows (one table when None), CSV
    fields as text; a stored pandas index of a Parquet file is left out (it is no patient
    data).  At least one table is yielded, empty for a file with a header only."""
    yield from open_patients(path, encoding, delimiter).tables(chunk_size, keep_index=False)


@dataclass(frozen=True)
class PatientFile:
    """A patient file ready to be read: CSV (``layout``) or Parquet (``parquet``)."""

    path: Path
    layout: CsvLayout | None = None
    parquet: Any = None  # a pyarrow.parquet.ParquetFile
    sheet: Any = None  # a table read whole: an Excel sheet of patients (engine.files.spreadsheet) or JSON lines

    @property
    def encoding(self) -> str:
        """The encoding a CSV file is read in, when it is not UTF-8 ("" otherwise)."""
        return "" if self.layout is None or is_utf8(self.layout.encoding) else self.layout.encoding

    def tables(self, chunk_size: int | None, keep_index: bool = False) -> Iterator[Any]:
        if self.layout is not None:
            return _csv_chunks(self.layout, chunk_size)
        if self.sheet is not None:
            return _slices(self.sheet, chunk_size)
        return parquet_chunks(self.path, self.parquet, chunk_size, keep_index)


def open_patients(path: str | Path, encoding: str | None = None, delimiter: str | None = None,
                  sheet: str | None = None) -> PatientFile:
    """The patient file at ``path`` checked and ready to be read: Parquet by its name or its
    first bytes, an Excel workbook (.xlsx, .xlsm: its first sheet, or ``sheet``), JSON lines
    (.jsonl, .ndjson, or a first line that opens an object: ``engine.files.jsonl``), else CSV.  A
    file that is not a regular file (a named pipe, a process substitution such as
    ``<(zcat p.csv.gz)``) is read once, as a stream."""
    path = Path(path)
    if path.suffix.lower() in SUFFIXES and path.is_file():
        return PatientFile(path, sheet=read_sheet(path, sheet))
    if sheet is not None:
        raise InputDataError(f"{path}: --sheet names a sheet of an Excel patient file (.xlsx); this is not one")
    if not path.exists():
        raise InputDataError(f"{path}: file not found")
    if path.is_dir():
        raise InputDataError(f"{path}: is a folder, not a patient file")
    stream = not path.is_file()
    handle = path.open("rb")
    try:
        head = _read_up_to(handle, _HEAD if stream else 8)
        if _looks_like_a_spreadsheet(head) or path.suffix.lower() in SPREADSHEETS:
            raise InputDataError(f"{path}: is a spreadsheet dtrun reads only as .xlsx; in Excel or LibreOffice, save "
                                 "it as Excel Workbook (.xlsx) or 'CSV UTF-8 (Comma delimited)' and give that file")
        if path.suffix.lower() in JSON_LINES or head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{"):
            return PatientFile(path, sheet=read_json_lines(path, head + handle.read() if stream else None))
        if path.suffix.lower() in (".parquet", ".pq") or head.startswith(b"PAR1"):
            return PatientFile(path, parquet=parquet_file(path, head + handle.read() if stream else None))
        if stream:
            return PatientFile(path, layout=CsvLayout.of_stream(path, head, handle, encoding, delimiter))
    except BaseException:
        handle.close()
        raise
    handle.close()
    return PatientFile(path, layout=CsvLayout.of(path, encoding, delimiter))


def _looks_like_a_spreadsheet(head: bytes) -> bool:
    return head.startswith(b"PK\x03\x04") or head.startswith(b"\xd0\xcf\x11\xe0")


def _slices(table: Any, chunk_size: int | None) -> Iterator[Any]:
    if chunk_size is None or table.num_rows <= chunk_size:
        yield table
        return
    for start in range(0, table.num_rows, chunk_size):
        yield table.slice(start, chunk_size)


# ---------------------------------------------------------------------- CSV
@dataclass(frozen=True)
class CsvLayout:
    """What the first bytes of a CSV file tell (and a scan of the whole file): its encoding,
    delimiter and header."""

    path: Path
    encoding: str
    delimiter: str
    header: tuple[str, ...]
    bytes_per_row: float
    quoted: bool = True  # the file has a '"' somewhere (so a field may hold a line break)
    only_header: bool = False  # nothing follows the header (with or without a line break)
    stream: Replay | None = None  # a named pipe: the bytes read so far, then the rest
    head_bytes: int = _HEAD  # the bytes read for the header (a first block of Arrow's must hold it)

    @classmethod
    def of(cls, path: Path, encoding: str | None, delimiter: str | None) -> CsvLayout:
        found = scan(path)
        with path.open("rb") as handle:
            head = handle.read(_HEAD)
            encoding = decide(path, head, encoding, found)
            head, ended = _whole_header(path, handle, head, encoding, delimiter)
        quoted = found.quoted or not _ascii_compatible(encoding)
        return cls._made(path, head, ended, encoding, delimiter, quoted, None)

    @classmethod
    def of_stream(cls, path: Path, head: bytes, handle: Any, encoding: str | None,
                  delimiter: str | None) -> CsvLayout:
        """The layout of a named pipe whose first bytes ``head`` are read from ``handle``: the
        encoding is decided on them (a pipe can be read only once)."""
        encoding = decide(path, head, encoding, head_scan(head, len(head) < _HEAD), stream=True)
        head, ended = _whole_header(path, handle, head, encoding, delimiter)
        stream = Replay(path, head, handle, utf8=is_utf8(encoding))
        return cls._made(path, head, ended, encoding, delimiter, True, stream)

    @classmethod
    def _made(cls, path: Path, head: bytes, ended: bool, encoding: str, delimiter: str | None, quoted: bool,
              stream: Replay | None) -> CsvLayout:
        text = _decode(path, head, encoding, ended)
        if not text.strip():
            raise InputDataError(f"{path}: the file is empty; the first line must name the columns")
        delimiter = delimiter or sniff_delimiter(text)
        header, rest = _first_record(text, delimiter)
        _check_header(path, header)
        lines = max(1, text.count("\n"))
        return cls(path, encoding, delimiter, tuple(header), len(head) / lines, quoted, ended and not rest, stream,
                   len(head))

    def arrow_options(self, block_size: int | None = None) -> dict[str, Any]:
        import pyarrow as pa
        import pyarrow.csv as pa_csv

        read = pa_csv.ReadOptions(encoding=_arrow_encoding(self.encoding))
        if block_size:
            read.block_size = block_size
        return {
            "read_options": read,
            "parse_options": pa_csv.ParseOptions(delimiter=self.delimiter, newlines_in_values=self.quoted,
                                                 ignore_empty_lines=len(self.header) > 1),
            "convert_options": pa_csv.ConvertOptions(
                column_types={n: pa.string() for n in self.header},
                strings_can_be_null=False, quoted_strings_can_be_null=False),
        }

    def refusal(self, error: Exception) -> InputDataError:
        if isinstance(error, UnicodeDecodeError):
            return InputDataError(f"{self.path}: cannot decode as {self.encoding} ({error}); give --encoding with "
                                  "the file's encoding")
        detail = (None if self.stream else _ragged_line(self)) or str(error).splitlines()[0]
        return InputDataError(f"{self.path}: {detail}; check for a missing or extra {self.delimiter!r} "
                              "or an unclosed quote")


def _csv_chunks(layout: CsvLayout, chunk_size: int | None) -> Iterator[Any]:
    """The rows in tables; a row longer than Arrow's block makes the file be read again
    with blocks four times larger, the rows already given left out."""
    import pyarrow as pa

    if layout.only_header:
        yield pa.table({name: pa.array([], pa.string()) for name in layout.header})
        return
    if layout.stream is not None:
        block = STREAM_BLOCK
    elif chunk_size is None:
        block = 1 << 20  # Arrow's own default
    else:
        block = int(min(max(layout.bytes_per_row * chunk_size / 4, 1 << 16), 1 << 28))
    block = max(block, 2 * layout.head_bytes)
    given = 0
    while True:
        try:
            for table in _arrow_chunks(layout, chunk_size, block, given):
                given += table.num_rows
                yield table
            return
        except (pa.ArrowInvalid, UnicodeDecodeError) as error:
            too_small = "straddl" in str(error) or "Empty CSV file or block" in str(error)
            if not too_small or layout.stream is not None or block >= _MAX_BLOCK:
                raise layout.refusal(error) from None
            block = min(block * 4, _MAX_BLOCK)


def _arrow_chunks(layout: CsvLayout, chunk_size: int | None, block: int, skip: int) -> Iterator[Any]:
    """Tables of ``chunk_size`` rows read with Arrow blocks of ``block`` bytes, the first
    ``skip`` rows left out (given already)."""
    import pyarrow as pa
    import pyarrow.csv as pa_csv

    source = layout.stream if layout.stream is not None else layout.path
    if chunk_size is None:
        yield pa_csv.read_csv(source, **layout.arrow_options(block))
        return
    reader = pa_csv.open_csv(source, **layout.arrow_options(block))
    pending: list[Any] = []
    rows, sent = 0, skip > 0
    for batch in reader:
        if skip:
            taken = min(skip, batch.num_rows)
            batch, skip = batch.slice(taken), skip - taken
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


def _read_up_to(handle: Any, size: int) -> bytes:
    """``size`` bytes, or fewer at the end (a pipe gives what it has at each read)."""
    parts, got = [], 0
    while got < size and (part := handle.read(size - got)):
        parts.append(part)
        got += len(part)
    return b"".join(parts)


def _whole_header(path: Path, handle: Any, head: bytes, encoding: str, delimiter: str | None) -> tuple[bytes, bool]:
    """``head`` and as many more bytes as the header needs (a header line may be longer than
    the first block), and whether the file ends there."""
    ended = len(head) < _HEAD
    while not ended and not _header_complete(_decode(path, head, encoding, False), delimiter):
        if len(head) >= MAX_HEADER:
            raise InputDataError(f"{path}: the first line is longer than {MAX_HEADER >> 20} MB; the first line must "
                                 "name the columns (is this a CSV file with line breaks?)")
        wanted = len(head)
        more = _read_up_to(handle, wanted)
        head, ended = head + more, len(more) < wanted
    return head, ended


def _header_complete(text: str, delimiter: str | None) -> bool:
    rest = _first_record(text, delimiter or sniff_delimiter(text))[1]
    return rest != "" or text.endswith(("\n", "\r"))


def _first_record(text: str, delimiter: str) -> tuple[list[str], str]:
    """The first record of ``text`` (a quoted name may hold a line break) and the text after it."""
    stream = io.StringIO(text, newline="")
    with _large_fields():
        header = next(csv.reader(stream, delimiter=delimiter), [])
    return header, text[stream.tell():]


@contextlib.contextmanager
def _large_fields() -> Iterator[None]:
    """The csv module without its limit of 131,072 characters a field, while it reads here."""
    limit = csv.field_size_limit()
    csv.field_size_limit(sys.maxsize)
    try:
        yield
    finally:
        csv.field_size_limit(limit)


def _ragged_line(layout: CsvLayout) -> str | None:
    """Where the file first has a row of another width (read only when Arrow refused it)."""
    with layout.path.open(encoding=layout.encoding, errors="replace", newline="") as handle, _large_fields():
        reader = csv.reader(handle, delimiter=layout.delimiter)
        try:
            for row in reader:
                if row and len(row) != len(layout.header):
                    return f"line {reader.line_num} has {len(row)} fields but the header has {len(layout.header)}"
        except csv.Error:
            return None
    return None


def _ascii_compatible(encoding: str) -> bool:
    """Whether '"' is the byte 0x22 in ``encoding`` (so that scanning bytes finds quotes)."""
    try:
        return 'a"'.encode(encoding).endswith(b'a"')
    except (LookupError, UnicodeError):
        return False


def _arrow_encoding(encoding: str) -> str:
    return "utf8" if is_utf8(encoding) else encoding


def _decode(path: Path, head: bytes, encoding: str, ended: bool) -> str:
    """The first bytes as text (a character cut at the end of the block is dropped)."""
    try:
        return head.decode(encoding, errors="strict" if ended else "ignore")
    except (UnicodeDecodeError, LookupError) as error:
        raise InputDataError(f"{path}: cannot decode as {encoding} ({error}); give --encoding") from None


def sniff_delimiter(text: str) -> str:
    """The delimiter of the header line: the most frequent of , ; tab |."""
    header = next(iter(text.splitlines()), "")
    counts = {d: header.count(d) for d in DELIMITERS}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _check_header(path: Path, header: list[str]) -> None:
    check_names(path, header, "column {} of the header has no name; name it or delete the column",
                 "the header names column {!r} twice; rename one of them")
