"""What a result value is in JSON: ``--format json``'s rows, ``dtrun serve``'s answers, and the
JSON texts that CSV gives to nested values (lists, structs, maps).

Owns the one conversion of a value (``native``: lists and dicts kept, everything else as a
CSV cell has it, ``engine.evaluation.record.format_cell``; ``finite``: NaN and the infinities
as null, RFC 8259 having no such numbers) and its column-wise use (``json_records``).
"""

from __future__ import annotations

import json
import math
from typing import Any

import pandas as pd

from engine.evaluation.record import format_cell


def json_records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Each row as ``--format json`` writes it: a dict by column name, lists as lists, NaN and
    the infinities as None (JSON's null)."""
    columns = [str(c) for c in frame.columns]
    values = [_column(frame.iloc[:, i].tolist()) for i in range(len(columns))]
    return [dict(zip(columns, row)) for row in zip(*values)]


def _column(values: list[Any]) -> list[Any]:
    """A column's values for JSON, each distinct value converted once (most columns repeat a
    few values: 10,000 records took 0.24 s one cell at a time)."""
    done: dict[tuple[type, Any], Any] = {}
    out = []
    for value in values:
        try:
            key = (type(value), value)
            found = done.get(key, done)
        except TypeError:  # a list or a dict: not hashable
            out.append(finite(native(value)))
            continue
        if found is done:
            found = done[key] = finite(native(value))
        out.append(found)
    return out


def native(value: Any) -> Any:
    if isinstance(value, dict):  # a Parquet struct or map, as a JSON object
        return {str(k): native(v) for k, v in value.items()}
    return [native(v) for v in value] if isinstance(value, list) else format_cell(value)


def finite(value: Any) -> Any:
    """NaN and the infinities as None (JSON's null): RFC 8259 has no such numbers."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, list):
        return [finite(v) for v in value]
    if isinstance(value, dict):
        return {k: finite(v) for k, v in value.items()}
    return value


def json_texts(column: Any) -> Any:
    """A nested column (lists, structs, maps of a Parquet file) as the JSON text of each value."""
    import pyarrow as pa

    texts = [None if v is None else json.dumps(finite(native(v)), ensure_ascii=False, default=str)
             for v in column.to_pylist()]
    return pa.array(texts, pa.string())
