"""Result columns for Parquet: each column with its own Arrow type (numbers, booleans, texts,
lists), as ``dtrun evaluate -o out.parquet`` and the Dask run's part files hold them.

Owns ``native_table`` (a frame of results as an Arrow table; a coded column made once per
distinct value, then taken by code) and ``result_types`` (the Arrow type of each output
column, known from what its table's cells can give before any record is evaluated, so
that every chunk of a file, and every part file of a Dask run, has one schema).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from engine.evaluation.coded import Coded
from engine.files.csv_text import result_text
from engine.files.json_cells import native


def native_table(frame: pd.DataFrame, types: dict[str, Any] | None = None) -> Any:
    """Columns with their own types (numbers, booleans, texts, lists) for Parquet; ``types``
    fixes the Arrow type of result columns whose values do not show it."""
    import pyarrow as pa

    return pa.table({str(name): native_column(frame[name], (types or {}).get(str(name))) for name in frame.columns})


def native_column(column: Coded | pd.Series, known: Any) -> Any:
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
