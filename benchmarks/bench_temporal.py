"""Benchmark evaluation of a table over dates and times, times and durations.

Builds, in a temporary folder (not timed), a workbook with inputs of type ``date and time``,
``time``, ``days and time duration`` and ``years and months duration`` and a COLLECT table of
``--rules`` rules (default 20) testing all four (ranges of times, durations and instants with
a zone), and a CSV file of ``--n`` records (default 100,000, seed 1) whose values are nearly
all distinct: instants over 60 days to the second (half with ``Z``, half without a zone),
times to the second, durations to the second, 0 to 35 months.

Reported (medians of ``--runs`` whole ``dtrun evaluate`` processes, default 3): seconds and
records/s, with the cells compared on whole-number keys once per distinct value
(``engine.feel.vectorized._keyed``) and, with ``--reference``, by the reference per distinct
value only (the keys switched off), for comparison.  Markdown on standard output.

    python benchmarks/bench_temporal.py
    python benchmarks/bench_temporal.py --n 20000 --runs 1 --reference
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable


def workbook(path: Path, rules: int) -> Path:
    import openpyxl

    book = openpyxl.Workbook()
    book.remove(book.active)
    inputs = book.create_sheet("Inputs")
    for row in (["Name", "Type", "Allowed values", "Required"], ["given_at", "date and time", None, "no"],
                ["clock", "time", None, "no"], ["since_dose", "days and time duration", None, "no"],
                ["since_scan", "years and months duration", None, "no"]):
        inputs.append(row)
    table = book.create_sheet("t")
    table.append(["C", "clock", "since_dose", "since_scan", "given_at", "o"])
    table.append([None, "input", "input", "input", "input", "output"])
    table.append([])
    for k in range(rules):
        hour = k % 24
        table.append([f"R{k + 1}", f'[@"{hour:02}:00:00"..@"{hour:02}:59:59"]', f'>= @"PT{k + 1}H"',
                      f'< @"P{k % 30 + 3}M"', f'>= @"2025-01-{k % 28 + 1:02}T00:00:00Z"', f'"r{k + 1}"'])
    book.save(path)
    return path


def patients(path: Path, n: int) -> Path:
    import numpy as np

    rng = np.random.default_rng(1)
    instants = (np.datetime64("2025-01-01T00:00:00") + rng.integers(0, 86400 * 60, n).astype("timedelta64[s]"))
    clocks, doses, scans = rng.integers(0, 86400, n), rng.integers(0, 72 * 3600, n), rng.integers(0, 36, n)
    with path.open("w", encoding="utf-8") as out:
        out.write("given_at,clock,since_dose,since_scan\n")
        for k, (instant, clock, dose, scan) in enumerate(zip(instants.astype(str), clocks, doses, scans)):
            out.write(f"{instant}{'Z' if k % 2 else ''},{clock // 3600:02}:{clock // 60 % 60:02}:{clock % 60:02},"
                      f"PT{dose}S,P{scan}M\n")
    return path


def run(book: Path, data: Path, out: Path, reference: bool) -> float:
    code = ("import sys; from engine.feel import vectorized; "
            + ("vectorized._keyed = lambda op, a, b: None; " if reference else "")
            + "from engine.cli import main; sys.exit(main())")
    started = time.perf_counter()
    subprocess.run([PYTHON, "-c", code, "evaluate", str(book), str(data), "-o", str(out)], cwd=ROOT, check=True,
                   capture_output=True)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--rules", type=int, default=20)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--reference", action="store_true", help="also time the reference per distinct value")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        book, data = workbook(Path(folder) / "t.xlsx", args.rules), patients(Path(folder) / "p.csv", args.n)
        print(f"| {args.n:,} records, {args.rules} rules | seconds (median of {args.runs}) | records/s |")
        print("|---|---|---|")
        for reference in ([False, True] if args.reference else [False]):
            seconds = statistics.median(run(book, data, Path(folder) / "o.csv", reference) for _ in range(args.runs))
            label = "reference per distinct value" if reference else "keys (int64)"
            print(f"| {label} | {seconds:.2f} | {args.n / seconds:,.0f} |")


if __name__ == "__main__":
    main()
