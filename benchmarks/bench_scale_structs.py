"""Benchmark ``dtrun evaluate --engine dask`` over Parquet struct columns: what adding a
struct's fields as dotted columns to every partition costs.

The same patients are written, in a temporary folder (never in the repository), as a Parquet
dataset of ``--files`` files twice: once with the structured input as a struct column
(``applicant`` with the fields ``age``, ``sex``, ``seen``), once with the fields as plain
columns named with dots (``applicant.age``, ...).  Not timed.  Then, each as a whole process
(a LocalCluster sized to the machine, as users run it):

* ``dtrun evaluate W structs/ --engine dask -o out_structs/``
* ``dtrun evaluate W dotted/ --engine dask -o out_dotted/``
* ``dtrun evaluate W structs.parquet -o single.parquet`` (the pandas engine, one file)

It reports the wall-clock time of each (the median of ``--runs``) and checks that the struct
run's results table equals the pandas engine's (the same rows, columns and Arrow types).

    python benchmarks/bench_scale_structs.py                      # 1,000,000 records in 4 files
    python benchmarks/bench_scale_structs.py --rows 200000 --runs 1

The machine is shared and has 2 cores: the report gives the load average at the start.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.dataset as pa_dataset
import pyarrow.parquet as pq

ROOT = Path(__file__).resolve().parents[1]
DTRUN = [shutil.which("dtrun", path=str(Path(sys.executable).parent)) or "dtrun"]
APPLICANT = pa.struct([("age", pa.float64()), ("sex", pa.string()), ("seen", pa.date32())])
SHEETS = {
    "Inputs": [["Name", "Type", "Allowed values", "Required"], ["applicant", "structure", None, "yes"],
               ["applicant.age", "number", "[0..130]", "yes"], ["applicant.sex", "string", '"f","m"', "no"],
               ["applicant.seen", "date", None, "no"], ["score", "integer", None, "no"]],
    "band": [["F", "applicant.age", "applicant.sex", "applicant.seen", "score", "band"],
             [None, "input", "input", "input", "input", "output"], [],
             ["R1", "< 65", "-", "-", "-", '"young"'],
             ["R2", ">= 65", '"f"', '< date("2025-01-01")', "-", '"old f, seen before 2025"'],
             ["R3", ">= 65", "-", "-", "> 1", '"old, high score"'], ["R4", ">= 65", "-", "-", "-", '"old"']],
}


def patients(rows: int, seed: int = 1) -> pa.Table:
    rng = np.random.default_rng(seed)
    age = rng.integers(18, 95, rows).astype(float)
    sex = rng.choice(np.array(["f", "m"], dtype=object), rows)
    seen = np.datetime64("2023-01-01") + rng.integers(0, 1000, rows).astype("timedelta64[D]")
    fields = [pa.array(age), pa.array(sex, pa.string()), pa.array(seen.astype("datetime64[D]"), pa.date32())]
    absent = pa.array(rng.random(rows) < 0.01)  # a missing structure now and then: an error of that record
    applicant = pa.StructArray.from_arrays(fields, fields=list(APPLICANT), mask=absent)
    score = pa.array(rng.integers(0, 4, rows), pa.int64(), mask=rng.random(rows) < 0.2)
    return pa.table({"applicant": applicant, "score": score})


def write_workbook(path: Path) -> None:
    import openpyxl

    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in SHEETS.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    book.save(path)


def dataset(table: pa.Table, folder: Path, files: int) -> None:
    folder.mkdir()
    size = -(-table.num_rows // files)
    for number in range(files):
        pq.write_table(table.slice(number * size, size), folder / f"part{number}.parquet")


def dotted(table: pa.Table) -> pa.Table:
    """The same patients with the struct's fields as plain columns (a null struct: null fields)."""
    applicant = table.column("applicant").combine_chunks()
    fields = {f"applicant.{field.name}": array for field, array in zip(APPLICANT, applicant.flatten())}
    return pa.table({**fields, "score": table.column("score")})


def timed(command: list[str], runs: int) -> float:
    seconds = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        seconds.append(time.perf_counter() - started)
    return statistics.median(seconds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--files", type=int, default=4)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as temporary:
        folder = Path(temporary)
        workbook = folder / "structs.xlsx"
        write_workbook(workbook)
        table = patients(args.rows)
        pq.write_table(table, folder / "structs.parquet")
        dataset(table, folder / "structs", args.files)
        dataset(dotted(table), folder / "dotted", args.files)
        runs = {
            "dask, struct column": [*DTRUN, "evaluate", workbook, folder / "structs", "--engine", "dask", "-o",
                                    f"{folder / 'out_structs'}/"],
            "dask, dotted columns": [*DTRUN, "evaluate", workbook, folder / "dotted", "--engine", "dask", "-o",
                                     f"{folder / 'out_dotted'}/"],
            "pandas, struct column (one file)": [*DTRUN, "evaluate", workbook, folder / "structs.parquet", "-o",
                                                 folder / "single.parquet"],
        }
        seconds = {label: timed([str(part) for part in command], args.runs) for label, command in runs.items()}
        written = pa_dataset.dataset(folder / "out_structs").to_table()
        expected = pq.read_table(folder / "single.parquet")
        same = written.schema == expected.schema and written.equals(expected)
    print(f"## Dask over Parquet struct columns\n\n{dt.date.today()}, {args.rows:,} records in {args.files} files, "
          f"median of {args.runs} run(s), load average {load:.2f} at the start (2 cores, shared).\n")
    print("| run | seconds | records/s |\n|---|---:|---:|")
    for label, value in seconds.items():
        print(f"| {label} | {value:.2f} | {args.rows / value:,.0f} |")
    print(f"\nThe struct run's results equal the pandas engine's (rows, columns, Arrow types): {same}.")
    if not same:
        sys.exit(1)


if __name__ == "__main__":
    main()
