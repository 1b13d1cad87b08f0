"""Benchmark ``dtrun lint`` on a large table whose cells are written in FEEL (``?``) against the
same table in S-FEEL (issue 18: the verifier reasons inside FEEL cells that mean a set).

The table is ``generate_tables.py``'s (CART-like tree, leaves as rules, seed ``--seed``); its
FEEL twin writes every cell with ``?``: ``[a..b)`` as ``? >= a and ? < b``, ``[a..b]`` as
``? between a and b``, ``"x","y"`` as ``? in ["x", "y"]``.  Both are built in memory (not
timed) and linted ``--runs`` times; reported: the median CPU and wall time of ``lint_model``
for each, and whether the two give the same findings (codes, boxes, rules).  Markdown on
standard output, for ``docs/benchmarks.md``.

    python benchmarks/bench_lint_feel.py --sizes 1500x3,1500x9 --runs 5
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
for folder in (ROOT, HERE):
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))

RANGE = re.compile(r"^\[(?P<low>[^.]+)\.\.(?P<high>[^\])]+)(?P<close>[\])])$")


def as_feel(cell: object) -> object:
    """The same test written with ``?``."""
    if not isinstance(cell, str) or cell == "-":
        return cell
    found = RANGE.match(cell)
    if found:
        low, high = found["low"], found["high"]
        return f"? between {low} and {high}" if found["close"] == "]" else f"? >= {low} and ? < {high}"
    return f"? in [{', '.join(cell.split(','))}]"


def feel_sheets(sheets: dict[str, list[list[object]]], table: str) -> dict[str, list[list[object]]]:
    rows = sheets[table]
    rewritten = rows[:3] + [[row[0], *(as_feel(c) for c in row[1:-1]), row[-1]] for row in rows[3:]]
    return {**sheets, table: rewritten}


def timed(model: object, runs: int) -> tuple[float, float, list[object]]:
    from engine.analysis.lint import lint_model

    wall, cpu, findings = [], [], []
    for _ in range(runs):
        w, c = time.perf_counter(), time.process_time()
        findings = lint_model(model)
        wall.append(time.perf_counter() - w)
        cpu.append(time.process_time() - c)
    return statistics.median(wall), statistics.median(cpu), findings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="1500x3,1500x9")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    from generate_tables import SHEET, generate

    from engine.formats.xlsx.build import build_model

    print("| rules × cols | S-FEEL lint (CPU) | FEEL lint (CPU) | FEEL / S-FEEL (CPU) | FEEL not analysed "
          "| same findings |")
    print("|---|---|---|---|---|---|")
    for size in args.sizes.split(","):
        rules, columns = (int(n) for n in size.split("x"))
        sheets = generate(rules, columns, args.seed).sheets()
        plain = build_model("generated.xlsx", sheets)
        feel = build_model("generated.xlsx", feel_sheets(sheets, SHEET))
        assert any(c.feel for r in feel.tables[0].rules for c in r.inputs)
        p_wall, p_cpu, p_found = timed(plain, args.runs)
        f_wall, f_cpu, f_found = timed(feel, args.runs)
        key = lambda f: (f.code, f.rules, tuple(sorted((f.box or {}).items())))  # noqa: E731
        same = sorted(map(key, p_found)) == sorted(map(key, f_found))
        skipped = sum(f.code == "not-analysed" for f in f_found)
        print(f"| {rules:,} × {columns} | {p_wall:.2f} s ({p_cpu:.2f} s) | {f_wall:.2f} s ({f_cpu:.2f} s) | "
              f"{f_cpu / p_cpu:.2f} | {skipped} | {'yes' if same else 'no'} ({len(p_found)} findings) |")


if __name__ == "__main__":
    main()
