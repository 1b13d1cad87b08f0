"""Patient files in (CSV as text, any common delimiter and encoding; Parquet) and result
files out (CSV, JSON, Parquet), written atomically."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from helpers import Unwritable
from hypothesis import given, settings
from hypothesis import strategies as st

from engine._core.atomic import atomic_path
from engine._core.errors import InputDataError
from engine.files import csv_text, results
from engine.files import encoding as encoding_scan
from engine.files import patients as files


# ====================================================================== reading
def test_csv_fields_are_text_and_empty_fields_are_empty_strings(tmp_path):
    path = tmp_path / "p.csv"
    path.write_text('id,age,note\np1,42,"a, b"\np2,,NA\n', encoding="utf-8")
    frame = files.read_patients(path)
    assert frame.to_dict("records") == [{"id": "p1", "age": "42", "note": "a, b"}, {"id": "p2", "age": "", "note": "NA"}]
    assert all(isinstance(v, str) for v in frame.to_numpy().ravel())


@pytest.mark.parametrize("delimiter", [";", "\t", "|"])
def test_delimiter_is_detected_from_the_header(tmp_path, delimiter):
    path = tmp_path / "p.csv"
    path.write_text(delimiter.join(["id", "weight"]) + "\n" + delimiter.join(["p1", "72,5"]) + "\n", encoding="utf-8")
    frame = files.read_patients(path)
    assert frame.to_dict("records") == [{"id": "p1", "weight": "72,5"}]


def test_explicit_delimiter_wins(tmp_path):
    path = tmp_path / "p.csv"
    path.write_text("a;b,c\n1;2,3\n", encoding="utf-8")
    assert list(files.read_patients(path, delimiter=";").columns) == ["a", "b,c"]
    assert list(files.read_patients(path, delimiter=",").columns) == ["a;b", "c"]


def test_cp1252_and_utf8_with_bom_are_decoded(tmp_path):
    cp = tmp_path / "cp.csv"
    cp.write_bytes("name;status\nZoë Müller;négatif\n".encode("cp1252"))
    assert files.read_patients(cp).to_dict("records") == [{"name": "Zoë Müller", "status": "négatif"}]
    bom = tmp_path / "bom.csv"
    bom.write_bytes("\ufeffname,status\nZoë,positive\n".encode("utf-8"))
    assert list(files.read_patients(bom).columns) == ["name", "status"]
    assert files.read_patients(bom)["name"].tolist() == ["Zoë"]


def test_explicit_encoding_that_does_not_fit_is_an_error(tmp_path):
    path = tmp_path / "p.csv"
    path.write_bytes("name\nZoë\n".encode("cp1252"))
    with pytest.raises(InputDataError, match="cannot decode as utf-8"):
        files.read_patients(path, encoding="utf-8")


@pytest.mark.parametrize("text, message", [
    ("id,age\np1,42\np2,43,extra\n", "3 fields but the header has 2"),
    ("id,,age\np1,1,2\n", "column 2 of the header has no name"),
    ("id,age,id\np1,1,2\n", "names column 'id' twice"),
    ("", "the file is empty"),
])
def test_malformed_csv_is_refused_with_the_reason(tmp_path, text, message):
    path = tmp_path / "p.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputDataError, match=message):
        files.read_patients(path)


def test_header_only_file_gives_no_rows(tmp_path):
    path = tmp_path / "p.csv"
    path.write_text("id,age\n", encoding="utf-8")
    frame = files.read_patients(path)
    assert list(frame.columns) == ["id", "age"] and len(frame) == 0


def test_blank_lines_are_skipped(tmp_path):
    path = tmp_path / "p.csv"
    path.write_text("id,age\r\np1,1\r\n\r\np2,2\r\n", encoding="utf-8")
    assert files.read_patients(path)["id"].tolist() == ["p1", "p2"]


def test_missing_file_folder_and_broken_parquet(tmp_path):
    with pytest.raises(InputDataError, match="file not found"):
        files.read_patients(tmp_path / "nope.csv")
    with pytest.raises(InputDataError, match="folder"):
        files.read_patients(tmp_path)
    broken = tmp_path / "p.parquet"
    broken.write_text("not parquet")
    with pytest.raises(InputDataError, match="cannot read as Parquet"):
        files.read_patients(broken)


def test_parquet_is_read_with_its_types(tmp_path):
    path = tmp_path / "p.parquet"
    pd.DataFrame({"id": ["a", "b"], "age": [40.0, None], "flag": [True, False]}).to_parquet(path)
    frame = files.read_patients(path)
    assert frame["id"].tolist() == ["a", "b"] and frame["flag"].tolist() == [True, False]
    assert frame["age"].iloc[0] == 40.0 and pd.isna(frame["age"].iloc[1])


@pytest.mark.parametrize("path, requested, fmt", [
    ("out.csv", None, "csv"), ("out.json", None, "json"), ("out.JSON", None, "json"), ("out.parquet", None, "parquet"),
    ("out.pq", None, "parquet"), ("out.txt", None, "csv"), (None, None, "csv"), ("-", None, "csv"),
    ("out.csv", "json", "json"),
])
def test_format_for(path, requested, fmt):
    assert results.format_for(path, requested) == fmt


# ====================================================================== writing
RESULT = pd.DataFrame({
    "id": ["p1", "p2"],
    "t.o": [560.0, None],
    "c.list": [["a", "b"], []],
    "d.when": [dt.date(2024, 1, 2), None],
    "b.flag": [True, None],
    "_errors": ["", 'x: "é" is not a number'],
})


def _csv(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def test_csv_output_formats_lists_dates_and_nulls(tmp_path):
    path = tmp_path / "out.csv"
    results.write_results(RESULT, str(path), "csv")
    header, first, second = _csv(path.read_text(encoding="utf-8"))
    assert header == ["id", "t.o", "c.list", "d.when", "b.flag", "_errors"]
    assert first[:4] + first[5:] == ["p1", "560", '["a", "b"]', "2024-01-02", ""]
    assert first[4].lower() == "true"  # True or true: not pinned here
    assert second == ["p2", "", "[]", "", "", 'x: "é" is not a number']


def test_json_output_is_an_array_of_row_objects_with_native_lists(tmp_path):
    path = tmp_path / "out.json"
    results.write_results(RESULT, str(path), "json")
    rows = json.loads(path.read_text(encoding="utf-8"))
    assert rows == [
        {"id": "p1", "t.o": 560, "c.list": ["a", "b"], "d.when": "2024-01-02", "b.flag": True, "_errors": ""},
        {"id": "p2", "t.o": None, "c.list": [], "d.when": None, "b.flag": None, "_errors": 'x: "é" is not a number'},
    ]


def test_parquet_output_keeps_lists_native(tmp_path):
    import pyarrow.parquet as pq

    path = tmp_path / "out.parquet"
    results.write_results(RESULT, str(path), "parquet")
    table = pq.read_table(path)
    assert table.column("c.list").to_pylist() == [["a", "b"], []]
    assert table.column("t.o").to_pylist() == [560, None]
    assert table.column("id").to_pylist() == ["p1", "p2"]


def test_stdout_for_dash_and_none(capfd):
    for target in ("-", None):
        results.write_results(RESULT.iloc[:1], target, "csv")
        assert _csv(capfd.readouterr().out)[0] == ["id", "t.o", "c.list", "d.when", "b.flag", "_errors"]
    with pytest.raises(InputDataError, match="Parquet cannot be written to standard output"):
        results.write_results(RESULT, "-", "parquet")


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))



@pytest.mark.parametrize("fmt", ["csv", "json", "parquet"])
def test_atomic_write_replaces_on_success_and_leaves_nothing_on_failure(tmp_path, fmt):
    target = tmp_path / f"out.{fmt}"
    target.write_text("old results\n")
    results.write_results(RESULT, str(target), fmt)
    assert target.read_bytes() != b"old results\n"
    target.write_text("old results\n")
    with pytest.raises(Exception):
        results.write_results(RESULT.assign(bad=[Unwritable(), None]), str(target), fmt)
    assert target.read_text() == "old results\n"
    assert _leftovers(tmp_path) == []
    new = tmp_path / f"new.{fmt}"
    with pytest.raises(Exception):
        results.write_results(RESULT.assign(bad=[Unwritable(), None]), str(new), fmt)
    assert not new.exists() and _leftovers(tmp_path) == []


def test_atomic_path_removes_a_half_written_file(tmp_path):
    target = tmp_path / "out.parquet"
    with pytest.raises(OSError):
        with atomic_path(target) as temporary:
            temporary.write_bytes(b"PAR1 half")
            raise OSError("interrupted")
    assert not target.exists()
    assert _leftovers(tmp_path) == []


def test_output_into_a_missing_folder_is_an_error(tmp_path):
    with pytest.raises(InputDataError, match="does not exist"):
        results.write_results(RESULT, str(tmp_path / "no" / "out.csv"), "csv")


# ====================================================================== reading in blocks, Arrow tables
def test_read_tables_leaves_out_a_stored_pandas_index(tmp_path):
    path = tmp_path / "p.parquet"
    frame = pd.DataFrame({"id": ["a", "b", "c"], "age": [30.0, 70.0, 40.0]})
    frame[frame["age"] > 35].to_parquet(path)  # index [1, 2] is stored as a column
    for chunk_size in (None, 1):
        tables = list(files.read_tables(path, chunk_size=chunk_size))
        assert all(t.column_names == ["id", "age"] for t in tables)
        assert sum((t.column("id").to_pylist() for t in tables), []) == ["b", "c"]
    assert files.read_patients(path).index.tolist() == [1, 2]  # a frame keeps it as its index


@pytest.mark.parametrize("block", [1, 2, 3, 5, 1 << 24])
@pytest.mark.parametrize("text, encoding, quoted", [
    ("id,name\np1,plain\n", "utf-8", False),
    ('id,name\np1,"a, b"\n', "utf-8", True),
    ("id,name\np1,Zoë Müller ✓\n", "utf-8", False),  # multi-byte characters cut by any block size
    ("id,name\n" + "p,x\n" * 5 + "p,Zoë\n", "cp1252", False),  # the only non-UTF-8 byte comes late
])
def test_the_file_is_scanned_in_blocks_for_encoding_and_quotes(tmp_path, monkeypatch, block, text, encoding, quoted):
    monkeypatch.setattr(encoding_scan, "SCAN_BLOCK", block)
    path = tmp_path / "p.csv"
    path.write_bytes(text.encode(encoding))
    layout = files.CsvLayout.of(path, None, None)
    assert (layout.encoding, layout.quoted) == (encoding, quoted)
    assert files.read_patients(path)["name"].iloc[-1] == next(csv.reader(io.StringIO(text.splitlines()[-1])))[1]


def test_an_encoding_other_than_ascii_bytes_always_looks_for_quotes(tmp_path):
    path = tmp_path / "p.csv"
    path.write_bytes('id,name\np1,"two\nlines"\n'.encode("utf-16"))
    layout = files.CsvLayout.of(path, "utf-16", None)
    assert layout.quoted
    assert files.read_patients(path, encoding="utf-16")["name"].tolist() == ["two\nlines"]


# ====================================================================== writing coded columns
TEXTS = st.sampled_from(["a", "=1+2", "-3", "+x", "@me", "\tx", "", "é", "-", "1e5"])


@settings(max_examples=100, deadline=None)
@given(st.lists(st.one_of(st.none(), TEXTS), min_size=0, max_size=12), st.integers(0, 3), st.booleans())
def test_formula_check_on_buffers_agrees_with_the_texts(texts, offset, large):
    import pyarrow as pa

    array = pa.array(texts, pa.large_string() if large else pa.string()).slice(min(offset, len(texts)))
    expected = any(t and t[0] in csv_text.FORMULA_START_CHARACTERS for t in array.to_pylist())
    assert csv_text.may_start_like_a_formula(array) == expected


@settings(max_examples=100, deadline=None)
@given(st.lists(st.one_of(st.none(), TEXTS, st.integers(-5, 5), st.floats(allow_nan=False, width=32),
                          st.lists(TEXTS, max_size=2)), min_size=1, max_size=6),
       st.lists(st.integers(0, 5), max_size=20), st.booleans())
def test_coded_text_agrees_with_the_per_row_text(values, picks, escape):
    """The oracle: the column as per-row Python values, made text row by row."""
    from engine.evaluation.coded import Coded

    codes = np.array([p % len(values) for p in picks], dtype=np.int64)
    column = Coded(tuple(values), codes)
    per_row = pd.Series([values[c] for c in codes], dtype=object)
    expected = csv_text.text_column(per_row)
    expected = csv_text.escaped(expected) if escape else expected
    assert csv_text.coded_text(column, escape).to_pylist() == expected.to_pylist()
