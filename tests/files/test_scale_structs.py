"""``dtrun evaluate --engine dask`` over Parquet files whose structured inputs come as struct
columns: every partition gets the struct's fields as dotted columns, as the single-process
run reads them (``engine.files.parquet``), and the results folder holds the same table as
``--engine pandas`` writes, column types included, byte for byte once written alike.  Oracle:
the bands a reader works out from the rules by hand, and the pandas engine's file."""

from __future__ import annotations

import datetime
import io
import logging
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.dataset as pa_dataset
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner
from helpers import make_workbook

from engine.cli import main
from engine.files import scale
from engine.files.dataset import with_struct_fields

pytest.importorskip("dask.dataframe")
pytest.importorskip("distributed")

from distributed import LocalCluster  # noqa: E402

PARTS = dict(inputs=[("applicant", "structure", None, "yes"), ("applicant.age", "number", "[0..130]", "yes"),
                     ("applicant.sex", "string", '"f","m"', "no"), ("applicant.seen", "date", None, "no"),
                     ("applicant.signs", "list of string", None, "no"), ("score", "integer", None, "no")],
             tables={"t": ("F", ["applicant.age", "applicant.sex", "applicant.seen", "score", "band"], "iiiio", None,
                           [["R1", "< 65", "-", "-", "-", '"young"'],
                            ["R2", ">= 65", '"f"', '< date("2025-01-01")', "-", '"old f, seen before 2025"'],
                            ["R3", ">= 65", "-", "-", "> 1", '"old, high score"'],
                            ["R4", ">= 65", "-", "-", "-", '"old"']]),
                    "u": ("F", ["applicant.signs", "mri"], "io", None, [["U1", '"seizure"', '"urgent"'],
                                                                        ["U2", "-", '"routine"']])})
APPLICANT = pa.struct([("age", pa.float64()), ("sex", pa.string()), ("seen", pa.date32()),
                       ("signs", pa.list_(pa.string()))])
EXTRA = pa.struct([("site", pa.struct([("code", pa.string()), ("beds", pa.int64())]))])  # no input: carried along
# (applicant, score, the band a reader works out from the rules by hand)
ROWS = [({"age": 70, "sex": "f", "seen": datetime.date(2024, 5, 1), "signs": ["seizure", "cough"]}, 1,
         "old f, seen before 2025"),
        ({"age": 30, "sex": "m", "seen": None, "signs": []}, None, "young"),
        ({"age": 80, "sex": None, "seen": datetime.date(2025, 2, 1)}, 2, "old, high score"),
        (None, None, ""),  # no applicant: a required structure, an error of this record
        ({"age": 70, "sex": "f", "seen": datetime.date(2025, 3, 1)}, None, "old"),
        ({"age": 200, "sex": "m", "seen": None}, 3, "")]  # not an allowed age


def _table(rows: list[tuple[Any, Any, str]]) -> pa.Table:
    extra = [None if i % 3 == 0 else {"site": {"code": f"S{i}", "beds": i}} for i in range(len(rows))]
    return pa.table({"applicant": pa.array([a for a, _, _ in rows], APPLICANT),
                     "score": pa.array([s for _, s, _ in rows], pa.int64()), "extra": pa.array(extra, EXTRA)})


@pytest.fixture(scope="module")
def cluster() -> Any:
    with LocalCluster(n_workers=1, threads_per_worker=1, processes=True, dashboard_address=":0",
                      silence_logs=logging.ERROR) as local:
        yield local


def _run(*args: object) -> Any:
    return CliRunner().invoke(main, ["evaluate", *map(str, args)])


def _bytes(table: pa.Table) -> bytes:
    sink = io.BytesIO()
    pq.write_table(table, sink)
    return sink.getvalue()


def test_dask_writes_what_the_pandas_engine_writes_for_struct_columns(cluster: Any, tmp_path: Path) -> None:
    workbook = make_workbook(tmp_path, **PARTS)
    folder = tmp_path / "patients"
    folder.mkdir()
    pq.write_table(_table(ROWS[:3]), folder / "part0.parquet")
    pq.write_table(_table(ROWS[3:]), folder / "part1.parquet")
    pq.write_table(pa.concat_tables([_table(ROWS[:3]), _table(ROWS[3:])]), tmp_path / "all.parquet")
    single, out = tmp_path / "single.parquet", tmp_path / "out"
    assert _run(workbook, tmp_path / "all.parquet", "-o", single).exit_code == 0
    result = _run(workbook, folder, "--engine", "dask", "--scheduler", cluster.scheduler_address, "-o", f"{out}/")
    assert result.exit_code == 0, result.output
    written, expected = pa_dataset.dataset(out).to_table(), pq.read_table(single)
    assert written.schema == expected.schema and written.equals(expected)
    assert _bytes(written) == _bytes(expected)
    assert written.column("t.band").to_pylist() == [band or None for _, _, band in ROWS]
    assert written.column("u.mri").to_pylist() == ["urgent"] + ["routine"] * 5  # u reads no age: evaluated
    assert written.column_names[:9] == ["applicant", "score", "extra", "applicant.age", "applicant.sex",
                                        "applicant.seen", "applicant.signs", "extra.site", "extra.site.code"]
    errors = written.column("_errors").to_pylist()
    assert errors[3].startswith("applicant.age: a value is required") and errors[5].startswith("applicant.age: 200")
    assert [e for i, e in enumerate(errors) if i not in (3, 5)] == [""] * 4


def test_each_partition_gets_the_fields_as_the_single_process_run_does() -> None:
    table = _table(ROWS)
    structs = (("applicant", APPLICANT), ("extra", EXTRA))
    frame = table.to_pandas()
    frame.index = pd.RangeIndex(10, 10 + len(frame))  # a later partition's index is kept
    got = with_struct_fields(frame, structs)
    from engine.files.parquet import flat_structs

    expected = flat_structs(table).to_pandas()
    assert list(got.columns) == list(expected.columns) and list(got.index) == list(frame.index)
    pd.testing.assert_frame_equal(got.iloc[:, 3:].reset_index(drop=True), expected.iloc[:, 3:])
    assert got["applicant.age"].isna().tolist() == [False, False, False, True, False, False]  # a null struct
    assert list(with_struct_fields(frame.iloc[:0], structs).columns) == list(expected.columns)  # the meta


def test_a_struct_field_that_is_also_a_dotted_column_is_refused_before_any_task(tmp_path: Path,
                                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    workbook = make_workbook(tmp_path, **PARTS)
    folder = tmp_path / "patients"
    folder.mkdir()
    pq.write_table(pa.table({"applicant": pa.array([{"age": 1.0}], pa.struct([("age", pa.float64())])),
                             "applicant.age": [2.0]}), folder / "part0.parquet")
    monkeypatch.setattr(scale, "connect", _no_cluster)
    result = _run(workbook, folder, "--engine", "dask", "-o", tmp_path / "out")
    assert result.exit_code != 0 and "two columns named 'applicant.age'" in result.output


def _no_cluster(*args: Any) -> Any:
    raise AssertionError("a cluster was started")
