"""CSV text made by engine/csv_text.py (csv_header, csv_lines): byte for byte what pyarrow's
CSV writer writes for the same columns made text one by one (the oracle)."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.evaluation.coded import Coded, combinations
from engine.files import csv_text, results

TEXTS = st.one_of(st.none(), st.sampled_from(["a", "", '"q"', 'say "hi", ok', "two\nlines", "cr\r\n", "=1+2", "-3",
                                             "+x", "@me", "\tx", "é", "-", "1e5", "'"]), st.text(max_size=6))
VALUES = st.one_of(TEXTS, st.integers(-5, 5), st.floats(allow_nan=False, width=32), st.booleans(),
                   st.lists(st.sampled_from(["a", '"b"', "=c"]), max_size=2))


def oracle(names: list[str], columns: list, escape: bool) -> bytes:
    """The columns made text one by one, as the writer did before, and written by pyarrow."""
    texts = []
    for column in columns:
        if isinstance(column, Coded):
            texts.append(csv_text.coded_text(column, escape))
        elif isinstance(column, pd.Series):
            text = csv_text.text_column(column)
            texts.append(csv_text.escaped(text) if escape else text)
        else:
            texts.append(column)
    sink = io.BytesIO()
    table = pa.table(dict(zip(names, texts)))
    writer = pa_csv.CSVWriter(sink, table.schema)
    writer.write_table(table)
    writer.close()
    return sink.getvalue()


@st.composite
def column_sets(draw):
    rows = draw(st.integers(0, 12))
    kinds = draw(st.lists(st.sampled_from(["text", "large", "coded", "numbers", "objects"]), min_size=1, max_size=7))
    columns = []
    for kind in kinds:
        if kind in ("text", "large"):
            texts = draw(st.lists(TEXTS, min_size=rows, max_size=rows))
            array = pa.array(texts, pa.large_string() if kind == "large" else pa.string())
            columns.append(csv_text.escaped(array) if draw(st.booleans()) else array)
        elif kind == "coded":
            values = draw(st.lists(VALUES, min_size=1, max_size=5))
            codes = draw(st.lists(st.integers(0, len(values) - 1), min_size=rows, max_size=rows))
            columns.append(Coded(tuple(values), np.array(codes, dtype=np.int64)))
        elif kind == "numbers":
            numbers = draw(st.lists(st.one_of(st.none(), st.floats(allow_infinity=False)), min_size=rows, max_size=rows))
            columns.append(pd.Series([np.nan if v is None else v for v in numbers], dtype="float64"))
        else:
            items = draw(st.lists(VALUES, min_size=rows, max_size=rows))
            series = pd.Series([None] * rows, dtype=object)
            for i, item in enumerate(items):
                series.iat[i] = item
            columns.append(series)
    return [f'c{i} "{kind}",' for i, kind in enumerate(kinds)], columns


@settings(max_examples=300, deadline=None)
@given(column_sets(), st.booleans(), st.sampled_from([1, 5, csv_text.PIECE_ROWS]))
def test_csv_lines_are_what_pyarrows_writer_writes(named, escape, rows_per_piece):
    names, columns = named
    made = csv_text.csv_header(names) + b"".join(map(bytes, csv_text.csv_lines(columns, escape, rows_per_piece)))
    assert made == oracle(names, columns, escape)


def test_a_result_file_written_in_blocks_has_one_header(tmp_path):
    target = tmp_path / "out.csv"
    inputs = pa.table({"id": ["p1", "p2"]})
    with results.ResultWriter(str(target), "csv") as writer:
        writer.write_columns(inputs, {"t.o": Coded(("=x", None), np.array([0, 1]))})
        writer.write_columns(inputs.slice(1), {"t.o": Coded(("y",), np.array([0]))})
    assert target.read_bytes() == b'"id","t.o"\n"p1","\'=x"\n"p2",\n"p2","y"\n'


def test_combinations_number_each_distinct_combination_once():
    a, b = np.array([0, 1, 0, 1, 0]), np.array([2, 0, 2, 0, 1])
    per_row, firsts = combinations([a, b])
    pairs = list(zip(a.tolist(), b.tolist()))
    assert len(firsts) == len(set(pairs)) == 3
    assert [pairs[firsts[k]] for k in per_row] == pairs
    assert all(firsts[per_row[r]] <= r for r in range(len(pairs)))  # the first row of each
