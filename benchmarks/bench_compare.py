"""Two checkouts of dtrun side by side, on the same machine in the same run: did a change slow anything?

    python benchmarks/bench_compare.py --before /tmp/before/.venv/bin/python [--runs 5]

``--before`` is the Python of a virtual environment with the other checkout installed
(``git worktree add /tmp/before REV && python3 -m venv /tmp/before/.venv && /tmp/before/.venv/bin/pip
install -e /tmp/before``); ``--after`` defaults to this Python.  Every measure runs
``--runs`` times per side, the sides alternating run by run (and the I/O baseline beside them
for ``dtrun evaluate``), so that the noise of a shared 2-core machine hits both alike; the
report gives medians and the after/before ratio:

* ``dtrun evaluate`` of 1,000,000 HER2 patients, CSV and Parquet (``scripts/make_patients.py``),
  wall-clock and peak RSS, and each side's ratio to the I/O baseline of ``bench_evaluate.py``;
* ``evaluate_frame`` records per second over the whole HER2 chain (1,000,000 records; a child
  process per side and round, three calls each);
* ``lint`` of generated 1,500-rule tables with 3, 9 and 15 columns (``generate_tables.py``,
  seed 1): load and lint in a fresh process, lint timed;
* process start-up: ``dtrun --version``, ``dtrun new``, ``dtrun lint decision_tables/``,
  ``dtrun test decision_tables/*.xlsx``.

The children use only what both an older and a newer engine have (``engine.load_workbook``,
``engine.files.read_patients``; ``evaluate_frame`` and ``lint_model`` where each keeps them).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_evaluate import (  # noqa: E402
    _BASELINE_CHILD,
    ROOT,
    WORKBOOK,
    machine,
    make_file,
    output_columns,
    run_process,
)

_FRAME_CHILD = """
import json, sys, time
import engine
from engine import load_workbook
from engine.files import read_patients
model = load_workbook(sys.argv[1])
frame = read_patients(sys.argv[2])
evaluate_frame = getattr(engine, "evaluate_frame", None) or (lambda m, f: m.evaluate_frame(f))
times = []
for _ in range(int(sys.argv[3])):
    t = time.perf_counter()
    evaluate_frame(model, frame)
    times.append(time.perf_counter() - t)
print(json.dumps(times))
"""
_LINT_CHILD = """
import importlib, json, sys, time
from engine import load_workbook
model = load_workbook(sys.argv[1])
for name in ("engine.analysis.lint", "engine.lint"):
    try:
        lint_model = importlib.import_module(name).lint_model
        break
    except ImportError:
        continue
t = time.perf_counter()
findings = lint_model(model)
print(json.dumps({"lint": time.perf_counter() - t, "findings": len(findings)}))
"""


def dtrun(python: str) -> str:
    return str(Path(python).with_name("dtrun"))


def alternate(runs: int, commands: dict[str, list[str]]) -> dict[str, list[dict[str, Any]]]:
    """Each command ``runs`` times, in turn: a, b, c, a, b, c, ..."""
    measured: dict[str, list[dict[str, Any]]] = {name: [] for name in commands}
    for _ in range(runs):
        for name, command in commands.items():
            measured[name].append(run_process(command))
    return measured


def median(runs: list[dict[str, Any]], key: str) -> float:
    return statistics.median(r[key] for r in runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", required=True, help="the Python of the other checkout's virtual environment")
    parser.add_argument("--after", default=sys.executable, help="this checkout's Python (default: this one)")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--lint-sizes", default="1500x3,1500x9,1500x15")
    parser.add_argument("--workbook", default=str(WORKBOOK),
                        help="the workbook both sides evaluate (an older checkout may not read the shipped one: "
                             "give docs/history/her2_mbc_brain_mets-1.0.0.xlsx)")
    args = parser.parse_args()
    sides = {"before": args.before, "after": args.after}
    rows: list[tuple[str, str, float, float, str]] = []  # measure, unit, before, after, note
    header = machine()
    with tempfile.TemporaryDirectory(prefix="bench_compare.") as scratch:
        folder = Path(scratch)
        names = json.dumps(output_columns(Path(args.workbook)))
        for suffix in ("csv", "parquet"):
            source = make_file(folder, args.records, suffix)
            commands = {side: [dtrun(py), "evaluate", args.workbook, str(source), "-o",
                               str(folder / f"{side}.{suffix}")] for side, py in sides.items()}
            commands["baseline"] = [args.after, "-c", _BASELINE_CHILD, str(source), str(folder / f"base.{suffix}"),
                                    names]
            runs = alternate(args.runs, commands)
            same = (folder / f"before.{suffix}").read_bytes() == (folder / f"after.{suffix}").read_bytes()
            base = median(runs["baseline"], "wall")
            for key, unit in (("wall", "s"), ("rss_mib", "MiB")):
                b, a = median(runs["before"], key), median(runs["after"], key)
                note = (f"baseline {base:.2f} s: {b / base:.2f}× → {a / base:.2f}×; outputs "
                        f"{'byte-identical' if same else 'DIFFER'}") if key == "wall" else ""
                rows.append((f"dtrun evaluate {args.records:,} records, {suffix}", unit, b, a, note))
        csv_file = make_file(folder, args.records, "csv")
        frame_runs: dict[str, list[float]] = {side: [] for side in sides}
        for _ in range(args.runs):  # a child per side and round, alternating (3 calls each)
            for side, py in sides.items():
                frame_runs[side] += json.loads(run_process([py, "-c", _FRAME_CHILD, args.workbook, str(csv_file),
                                                            "3"])["stdout"])
        b, a = (args.records / statistics.median(frame_runs[s]) for s in ("before", "after"))
        rows.append((f"evaluate_frame, whole HER2 chain, {args.records:,} records", "records/s", b, a, ""))
        from generate_tables import generate, write_workbook

        for size in args.lint_sizes.split(","):
            rules, columns = (int(x) for x in size.split("x"))
            path = folder / f"lint_{size}.xlsx"
            write_workbook(generate(rules=rules, columns=columns, seed=1), path)
            commands = {side: [py, "-c", _LINT_CHILD, str(path)] for side, py in sides.items()}
            runs = alternate(args.runs, commands)
            lint = {side: statistics.median(json.loads(r["stdout"])["lint"] for r in runs[side]) for side in sides}
            found = {side: json.loads(runs[side][0]["stdout"])["findings"] for side in sides}
            rows.append((f"lint_model, {rules:,} rules × {columns}", "s", lint["before"], lint["after"],
                         f"findings {found['before']} → {found['after']}"))
        tables = sorted(str(p) for p in (ROOT / "decision_tables").glob("*.xlsx"))
        for label, arguments in (("dtrun --version", ["--version"]),
                                 ("dtrun new", ["new", str(folder / "new.xlsx"), "--force"]),
                                 ("dtrun lint decision_tables/", ["lint", str(ROOT / "decision_tables")]),
                                 ("dtrun test decision_tables/*.xlsx", ["test", *tables])):
            runs = alternate(args.runs, {side: [dtrun(py), *arguments] for side, py in sides.items()})
            rows.append((label, "s", median(runs["before"], "wall"), median(runs["after"], "wall"), ""))
    print(header + "\n")
    print(f"Medians of {args.runs} runs per side, the sides alternating run by run.\n")
    print("| measure | unit | before | after | after / before | |")
    print("|---|---|---|---|---|---|")
    for measure, unit, b, a, note in rows:
        print(f"| {measure} | {unit} | {_shown(b, unit)} | {_shown(a, unit)} | {a / b:.3f} | {note} |")


def _shown(value: float, unit: str) -> str:
    return f"{value:,.0f}" if unit == "records/s" else f"{value:.3f}" if unit == "s" else f"{value:.0f}"


if __name__ == "__main__":
    main()
