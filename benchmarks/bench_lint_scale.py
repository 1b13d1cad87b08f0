"""Benchmark ``dtrun lint`` on the inputs that made it slow (issue 16, class 14; issue 17, item 13).

Four inputs, generated into a temporary folder (not timed):

* ``wide-1000x10.dmn``: the shape of dmn-js's performance fixture, 1,000 rules x 10 string
  inputs without allowed values, every rule a distinct tuple of texts (9,000 true gaps);
* ``rules-20000x2.dmn``: a 20,000-rule DMN table of the same kind with 2 inputs;
* ``lists-4x1100.xlsx``: a workbook with four long list cells (1,100 texts each, as long as a
  cell may be) in a four-rule FIRST table;
* ``list-100000.dmn``: one DMN entry listing 100,000 texts.

Each is linted by ``python -m engine.cli lint`` in a fresh process (text output, as CI runs it)
``--runs`` times (median, wall clock) with the peak memory of the process.  ``--python`` runs
another checkout's interpreter (an A/B of a change), ``--timeout`` stops a run that takes
longer (reported as such).  Targets: each under 10 s on this 2-core machine.

    python benchmarks/bench_lint_scale.py [--runs 3] [--python /tmp/before/.venv/bin/python] [--no-docs]

The report is written into ``docs/benchmarks.md`` under the section "Lint at scale".
"""

from __future__ import annotations

import argparse
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_evaluate import ROOT, machine  # noqa: E402
from bench_lint import write_docs  # noqa: E402

SECTION = "Lint at scale"
TARGET = 10.0
NS = "https://www.omg.org/spec/DMN/20191111/MODEL/"


def wide_dmn(rules: int, columns: int) -> str:
    inputs = "".join(f'<input id="c{k}" label="Input {k}"><inputExpression typeRef="string"><text>input{k}</text>'
                     "</inputExpression></input>" for k in range(columns))
    rows = "".join(f'<rule id="rule{r}">' + "".join(f'<inputEntry><text>"value {r} {k}"</text></inputEntry>'
                                                  for k in range(columns))
                   + f'<outputEntry><text>"out {r}"</text></outputEntry></rule>' for r in range(rules))
    return (f'<?xml version="1.0" encoding="UTF-8"?><definitions xmlns="{NS}" id="perf" name="Performance" '
            f'namespace="urn:perf"><decision id="decision" name="Big table"><decisionTable id="table" '
            f'hitPolicy="UNIQUE">{inputs}<output id="out" name="result" typeRef="string"/>{rows}'
            "</decisionTable></decision></definitions>")


def long_list_dmn(items: int) -> str:
    texts = ", ".join(f'"item{i}"' for i in range(items))
    return (f'<?xml version="1.0" encoding="UTF-8"?><definitions xmlns="{NS}" id="l" name="List" namespace="urn:l">'
            '<inputData id="i" name="s"><variable name="s" typeRef="string"/></inputData>'
            '<decision id="d" name="Long list"><decisionTable id="t" hitPolicy="UNIQUE">'
            '<input id="c"><inputExpression typeRef="string"><text>s</text></inputExpression></input>'
            '<output id="o" name="out" typeRef="string"/>'
            f'<rule id="r1"><inputEntry><text>{texts}</text></inputEntry><outputEntry><text>"listed"</text>'
            '</outputEntry></rule><rule id="r2"><inputEntry><text>"other"</text></inputEntry><outputEntry>'
            '<text>"other"</text></outputEntry></rule></decisionTable></decision></definitions>')


def long_lists_workbook(path: Path, items: int = 1100) -> None:
    import openpyxl

    cells = [",".join(f'"v{k}_{i}"' for i in range(items)) for k in range(4)]
    book = openpyxl.Workbook()
    inputs = book.active
    inputs.title = "Inputs"
    for row in (["Name", "Type", "Allowed values", "Required"], ["s", "string", None, "yes"],
                ["t", "string", None, "yes"]):
        inputs.append(row)
    table = book.create_sheet("t")
    for row in (["F", "s", "t", "o"], [None, "input", "input", "output"], [None]):
        table.append(row)
    for rule, (a, b, out) in enumerate([(0, 1, "x"), (2, 3, "y"), (1, 0, "z"), (3, 2, "w")], start=1):
        table.append([f"R{rule}", cells[a], cells[b], f'"{out}"'])
    book.save(path)


def inputs(folder: Path) -> dict[str, Path]:
    files = {"wide-1000x10.dmn": wide_dmn(1000, 10), "rules-20000x2.dmn": wide_dmn(20_000, 2),
             "list-100000.dmn": long_list_dmn(100_000)}
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    long_lists_workbook(folder / "lists-4x1100.xlsx")
    order = ["wide-1000x10.dmn", "rules-20000x2.dmn", "lists-4x1100.xlsx", "list-100000.dmn"]
    return {name: folder / name for name in order}


def run(python: str, path: Path, timeout: float) -> tuple[float | None, int, str]:
    """(seconds or None when stopped, peak RSS in MiB, the last line of the report)."""
    with tempfile.NamedTemporaryFile("r", suffix=".rss") as rss_file:
        command = [python, "-m", "engine.cli", "lint", str(path)]
        if Path("/usr/bin/time").exists():
            command = ["/usr/bin/time", "-f", "%M", "-o", rss_file.name, *command]
        start = time.perf_counter()
        # not from this folder: python -m would import its engine, whatever the interpreter;
        # a session of its own, so that a run stopped at the timeout stops whole (time's child too)
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, cwd=path.parent,
                                   start_new_session=True)
        try:
            out, _ = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.communicate()
            return None, 0, ""
        seconds = time.perf_counter() - start
        kib = rss_file.read().strip().splitlines()
    lines = out.decode("utf-8", "replace").splitlines()
    return seconds, int(kib[-1]) // 1024 if kib and kib[-1].isdigit() else 0, lines[-1] if lines else ""


def measure(python: str, files: dict[str, Path], runs: int, timeout: float) -> dict[str, dict]:
    results = {}
    for name, path in files.items():
        times, peak, summary = [], 0, ""
        for _ in range(runs):
            seconds, rss, summary = run(python, path, timeout)
            if seconds is None:
                times = []
                break
            times.append(seconds)
            peak = max(peak, rss)
        results[name] = {"median": statistics.median(times) if times else None, "runs": len(times), "rss": peak,
                         "summary": summary, "bytes": path.stat().st_size}
        shown = f"{results[name]['median']:.2f} s" if times else f"stopped after {timeout:.0f} s"
        print(f"{name}: {shown} ({summary})", file=sys.stderr)
    return results


def report(after: dict[str, dict], before: dict[str, dict] | None, timeout: float) -> str:
    def seconds(entry: dict) -> str:
        return f"{entry['median']:.2f} s" if entry["median"] is not None else f"> {timeout:.0f} s (stopped)"

    lines = [f"## {SECTION}", "", machine(), "",
             "`python benchmarks/bench_lint_scale.py`: `dtrun lint` (text output) in a fresh process, median of "
             f"the runs, peak memory of the process. Target: under {TARGET:.0f} s each.", "",
             "| input | size | " + ("before | " if before else "") + "after | peak memory | findings |",
             "|---|---|" + ("---|" if before else "") + "---|---|---|"]
    for name, entry in after.items():
        cells = [f"`{name}`", f"{entry['bytes'] / 1024:,.0f} KiB"]
        if before:
            cells.append(seconds(before[name]))
        cells += [seconds(entry), f"{entry['rss']} MiB", entry["summary"]]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--python", default=sys.executable, help="the interpreter of the checkout measured")
    parser.add_argument("--before", default=None, help="also measure this interpreter's checkout, for comparison")
    parser.add_argument("--timeout", type=float, default=300.0)
    parser.add_argument("--no-docs", action="store_true")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        files = inputs(Path(folder))
        before = measure(options.before, files, 1, options.timeout) if options.before else None
        after = measure(options.python, files, options.runs, options.timeout)
    text = report(after, before, options.timeout)
    print(text)
    if not options.no_docs:
        write_docs(text, {}, ROOT / "docs" / "benchmarks.md", SECTION)


if __name__ == "__main__":
    main()
