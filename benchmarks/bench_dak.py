"""Benchmark ``dtrun lint`` on the WHO ANC DAK (../shared/dak/anc), with and without its dictionary.

Times whole ``dtrun lint`` processes (median of ``--runs``, wall clock, with the peak memory of
the process from ``ru_maxrss``), and inside one process the reading of the DAK (``read``) and
the checks (``lint_model``).  Prints a Markdown table; docs/dak.md quotes its numbers.

    python benchmarks/bench_dak.py --runs 5
    python benchmarks/bench_dak.py --diff     # dtrun diff of the DAK against its conversion, per table
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ANC = ROOT.parent / "shared" / "dak" / "anc"
DAK, DICTIONARY = ANC / "WHO-SRH-21.2-eng.xlsx", ANC / "WHO-ANC.xlsx"


def _process(args: list[str]) -> tuple[float, float]:
    """Wall seconds and peak MB of one ``dtrun`` process."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "engine.cli", *args], env=env, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, check=False)
    seconds = time.perf_counter() - start
    peak = max(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, before) / 1024
    return seconds, peak


def _inside(dictionary: Path | None) -> tuple[float, float]:
    sys.path.insert(0, str(ROOT))
    from engine.analysis.lint import lint_model
    from engine.formats import read

    start = time.perf_counter()
    model = read(DAK, recover=True, dictionary=dictionary)
    reading = time.perf_counter() - start
    start = time.perf_counter()
    lint_model(model)
    return reading, time.perf_counter() - start


def _diff(runs: int) -> None:
    """``dtrun diff`` of the DAK against its own conversion: whole processes, then per table."""
    import tempfile

    sys.path.insert(0, str(ROOT))
    from engine.analysis.behaviour import table_changes
    from engine.analysis.lint import analysed_tables
    from engine.formats import convert, read

    with tempfile.TemporaryDirectory() as folder:
        print("| run | dtrun diff (median wall s) | peak MB |\n|---|---|---|")
        for label, extra, dictionary in (("without dictionary", [], None),
                                         ("with --dictionary", ["--dictionary", str(DICTIONARY)], DICTIONARY)):
            converted = Path(folder) / f"anc-{bool(dictionary)}.xlsx"
            options = ["--input-types", "cells"] if dictionary else []
            subprocess.run([sys.executable, "-m", "engine.cli", "convert", str(DAK), str(converted), *extra,
                            *options], env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True, check=False)
            timed = [_process(["diff", str(DAK), str(converted), *extra, *options]) for _ in range(runs)]
            print(f"| {label} | {statistics.median(s for s, _ in timed):.2f} | {max(m for _, m in timed):.0f} |")
        converted = Path(folder) / "anc-plain.xlsx"
        convert(DAK, converted)
        old = {t.name: a for t, a, _ in analysed_tables(read(DAK, recover=True))}
        print("\n| table | rules | columns | behaviour compared in s | changes |\n|---|---|---|---|---|")
        for table, analysis, _ in analysed_tables(read(converted, recover=True)):
            if analysis is None or old.get(table.name) is None:
                print(f"| {table.name} | {len(table.rules)} | {len(table.inputs)} | (not analysed: cells compared) | |")
                continue
            start = time.perf_counter()
            found = table_changes(old[table.name], analysis)
            print(f"| {table.name} | {len(table.rules)} | {len(analysis.columns)} | "
                  f"{time.perf_counter() - start:.3f} | {len(found)} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--diff", action="store_true", help="time dtrun diff of the DAK against its conversion")
    args = parser.parse_args()
    if not DAK.is_file():
        raise SystemExit(f"{DAK} is not here")
    if args.diff:
        _diff(args.runs)
        return
    print("| run | dtrun lint (median wall s) | peak MB | read s | lint_model s |\n|---|---|---|---|---|")
    for label, extra, dictionary in (("without dictionary", [], None),
                                     ("with --dictionary", ["--dictionary", str(DICTIONARY)], DICTIONARY)):
        runs = [_process(["lint", str(DAK), *extra]) for _ in range(args.runs)]
        reading, checking = _inside(dictionary)
        print(f"| {label} | {statistics.median(s for s, _ in runs):.2f} | {max(m for _, m in runs):.0f} | "
              f"{reading:.2f} | {checking:.2f} |")


if __name__ == "__main__":
    main()
