"""Benchmark evaluation of a table whose input cells hold FEEL unary tests (``?``, functions).

Builds in memory (not timed) a FIRST table over an age (number, 0 to 99 with a decimal
place: about 1,000 distinct values), a name (text, 200 distinct names) and a visit date
(730 distinct days), once with S-FEEL cells and once with the same meaning written as FEEL
(``? >= 18 and ? < 65`` for ``[18..65)``, ``list contains(["Carl", "Cleo"], ?)``, ``?.month = 3``, ...), plus a
table of FEEL-only tests (``odd(?)``, ``string length(?) > 5``); and a frame of ``--n`` records
(default 100,000, seed 1), every field as text as ``dtrun evaluate`` reads a CSV file.

Reported (medians of ``--runs`` runs, default 5): ``evaluate_frame`` records/s for each table.
A FEEL cell runs the FEEL interpreter once per distinct value of its column (then looks the
answers up for every row), so its cost follows the number of distinct values, not of records.
Markdown on standard output, for ``docs/benchmarks.md``.

    python benchmarks/bench_feel_cells.py                 # 100k records, 5 runs
    python benchmarks/bench_feel_cells.py --n 20000 --runs 2
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

INPUTS = [["Name", "Type", "Allowed values", "Required"], ["age", "number", None, None],
          ["name", "string", None, None], ["visit", "date", None, None]]
HEAD = [None, "input", "input", "input", "output"]
SFEEL = [
    ["R1", "< 18", "-", "-", '"child"'],
    ["R2", "[18..65)", '"Carl", "Cleo"', "-", '"adult C"'],
    ["R3", "[18..65)", "-", '[date("2024-03-01")..date("2024-03-31")]', '"adult in March 2024"'],
    ["R4", ">= 65", "-", "-", '"senior"'],
    ["R5", "-", "-", "-", '"other"'],
]
FEEL = [
    ["R1", "? < 18", "-", "-", '"child"'],
    ["R2", "? >= 18 and ? < 65", 'list contains(["Carl", "Cleo"], ?)', "-", '"adult C"'],
    ["R3", "? >= 18 and ? < 65", "-", "?.year = 2024 and ?.month = 3", '"adult in March 2024"'],
    ["R4", "> abs(-65), 65", "-", "-", '"senior"'],
    ["R5", "-", "-", "-", '"other"'],
]
ONLY_FEEL = [
    ["R1", "odd(floor(?))", 'string length(?) > 5', "-", '"odd, long name"'],
    ["R2", "-", "-", "day of week(?) = \"Monday\"", '"Monday"'],
    ["R3", "-", "-", "-", '"other"'],
]


def model(rules: list[list[str]]):
    from engine.formats.xlsx.build import build_model

    sheets = {"Inputs": INPUTS, "t": [["F", "age", "name", "visit", "out"], HEAD, [None] * 5, *rules]}
    return build_model("bench.xlsx", sheets)


def frame(n: int):
    import pandas as pd

    rng = random.Random(1)
    names = [f"{rng.choice('ABCDEFGHIJ')}{''.join(rng.choices('aeioulnrst', k=rng.randint(2, 7)))}"
             for _ in range(200)] + ["Carl", "Cleo"]
    start = dt.date(2023, 6, 1)
    return pd.DataFrame({
        "age": [f"{rng.randint(0, 999) / 10}" if rng.random() > 0.02 else "" for _ in range(n)],
        "name": [rng.choice(names) for _ in range(n)],
        "visit": [(start + dt.timedelta(days=rng.randint(0, 729))).isoformat() for _ in range(n)],
    })


def rate(rules: list[list[str]], data, runs: int) -> tuple[float, object]:
    from engine.evaluation.frame import evaluate_frame

    compiled = model(rules)
    times, result = [], None
    for _ in range(runs):
        began = time.perf_counter()
        result = evaluate_frame(compiled, data)
        times.append(time.perf_counter() - began)
    return len(data) / statistics.median(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    data = frame(args.n)
    plain, plain_result = rate(SFEEL, data, args.runs)
    feel, feel_result = rate(FEEL, data, args.runs)
    only, _ = rate(ONLY_FEEL, data, args.runs)
    same = plain_result["t.out"].astype(str).tolist() == feel_result["t.out"].astype(str).tolist()
    print(f"### FEEL cells: evaluate_frame, {args.n:,} records (median of {args.runs})\n")
    print("| table | records/s |\n|---|---:|")
    print(f"| S-FEEL cells (`[18..65)`, `\"Carl\", \"Cleo\"`, a date range) | {plain:,.0f} |")
    print("| the same tests in FEEL (`? >= 18 and ? < 65`, `list contains([\"Carl\", \"Cleo\"], ?)`, "
          f"`?.month = 3`) | {feel:,.0f} |")
    print(f"| FEEL-only tests (`odd(floor(?))`, `string length(?) > 5`, `day of week(?)`) | {only:,.0f} |")
    print(f"\nThe FEEL table gives the S-FEEL table's results on every record: {same}.")


if __name__ == "__main__":
    main()
