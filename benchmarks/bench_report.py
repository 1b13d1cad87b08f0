"""Benchmark what ``dtrun evaluate --report report.html`` costs over the same run without it.

For each size (default 100,000 records) a HER2 patient file is made by
``scripts/make_patients.py`` in a temporary folder (not timed); ``dtrun evaluate W P -o
results.csv`` is run as a whole process with and without ``--report report.html``,
alternately (so that the shared machine's load hits both alike), ``--runs`` times each; the
medians of the wall-clock times and their difference are reported.  On a machine shared
with other work a whole process varies by more than the report costs, so the same is
measured in one process too (``evaluate_file`` with and without the report's observer, then
the page rendered and written), with the report's own parts: counting the outcomes block by
block (``Tally.add``) and rendering and writing the page.
The report is Markdown on standard output, for ``docs/benchmarks.md``.

    python benchmarks/bench_report.py                  # 100,000 records, 7 runs each
    python benchmarks/bench_report.py --sizes 100000 1000000 --runs 5
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WORKBOOK = ROOT / "decision_tables" / "her2_mbc_brain_mets.xlsx"
PYTHON = sys.executable


def run(arguments: list[str]) -> float:
    """Wall-clock seconds of ``python -m engine.cli`` with ``arguments``, as a whole process."""
    environment = {**os.environ, "PYTHONPATH": str(ROOT)}
    started = time.perf_counter()
    subprocess.run([PYTHON, "-m", "engine.cli", *arguments], check=True, env=environment,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def in_process(patients: Path, folder: Path, runs: int) -> tuple[float, float, float, float, int]:
    """In this process, alternately, ``runs`` times each: the median seconds of ``evaluate_file``
    without an observer and with the report's (a ``Tally``, then the page rendered and written
    atomically), the median seconds spent in ``Tally.add`` and in rendering and writing the
    page, and the page's size in bytes.  Imports (Jinja2's included) are made before timing."""
    sys.path.insert(0, str(ROOT))
    from engine._core import write_text
    from engine.files.pipeline import Options, evaluate_file
    from engine.formats import load
    from engine.review.population import Tally
    from engine.review.population_render import render_population

    model = load(WORKBOOK)
    plain, report, counting, rendering = [], [], [], []
    page = ""
    for _ in range(runs + 1):  # the first run of each warms the caches; it is not counted
        started = time.perf_counter()
        evaluate_file(model, patients, str(folder / "results.csv"), "csv", Options())
        plain.append(time.perf_counter() - started)
        tally, spent = Tally(model), [0.0]

        def observe(results: object, outcomes: object, tally: Tally = tally, spent: list[float] = spent) -> None:
            begun = time.perf_counter()
            tally.add(results, outcomes)  # type: ignore[arg-type]
            spent[0] += time.perf_counter() - begun

        started = time.perf_counter()
        evaluate_file(model, patients, str(folder / "results.csv"), "csv", Options(), observe=observe)
        begun = time.perf_counter()
        page = render_population(tally.population(patients.name))
        write_text(folder / "report.html", page)
        report.append(time.perf_counter() - started)
        counting.append(spent[0])
        rendering.append(time.perf_counter() - begun)
    median = lambda values: statistics.median(values[1:])  # noqa: E731
    return median(plain), median(report), median(counting), median(rendering), len(page.encode("utf-8"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000])
    parser.add_argument("--runs", type=int, default=7)
    options = parser.parse_args()
    load = os.getloadavg()
    print(f"Measured {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC with `python benchmarks/bench_report.py "
          f"--sizes {' '.join(map(str, options.sizes))} --runs {options.runs}` on {os.cpu_count()} cores "
          f"(load average at the start: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}); Python "
          f"{platform.python_version()}.\n")
    print("| records | `dtrun evaluate` without --report | with --report | overhead | in one process: "
          "evaluate_file | with the report | overhead | of which Tally.add | page rendered and written | "
          "page size |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory(prefix="dtrun-bench-report-") as name:
        folder = Path(name)
        for size in options.sizes:
            patients = folder / f"patients_{size}.csv"
            subprocess.run([PYTHON, str(ROOT / "scripts" / "make_patients.py"), "--n", str(size), "--seed", "1",
                            "-o", str(patients)], check=True)
            plain_args = ["evaluate", str(WORKBOOK), str(patients), "-o", str(folder / "results.csv")]
            report_args = [*plain_args, "--report", str(folder / "report.html")]
            run(plain_args)  # warm the file cache
            plain, report = [], []
            for _ in range(options.runs):
                plain.append(run(plain_args))
                report.append(run(report_args))
            a, b = statistics.median(plain), statistics.median(report)
            c, d, counting, rendering, page = in_process(patients, folder, options.runs)
            print(f"| {size:,} | {a:.2f} s | {b:.2f} s | {b - a:+.2f} s | {c:.3f} s | {d:.3f} s | "
                  f"{d - c:+.3f} s ({100 * (d - c) / c:+.0f}%) | {counting * 1000:.0f} ms | "
                  f"{rendering * 1000:.0f} ms | {page / 1024:.0f} KiB |")


if __name__ == "__main__":
    main()
