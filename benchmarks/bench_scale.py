"""Benchmark scale-out: one process with ``--chunk-size`` against Dask with local workers (issue 10).

With patients made by ``scripts/make_patients.py`` (default 10,000,000, in blocks of
1,000,000) in a temporary folder, never in the repository, written twice with the same
rows: one Parquet file (for the single process) and a Parquet dataset folder of one file
per block (for Dask; one partition per file).  Not timed.  Then, each as a whole process:

* ``dtrun evaluate WORKBOOK patients.parquet --chunk-size N -o single.parquet``
* ``dtrun evaluate WORKBOOK patients/ --engine dask -o dask_out/`` (a LocalCluster sized to
  the machine: one single-threaded worker process per core; 2 on the 2-core machine)

For each run: wall-clock time, CPU time of the whole process tree (``RUSAGE_CHILDREN``),
and the peak RSS of every process of the tree (sampled every 0.1 s with psutil: the
``dtrun`` process, which holds the client, the scheduler and the nannies, and each worker),
with their sum.  Then it checks that both outputs hold the same rows (block by block, with
pyarrow).  The report is Markdown on standard output and, unless ``--no-docs``, the section
"Scale-out" of ``docs/benchmarks.md`` (other sections are kept).

    python benchmarks/bench_scale.py                          # 10,000,000 records, 1 run each
    python benchmarks/bench_scale.py --rows 200000 --block 50000 --no-docs   # a smoke run

The machine is shared and has 2 cores: the report gives the load average at the start.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.util
import inspect
import os
import platform
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
WORKBOOK = ROOT / "decision_tables" / "her2_mbc_brain_mets.xlsx"
DOCS = ROOT / "docs" / "benchmarks.md"
SECTION = "Scale-out"
# the console script, as users run it (with `python -m engine.cli`, workers would re-import the CLI as __main__)
DTRUN = [shutil.which("dtrun", path=str(Path(sys.executable).parent)) or "dtrun"]
MIB = 1 << 20


@dataclass
class Run:
    label: str
    command: list[str]
    seconds: float = 0.0
    cpu_seconds: float = 0.0
    exit_status: int = 0
    peaks: dict[int, tuple[str, int]] = field(default_factory=dict)  # pid -> (role, peak RSS bytes)
    stderr: str = ""

    @property
    def total_peak(self) -> int:
        return sum(rss for _, rss in self.peaks.values())

    def by_role(self) -> list[tuple[str, int]]:
        return sorted(self.peaks.values(), key=lambda item: (item[0] != "dtrun", item[0]))


# ====================================================================== data
def make_data(folder: Path, rows: int, block: int, seed: int) -> tuple[Path, Path]:
    """patients.parquet (row groups of ``block``) and patients/part.K.parquet, the same rows."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    make_patients = _make_patients()
    numbered = "start" in inspect.signature(make_patients).parameters
    single, dataset = folder / "patients.parquet", folder / "patients"
    dataset.mkdir()
    writer = None
    try:
        for number, start in enumerate(range(0, rows, block)):
            n = min(block, rows - start)
            frame = make_patients(n, seed, start) if numbered else make_patients(n, seed + number)
            if not numbered:
                frame["patient_id"] = [f"P{i:08d}" for i in range(start, start + n)]
            table = pa.Table.from_pandas(frame, preserve_index=False)
            writer = writer or pq.ParquetWriter(single, table.schema)
            writer.write_table(table, row_group_size=block)
            pq.write_table(table, dataset / f"part.{number:05d}.parquet")
    finally:
        if writer is not None:
            writer.close()
    return single, dataset


def _make_patients() -> Any:
    spec = importlib.util.spec_from_file_location("make_patients", ROOT / "scripts" / "make_patients.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module.make_patients


# ====================================================================== measuring
def measure(run: Run, interval: float = 0.1) -> Run:
    """Run the command; sample the RSS of its whole process tree until it ends."""
    import psutil

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    process = subprocess.Popen(run.command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    errors: list[str] = []
    stderr: Any = process.stderr
    reader = threading.Thread(target=lambda: errors.append(stderr.read()), daemon=True)
    reader.start()
    root = psutil.Process(process.pid)
    while process.poll() is None:
        _sample(root, run.peaks)
        time.sleep(interval)
    run.seconds = time.perf_counter() - started
    reader.join()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    run.cpu_seconds = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    run.exit_status, run.stderr = process.returncode, "".join(errors)
    return run


def _sample(root: Any, peaks: dict[int, tuple[str, int]]) -> None:
    import psutil

    try:
        processes = [root, *root.children(recursive=True)]
    except psutil.Error:
        return
    for process in processes:
        try:
            rss = process.memory_info().rss
            role = peaks[process.pid][0] if process.pid in peaks else _role(process, root)
        except psutil.Error:
            continue
        peaks[process.pid] = (role, max(rss, peaks.get(process.pid, ("", 0))[1]))


def _role(process: Any, root: Any) -> str:
    if process.pid == root.pid:
        return "dtrun"
    line = " ".join(process.cmdline())
    if "resource_tracker" in line:
        return "resource tracker"
    return "worker" if "spawn_main" in line or "forkserver" in line else "other"


def same_rows(single: Path, folder: Path, block: int) -> bool:
    """The single-process output, read in blocks, equals the part files in order."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    parts = sorted(folder.glob("part.*.parquet"))
    batches = pq.ParquetFile(single).iter_batches(batch_size=block)
    for part in parts:
        expected = pq.read_table(part)
        got = pa.Table.from_batches([next(batches)])
        if got.num_rows != expected.num_rows or not got.equals(expected.cast(got.schema)):
            return False
    return next(batches, None) is None


# ====================================================================== report
def report(args: argparse.Namespace, runs: list[Run], same: bool | None, load: str) -> str:
    import dask
    import distributed
    import pandas
    import pyarrow

    from engine import __version__

    when = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        f"## {SECTION}", "",
        f"Measured {when} with `python benchmarks/bench_scale.py --rows {args.rows} --block {args.block} "
        f"--chunk-size {args.chunk_size} --runs {args.runs}` ({args.runs} run(s) of each, alternating). "
        f"Machine: {os.cpu_count()} cores, "
        f"{_memory()} memory, shared with other work (load average at the start: {load}); Python "
        f"{platform.python_version()}, dtrun {__version__}, pandas {pandas.__version__}, pyarrow "
        f"{pyarrow.__version__}, dask {dask.__version__}, distributed {distributed.__version__}.", "",
        f"{args.rows:,} HER2 patients from `scripts/make_patients.py` (seed {args.seed}), Parquet in and "
        f"Parquet out, the whole 7-table chain. The single process reads one file in chunks of "
        f"{args.chunk_size:,} rows; Dask reads a folder of {-(-args.rows // args.block)} files of "
        f"{args.block:,} rows (one partition each) on a local cluster sized to the machine. Peak RSS is "
        "sampled every 0.1 s for every process of the run.", "",
        "| run | wall | CPU (all processes) | peak RSS per process | sum of peaks | exit |",
        "|---|---|---|---|---|---|",
    ]
    for run in runs:
        roles = ", ".join(f"{role} {rss / MIB:,.0f} MiB" for role, rss in run.by_role())
        lines.append(f"| {run.label} | {run.seconds:.1f} s | {run.cpu_seconds:.1f} s | {roles} | "
                     f"{run.total_peak / MIB:,.0f} MiB | {run.exit_status} |")
    if same is not None:
        lines += ["", f"Both outputs hold the same rows, block by block: {'yes' if same else 'NO'}."]
    return "\n".join(lines) + "\n"


def _memory() -> str:
    import psutil

    return f"{psutil.virtual_memory().total / (1 << 30):.0f} GiB"


def write_docs(section: str) -> None:
    """Replace the section's text in docs/benchmarks.md, up to the next '## ' heading;
    a sentence or paragraph written below the measurements by hand ('### ' parts) is kept
    only if it is in ``section``."""
    text = DOCS.read_text(encoding="utf-8") if DOCS.exists() else "# Benchmarks\n"
    pattern = re.compile(rf"^## {re.escape(SECTION)}\n.*?(?=^## |\Z)", re.S | re.M)
    kept = pattern.search(text)
    notes = ""
    if kept:
        found = re.search(r"^### .*", kept.group(0), re.S | re.M)
        notes = "\n" + found.group(0).rstrip() + "\n" if found else ""
    new = section + notes
    text = pattern.sub(lambda _: new + "\n", text) if kept else text.rstrip() + "\n\n" + new
    DOCS.write_text(text, encoding="utf-8")


# ====================================================================== main
def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--block", type=int, default=1_000_000, help="rows per Dask partition (file)")
    parser.add_argument("--chunk-size", type=int, default=1_000_000, help="--chunk-size of the single process")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--runs", type=int, default=1, help="runs of each, alternating (each is reported)")
    parser.add_argument("--keep", type=Path, default=None, help="make the data in this folder and keep it")
    parser.add_argument("--no-check", action="store_true", help="do not compare the two outputs")
    parser.add_argument("--no-docs", action="store_true", help="print only")
    args = parser.parse_args()
    load = " ".join(Path("/proc/loadavg").read_text().split()[:3]) if Path("/proc/loadavg").exists() else "?"
    folder = Path(tempfile.mkdtemp(prefix="dtrun-bench-scale-")) if args.keep is None else args.keep
    folder.mkdir(parents=True, exist_ok=True)
    try:
        started = time.perf_counter()
        single, dataset = make_data(folder, args.rows, args.block, args.seed)
        print(f"data made in {time.perf_counter() - started:.0f} s in {folder}", file=sys.stderr)
        out_single, out_dask = folder / "single.parquet", folder / "dask_out"
        runs = []
        for _ in range(args.runs):
            runs += [
                Run(f"single process, `--chunk-size {args.chunk_size:,}`",
                    [*DTRUN, "evaluate", str(WORKBOOK), str(single), "--chunk-size", str(args.chunk_size), "-o",
                     str(out_single)]),
                Run("Dask, local cluster", [*DTRUN, "evaluate", str(WORKBOOK), str(dataset), "--engine", "dask",
                                            "-o", str(out_dask)]),
            ]
        for run in runs:
            measure(run)
            print(f"{run.label}: {run.seconds:.1f} s, exit {run.exit_status}\n{run.stderr[-2000:]}", file=sys.stderr)
        same = None if args.no_check else same_rows(out_single, out_dask, args.block)
        section = report(args, runs, same, load)
        print(section)
        if not args.no_docs:
            write_docs(section)
    finally:
        if args.keep is None:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
