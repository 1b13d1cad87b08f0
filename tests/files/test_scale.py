"""engine.files.scale on a real two-process LocalCluster: results equal the single-process
``evaluate_frame`` row by row and partition by partition, bad rows are kept with their
errors, workbook and file errors come once and before any task, empty partitions pass,
the output folder is written atomically, and ``dtrun evaluate --engine dask`` through
click's CliRunner writes what ``--engine pandas`` writes."""

from __future__ import annotations

import importlib.util
import json
import logging
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow.dataset as pa_dataset
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner
from helpers import ROOT, make_workbook, missing, rows

import engine
from engine import load_workbook
from engine._core.errors import InputDataError
from engine.cli import main
from engine.evaluation.record import ERRORS, MODEL
from engine.files import scale

dd = pytest.importorskip("dask.dataframe")  # the dask extra: pip install -e '.[test,dask]'
pytest.importorskip("distributed")

from distributed import Client, LocalCluster  # noqa: E402

WORKBOOK = ROOT / "decision_tables" / "her2_mbc_brain_mets.xlsx"
SUMMARY = re.compile(r"^dtrun: (\d+) rows read, (\d+) with errors, (\d+) with warnings, \d+\.\d\d s -> .+$", re.MULTILINE)

INPUTS = [("age", "integer", "[0..120]", "yes"), ("weight", "number", None, "no")]
TABLES = {
    "band": ("U", ["age", "band"], "io", None, [["B1", "< 65", '"adult"'], ["B2", ">= 65", '"senior"']]),
    "dose": ("U", ["band", "weight", "mg"], "iio", None, [["D1", '"adult"', "-", "8 * weight"],
                                                          ["D2", '"senior"', "-", "6 * weight"]]),
}


def _make_patients(n: int, seed: int) -> pd.DataFrame:
    spec = importlib.util.spec_from_file_location("make_patients", ROOT / "scripts" / "make_patients.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module.make_patients(n, seed)


@pytest.fixture(scope="module")
def cluster() -> Any:
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0",
                      silence_logs=logging.ERROR) as local:
        yield local


@pytest.fixture(scope="module")
def client(cluster: Any) -> Any:
    with Client(cluster) as connected:
        yield connected


@pytest.fixture(scope="module")
def model() -> Any:
    return load_workbook(WORKBOOK)


@pytest.fixture(scope="module")
def patients() -> pd.DataFrame:
    return _make_patients(3000, seed=11)  # about 15 rows with invalid values


def run(*args: object) -> Any:
    return CliRunner().invoke(main, ["evaluate", *map(str, args)])


def parts(client: Any, ddf: Any) -> list[pd.DataFrame]:
    return client.gather(client.compute(ddf.to_delayed()))


def frames(*items: pd.DataFrame) -> Any:
    """A Dask DataFrame with exactly these partitions (empty ones too)."""
    return dd.from_map(_same, list(items), meta=items[0].iloc[:0], enforce_metadata=False)


def _same(frame: pd.DataFrame) -> pd.DataFrame:
    return frame


# ====================================================================== the lazy API
@pytest.mark.parametrize("partitions", [1, 3, 7])
@pytest.mark.parametrize("decisions, explain", [((), False), (("dosing",), True)])
def test_results_equal_single_process_row_by_row(client, model, patients, partitions, decisions, explain):
    ddf = dd.from_pandas(patients, npartitions=partitions)
    lazy = engine.evaluate_dask(model, ddf, decisions, explain)
    got = client.compute(lazy).result()
    expected = engine.evaluate_frame(model, patients, decisions, explain)
    assert list(got.columns) == list(expected.columns) == list(lazy.columns)
    assert got.index.tolist() == expected.index.tolist()
    assert rows(got) == rows(expected)
    assert (got[ERRORS] != "").sum() > 0  # the generated file has invalid values: the error paths ran


def test_every_partition_is_evaluated_as_evaluate_frame_evaluates_it_in_order(client, model, patients):
    shuffled = patients.sample(frac=1.0, random_state=3)  # an index that is not 0..n-1
    ddf = dd.from_pandas(shuffled, npartitions=4, sort=False)
    lazy = engine.evaluate_dask(model, ddf)
    inputs, results = parts(client, ddf), parts(client, lazy)
    assert len(results) == 4
    for given, got in zip(inputs, results):
        expected = engine.evaluate_frame(model, given)
        assert got.index.tolist() == given.index.tolist()
        assert rows(got) == rows(expected)
        assert _dtypes(got) == _dtypes(lazy._meta)


def _dtypes(frame: pd.DataFrame) -> list[str]:
    """Column dtypes, a categorical as 'category' whatever its categories."""
    return ["category" if isinstance(t, pd.CategoricalDtype) else str(t) for t in frame.dtypes]


def test_evaluate_dask_is_lazy_with_an_explicit_meta(model, patients):
    calls: list[int] = []
    ddf = dd.from_map(_counted, [patients.iloc[:10]], args=(calls,), meta=patients.iloc[:0], enforce_metadata=False)
    lazy = engine.evaluate_dask(model, ddf)
    assert calls == [] and len(lazy.columns) == len(engine.evaluate_frame(model, patients.iloc[:1]).columns)
    dtypes = dict(zip(lazy.columns, _dtypes(lazy._meta)))
    assert [dtypes[c] for c in ("treatment_line.line", "dosing.rules", ERRORS, "_warnings", MODEL)] == ["category"] * 5
    assert dtypes["dosing.pertuzumab_loading_mg"] == "float64" and dtypes["first_line_alerts.alert"] == "object"
    assert lazy._meta[MODEL].cat.categories.tolist() == [model.label]


def test_the_model_is_one_key_of_the_graph_whatever_the_partitions(model, patients):
    lazy = engine.evaluate_dask(model, dd.from_pandas(patients, npartitions=6))
    graph = dict(lazy.__dask_graph__())
    shipped = [key for key in graph if str(key[0] if isinstance(key, tuple) else key).startswith("dtrun-model-")]
    assert len(shipped) == 1
    assert getattr(graph[shipped[0]], "value", graph[shipped[0]]) is model  # a data node holding the model


def _counted(frame: pd.DataFrame, calls: list[int]) -> pd.DataFrame:
    calls.append(1)
    return frame


def test_results_can_be_written_with_dasks_to_parquet_and_the_schema_dtrun_gives(client, model, patients, tmp_path):
    lazy = engine.evaluate_dask(model, dd.from_pandas(patients, npartitions=3), explain=True)
    schema = scale.parquet_schema(model, lazy, explain=True)
    client.compute(lazy.to_parquet(tmp_path / "out", schema=schema, write_index=False, compute=False)).result()
    written = pd.read_parquet(tmp_path / "out")
    assert pq.read_schema(next((tmp_path / "out").glob("*.parquet"))).remove_metadata() == schema
    assert rows(written) == rows(engine.evaluate_frame(model, patients, explain=True))


def test_a_bad_row_in_one_partition_is_kept_with_its_error(client, tmp_path: Path):
    model = load_workbook(make_workbook(tmp_path, inputs=INPUTS, tables=TABLES))
    given = pd.DataFrame({"age": ["30", "70", "40", "50", "abc", "80", "20", "130", "66"],
                          "weight": ["60", "", "70", "80", "90", "55", "x", "50", "65"]})
    ddf = frames(given.iloc[:3], given.iloc[3:6], given.iloc[6:])
    got = client.compute(engine.evaluate_dask(model, ddf)).result()
    assert len(got) == 9
    for index, record in given.iterrows():
        reference = engine.evaluate(model, record.to_dict())
        assert got.loc[index, ERRORS] == "; ".join(reference.errors)
        for name, value in reference.outputs.items():
            assert (None if missing(got.loc[index, name]) else got.loc[index, name]) == value
    assert got.loc[4, ERRORS].startswith("age:") and missing(got.loc[4, "band.band"])
    assert got.loc[0, ERRORS] == "" and got.loc[0, "dose.mg"] == 480


def test_an_empty_partition_is_fine(client, model, patients):
    ddf = frames(patients.iloc[:50], patients.iloc[:0], patients.iloc[50:80])
    lazy = engine.evaluate_dask(model, ddf)
    results = parts(client, lazy)
    assert [len(p) for p in results] == [50, 0, 30]
    assert list(results[1].columns) == list(lazy.columns) and _dtypes(results[1]) == _dtypes(lazy._meta)
    assert rows(pd.concat(results)) == rows(engine.evaluate_frame(model, patients.iloc[:80]))


def test_a_missing_required_column_is_refused_before_any_task_runs(model, patients):
    ddf = dd.from_map(_never, [0, 1], meta=patients.drop(columns=["her2_status"]).iloc[:0], enforce_metadata=False)
    with pytest.raises(InputDataError, match="no column for required input.*her2_status"):
        engine.evaluate_dask(model, ddf)


def _never(number: int) -> pd.DataFrame:
    raise AssertionError("a task ran although the input was refused")


def test_an_unknown_decision_is_refused_before_any_task_runs(model, patients):
    ddf = dd.from_map(_never, [0], meta=patients.iloc[:0], enforce_metadata=False)
    with pytest.raises(InputDataError, match="no decision table named nothing"):
        engine.evaluate_dask(model, ddf, ("nothing",))


def test_the_model_survives_dasks_serializers(model, patients):
    from distributed.protocol import deserialize, serialize

    shipped = deserialize(*serialize(model, serializers=["pickle"]))
    assert rows(engine.evaluate_frame(shipped, patients.iloc[:200])) == rows(engine.evaluate_frame(model, patients.iloc[:200]))


# ====================================================================== files out
@pytest.mark.parametrize("values, arrow_type", [
    (["adult", "senior", None, "adult"], "string"),
    (["adult", 65.0, None], "string"),  # a table that gives a text in one row and a number in another
    ([None, None], "string"),
    ([], "string"),
    ([["a", "b"], [], None, ["a", "b"], ["c"]], "list<string>"),
    ([[1.5], [], None, [1.5, 2.0]], "list<double>"),
    ([[["nested"]], None], "list<string>"),  # unhashable items: converted row by row
])
@pytest.mark.parametrize("categorical", [True, False])
def test_arrow_table_writes_what_native_table_writes(values, arrow_type, categorical):
    import pyarrow as pa

    known = {"string": pa.string(), "list<string>": pa.list_(pa.string()),
             "list<double>": pa.list_(pa.float64())}[arrow_type]
    column = pd.Series(values, dtype=object)
    if categorical and not any(isinstance(v, list) for v in values):
        column = column.astype("category")
    frame = pd.DataFrame({"id": pd.Series([str(i) for i in range(len(values))], dtype=object), "t.o": column})
    types = {"t.o": known}
    expected = native_table_of(frame, types)
    assert scale.arrow_table(frame, types, expected.schema).equals(expected)


def native_table_of(frame: pd.DataFrame, types: dict[str, Any]) -> Any:
    """The reference: results.native_table converts every cell on its own."""
    from engine.files.results import native_table

    return native_table(frame.astype({"t.o": object}), types)


# ====================================================================== files in
def test_input_files_sorts_naturally_and_tells_the_kind(tmp_path: Path):
    for name in ("p10.csv", "p2.csv", "p1.csv"):
        (tmp_path / name).write_text("age\n1\n", encoding="utf-8")
    found, kind = scale.input_files(str(tmp_path / "p*.csv"))
    assert [p.name for p in found] == ["p1.csv", "p2.csv", "p10.csv"] and kind == "csv"


@pytest.mark.parametrize("layout, source, message", [
    ({}, "missing.parquet", "missing.parquet: file not found"),
    ({"d/a.csv": "age\n1\n"}, "d", "the folder holds no .parquet file"),
    ({"a.csv": "age\n1\n"}, "*.txt", r"\*.txt: no file matches this pattern"),
    ({"a.csv": "age\n1\n", "b.parquet": None}, "*", "matches both Parquet and CSV files"),
    ({"a.csv": "age,weight\n1,2\n", "b.csv": "weight,age\n2,1\n"}, "*.csv", "b.csv: its header differs from that of"),
])
def test_inputs_that_cannot_be_read_are_refused_with_the_file_named(tmp_path, monkeypatch, layout, source, message):
    for name, text in layout.items():
        (tmp_path / name).parent.mkdir(exist_ok=True)
        if text is None:
            pd.DataFrame({"age": ["1"]}).to_parquet(tmp_path / name)
        else:
            (tmp_path / name).write_text(text, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    with pytest.raises(InputDataError, match=message):
        scale.read_dataset(source)


# ====================================================================== the command
@pytest.fixture
def dataset(tmp_path: Path, patients: pd.DataFrame) -> Path:
    """The patients as a Parquet dataset folder of three files, and as one file beside it."""
    folder = tmp_path / "patients"
    folder.mkdir()
    for number, start in enumerate(range(0, len(patients), 1000)):
        patients.iloc[start:start + 1000].to_parquet(folder / f"part{number}.parquet", index=False)
    patients.to_parquet(tmp_path / "all.parquet", index=False)
    return folder


def test_cli_writes_the_same_parquet_as_the_pandas_engine(cluster, dataset: Path, tmp_path: Path):
    out, single = tmp_path / "out", tmp_path / "single.parquet"
    assert run(WORKBOOK, tmp_path / "all.parquet", "-o", single).exit_code == 0
    result = run(WORKBOOK, dataset, "--engine", "dask", "--scheduler", cluster.scheduler_address, "-o", f"{out}/")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == ["_dtrun.json", "part.00000.parquet", "part.00001.parquet",
                                                    "part.00002.parquet"]
    written, expected = pa_dataset.dataset(out).to_table(), pq.read_table(single)
    assert written.schema == expected.schema and written.equals(expected)
    counts = SUMMARY.search(result.output).groups()
    marker = json.loads((out / "_dtrun.json").read_text(encoding="utf-8"))
    assert (marker["rows"], marker["rows_with_errors"], marker["partitions"]) == (3000, int(counts[1]), 3)
    assert int(counts[0]) == 3000 and int(counts[1]) == int(expected.to_pandas()[ERRORS].ne("").sum())


def test_cli_reads_a_csv_glob_and_repartitions(cluster, patients, tmp_path: Path):
    for number, start in enumerate(range(0, 900, 300)):
        patients.iloc[start:start + 300].to_csv(tmp_path / f"p{number}.csv", index=False)
    patients.iloc[:0].to_csv(tmp_path / "p3.csv", index=False)  # a header only: an empty partition
    out = tmp_path / "out"
    result = run(WORKBOOK, tmp_path / "p*.csv", "--engine", "dask", "--scheduler", cluster.scheduler_address,
                 "--partitions", "5", "--na-values", "NA", "-o", out)
    assert result.exit_code == 0, result.output
    files = sorted(out.glob("part.*.parquet"))
    assert len(files) == 5
    written = pd.concat([pd.read_parquet(f) for f in files], ignore_index=True)
    model = load_workbook(WORKBOOK)
    assert rows(written) == rows(engine.evaluate_frame(model, patients.iloc[:900].reset_index(drop=True), na_values=("NA",)))


def test_cli_starts_a_local_cluster_without_a_scheduler(patients, tmp_path: Path):
    patients.iloc[:100].to_csv(tmp_path / "p.csv", index=False)
    result = run(WORKBOOK, tmp_path / "p.csv", "--engine", "dask", "-o", tmp_path / "out")
    assert result.exit_code == 0, result.output
    assert SUMMARY.search(result.output).group(1) == "100"
    assert len(pd.read_parquet(tmp_path / "out")) == 100


def test_cli_reports_a_workbook_error_once_before_any_work(tmp_path, dataset, monkeypatch):
    broken = make_workbook(tmp_path, "broken.xlsx", inputs=INPUTS,
                           tables={"band": ("U", ["age", "band"], "io", None, [["B1", "=> 65", '"x"']])})
    monkeypatch.setattr(scale, "connect", _no_cluster)
    result = run(broken, dataset, "--engine", "dask", "-o", tmp_path / "out")
    assert result.exit_code == 3
    assert result.output.count("broken.xlsx:band!B4") == 1
    assert not (tmp_path / "out").exists()


def test_cli_refuses_a_missing_required_column_before_starting_a_cluster(tmp_path, dataset, monkeypatch):
    workbook = make_workbook(tmp_path, inputs=INPUTS, tables=TABLES)
    monkeypatch.setattr(scale, "connect", _no_cluster)
    result = run(workbook, dataset, "--engine", "dask", "-o", tmp_path / "out")
    assert result.exit_code == 4
    assert result.output.count("no column for required input(s): age") == 1
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def _no_cluster(*args: Any) -> Any:
    raise AssertionError("a cluster was started although the run was refused")


def test_cli_replaces_its_own_results_and_keeps_them_when_a_run_fails(cluster, patients, tmp_path: Path):
    out = tmp_path / "out"
    patients.iloc[:20].to_csv(tmp_path / "a.csv", index=False)
    patients.iloc[20:40].to_csv(tmp_path / "b.csv", index=False)
    address = cluster.scheduler_address
    assert run(WORKBOOK, tmp_path / "a.csv", "--engine", "dask", "--scheduler", address, "-o", out).exit_code == 0
    assert run(WORKBOOK, tmp_path / "*.csv", "--engine", "dask", "--scheduler", address, "-o", out).exit_code == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    assert len(before) == 3 and len(pd.read_parquet(out)) == 40
    (tmp_path / "b.csv").write_text(Path(tmp_path / "b.csv").read_text() + "P9,positive\n", encoding="utf-8")
    result = run(WORKBOOK, tmp_path / "*.csv", "--engine", "dask", "--scheduler", address, "-o", out)
    assert result.exit_code == 4
    assert re.search(r"error: .*b\.csv: line 22 has 2 fields but the header has 14", result.output)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_cli_never_replaces_a_folder_of_other_files(patients, tmp_path: Path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "notes.txt").write_text("mine", encoding="utf-8")
    patients.iloc[:5].to_csv(tmp_path / "p.csv", index=False)
    result = run(WORKBOOK, tmp_path / "p.csv", "--engine", "dask", "-o", out)
    assert result.exit_code == 4 and "holds files dtrun did not write" in result.output
    assert [p.name for p in out.iterdir()] == ["notes.txt"]


@pytest.mark.parametrize("options, message", [
    (["--engine", "dask"], "give -o OUT_DIR/"),
    (["--engine", "dask", "-o", "-"], "give -o OUT_DIR/"),
    (["--engine", "dask", "-o", "out", "--format", "csv"], "writes Parquet only"),
    (["--engine", "dask", "-o", "out", "--chunk-size", "10"], "give --partitions N"),
    (["--scheduler", "tcp://127.0.0.1:8786"], "need --engine dask"),
    (["--partitions", "3"], "need --engine dask"),
])
def test_cli_refuses_options_of_the_other_engine(options, message):
    result = run(WORKBOOK, ROOT / "decision_tables" / "examples" / "her2_patients.csv", *options)
    assert result.exit_code == 2 and message in result.output


def test_cli_says_how_to_install_dask_when_it_is_missing(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "dask.dataframe", None)  # import dask.dataframe now fails
    result = run(WORKBOOK, ROOT / "decision_tables" / "examples" / "her2_patients.csv", "--engine", "dask", "-o",
                 tmp_path / "out")
    assert result.exit_code == 2 and "pip install 'dtrun[dask]'" in result.output
    assert not (tmp_path / "out").exists()


def test_cli_says_when_the_scheduler_cannot_be_reached(patients, tmp_path, monkeypatch):
    monkeypatch.setattr(scale, "CONNECT_TIMEOUT", "1s")
    patients.iloc[:5].to_csv(tmp_path / "p.csv", index=False)
    result = run(WORKBOOK, tmp_path / "p.csv", "--engine", "dask", "--scheduler", "tcp://127.0.0.1:9", "-o",
                 tmp_path / "out")
    assert result.exit_code == 2
    assert "cannot reach the Dask scheduler at tcp://127.0.0.1:9" in result.output
    assert not (tmp_path / "out").exists() and [p for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_the_pandas_engine_never_imports_dask():
    script = ("import sys; from click.testing import CliRunner; from engine.cli import main; "
              f"r = CliRunner().invoke(main, ['evaluate', {str(WORKBOOK)!r}, "
              f"{str(ROOT / 'decision_tables' / 'examples' / 'her2_patients.csv')!r}]); "
              "assert r.exit_code == 0, r.output; "
              "print(sorted(m for m in sys.modules if m.split('.')[0] in ('dask', 'distributed')))")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
