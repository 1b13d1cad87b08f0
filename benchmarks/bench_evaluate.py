"""Benchmark evaluation over the HER2 chain against the I/O limit, in one run (issue 6).

For each size (default 100,000 and 1,000,000 records), with patient files made by
``scripts/make_patients.py`` in a temporary folder (not timed):

* ``load_workbook`` time, in a fresh process each run (the parse cache starts empty);
* ``evaluate_frame`` records per second over the whole 7-table chain (the file read as
  ``dtrun evaluate`` reads it, every CSV field as text; only the call is timed);
* ``dtrun evaluate`` as a whole process on the CSV file (CSV out) and on the Parquet file
  (Parquet out): wall-clock and peak RSS (``ru_maxrss`` of the child);
* the I/O baseline, a process that only reads the same file with pyarrow (every CSV
  field as text) and writes a table of the output's shape (the same rows and columns,
  every result column a string column) with pyarrow's writer; the ratio dtrun/baseline
  shows how close dtrun is to the I/O limit.  Both are timed alternately in the same run,
  so that the machine's load (it is shared) hits both alike.

Each figure is the median of ``--runs`` runs (default 5).  With ``--chunked`` it also runs
``dtrun evaluate --chunk-size`` on 1,000,000 and 10,000,000 records and reports the peak
RSS of each (bounded memory); with ``--processes`` it times ``dtrun --version``,
``dtrun lint decision_tables/`` and ``dtrun test decision_tables/*.xlsx``.  The report is
Markdown on standard output, for ``docs/benchmarks.md``.

    python benchmarks/bench_evaluate.py                     # 100k and 1M, 5 runs each
    python benchmarks/bench_evaluate.py --quick             # smoke run: 20k records, 2 runs
    python benchmarks/bench_evaluate.py --sizes 1000000 --chunked --processes

Targets (issue 6, this 2-core machine): evaluate_frame >= 1,000,000 records/s;
``dtrun evaluate`` <= 2x the baseline's time and <= 3x its peak RSS on 1,000,000 records;
with --chunk-size the peak RSS does not grow with the file.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
WORKBOOK = ROOT / "decision_tables" / "her2_mbc_brain_mets.xlsx"
PYTHON = sys.executable
DTRUN = str(Path(PYTHON).with_name("dtrun"))
TARGET_RATE, TARGET_TIME, TARGET_MEMORY = 1_000_000, 2.0, 3.0

# A child that times load_workbook (first thing in the process) and evaluate_frame.
_EVALUATE_CHILD = """
import json, sys, time
t = time.perf_counter()
import engine
imported = time.perf_counter() - t
t = time.perf_counter()
model = engine.load(sys.argv[1])
loaded = time.perf_counter() - t
times = []
if sys.argv[2] != "-":
    from engine.files.patients import read_patients
    frame = read_patients(sys.argv[2])
    for _ in range(int(sys.argv[3])):
        t = time.perf_counter()
        result = engine.evaluate_frame(model, frame)
        times.append(time.perf_counter() - t)
        assert len(result) == len(frame)
print(json.dumps({"import": imported, "load": loaded, "evaluate": times}))
"""

# The I/O baseline: read with pyarrow, write a table of the output's shape with pyarrow.
_BASELINE_CHILD = """
import json, sys
import pyarrow as pa
source, target, names = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
if source.endswith(".parquet"):
    import pyarrow.parquet as pq
    table = pq.read_table(source)
else:
    import pyarrow.csv as pc
    header = open(source, encoding="utf-8").readline().rstrip("\\r\\n").split(",")
    table = pc.read_csv(source, convert_options=pc.ConvertOptions(
        column_types={n: pa.string() for n in header}, strings_can_be_null=False))
texts = [table.column(n).cast(pa.string()) for n in table.column_names]
columns = {n: table.column(n) for n in table.column_names}
for i, name in enumerate(names):
    if name not in columns:
        columns[name] = texts[1 + i % (len(texts) - 1)]
out = pa.table(columns)
if target.endswith(".parquet"):
    import pyarrow.parquet as pq
    pq.write_table(out, target)
else:
    pc.write_csv(out, target)
"""


def run_process(command: list[str], timeout: float = 3600) -> dict[str, Any]:
    """Wall-clock, CPU and peak RSS of one child process."""
    started = time.perf_counter()
    child = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT)
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - started
    out, err = child.stdout.read(), child.stderr.read()  # type: ignore[union-attr]
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode not in (0, 1):
        raise RuntimeError(f"{' '.join(command)} exited {child.returncode}: {err.decode()[-2000:]}")
    return {"wall": wall, "cpu": usage.ru_utime + usage.ru_stime, "rss_mib": usage.ru_maxrss / 1024,
            "stdout": out.decode(), "status": child.returncode}


def median_of(runs: list[dict[str, Any]], key: str) -> float:
    return statistics.median(r[key] for r in runs)


def make_file(folder: Path, n: int, suffix: str) -> Path:
    path = folder / f"patients_{n}.{suffix}"
    if not path.exists():
        subprocess.run([PYTHON, str(ROOT / "scripts" / "make_patients.py"), "--n", str(n), "--seed", "1",
                        "-o", str(path)], check=True, cwd=ROOT)
    return path


def output_columns(path: Path) -> list[str]:
    """The result columns of dtrun's output for this workbook.  Asked of a child process:
    this process stays small, because a child's peak RSS starts at its parent's (fork)."""
    script = ("import json, sys; from engine import load_workbook; from engine.evaluation.frame import result_columns; "
              "from engine.model.graph import selected_tables; m = load_workbook(sys.argv[1]); "
              "print(json.dumps(result_columns(m, selected_tables(m), explain=False)))")
    return json.loads(run_process([PYTHON, "-c", script, str(path)])["stdout"])


def bench_size(n: int, runs: int, folder: Path) -> dict[str, Any]:
    files = {suffix: make_file(folder, n, suffix) for suffix in ("csv", "parquet")}
    names = json.dumps(output_columns(WORKBOOK))
    child = json.loads(run_process([PYTHON, "-c", _EVALUATE_CHILD, str(WORKBOOK), str(files["csv"]),
                                    str(runs)])["stdout"])
    loads = [child["load"]] + [json.loads(run_process([PYTHON, "-c", _EVALUATE_CHILD, str(WORKBOOK), "-", "0"])
                                          ["stdout"])["load"] for _ in range(runs - 1)]
    result: dict[str, Any] = {"n": n, "load": statistics.median(loads),
                              "evaluate": statistics.median(child["evaluate"]),
                              "import": child["import"]}
    for suffix, source in files.items():
        target, base_target = folder / f"out.{suffix}", folder / f"base.{suffix}"
        dtrun_runs, base_runs = [], []
        for _ in range(runs):  # alternate, so that load on the machine hits both alike
            dtrun_runs.append(run_process([DTRUN, "evaluate", str(WORKBOOK), str(source), "-o", str(target)]))
            base_runs.append(run_process([PYTHON, "-c", _BASELINE_CHILD, str(source), str(base_target), names]))
        result[suffix] = {
            "input_mib": source.stat().st_size / 2**20, "output_mib": target.stat().st_size / 2**20,
            "baseline_output_mib": base_target.stat().st_size / 2**20,
            "dtrun": {"wall": median_of(dtrun_runs, "wall"), "cpu": median_of(dtrun_runs, "cpu"),
                      "rss": median_of(dtrun_runs, "rss_mib")},
            "baseline": {"wall": median_of(base_runs, "wall"), "cpu": median_of(base_runs, "cpu"),
                         "rss": median_of(base_runs, "rss_mib")},
        }
        target.unlink(missing_ok=True)
        base_target.unlink(missing_ok=True)
    return result


def bench_chunked(sizes: list[int], chunk_size: int, folder: Path) -> list[dict[str, Any]]:
    rows = []
    for n in sizes:
        source = make_file(folder, n, "csv")
        target = folder / "chunked.csv"
        measured = run_process([DTRUN, "evaluate", str(WORKBOOK), str(source), "-o", str(target),
                                "--chunk-size", str(chunk_size)])
        rows.append({"n": n, "chunk_size": chunk_size, "wall": measured["wall"], "rss": measured["rss_mib"],
                     "input_mib": source.stat().st_size / 2**20, "output_mib": target.stat().st_size / 2**20})
        target.unlink(missing_ok=True)
        if n > 1_000_000:
            source.unlink(missing_ok=True)
    return rows


def bench_processes(runs: int) -> list[dict[str, Any]]:
    tables = sorted(str(p) for p in (ROOT / "decision_tables").glob("*.xlsx"))
    commands = {"dtrun --version": [DTRUN, "--version"],
                "dtrun lint decision_tables/": [DTRUN, "lint", "decision_tables/"],
                "dtrun test decision_tables/*.xlsx": [DTRUN, "test", *tables]}
    targets = {"dtrun --version": 0.3, "dtrun lint decision_tables/": 1.0}
    rows = []
    for label, command in commands.items():
        measured = [run_process(command) for _ in range(runs)]
        rows.append({"command": label, "wall": median_of(measured, "wall"), "cpu": median_of(measured, "cpu"),
                     "rss": median_of(measured, "rss_mib"), "status": measured[0]["status"],
                     "target": targets.get(label)})
    return rows


# ---------------------------------------------------------------------- report
def _seconds(value: float) -> str:
    return f"{value * 1000:.0f} ms" if value < 1 else f"{value:.2f} s"


def _yes(ok: bool) -> str:
    return "yes" if ok else "no"


def machine() -> str:
    from importlib.metadata import version  # not imported: this process stays small (see output_columns)

    memory = subprocess.run(["free", "-g"], capture_output=True, text=True).stdout.splitlines()[1].split()[1]
    load = Path("/proc/loadavg").read_text().split()[:3]
    return (f"Measured {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC on {os.cpu_count()} cores, "
            f"{memory} GiB memory, load average at the start {' '.join(load)}; Python {platform.python_version()}, "
            f"pandas {version('pandas')}, pyarrow {version('pyarrow')}, numpy {version('numpy')}; engine at "
            f"{_commit()}.")


def _commit() -> str:
    found = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
    dirty = subprocess.run(["git", "-C", str(ROOT), "status", "--porcelain", "engine"], capture_output=True, text=True)
    return found.stdout.strip() + (" with uncommitted changes in engine/" if dirty.stdout.strip() else "")


def report(sizes: list[dict[str, Any]], chunked: list[dict[str, Any]], processes: list[dict[str, Any]],
           runs: int) -> str:
    lines = []
    if sizes:
        lines += ["| records | load_workbook | evaluate_frame | records/s | target met |", "|---|---|---|---|---|"]
        for s in sizes:
            rate = s["n"] / s["evaluate"]
            lines.append(f"| {s['n']:,} | {_seconds(s['load'])} | {_seconds(s['evaluate'])} | {rate:,.0f} | "
                         f"{_yes(rate >= TARGET_RATE)} |")
        lines += ["", f"Whole processes (median of {runs}; wall-clock, CPU in brackets, peak RSS):", "",
                  "| records | file | dtrun evaluate | I/O baseline | time ratio | peak RSS dtrun | peak RSS baseline "
                  "| memory ratio | met (≤ 2×, ≤ 3×) | output (dtrun / baseline) |",
                  "|---|---|---|---|---|---|---|---|---|---|"]
        for s in sizes:
            for suffix in ("csv", "parquet"):
                f = s[suffix]
                d, b = f["dtrun"], f["baseline"]
                time_ratio, memory_ratio = d["wall"] / b["wall"], d["rss"] / b["rss"]
                lines.append(
                    f"| {s['n']:,} | {suffix} ({f['input_mib']:.0f} MiB) | {_seconds(d['wall'])} "
                    f"({_seconds(d['cpu'])}) "
                    f"| {_seconds(b['wall'])} ({_seconds(b['cpu'])}) | {time_ratio:.2f}× | {d['rss']:.0f} MiB | "
                    f"{b['rss']:.0f} MiB | {memory_ratio:.2f}× | "
                    f"{_yes(time_ratio <= TARGET_TIME)}, {_yes(memory_ratio <= TARGET_MEMORY)} | "
                    f"{f['output_mib']:.0f} / {f['baseline_output_mib']:.0f} MiB |")
    if chunked:
        lines += ["", "`dtrun evaluate --chunk-size` (one run each, CSV in and out):", "",
                  "| records | chunk size | input | output | time | peak RSS |", "|---|---|---|---|---|---|"]
        for c in chunked:
            lines.append(f"| {c['n']:,} | {c['chunk_size']:,} | {c['input_mib']:.0f} MiB | {c['output_mib']:.0f} MiB "
                         f"| {_seconds(c['wall'])} | {c['rss']:.0f} MiB |")
    if processes:
        lines += ["", f"Processes (median of {runs}; wall-clock, CPU in brackets):", "",
                  "| command | time | peak RSS | target | met | exit status |", "|---|---|---|---|---|---|"]
        for p in processes:
            target = f"< {_seconds(p['target'])}" if p["target"] else "–"
            met = _yes(p["wall"] < p["target"]) if p["target"] else "–"
            lines.append(f"| `{p['command']}` | {_seconds(p['wall'])} ({_seconds(p['cpu'])}) | {p['rss']:.0f} MiB "
                         f"| {target} | {met} | {p['status']} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100000,1000000", help="comma-separated record counts ('' for none)")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="smoke run: 20,000 records, 2 runs, nothing else")
    parser.add_argument("--chunked", action="store_true", help="also --chunk-size on 1M and 10M records")
    parser.add_argument("--chunked-sizes", default="1000000,10000000")
    parser.add_argument("--chunk-size", type=int, default=100_000)
    parser.add_argument("--processes", action="store_true", help="also dtrun --version, lint and test")
    parser.add_argument("--keep", type=Path, default=None, help="folder for the generated files (kept)")
    args = parser.parse_args()
    if args.quick:
        args.sizes, args.runs, args.chunked, args.processes = "20000", 2, False, False
    folder = args.keep or Path(tempfile.mkdtemp(prefix="bench_evaluate."))
    folder.mkdir(parents=True, exist_ok=True)
    header = machine()
    try:
        sizes = [bench_size(int(n), args.runs, folder) for n in args.sizes.split(",") if n]
        chunked = bench_chunked([int(n) for n in args.chunked_sizes.split(",")], args.chunk_size, folder) \
            if args.chunked else []
        processes = bench_processes(args.runs) if args.processes else []
    finally:
        if args.keep is None:
            shutil.rmtree(folder, ignore_errors=True)
    end_load = " ".join(Path("/proc/loadavg").read_text().split()[:3])
    print(header + f" Load average at the end {end_load}.\n")
    print(report(sizes, chunked, processes, args.runs))


if __name__ == "__main__":
    main()
