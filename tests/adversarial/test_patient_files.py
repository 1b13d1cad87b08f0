"""Issue 16, the patient files: shapes that changed data silently, were refused, hung or
crashed.

Classes 8 (a header longer than the first 64 KB), 9 (the encoding decided on the whole
file, and said), 10 (blank lines of a one-column file, large fields, a header-only file
without a final line break), 16 (a named pipe read as a stream) and 19 (Parquet with
duplicate or nested columns, a duplicate header name after 64 KB, a delimiter of two
characters).  Each promise: the rows come out as the file holds them, or one line on
standard error with exit status 2 or 4, never 70.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers.adversarial import ACCENTED, CSV, dtrun, feed, fifo, guide, patients, unblock
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine._core.errors import InputDataError
from engine.cli import main
from engine.cli.support import EXIT_DATA, EXIT_OK, EXIT_USAGE
from engine.files.patients import read_patients

SUMMARY = re.compile(r"^dtrun: (\d+) rows read( \(encoding [\w-]+\))?, (\d+) with errors, (\d+) with warnings, "
                     r"\d+\.\d\d s( -> .+)?$", re.M)
SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def invoke(*args: object) -> object:
    return CliRunner().invoke(main, [str(a) for a in args])


def rows(text: str) -> list[dict[str, str]]:
    limit = csv.field_size_limit(1 << 30)  # fields of megabytes
    try:
        return list(csv.DictReader(io.StringIO(text)))
    finally:
        csv.field_size_limit(limit)


@pytest.fixture
def book(tmp_path: Path) -> Path:
    return guide(tmp_path)


# ====================================================================== class 8: a long header
@SETTINGS
@given(filler=st.integers(60_000, 70_000), chunk=st.sampled_from([None, 1]))
def test_every_column_is_text_whatever_the_headers_length(tmp_path, book, filler, chunk):
    """Columns after the first 64 KB of the header were typed by Arrow: NA became missing."""
    names = ["id", "age"] + [f"c{i:05d}" for i in range(filler // 7)] + ["hr"]
    path = patients(tmp_path, ",".join(names) + "\n" + ",".join(["p1", "40"] + ["NA"] * (len(names) - 3) + ["NA"]) +
                    "\n", "long.csv")
    frame = read_patients(path)
    assert frame.iloc[0].tolist()[-1] == "NA" and all(isinstance(v, str) for v in frame.iloc[0])
    result = invoke("evaluate", book, path, *(["--chunk-size", chunk] if chunk else []))
    assert result.exit_code == EXIT_OK, result.output
    (row,) = rows(result.stdout)
    assert row["hr"] == "NA" and '"NA" is not an allowed value' in row["_errors"]


def test_a_name_given_twice_after_the_first_64_kb_is_refused(tmp_path, book):
    names = ["id", "age"] + [f"c{i:05d}" for i in range(12_000)] + ["age"]
    path = patients(tmp_path, ",".join(names) + "\n" + ",".join(["x"] * len(names)) + "\n", "dup.csv")
    result = invoke("evaluate", book, path)
    assert result.exit_code == EXIT_DATA
    assert result.stderr.strip().endswith("the header names column 'age' twice; rename one of them")


# ====================================================================== class 9: the encoding
@SETTINGS
@given(names=st.lists(ACCENTED, min_size=2, max_size=40), where=st.floats(0, 1), bad=st.sampled_from([0xFF, 0xC3, 0x80]))
def test_one_byte_that_is_not_utf8_in_a_utf8_file_is_refused_with_its_offset(tmp_path, book, names, where, bad):
    """It decoded the whole file as cp1252 without a word, garbling every accented name."""
    if all(n.isascii() for n in names):
        names[0] += "é"
    data = ("id,age,name\n" + "".join(f"p{i},40,{n}\n" for i, n in enumerate(names))).encode("utf-8")
    at = data.index(b"\n") + 1 + int(where * (len(data) - data.index(b"\n") - 2))
    while data[at] & 0xC0 == 0x80:  # not inside a character: the byte alone is what is wrong
        at -= 1
    broken = data[:at] + bytes([bad]) + data[at:]
    path = patients(tmp_path, broken, "broken.csv")
    try:
        broken.decode("utf-8")
        return  # (0xC3 0x80... happened to make a character)
    except UnicodeDecodeError as error:
        first = error.start
    result = invoke("evaluate", book, path)
    assert result.exit_code == EXIT_DATA, result.output
    line = broken[:first].count(b"\n") + 1
    assert f"cannot decode as utf-8: byte {first:,} (line {line:,}) is 0x{broken[first]:02X}" in result.stderr
    assert "give --encoding cp1252 if the whole file is Windows-1252" in result.stderr


def test_a_windows_file_is_read_as_cp1252_and_the_summary_says_so(tmp_path, book):
    path = patients(tmp_path, CSV.replace("p1", "Zoë").encode("cp1252"), "cp.csv")
    result = invoke("evaluate", book, path)
    assert result.exit_code == EXIT_OK and rows(result.stdout)[0]["id"] == "Zoë"
    assert SUMMARY.search(result.stderr).group(2) == " (encoding cp1252)"


def test_the_summary_of_a_utf8_file_is_as_it_was(tmp_path, book):
    for content in (CSV, CSV.replace("p1", "Zoë"), "\ufeff" + CSV):
        result = invoke("evaluate", book, patients(tmp_path, content))
        old = re.compile(r"^dtrun: 3 rows read, 1 with errors, 0 with warnings, \d+\.\d\d s$", re.M)
        assert old.search(result.stderr), result.stderr


def test_a_byte_neither_utf8_nor_cp1252_defines(tmp_path, book):
    result = invoke("evaluate", book, patients(tmp_path, b"id,age\np\x81,1\n", "odd.csv"))
    assert result.exit_code == EXIT_DATA
    assert "cannot decode as utf-8 or cp1252: byte 8 (line 2) is 0x81" in result.stderr


def test_a_given_encoding_that_does_not_fit_names_the_byte(tmp_path, book):
    data = CSV.replace("p2", "Zoë").encode("cp1252")
    path = patients(tmp_path, data, "cp.csv")
    result = invoke("evaluate", book, path, "--encoding", "utf-8")
    assert result.exit_code == EXIT_DATA
    at = data.index(b"\xeb")
    assert f"cannot decode as utf-8: byte {at} (line 3) is 0xEB, which is not utf-8; give --encoding" in result.stderr
    assert invoke("evaluate", book, path, "--encoding", "cp1252").exit_code == EXIT_OK


# ====================================================================== class 10: valid files
@SETTINGS
@given(values=st.lists(st.sampled_from(["", "4", "70", "NA"]), min_size=1, max_size=12),
       ending=st.sampled_from(["\n", "\r\n"]), chunk=st.sampled_from([None, 1, 3]))
def test_a_one_column_file_keeps_its_blank_lines_as_missing_values(tmp_path, book, values, ending, chunk):
    path = patients(tmp_path, ending.join(["age", *values]) + ending, "one.csv")
    assert read_patients(path)["age"].tolist() == values
    result = invoke("evaluate", book, path, *(["--chunk-size", chunk] if chunk else []))
    assert [r["age"] for r in rows(result.stdout)] == values


@pytest.mark.parametrize("size, chunk", [(100_000, 10), (2_000_000, None), (2_000_000, 1000)])
@pytest.mark.parametrize("quoted", [False, True])
def test_large_fields_are_read(tmp_path, book, size, chunk, quoted):
    big = "y" * size
    cell = f'"{big}"' if quoted else big
    path = patients(tmp_path, "id,age,note\n" + "".join(f"p{i},40,{cell if i == 5_000 else 'z'}\n"
                                                          for i in range(6_000)), "big.csv")
    result = invoke("evaluate", book, path, *(["--chunk-size", chunk] if chunk else []))
    assert result.exit_code == EXIT_OK, result.stderr
    out = rows(result.stdout)
    assert len(out) == 6_000 and out[5_000]["note"] == big and out[4_999]["note"] == "z"


@pytest.mark.parametrize("content", ["id,age", "id,age\n", "id,age\r\n", "\ufeffid,age"])
def test_a_header_only_file_gives_a_header_only_result(tmp_path, book, content):
    result = invoke("evaluate", book, patients(tmp_path, content, "header.csv"))
    assert result.exit_code == EXIT_OK, result.output
    assert result.stdout.splitlines()[0].startswith('"id","age","band.band"') and len(result.stdout.splitlines()) == 1


# ====================================================================== class 16: a named pipe
@pytest.mark.parametrize("chunk", [None, 2])
def test_a_named_pipe_as_the_patient_file_is_read_as_a_stream(tmp_path, book, chunk):
    """``dtrun evaluate W <(zcat p.csv.gz)`` hung for good: the file was read twice."""
    pipe = fifo(tmp_path)
    writer = feed(pipe, (CSV * 1).encode("utf-8"))
    try:
        result = dtrun(["evaluate", book, pipe, *(["--chunk-size", chunk] if chunk else [])], tmp_path, timeout=120)
    finally:
        unblock(pipe)
        writer.join(10)
    assert result.returncode == EXIT_OK, result.stderr
    assert [r["id"] for r in rows(result.stdout.decode())] == ["p1", "p2", "p3"]


def test_a_named_pipe_of_parquet_and_of_cp1252(tmp_path, book):
    import pandas as pd

    parquet = tmp_path / "p.parquet"
    pd.DataFrame({"id": ["a"], "age": ["40"]}).to_parquet(parquet)
    for data, expected in ((parquet.read_bytes(), "a"), (CSV.replace("p1", "Zoë").encode("cp1252"), "Zoë")):
        pipe = fifo(tmp_path, f"pipe{len(data)}")
        writer = feed(pipe, data)
        try:
            result = dtrun(["evaluate", book, pipe], tmp_path, timeout=120)
        finally:
            unblock(pipe)
            writer.join(10)
        assert result.returncode == EXIT_OK, result.stderr
        assert rows(result.stdout.decode())[0]["id"] == expected


def test_a_named_pipe_that_stops_being_utf8_is_refused_with_the_offset(tmp_path, book):
    data = ("id,age\n" + "p,1\n" * 30_000).encode() + b"p\xff,1\n"
    pipe = fifo(tmp_path)
    writer = feed(pipe, data)
    try:
        result = dtrun(["evaluate", book, pipe, "-o", tmp_path / "r.csv"], tmp_path, timeout=120)
    finally:
        unblock(pipe)
        writer.join(10)
    assert result.returncode == EXIT_DATA
    assert f"cannot decode as utf-8: byte {len(data) - 4:,} is 0xFF".encode() in result.stderr
    assert not (tmp_path / "r.csv").exists()


# ====================================================================== class 19: other inputs
def test_parquet_with_a_column_twice_or_unnamed_is_refused(tmp_path, book):
    import pyarrow as pa
    import pyarrow.parquet as pq

    pq.write_table(pa.table([pa.array(["a"]), pa.array(["40"]), pa.array(["x"])], names=["id", "age", "age"]),
                   tmp_path / "dup.parquet")
    result = invoke("evaluate", book, tmp_path / "dup.parquet")
    assert result.exit_code == EXIT_DATA and "the file has two columns named 'age'; rename one of them" in result.stderr
    with pytest.raises(InputDataError, match="two columns named 'age'"):
        read_patients(tmp_path / "dup.parquet")


def test_parquet_lists_are_json_text_and_an_input_of_lists_is_refused(tmp_path, book):
    import pyarrow as pa
    import pyarrow.parquet as pq

    pq.write_table(pa.table({"id": ["a", "b"], "age": ["40", "50"], "tags": [[1, 2], None],
                             "s": [{"x": 1}, {"x": 2}]}), tmp_path / "nested.parquet")
    for fmt in ("csv", "json", "parquet"):
        result = invoke("evaluate", book, tmp_path / "nested.parquet", "--format", fmt, "-o", tmp_path / f"r.{fmt}")
        assert result.exit_code == EXIT_OK, (fmt, result.output)
    assert rows((tmp_path / "r.csv").read_text())[0]["tags"] == "[1, 2]"
    assert rows((tmp_path / "r.csv").read_text())[0]["s"] == '{"x": 1}'
    pq.write_table(pa.table({"id": ["a"], "age": [[40, 41]]}), tmp_path / "ages.parquet")
    result = invoke("evaluate", book, tmp_path / "ages.parquet")
    assert result.exit_code == EXIT_DATA
    assert "column 'age' holds lists (list<element: int64>), not one value per record" in result.stderr


@pytest.mark.parametrize("given, status", [(";;", EXIT_USAGE), ('"', EXIT_USAGE), ("", EXIT_USAGE),
                                           ("\\t", EXIT_OK), ("tab", EXIT_OK), (";", EXIT_OK)])
def test_a_delimiter_is_one_character(tmp_path, book, given, status):
    path = patients(tmp_path, CSV.replace(",", ";" if given == ";" else "\t"), "d.csv")
    result = invoke("evaluate", book, path, "--delimiter", given)
    assert result.exit_code == status, result.output
    if status == EXIT_USAGE:
        assert "cannot separate CSV fields: give one character" in result.stderr
