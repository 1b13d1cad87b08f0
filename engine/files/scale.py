"""Scale-out on Dask: the same evaluation, partition by partition, on a local or remote cluster.

Owns ``evaluate_dask`` (lazy: ``map_partitions`` of ``engine.batch.evaluate_frame`` with an
explicit ``meta``, the compiled model shipped once as one key of the graph, every partition's
result columns given the same dtypes), writing the results as a folder of Parquet files (one
per partition, in partition order) atomically — into a temporary sibling folder that is
renamed over the target only when every partition is written, and removed on failure and
on SIGTERM/SIGHUP — and the cluster: a ``LocalCluster`` sized to the machine (its workers'
logs silenced: a failure is reported once, by dtrun, as one line), or an existing
``distributed`` scheduler.  The input is read by ``engine.files.dataset``.  Dask is
imported only here, and this module only when ``--engine dask`` or ``engine.evaluate_dask``
is used.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import re
import shutil
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Collection, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from engine._core.atomic import output_error, track, untrack
from engine._core.errors import DtrunError, InputDataError
from engine.evaluation import frame as batch
from engine.evaluation.binding import input_columns
from engine.evaluation.record import ERRORS, MODEL, WARNINGS
from engine.files.dataset import PARQUET_SUFFIXES, input_files, open_dataset, read_dataset
from engine.files.pipeline import Options, Summary, check_values, list_inputs
from engine.files.results import native_table, result_types
from engine.model.graph import selected_tables
from engine.model.types import Model, Table

if TYPE_CHECKING:  # pragma: no cover
    import dask.dataframe as dd
    from distributed import Client

__all__ = ["PARQUET_SUFFIXES", "input_files", "read_dataset"]  # (from engine.files.dataset, as before)
MARKER = "_dtrun.json"  # written last into a results folder; readers skip names starting with '_'
PART = re.compile(r"part\.\d+\.parquet")
CONNECT_TIMEOUT = "20s"


class ClusterError(DtrunError):
    """The Dask cluster cannot be reached, or a worker died while evaluating."""


# ====================================================================== the lazy API
def evaluate_dask(model: Model, ddf: dd.DataFrame, decisions: Iterable[str] = (), explain: bool = False,
                  na_values: Collection[str] = ()) -> dd.DataFrame:
    """Every partition of ``ddf`` evaluated as ``Model.evaluate_frame`` evaluates a frame:
    the same columns, rows and row order per partition; lazy.  An unknown decision, a
    missing required column or a clash with result columns raises here, before any task
    runs; a bad row is kept with its ``_errors``."""
    import dask

    decisions = tuple(decisions)
    tables = selected_tables(model, decisions)
    batch.check_frame(model, ddf.columns, tables, explain)
    dtypes = result_dtypes(model, tables, explain)
    meta = _meta(model, ddf._meta, decisions, explain, tuple(na_values), dtypes)
    # the model is one key of the graph: serialized once, sent once to each worker
    shipped = dask.delayed(model, name=f"dtrun-model-{uuid.uuid4().hex}", traverse=False)
    return ddf.map_partitions(evaluate_partition, shipped, decisions, explain, tuple(na_values), dtypes,
                              meta=meta, align_dataframes=False)


def evaluate_partition(frame: pd.DataFrame, model: Model, decisions: tuple[str, ...], explain: bool,
                       na_values: tuple[str, ...], dtypes: dict[str, Any]) -> pd.DataFrame:
    """One partition: ``evaluate_frame``, then the result columns cast to ``dtypes``."""
    return conform(batch.evaluate_frame(model, frame, decisions, explain, na_values), dtypes)


def result_dtypes(model: Model, tables: list[Table], explain: bool) -> dict[str, Any]:
    """The pandas dtype of every result column, the same in every partition: texts as
    categoricals, numbers as float64, lists as objects, as ``evaluate_frame`` gives them
    when a column has values."""
    import pyarrow as pa

    dtypes: dict[str, Any] = {name: "float64" if pa.types.is_floating(kind) else
                              "category" if pa.types.is_string(kind) else object
                              for name, kind in result_types(model, tables).items()}
    for name in _text_columns(tables, explain):
        dtypes[name] = "category"
    dtypes[MODEL] = pd.CategoricalDtype([model.label])
    return dtypes


def _text_columns(tables: list[Table], explain: bool) -> list[str]:
    """The result columns that always hold text: fired rules, references, the notes."""
    names = [f"{table.name}.{kind}" for table in tables for kind in ("rules", "reference", "guidance")
             if explain or kind == "rules"]
    return names + [ERRORS, WARNINGS, MODEL]


def parquet_schema(model: Model, results: dd.DataFrame, decisions: Iterable[str] = (),
                   explain: bool = False) -> Any:
    """The Arrow schema for ``results.to_parquet(folder, schema=...)``: the types that
    ``dtrun evaluate`` writes (Dask cannot infer the type of a collect table's lists)."""
    return written_schema(results._meta, written_types(model, selected_tables(model, decisions), explain))


def written_types(model: Model, tables: list[Table], explain: bool) -> dict[str, Any]:
    """The Arrow type of every result column in the part files: outputs as
    ``result_types`` gives them (as the single-process run writes them), texts as strings."""
    import pyarrow as pa

    return {**result_types(model, tables), **{name: pa.string() for name in _text_columns(tables, explain)}}


def written_schema(meta: pd.DataFrame, types: dict[str, Any], inputs: Any = None) -> Any:
    """The Arrow schema of every part file: results as ``types``; the patient file's columns
    as ``inputs`` (the Arrow schema of a Parquet dataset) gives them, as the single-process
    run writes them (a struct, whole numbers with gaps), else as their meta gives them."""
    import pyarrow as pa

    natural = native_table(meta.iloc[:0], types).schema
    known = {} if inputs is None else {f.name: f.type for f in inputs}
    return pa.schema([pa.field(f.name, types.get(f.name, known.get(f.name, f.type))) for f in natural])


def arrow_table(frame: pd.DataFrame, types: dict[str, Any], schema: Any) -> Any:
    """``frame`` as ``native_table`` writes it, with a categorical column converted once per
    category (not once per row), cast to ``schema`` so that every part file agrees."""
    import pyarrow as pa

    columns = {}
    for name in frame.columns:
        series, known = frame[name], types.get(str(name))
        if isinstance(series.dtype, pd.CategoricalDtype):
            columns[str(name)] = _from_categorical(series, known)
        elif known is not None and series.dtype == object:
            columns[str(name)] = _by_distinct(series, known)
        elif known is None and str(name) in schema.names:
            columns[str(name)] = _input_column(series, schema.field(str(name)).type)
        else:
            columns[str(name)] = native_table(frame[[name]], {str(name): known} if known else {}).column(0)
    table = pa.table(columns)
    if table.schema != schema:
        with contextlib.suppress(pa.ArrowInvalid, pa.ArrowNotImplementedError):
            table = table.cast(schema)  # e.g. a column with no value at all in this partition
    return table


def _input_column(series: pd.Series, target: Any) -> Any:
    """A column of the patient file as its type in the Parquet files, ``target``, gives it (a
    struct's numbers as the file has them, not as a CSV cell writes them; whole numbers with
    gaps, which pandas holds as floats); as ``native_table`` writes it where that fails."""
    import pyarrow as pa

    try:
        return pa.array(series.to_numpy(dtype=object) if series.dtype == object else series, type=target,
                        from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):
        return native_table(series.to_frame("v")).column(0)  # cast below where it can be


def _from_categorical(series: pd.Series, known: Any) -> Any:
    return _taken(series.cat.categories.to_numpy(dtype=object), series.cat.codes.to_numpy(), known)


def _by_distinct(series: pd.Series, known: Any) -> Any:
    """An object column (lists of a collect table, mixed values) converted once per
    distinct value; per row when its values cannot be told apart by hashing."""
    cells = series.to_numpy(dtype=object)
    keys = np.empty(len(cells), dtype=object)
    keys[:] = [tuple(v) if isinstance(v, list) else v for v in cells]
    try:
        codes, distinct = pd.factorize(keys)
    except TypeError:  # unhashable items
        return native_table(series.to_frame("v"), {"v": known}).column(0)
    values = np.empty(len(distinct), dtype=object)
    values[:] = [list(v) if isinstance(v, tuple) else v for v in distinct]
    return _taken(values, codes, known)


def _taken(values: np.ndarray, codes: np.ndarray, known: Any) -> Any:
    """``values`` converted as ``native_table`` converts cells, then taken by ``codes`` (-1: null)."""
    import pyarrow as pa

    table = native_table(pd.DataFrame({"v": pd.Series(values, dtype=object)}), {"v": known} if known else {})
    return table.column(0).combine_chunks().take(pa.array(codes, mask=codes < 0))


def conform(frame: pd.DataFrame, dtypes: dict[str, Any]) -> pd.DataFrame:
    """``frame`` with each column named in ``dtypes`` cast to it (a column of no values
    comes out of ``evaluate_frame`` as objects, whatever it would hold)."""
    changed = {}
    for name, dtype in dtypes.items():
        column = frame[name]
        if isinstance(dtype, str) and dtype == "category":
            if not isinstance(column.dtype, pd.CategoricalDtype):
                changed[name] = column.astype("category")
        elif column.dtype != dtype:
            changed[name] = column.astype(dtype)
    return frame.assign(**changed) if changed else frame


def _meta(model: Model, empty: pd.DataFrame, decisions: tuple[str, ...], explain: bool,
          na_values: tuple[str, ...], dtypes: dict[str, Any]) -> pd.DataFrame:
    """The empty result frame Dask is told to expect; text categories are marked unknown."""
    from dask.dataframe.utils import clear_known_categories

    meta = evaluate_partition(empty, model, decisions, explain, na_values, dtypes)
    unknown = [name for name, dtype in dtypes.items() if isinstance(dtype, str) and dtype == "category"]
    return clear_known_categories(meta, cols=unknown, index=False)


# ====================================================================== files out
def evaluate_to_folder(model: Model, source: str, out: str, options: Options = Options(),
                       partitions: int | None = None, scheduler: str | None = None, progress: bool = False,
                       on_warning: Callable[[str], None] | None = None) -> Summary:
    """Evaluate ``source`` on Dask and write one Parquet file per partition into the folder
    ``out``, atomically.  Every check of the input and the output is made before a
    cluster is started or a task is scheduled."""
    started = time.perf_counter()
    dataset = open_dataset(source, options)
    ddf = dataset.frame
    if partitions:
        ddf = ddf.repartition(npartitions=partitions)
    tables = selected_tables(model, options.decisions)
    summary = Summary(warnings=batch.check_frame(model, ddf.columns, tables, options.explain),
                      encoding=dataset.encoding_note())
    if dataset.schema is not None:
        check_values(source, dataset.schema, input_columns(model, ddf.columns), list_inputs(model))
    for warning in summary.warnings:
        if on_warning:
            on_warning(warning)
    na_values = tuple(v.strip() for v in options.na_values if v.strip())
    results = evaluate_dask(model, ddf, options.decisions, options.explain, na_values)
    with atomic_folder(Path(out).absolute()) as folder, connect(scheduler) as client:
        types = written_types(model, tables, options.explain)
        schema = written_schema(results._meta, types, dataset.schema)
        counts = _write_all(client, results, folder, types, schema, progress)
        summary.rows, summary.rows_with_errors, summary.rows_with_warnings = (int(counts[c].sum()) for c in
                                                                              ("rows", "errors", "warnings"))
        _write_marker(folder, model, summary, len(counts))
    summary.seconds = time.perf_counter() - started
    return summary


def _write_all(client: Client, results: dd.DataFrame, folder: Path, types: dict[str, Any], schema: Any,
               progress: bool) -> pd.DataFrame:
    width = max(5, len(str(results.npartitions - 1)))
    meta = pd.DataFrame({c: pd.Series([], dtype="int64") for c in ("rows", "errors", "warnings")})
    written = results.map_partitions(write_partition, str(folder), types, schema, width, meta=meta,
                                     align_dataframes=False)
    future = client.compute(written)
    if progress:
        from distributed import progress as show_progress

        with contextlib.redirect_stdout(sys.stderr):  # the bar writes to stdout; keep it beside the summary
            show_progress(future)
    try:
        return future.result()
    except Exception as error:  # a worker lost (e.g. out of memory): say so, not a traceback
        import pyarrow as pa
        from distributed.scheduler import KilledWorker

        if isinstance(error, KilledWorker):
            raise ClusterError(f"a Dask worker died while evaluating ({error}); give more --partitions so that "
                               "each is smaller, or workers more memory") from None
        if isinstance(error, pa.ArrowException):  # a file that passed the checks but cannot be read after all
            raise InputDataError(f"a partition cannot be read ({error}); check the input files") from None
        raise


def write_partition(frame: pd.DataFrame, folder: str, types: dict[str, Any], schema: Any, width: int,
                    partition_info: dict[str, Any] | None = None) -> pd.DataFrame:
    """Write one partition's results as ``part.NNNNN.parquet``; return its counts."""
    import pyarrow.parquet as pq

    number = (partition_info or {}).get("number", 0)
    target = Path(folder) / f"part.{number:0{width}d}.parquet"
    try:
        pq.write_table(arrow_table(frame, types, schema), target)
    except OSError as error:  # no space, a read-only disk: said in the worker, reported by the client
        if error.errno is None:
            raise
        raise output_error(target, error, False) from None
    return pd.DataFrame({"rows": [len(frame)], "errors": [int((frame[ERRORS] != "").sum())],
                         "warnings": [int((frame[WARNINGS] != "").sum())]})


def _write_marker(folder: Path, model: Model, summary: Summary, partitions: int) -> None:
    from engine._core.version import __version__

    about = {"dtrun": __version__, "model": model.label, "rows": summary.rows, "partitions": partitions,
             "rows_with_errors": summary.rows_with_errors, "rows_with_warnings": summary.rows_with_warnings}
    (folder / MARKER).write_text(json.dumps(about, indent=1) + "\n", encoding="utf-8")


class atomic_folder:
    """A temporary folder beside ``target`` that replaces it when complete and vanishes on
    failure.  An existing ``target`` is replaced only if it is empty or holds dtrun
    results (its marker and part files): never a folder of other files."""

    def __init__(self, target: Path) -> None:
        self.target = target

    def __enter__(self) -> Path:
        parent = self.target.parent
        if not parent.is_dir():
            raise InputDataError(f"{self.target}: the folder {parent} does not exist")
        _check_replaceable(self.target)
        try:
            self.temporary = Path(tempfile.mkdtemp(prefix=f".{self.target.name}.", suffix=".tmp", dir=parent))
        except OSError as error:
            raise output_error(self.target, error, self.target.exists()) from None
        track(self.temporary)
        mask = os.umask(0o022)
        os.umask(mask)
        os.chmod(self.temporary, 0o777 & ~mask)  # as a new folder would be: workers may run as others
        return self.temporary

    def __exit__(self, kind: Any, error: Any, trace: Any) -> None:
        if kind is not None:
            shutil.rmtree(self.temporary, ignore_errors=True)
            untrack(self.temporary)
            return
        old = None
        if self.target.exists() and any(self.target.iterdir()):
            old = Path(tempfile.mkdtemp(prefix=f".{self.target.name}.", suffix=".old", dir=self.target.parent))
            os.replace(self.target, old)  # rename(2) over the empty placeholder folder
        os.replace(self.temporary, self.target)
        untrack(self.temporary)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)


def _check_replaceable(target: Path) -> None:
    if target.exists() and not target.is_dir():
        raise InputDataError(f"{target}: is a file; with --engine dask, -o names a folder (e.g. {target.stem}/)")
    if not target.is_dir():
        return
    names = [p.name for p in target.iterdir()]
    if names and not (MARKER in names and all(n == MARKER or PART.fullmatch(n) for n in names)):
        raise InputDataError(f"{target}: the folder exists and holds files dtrun did not write; "
                             "give a new or empty folder (dtrun replaces only a folder of its own results)")


# ====================================================================== the cluster
@contextlib.contextmanager
def connect(scheduler: str | None = None) -> Iterator[Client]:
    """A client of the scheduler at ``scheduler``, or of a local cluster sized to this
    machine (one single-threaded worker process per core); closed on exit."""
    from distributed import Client, LocalCluster

    if scheduler:
        try:
            client = Client(scheduler, timeout=CONNECT_TIMEOUT)
        except (OSError, TimeoutError, ValueError) as error:
            raise ClusterError(f"cannot reach the Dask scheduler at {scheduler} ({error}); check the address "
                               "(e.g. tcp://host:8786), or leave out --scheduler to start a local cluster") from None
        with client:
            yield client
        return
    try:
        cluster = LocalCluster(n_workers=_cores(), threads_per_worker=1, processes=True, dashboard_address=":0",
                               silence_logs=logging.CRITICAL)  # a task's failure is reported once, by dtrun
    except (OSError, RuntimeError, TimeoutError) as error:
        raise ClusterError(f"cannot start a local Dask cluster ({error}); run dtrun as the 'dtrun' command, "
                           "or start a scheduler and workers yourself and give --scheduler") from None
    with cluster, Client(cluster) as client:
        yield client


def _cores() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not on Linux
        return max(1, os.cpu_count() or 1)
