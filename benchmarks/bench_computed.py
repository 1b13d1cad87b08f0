"""Benchmark computed inputs (issue 18, item 6): records/s of ``evaluate_frame`` on a table
that reads computed inputs, and the HER2 chain's records/s to compare before and after.

A workbook made in memory: weight, height and three dates per patient, five computed inputs
(``bmi = weight_kg / (height_m ** 2)``, ``months`` between two dates
``(diagnosis - adjuvant_end).days / 30.4375``, ``obese = bmi >= 30``, the dose
``round half up(8 * weight_kg, 0)`` and the age in whole years ``years and months
duration(birth_date, diagnosis).years``), and two tables over them (a plan by BMI and relapse,
a dose band by age and dose).  Computed inputs in the subset of ``engine.feel.vector_expr``
are computed over whole columns, the others (and the rows it cannot prove) once per distinct
combination of the values they read, so the figure may depend on how many there are; two
cases are timed:

* ``clinical``: weights in whole kilograms, heights in whole centimetres, dates over three
  years (a few thousand distinct combinations per input in 100,000 records);
* ``distinct``: every weight and height different (the worst case: one evaluation per row).

Each figure is the median of ``--runs`` runs in this process, the file read as ``dtrun
evaluate`` reads it (every field as text).  ``--her2`` also times ``evaluate_frame`` on the
HER2 chain (``scripts/make_patients.py``) for the before/after comparison of the S-FEEL path.

    python benchmarks/bench_computed.py                 # 100,000 records, 5 runs
    python benchmarks/bench_computed.py --her2 --runs 7
    PYTHONPATH=<a checkout of main> python benchmarks/bench_computed.py --her2-only   # the same figure before
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.append(str(ROOT))  # after PYTHONPATH: another checkout can be timed with this script
sys.path.insert(0, str(ROOT / "scripts"))

HEADINGS = ["Name", "Type", "Allowed values", "Required", "Unit", "Code", "Description", "Expression"]
SHEETS = {
    "Inputs": [HEADINGS,
               ["weight_kg", "number", "[1..400]", "yes", "kg"], ["height_m", "number", "[0.3..2.5]", "yes", "m"],
               ["adjuvant_end", "date", None, "no"], ["diagnosis", "date", None, "no"],
               ["birth_date", "date", None, "no"],
               ["bmi", "number", None, "no", "kg/m2", None, None, "weight_kg / (height_m ** 2)"],
               ["months", "number", None, "no", "months", None, None, "(diagnosis - adjuvant_end).days / 30.4375"],
               ["obese", "boolean", None, "no", None, None, None, "bmi >= 30"],
               ["dose_mg", "integer", None, "no", "mg", None, None, "round half up(8 * weight_kg, 0)"],
               ["age", "integer", None, "no", "years", None, None,
                "years and months duration(birth_date, diagnosis).years"]],
    "plan": [["F", "obese", "months", "bmi", "plan"], [None, "input", "input", "input", "output"], [None],
             ["P1", "true", "< 12", "-", '"early relapse, obese"'], ["P2", "-", "< 12", "-", '"early relapse"'],
             ["P3", "-", "-", "< 18.5", '"underweight"'], ["P4", "-", "-", "-", '"standard"']],
    "dose": [["F", "age", "dose_mg", "dose"], [None, "input", "input", "output"], [None],
             ["D1", "< 18", "-", '"paediatric review"'], ["D2", "-", "> 800", '"cap at 800 mg"'],
             ["D3", "-", "-", '"as computed"']],
}


def patients(n: int, distinct: bool, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    if distinct:
        weight = rng.permutation(np.linspace(40, 150, n)).round(6)
        height = rng.permutation(np.linspace(1.45, 2.05, n)).round(8)
    else:
        weight = rng.integers(40, 151, n).astype(float)
        height = rng.integers(145, 206, n) / 100
    start = np.datetime64("2020-01-01") + rng.integers(0, 1100, n)
    later = start + rng.integers(30, 1100, n)
    born = start - rng.integers(16 * 365, 90 * 365, n)
    return pd.DataFrame({"weight_kg": weight.astype(str), "height_m": height.astype(str),
                         "adjuvant_end": start.astype(str), "diagnosis": later.astype(str),
                         "birth_date": born.astype(str)}, dtype=object)


def timed(model: object, frame: pd.DataFrame, runs: int) -> float:
    import engine

    times = []
    for _ in range(runs):
        start = time.perf_counter()
        result = engine.evaluate_frame(model, frame)
        times.append(time.perf_counter() - start)
        assert len(result) == len(frame)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--her2", action="store_true", help="also time the HER2 chain (before/after comparisons)")
    parser.add_argument("--her2-only", action="store_true", help="time the HER2 chain only (runs on older versions)")
    options = parser.parse_args()
    import engine
    from engine.formats.xlsx.build import build_model

    print("| case | records | distinct (weight, height) | median s | records/s |\n|---|---|---|---|---|")
    for case in () if options.her2_only else ("clinical", "distinct"):
        model = build_model("computed.xlsx", SHEETS)
        frame = patients(options.n, case == "distinct")
        pairs = len(frame[["weight_kg", "height_m"]].drop_duplicates())
        seconds = timed(model, frame, options.runs)
        print(f"| {case} | {options.n:,} | {pairs:,} | {seconds:.3f} | {options.n / seconds:,.0f} |")
    if options.her2 or options.her2_only:
        from make_patients import write_patients

        from engine.files.patients import read_patients

        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "patients.csv"
            write_patients(options.n, 1, path)
            frame = read_patients(str(path))
        her2 = engine.load(str(ROOT / "decision_tables" / "her2_mbc_brain_mets.xlsx"))
        seconds = timed(her2, frame, options.runs)
        print(f"| HER2 chain | {options.n:,} | - | {seconds:.3f} | {options.n / seconds:,.0f} |")


if __name__ == "__main__":
    main()
