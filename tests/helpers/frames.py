"""Result frames compared by value, whatever engine or file format produced them.

Dask partitions, Spark's ``toPandas`` and Parquet round trips give the same results with
other containers (categoricals or objects, NaN, None or NA for missing, numpy arrays for
lists); ``rows`` reduces a frame to plain Python values so that two frames compare equal
exactly when their values do.
"""

from __future__ import annotations

from typing import Any

import pandas as pd


def rows(frame: pd.DataFrame) -> list[tuple[Any, ...]]:
    """The values of every row: missing values (None, NaN, NA) as None, categoricals as
    values, lists (arrays when read back from Parquet) as lists."""
    return [tuple(plain(v) for v in row) for row in frame.astype(object).itertuples(index=False)]


def plain(value: Any) -> Any:
    if hasattr(value, "tolist") and not isinstance(value, str):
        return [plain(v) for v in value.tolist()]
    if isinstance(value, list):
        return [plain(v) for v in value]
    return None if missing(value) else value


def missing(value: Any) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and value != value)
