"""Benchmark output cells in the full FEEL language (issue 18, item 4): records/s of
``evaluate_frame`` on a table whose output cells S-FEEL cannot read.

A workbook made in memory: weight and height per patient, and one table whose rules give
``if weight_kg > 100 then "review" else "standard"`` and ``decimal(weight_kg * 0.45359237, 1)``
(FEEL, evaluated by the interpreter once per distinct combination of the values a cell reads)
beside an S-FEEL rule.  Two cases, as in ``bench_computed.py``: ``clinical`` (whole
kilograms: about a hundred distinct weights) and ``distinct`` (every weight different: one
evaluation per row, the worst case).  Each figure is the median of ``--runs`` runs.

    python benchmarks/bench_feel_outputs.py            # 100,000 records, 5 runs
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.append(str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_computed import patients, timed  # noqa: E402

SHEETS = {
    "Inputs": [["Name", "Type", "Allowed values", "Required"],
               ["weight_kg", "number", "[1..400]", "yes"], ["height_m", "number", "[0.3..2.5]", "yes"]],
    "dose": [["F", "height_m", "weight_kg", "flag", "pounds"], [None, "input", "input", "output", "output"], [None],
             ["D1", "< 1.5", "-", '"short"', "0"],
             ["D2", "-", "-", 'if weight_kg > 100 then "review" else "standard"',
              "decimal(weight_kg / 0.45359237, 1)"]],
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    options = parser.parse_args()
    from engine.formats.xlsx.build import build_model

    print("| case | records | distinct weights | median s | records/s |\n|---|---|---|---|---|")
    for case in ("clinical", "distinct"):
        model = build_model("feel_outputs.xlsx", SHEETS)
        frame = patients(options.n, case == "distinct")
        seconds = timed(model, frame, options.runs)
        distinct = frame["weight_kg"].nunique()
        print(f"| {case} | {options.n:,} | {distinct:,} | {seconds:.3f} | {options.n / seconds:,.0f} |")


if __name__ == "__main__":
    main()
