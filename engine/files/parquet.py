"""Parquet patient files: the file checked (its columns each named once) and read whole or
in batches as Arrow tables; and the check of a patient file's column names that every
format shares (``check_names``).  A struct column's fields are also columns, named with dots
(``applicant`` with the field ``age`` gives ``applicant.age``): the components of a structured
input.  ``flat_structs`` is shared with the Dask run (``engine.files.dataset``), whose
partitions get the same columns.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from engine._core.errors import InputDataError


def parquet_file(path: Path, data: bytes | None) -> Any:
    """The Parquet file at ``path`` (or, from a pipe, in ``data``: Parquet needs its end first)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        source = pq.ParquetFile(path if data is None else pa.BufferReader(data))
    except (OSError, ValueError) as error:  # pyarrow's errors derive from these
        raise InputDataError(f"{path}: cannot read as Parquet ({error})") from None
    check_parquet_names(path, source.schema_arrow.names)
    check_parquet_names(path, flat_structs(source.schema_arrow.empty_table()).schema.names)
    return source


def flat_structs(table: Any) -> Any:
    """``table`` with the fields of its struct columns (at any depth) added after them as
    columns ``a.b``; the struct column stays (written as JSON text where it is no input)."""
    import pyarrow as pa

    index = 0
    while index < table.num_columns:
        field = table.schema.field(index)
        if pa.types.is_struct(field.type):
            chunks = [chunk.flatten() for chunk in table.column(index).chunks]  # the parent's nulls kept
            for k in range(field.type.num_fields):
                child = field.type.field(k)
                table = table.append_column(f"{field.name}.{child.name}",
                                            pa.chunked_array([parts[k] for parts in chunks], child.type))
        index += 1
    return table


def check_parquet_names(path: Path, names: list[str]) -> None:
    """A Parquet file's columns: each named, no name twice."""
    check_names(path, names, "the file has no name for its column {}; write the file again with a name for every "
                 "column", "the file has two columns named {!r}; rename one of them")


def parquet_chunks(path: Path, source: Any, chunk_size: int | None, keep_index: bool) -> Iterator[Any]:
    import pyarrow as pa

    try:
        schema = source.schema_arrow
        index = [] if keep_index else [c for c in (schema.pandas_metadata or {}).get("index_columns", [])
                                       if isinstance(c, str) and c in schema.names]
        if chunk_size is None:
            yield flat_structs(source.read().drop_columns(index))
            return
        empty = True
        for batch in source.iter_batches(batch_size=chunk_size):
            empty = False
            yield flat_structs(pa.Table.from_batches([batch]).drop_columns(index))
        if empty:
            yield flat_structs(schema.empty_table().drop_columns(index))
    except (OSError, ValueError) as error:  # pyarrow's errors derive from these
        raise InputDataError(f"{path}: cannot read as Parquet ({error})") from None


def check_names(path: Path, names: list[str], blank: str, twice: str) -> None:
    unnamed = [i + 1 for i, name in enumerate(names) if not name.strip()]
    if unnamed:
        raise InputDataError(f"{path}: {blank.format(unnamed[0])}")
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise InputDataError(f"{path}: {twice.format(name)}")
        seen.add(name)
