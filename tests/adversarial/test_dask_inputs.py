"""Issue 16, ``--engine dask``: inputs that crashed a run (exit 70) or printed a worker's
traceback, and CSV files decoded each in its own way.

Class 19 (a truncated Parquet file, files whose columns differ, an input of lists, a named pipe; a file
that fails in a worker is one line, with no traceback) and class 9 (every partition of a
run decoded as a run of that file alone would decode it; the summary says which encoding).
The checks of the files run before a cluster is started; two tests start one.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers.adversarial import dtrun, fifo, guide, patients

pytest.importorskip("dask.dataframe")
pytest.importorskip("distributed")

import pandas as pd  # noqa: E402
import pyarrow as pa  # noqa: E402
import pyarrow.parquet as pq  # noqa: E402

from engine.cli import main  # noqa: E402
from engine.cli.support import EXIT_DATA, EXIT_OK  # noqa: E402
from engine.files import scale  # noqa: E402


def invoke(*args: object) -> object:
    return CliRunner().invoke(main, [str(a) for a in args])


def _no_cluster(*args: object, **kwargs: object) -> object:
    raise AssertionError("the files should have been refused before a cluster is started")


@pytest.fixture
def book(tmp_path: Path) -> Path:
    return guide(tmp_path)


def _dataset(folder: Path, tables: dict[str, pa.Table]) -> Path:
    folder.mkdir()
    for name, table in tables.items():
        pq.write_table(table, folder / name)
    return folder


def test_a_truncated_parquet_file_is_refused_naming_it(tmp_path, book, monkeypatch):
    folder = _dataset(tmp_path / "d", {f"p{i}.parquet": pa.table({"id": [f"a{i}"], "age": ["40"]}) for i in range(3)})
    data = (folder / "p2.parquet").read_bytes()
    (folder / "p2.parquet").write_bytes(data[:len(data) // 2])
    monkeypatch.setattr(scale, "connect", _no_cluster)
    result = invoke("evaluate", book, folder, "--engine", "dask", "-o", tmp_path / "out")
    assert result.exit_code == EXIT_DATA, result.output
    assert f"error: {folder / 'p2.parquet'}: cannot read as Parquet (" in result.stderr
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("other, difference", [
    (pa.table({"id": ["b"], "age": ["50"], "hr": ["positive"]}), "extra hr"),
    (pa.table({"id": ["b"]}), "missing age"),
    (pa.table({"id": ["b"], "age": [50]}), "age is int64, not string"),
])
def test_parquet_files_whose_columns_differ_are_refused(tmp_path, book, monkeypatch, other, difference):
    folder = _dataset(tmp_path / "d", {"p0.parquet": pa.table({"id": ["a"], "age": ["40"]}), "p1.parquet": other})
    monkeypatch.setattr(scale, "connect", _no_cluster)
    result = invoke("evaluate", book, folder, "--engine", "dask", "-o", tmp_path / "out")
    assert result.exit_code == EXIT_DATA, result.output
    assert f"{folder / 'p1.parquet'}: its columns differ from those of {folder / 'p0.parquet'} ({difference})" in \
        result.stderr


def test_an_input_of_lists_is_refused_before_a_cluster_starts(tmp_path, book, monkeypatch):
    folder = _dataset(tmp_path / "d", {"p.parquet": pa.table({"id": ["a"], "age": [[4, 5]]})})
    monkeypatch.setattr(scale, "connect", _no_cluster)
    result = invoke("evaluate", book, folder, "--engine", "dask", "-o", tmp_path / "out")
    assert result.exit_code == EXIT_DATA and "column 'age' holds lists" in result.stderr


def test_a_file_that_fails_in_a_worker_is_one_line_without_a_traceback(tmp_path, book):
    patients(tmp_path, "id,age\np1,4\n", "a.csv")
    patients(tmp_path, "id,age\np2,4\np3,4,extra\n", "b.csv")  # its header passes; a row does not
    result = dtrun(["evaluate", book, tmp_path / "*.csv", "--engine", "dask", "-o", tmp_path / "out"], tmp_path,
                   timeout=300)
    assert result.returncode == EXIT_DATA, result.stderr
    error = result.stderr.decode()
    assert "b.csv: line 3 has 3 fields but the header has 2" in error
    assert "Traceback" not in error and "Compute Failed" not in error and "internal error" not in error
    assert not (tmp_path / "out").exists()


def test_each_csv_file_is_decoded_as_it_would_be_alone(tmp_path, book):
    patients(tmp_path, "id,age,name\np1,4,Zoë\n".encode(), "a.csv")
    patients(tmp_path, "id,age,name\np2,4,Müller\n".encode("cp1252"), "b.csv")
    result = invoke("evaluate", book, tmp_path / "*.csv", "--engine", "dask", "-o", tmp_path / "out")
    assert result.exit_code == EXIT_OK, result.output
    assert pd.read_parquet(tmp_path / "out")["name"].tolist() == ["Zoë", "Müller"]
    assert re.search(r"^dtrun: 2 rows read \(encoding cp1252 for 1 of 2 files\), ", result.stderr, re.M)


def test_a_named_pipe_is_refused_by_dask_saying_why_and_what_to_do(tmp_path, book, monkeypatch):
    monkeypatch.setattr(scale, "connect", _no_cluster)
    result = invoke("evaluate", book, fifo(tmp_path), "--engine", "dask", "-o", tmp_path / "out")
    assert result.exit_code == EXIT_DATA
    assert "not a regular file (a named pipe or a device)" in result.output and "leave out --engine dask" in \
        result.output


def test_a_spreadsheet_is_refused_by_dask_saying_what_to_do(tmp_path, book, monkeypatch):
    monkeypatch.setattr(scale, "connect", _no_cluster)
    (tmp_path / "p.xlsx").write_bytes(b"PK\x03\x04 not really")
    result = invoke("evaluate", book, tmp_path / "p.xlsx", "--engine", "dask", "-o", tmp_path / "out")
    assert result.exit_code == EXIT_DATA and "--engine dask reads CSV and Parquet" in result.output
