"""Benchmark the coverage pictures (engine/review/pictures.py): how long drawing them takes.

Each measure runs in a fresh subprocess, so that the first picture pays for importing
matplotlib as ``dtrun show --format html`` does:

* **HER2, cold**: load the example workbook and lint it (not timed), then draw every table's
  picture once (``pictures``), matplotlib's import included;
* **HER2, warm**: the same again in that process, median of ``--runs`` runs, with the time of
  the geometry alone (``engine.analysis.coverage.project`` for every table) and per table;
* **generated tables** (``generate_tables.py``, rules x columns; default 100 x 3, 300 x 3,
  100 x 9): the analysis, the geometry and the drawing of the one table, and the SVG's size.

Prints a Markdown report and writes it into ``docs/benchmarks.md`` under "Pictures".

    python benchmarks/bench_pictures.py
    python benchmarks/bench_pictures.py --runs 3 --sizes 100x3 --no-docs
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
WORKBOOK = ROOT / "decision_tables" / "her2_mbc_brain_mets.xlsx"
SECTION = "Pictures"


def _child(args: argparse.Namespace) -> None:
    sys.path[:0] = [str(ROOT), str(HERE)]
    if args.child == "her2":
        from engine.analysis.coverage import project, table_analyses
        from engine.analysis.lint import lint_model
        from engine.formats import read
        from engine.review.pictures import draw, pictures

        model = read(WORKBOOK)
        findings = lint_model(model)
        started = time.perf_counter()
        drawn = pictures(model, findings)
        cold = time.perf_counter() - started
        warm, geometry = [], []
        per_table: dict[str, list[float]] = {name: [] for name in drawn}
        for _ in range(args.runs):
            started = time.perf_counter()
            pictures(model, findings)
            warm.append(time.perf_counter() - started)
            started = time.perf_counter()
            analyses = [(name, a) for name, a, _ in table_analyses(model) if a is not None]
            projections = [(name, project(a, findings=findings)) for name, a in analyses]
            geometry.append(time.perf_counter() - started)
            for name, projection in projections:
                started = time.perf_counter()
                draw(model, projection)
                per_table[name].append(time.perf_counter() - started)
        print(json.dumps({"cold": cold, "warm": warm, "geometry": geometry, "tables": len(drawn),
                          "bytes": sum(len(s) for s in drawn.values()),
                          "per_table": {k: statistics.median(v) for k, v in per_table.items()}}))
        return
    from generate_tables import generate

    from engine.analysis.coverage import project, table_analyses
    from engine.formats.xlsx.build import build_model
    from engine.review.pictures import draw

    rules, columns = map(int, args.child.split("x"))
    model = build_model("generated.xlsx", generate(rules=rules, columns=columns, seed=1).sheets())
    draw(model, project(next(a for _, a, _ in table_analyses(model))))  # matplotlib imported, fonts cached
    started = time.perf_counter()
    ((_, analysis, _),) = list(table_analyses(model))
    analysed = time.perf_counter() - started
    started = time.perf_counter()
    projection = project(analysis)
    projected = time.perf_counter() - started
    started = time.perf_counter()
    svg = draw(model, projection)
    drawn = time.perf_counter() - started
    print(json.dumps({"analysis": analysed, "geometry": projected, "draw": drawn, "bytes": len(svg),
                      "shapes": sum(len(p.shapes) for p in projection.panels)}))


def run_child(what: str, runs: int) -> dict[str, Any]:
    result = subprocess.run([sys.executable, __file__, "--child", what, "--runs", str(runs)], capture_output=True,
                            text=True, check=True, cwd=ROOT)
    return json.loads(result.stdout.strip().splitlines()[-1])


def render(her2: dict[str, Any], generated: dict[str, dict[str, Any]], facts: dict[str, str], runs: int) -> str:
    lines = [f"## {SECTION}", "",
             f"`python benchmarks/bench_pictures.py` on {facts['date']}: {facts['nproc']} cores ({facts['cpu']}), "
             f"{facts['memory']}, load average {facts['load']}; Python {facts['python']}, matplotlib "
             f"{facts['matplotlib']}; engine {facts['commit']}. Each line is a fresh process.", "",
             "| what | time |", "|---|---|",
             f"| every picture of the HER2 workbook ({her2['tables']} tables), first call: matplotlib imported | "
             f"{her2['cold']:.2f} s |",
             f"| the same, later calls (median of {runs}) | {statistics.median(her2['warm']):.2f} s "
             f"({min(her2['warm']):.2f}–{max(her2['warm']):.2f}) |",
             f"| of which the geometry (`project`, every table) | "
             f"{statistics.median(her2['geometry']) * 1000:.0f} ms |",
             f"| SVG written | {her2['bytes'] / 1024:.0f} KiB |", "",
             "Per table (drawing only, median): " + ", ".join(f"{k} {v * 1000:.0f} ms"
                                                              for k, v in her2["per_table"].items()) + ".", ""]
    if generated:
        lines += ["Generated tables (`generate_tables.py`, seed 1; one run each, after a first picture):", "",
                  "| rules × columns | analysis | geometry | drawing | shapes | SVG |", "|---|---|---|---|---|---|"]
        for size, data in generated.items():
            lines.append(f"| {size.replace('x', ' × ')} | {data['analysis']:.2f} s | {data['geometry']:.2f} s | "
                         f"{data['draw']:.2f} s | {data['shapes']} | {data['bytes'] / 1024:.0f} KiB |")
        lines.append("")
    lines += ["Drawing is matplotlib's (text layout, patches, the constrained layout), not the geometry; "
              "`dtrun show --format html` leaves out tables of more than 300 rules (`pictures.MAX_RULES`).", ""]
    return "\n".join(lines)


def facts() -> dict[str, str]:
    sys.path.insert(0, str(HERE))
    from bench_lint import machine_facts  # the same facts as the other sections

    found = machine_facts()
    from importlib import metadata

    found["matplotlib"] = metadata.version("matplotlib")
    found["commit"] = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True,
                                     text=True).stdout.strip()
    return found


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--sizes", default="100x3,300x3,100x9")
    parser.add_argument("--no-docs", action="store_true")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        _child(args)
        return
    her2 = run_child("her2", args.runs)
    generated = {size: run_child(size, 1) for size in args.sizes.split(",") if size}
    found = facts()
    report = render(her2, generated, found, args.runs)
    print(report)
    if not args.no_docs:
        from bench_lint import write_docs

        write_docs(report, found, name=SECTION)
        print(f"(written to docs/benchmarks.md, section {SECTION})", file=sys.stderr)


if __name__ == "__main__":
    main()
