"""The input of a Dask run: a Parquet dataset or CSV files, checked before any task runs.

Owns which files a source names (a folder of Parquet files, a glob, a file), and reading
them as a Dask DataFrame: Parquet as Dask reads it, after the footer of every file is read
here (a truncated or damaged file is refused naming it) and every file is seen to have the
same columns of the same types, with the fields of its struct columns added to every
partition as dotted columns (``applicant.age``), as ``engine.files.parquet`` gives them to the
single-process run; CSV one partition per file, each read by
``engine.files.patients`` exactly as the single-process run reads it, in the encoding
decided here on the whole file, so that every partition of a run is decoded as a run of
that file alone would decode it.  Dask is imported only when a dataset is read.
"""

from __future__ import annotations

import glob
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from engine._core.errors import InputDataError
from engine.files.pipeline import Options
from engine.files.spreadsheet import SPREADSHEETS

if TYPE_CHECKING:  # pragma: no cover
    import dask.dataframe as dd

PARQUET_SUFFIXES = (".parquet", ".pq")


@dataclass(frozen=True)
class Dataset:
    """What ``read_dataset`` read: the Dask DataFrame, the Arrow schema of its files (Parquet;
    the fields of struct columns also as dotted columns, as the frame has them) and the
    encodings other than UTF-8 its CSV files are read in (file → encoding)."""

    frame: Any
    schema: Any = None
    encodings: tuple[tuple[str, str], ...] = ()
    files: int = 1

    def encoding_note(self) -> str:
        """For the summary line: 'cp1252', 'cp1252 for 2 of 5 files' ('' when all are UTF-8)."""
        used = sorted({encoding for _, encoding in self.encodings})
        if not used:
            return ""
        share = "" if len(self.encodings) == self.files else f" for {len(self.encodings)} of {self.files} files"
        return ", ".join(used) + share


def read_dataset(source: str, options: Options = Options()) -> dd.DataFrame:
    """A Parquet dataset (folder, file or glob) or CSV files (file or glob) as a Dask
    DataFrame: Parquet as Dask reads it, CSV one partition per file, every field as text,
    read by ``engine.files.patients`` exactly as the single-process run reads it."""
    return open_dataset(source, options).frame


def open_dataset(source: str, options: Options = Options()) -> Dataset:
    """``read_dataset`` with what was learnt on the way (see ``Dataset``)."""
    files, kind = input_files(source)
    if kind == "parquet":
        return _read_parquet(source, files)
    return _read_csv(files, options)


def input_files(source: str) -> tuple[list[Path], str]:
    """The files ``source`` names (a folder holds Parquet files) and their kind."""
    path = Path(source)
    if path.is_dir():
        found = [p for p in path.rglob("*") if p.suffix.lower() in PARQUET_SUFFIXES and not _hidden(p, path)]
        if not found:
            raise InputDataError(f"{source}: the folder holds no .parquet file; give a Parquet dataset folder, "
                                 "or a glob such as 'patients/*.csv' for CSV files")
        return sorted(found, key=_natural), "parquet"
    if glob.has_magic(source):
        found = sorted((Path(p) for p in glob.glob(source, recursive=True) if Path(p).is_file()), key=_natural)
        if not found:
            raise InputDataError(f"{source}: no file matches this pattern; check the folder and the pattern")
    elif path.is_file():
        found = [path]
    elif path.exists():  # a named pipe (<(zcat p.csv.gz)), a device: Dask reads files in parts, more than once
        raise InputDataError(f"{source}: this is not a regular file (a named pipe or a device), which --engine dask "
                             "cannot read in parts; leave out --engine dask (the default engine reads it as a "
                             "stream), or write it to a file first")
    else:
        raise InputDataError(f"{source}: file not found")
    sheets = [p for p in found if p.suffix.lower() in SPREADSHEETS]
    if sheets:
        raise InputDataError(f"{sheets[0]}: is a spreadsheet; --engine dask reads CSV and Parquet files (leave out "
                             "--engine dask to read a sheet of patients, or save it as CSV or Parquet)")
    kinds = {"parquet" if p.suffix.lower() in PARQUET_SUFFIXES else "csv" for p in found}
    if len(kinds) > 1:
        raise InputDataError(f"{source}: matches both Parquet and CSV files; give a pattern that matches one kind")
    return found, kinds.pop()


def _hidden(path: Path, root: Path) -> bool:
    return any(part.startswith((".", "_")) for part in path.relative_to(root).parts)


def _natural(path: Path) -> list[Any]:
    """Sort key: 'part.2' before 'part.10'."""
    return [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", str(path))]


def _read_parquet(source: str, files: list[Path]) -> Dataset:
    """Texts as ``pandas.read_parquet`` reads them: Dask's own conversion to its string
    dtype is left out (it costs about a second per million rows and changes nothing)."""
    import dask
    import dask.dataframe as dd

    schema = same_schema(files)
    try:
        with dask.config.set({"dataframe.convert-string": False}):
            frame = dd.read_parquet(str(Path(source).absolute()) if Path(source).is_dir() else
                                    [str(p.absolute()) for p in files])
    except (OSError, ValueError) as error:  # pyarrow's errors derive from these
        raise InputDataError(f"{source}: cannot read as a Parquet dataset ({error})") from None
    if schema is None:
        return Dataset(frame, schema, files=len(files))
    import pyarrow as pa

    from engine.files.parquet import flat_structs

    structs = tuple((f.name, f.type) for f in schema if pa.types.is_struct(f.type) and f.name in frame.columns)
    if structs:
        frame = frame.map_partitions(with_struct_fields, structs, meta=with_struct_fields(frame._meta, structs),
                                     align_dataframes=False)
    return Dataset(frame, flat_structs(schema.empty_table()).schema, files=len(files))


def with_struct_fields(frame: pd.DataFrame, structs: tuple[tuple[str, Any], ...]) -> pd.DataFrame:
    """One partition with the fields of its struct columns (``structs``: name and Arrow type,
    in the file's order) added after its columns as ``engine.files.parquet.flat_structs`` adds
    them (a null struct: every field null; structs within structs too), converted to pandas
    as Arrow converts a column of that type."""
    import pyarrow as pa

    from engine.files.parquet import flat_structs

    table = pa.table({name: pa.array(frame[name].to_numpy(dtype=object), type=kind, from_pandas=True)
                      for name, kind in structs})
    added = flat_structs(table).drop_columns([name for name, _ in structs]).to_pandas()
    added.index = frame.index
    return pd.concat([frame, added], axis=1)


def same_schema(files: Iterable[Path]) -> Any:
    """The Arrow schema the Parquet ``files`` share (their footers read: a truncated file is
    refused here, not in a worker); files whose columns or types differ are refused."""
    import pyarrow.parquet as pq

    first: tuple[Path, Any] | None = None
    for path in files:
        try:
            schema = pq.read_schema(path)
        except (OSError, ValueError) as error:  # pyarrow's errors derive from these
            raise InputDataError(f"{path}: cannot read as Parquet ({error})") from None
        if first is None:
            from engine.files.parquet import check_parquet_names, flat_structs

            check_parquet_names(path, schema.names)
            check_parquet_names(path, flat_structs(schema.empty_table()).schema.names)  # 'a.b' twice
            first = (path, schema)
            continue
        difference = _difference(_columns(first[1]), _columns(schema))
        if difference:
            raise InputDataError(f"{path}: its columns differ from those of {first[0]} ({difference}); every file of "
                                 "a dataset must have the same columns, of the same types")
    return first[1] if first else None


def _columns(schema: Any) -> dict[str, str]:
    index = {c for c in (schema.pandas_metadata or {}).get("index_columns", []) if isinstance(c, str)}
    return {field.name: str(field.type) for field in schema if field.name not in index}


def _difference(first: dict[str, str], other: dict[str, str]) -> str:
    missing = [name for name in first if name not in other]
    extra = [name for name in other if name not in first]
    retyped = [f"{name} is {other[name]}, not {first[name]}" for name in first
               if name in other and other[name] != first[name]]
    parts = ([f"missing {', '.join(missing)}"] if missing else []) + ([f"extra {', '.join(extra)}"] if extra else [])
    return "; ".join(parts + retyped)


def _read_csv(files: list[Path], options: Options) -> Dataset:
    import dask.dataframe as dd

    from engine.files.encoding import is_utf8
    from engine.files.patients import CsvLayout, read_chunks

    layouts = [CsvLayout.of(path, options.encoding, options.delimiter) for path in files]
    for path, layout in zip(files[1:], layouts[1:]):
        if layout.header != layouts[0].header:
            raise InputDataError(f"{path}: its header differs from that of {files[0]}; every CSV file of one "
                                 "run must have the same columns in the same order")
    meta = next(read_chunks(files[0], layouts[0].encoding, layouts[0].delimiter, chunk_size=1)).iloc[:0]
    # workers may have another working folder: absolute paths; the encoding decided here
    parts = [(str(p.absolute()), layout.encoding, layout.delimiter) for p, layout in zip(files, layouts)]
    frame = dd.from_map(read_csv_partition, parts, meta=meta, label="read-patients", enforce_metadata=False)
    encodings = tuple((str(p), layout.encoding) for p, layout in zip(files, layouts) if not is_utf8(layout.encoding))
    return Dataset(frame, encodings=encodings, files=len(files))


def read_csv_partition(part: tuple[str, str, str]) -> pd.DataFrame:
    """One CSV file as one partition, in the encoding and with the delimiter decided for it."""
    from engine.files.patients import read_patients

    path, encoding, delimiter = part
    return read_patients(path, encoding, delimiter)

