"""Benchmark evaluation of a table with a list input (``list of string``: "select all that apply").

Builds, in a temporary folder (not timed), a workbook shaped like a WHO DAK danger-signs
table: an input ``Danger_signs`` of type ``list of string`` over 15 allowed values, a number
input, a FIRST table of 16 rules whose cells test the list (``"Fever"``, ``"Fever",
"Headache"``, ``not(...)``) and a COLLECT table of one rule per sign; and a patient file of
``--n`` records (default 100,000), each with 0 to 4 signs drawn at random (seed 1), as CSV (JSON
arrays in a cell), CSV (values separated by ``;``), JSON lines and Parquet (a list column).

Reported (medians of ``--runs`` runs, default 5): ``evaluate_frame`` records/s on the CSV
file's frame (every field as text, as ``dtrun evaluate`` reads it; only the call is timed),
for the FIRST table alone and for both (a COLLECT table's records that several rules match
are resolved one by one, as for any COLLECT table),
and ``dtrun evaluate`` as a whole process on each file (wall-clock, records/s), with both
tables and with ``--decision triage``.  Markdown on
standard output, for ``docs/benchmarks.md``.

    python benchmarks/bench_lists.py                 # 100k records, 5 runs
    python benchmarks/bench_lists.py --n 20000 --runs 2
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
SIGNS = ["No danger signs", "Bleeding vaginally", "Central cyanosis", "Convulsing", "Fever", "Headache",
         "Visual disturbance", "Imminent delivery", "Labour", "Looks very ill", "Severe vomiting", "Severe pain",
         "Severe abdominal pain", "Unconscious", "Other"]


def workbook(path: Path) -> Path:
    import openpyxl

    quoted = lambda values: ", ".join(f'"{v}"' for v in values)  # noqa: E731
    book = openpyxl.Workbook()
    book.remove(book.active)
    inputs = book.create_sheet("Inputs")
    for row in (["Name", "Type", "Allowed values", "Required"],
                ["Danger_signs", "list of string", quoted(SIGNS), "no"],
                ["Gestational_age", "number", "[0..45]", "no"]):
        inputs.append(row)
    triage = book.create_sheet("triage")
    triage.append(["F", "Danger_signs", "Gestational_age", "referral"])
    triage.append([None, "input", "input", "output"])
    triage.append([])
    rules = [('"Central cyanosis", "Convulsing", "Unconscious"', "-", "emergency"),
             ('"Bleeding vaginally"', ">= 20", "emergency"),
             ('"Imminent delivery", "Labour"', "-", "delivery"),
             ('"Fever", "Headache"', "< 20", "urgent")]
    rules += [(f'"{sign}"', "-", "urgent" if k % 2 else "soon") for k, sign in enumerate(SIGNS[8:14])]
    rules += [('not("No danger signs", "Other")', ">= 37", "check"), ('"Other"', "-", "review"),
              ('not("No danger signs")', "-", "soon"), ("-", "-", "none")]
    for number, (signs, age, out) in enumerate(rules, start=1):
        triage.append([f"R{number}", signs, age, f'"{out}"'])
    each = book.create_sheet("signs")
    each.append(["C", "Danger_signs", "sign"])
    each.append([None, "input", "output"])
    each.append([])
    for number, sign in enumerate(SIGNS, start=1):
        each.append([f"S{number}", f'"{sign}"', f'"{sign.lower()}"'])
    book.save(path)
    return path


def patients(folder: Path, n: int) -> dict[str, Path]:
    import pyarrow as pa
    import pyarrow.csv as pc
    import pyarrow.parquet as pq

    rnd = random.Random(1)
    lists = [rnd.sample(SIGNS, rnd.choice([0, 1, 1, 1, 2, 2, 3, 4])) for _ in range(n)]
    ages = [str(rnd.randint(4, 42)) for _ in range(n)]
    files = {"csv (JSON arrays)": folder / "p_json.csv", "csv (; lists)": folder / "p_semicolon.csv",
             "JSON lines": folder / "p.jsonl", "Parquet": folder / "p.parquet"}
    pc.write_csv(pa.table({"Danger_signs": [json.dumps(v) for v in lists], "Gestational_age": ages}),
                 files["csv (JSON arrays)"])
    pc.write_csv(pa.table({"Danger_signs": ["; ".join(v) if v else "[]" for v in lists], "Gestational_age": ages}),
                 files["csv (; lists)"])
    with files["JSON lines"].open("w", encoding="utf-8") as handle:
        for signs, age in zip(lists, ages):
            handle.write(json.dumps({"Danger_signs": signs, "Gestational_age": int(age)}) + "\n")
    pq.write_table(pa.table({"Danger_signs": pa.array(lists, pa.list_(pa.string())),
                             "Gestational_age": [int(a) for a in ages]}), files["Parquet"])
    return files


_FRAME_CHILD = """
import json, sys, time
import engine
from engine.files.patients import read_patients
model = engine.load(sys.argv[1])
frame = read_patients(sys.argv[2])
times = {}
for decisions in (["triage"], []):
    times[" ".join(decisions) or "all"] = []
    for _ in range(int(sys.argv[3])):
        t = time.perf_counter()
        result = engine.evaluate_frame(model, frame, decisions)
        times[" ".join(decisions) or "all"].append(time.perf_counter() - t)
    assert len(result) == len(frame) and (result["_errors"] == "").all()
print(json.dumps(times))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="dtrun-lists-") as name:
        folder = Path(name)
        book = workbook(folder / "danger_signs.xlsx")
        files = patients(folder, options.n)
        times = json.loads(subprocess.run([PYTHON, "-c", _FRAME_CHILD, str(book), str(files["csv (JSON arrays)"]),
                                           str(options.runs)], check=True, capture_output=True, text=True,
                                          cwd=ROOT).stdout)
        print(f"### List input: {options.n:,} records, medians of {options.runs} runs\n")
        for label, what in (("triage", "the FIRST table over the list"), ("all", "both tables")):
            frame = statistics.median(times[label])
            print(f"`evaluate_frame`, {what}: {frame:.3f} s, {options.n / frame:,.0f} records/s\n")
        print("| file | `dtrun evaluate` wall-clock | records/s | `--decision triage` | records/s |\n"
              "|---|---|---|---|---|")
        for label, path in files.items():
            cells = []
            for extra in ([], ["--decision", "triage"]):
                walls = []
                for _ in range(options.runs):
                    started = time.perf_counter()
                    subprocess.run([PYTHON, "-m", "engine.cli", "evaluate", str(book), str(path), "-o",
                                    str(folder / "out.csv"), *extra], check=True, capture_output=True, cwd=ROOT)
                    walls.append(time.perf_counter() - started)
                wall = statistics.median(walls)
                cells += [f"{wall:.3f} s", f"{options.n / wall:,.0f}"]
            print(f"| {label} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
