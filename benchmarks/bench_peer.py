"""Benchmark one decision table in dtrun and in pyDMNrules 1.4.5, in the same run (issue 6).

The table is ``first_line_regimen`` of decision_tables/her2_mbc_brain_mets.xlsx (5 rules,
hit policy U; inputs: the treatment line, whether a taxane is contraindicated, the HR
status), read from that workbook and written twice into temporary workbooks:

* dtrun's format: an ``Inputs`` sheet (line and hr_status texts, taxane_contraindicated a
  boolean, all required) and the table, its cells as they are;
* pyDMNrules' format: a sheet with the table name, a hit-policy/heading row and one row per
  rule, input and output columns separated by a double border (how pyDMNrules tells them
  apart), and the same cell texts (both read S-FEEL unary tests: ``"first_line"``,
  ``"a","b"``, ``true``, ``-``).  The upstream output ``treatment_line.line`` is the input
  ``line`` in both (pyDMNrules names may hold no dot).

Records: the patients of ``scripts/make_patients.py`` (seed 1) with their treatment line
from dtrun's own ``treatment_line`` table, keeping only records whose three inputs are
valid (pyDMNrules does not validate inputs; dtrun would report the invalid ones instead of
deciding).  pyDMNrules decides ``--peer-records`` of them one by one with ``decide()``;
dtrun evaluates ``--records`` of them (text columns, as read from a CSV file) with
``evaluate_frame``; after both are loaded, ``gc.freeze()`` leaves what they loaded out of
the garbage collector's passes (pyDMNrules' parser is large, and the collector would walk it
during dtrun's runs too).  The results must agree row by row on the records both decided,
and the report gives both rates and their ratio (target: dtrun at least 10,000 times
faster).  ``--repeat N`` runs N rounds of both engines in the same process (pyDMNrules is
imported once) and reports each round's ratio and their median.

    pip install -e '.[bench]'
    python benchmarks/bench_peer.py                       # 2,000 peer records, 1,000,000 dtrun
    python benchmarks/bench_peer.py --repeat 5            # five rounds in one process, median ratio
    python benchmarks/bench_peer.py --peer-records 200 --records 100000 --runs 1   # smoke run
"""

from __future__ import annotations

import argparse
import gc
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import engine

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))
WORKBOOK = ROOT / "decision_tables" / "her2_mbc_brain_mets.xlsx"
TABLE = "first_line_regimen"
NAMES = {"treatment_line.line": "line"}  # dtrun's qualified input → a plain name for both engines
TARGET_RATIO = 10_000


def table_cells(model: Any) -> tuple[str, list[str], list[str], list[list[str]]]:
    """(hit policy, input names, output names, rules as [id, cell texts...]) of TABLE."""
    table = model.table(TABLE)
    inputs = [NAMES.get(c.name, c.name) for c in table.inputs]
    outputs = [o.name for o in table.outputs]
    rules = [[r.id, *(t.text for t in r.inputs), *(e.text for e in r.outputs)] for r in table.rules]
    return table.hit_policy.code, inputs, outputs, rules


def dtrun_model(model: Any, policy: str, inputs: list[str], outputs: list[str], rules: list[list[str]]) -> Any:
    from engine.formats.xlsx.build import build_model

    kinds = {name: model.inputs[name].type if name in model.inputs else "string" for name in inputs}
    sheets = {"Inputs": [["Name", "Type", "Allowed values", "Required"]] +
              [[name, kinds[name], None, "yes"] for name in inputs],
              TABLE: [[policy, *inputs, *outputs], [None, *(["input"] * len(inputs)), *(["output"] * len(outputs))],
                      [None] * (1 + len(inputs) + len(outputs)), *rules]}
    return build_model("peer_table.xlsx", sheets)


def pydmnrules_workbook(path: Path, policy: str, inputs: list[str], outputs: list[str], rules: list[list[str]]) -> Path:
    """The table in pyDMNrules' Excel layout ('Rules as Rows'), with a Glossary and a Decision sheet."""
    import openpyxl
    from openpyxl.styles import Border, Side

    book = openpyxl.Workbook()
    glossary = book.active
    glossary.title = "Glossary"
    glossary.append(["Glossary"])
    glossary.append(["Variable", "Business Concept", "Attribute"])
    for name in inputs + outputs:
        glossary.append([name, "Patient" if glossary.max_row == 2 else None, name])
    glossary.merge_cells(start_row=3, end_row=glossary.max_row, start_column=2, end_column=2)
    decision = book.create_sheet("Decision")
    decision.append(["Decision"])
    decision.append(["Decisions", "Execute Decision Tables"])
    decision.append(["First-line regimen", TABLE])
    sheet = book.create_sheet(TABLE)
    double, plain = Side(style="double"), Side()
    sheet.cell(row=1, column=1, value=TABLE)
    headings = [policy, *inputs, *outputs]
    for column, text in enumerate(headings, start=1):
        cell = sheet.cell(row=2, column=column, value=text)
        right = double if column == 1 + len(inputs) else plain
        cell.border = Border(left=plain, top=plain, bottom=double, right=right)
    for row, rule in enumerate(rules, start=3):
        for column, text in enumerate([row - 2, *rule[1:]], start=1):
            cell = sheet.cell(row=row, column=column, value=text)
            cell.border = Border(left=plain, top=plain, bottom=plain,
                                 right=double if column == 1 + len(inputs) else plain)
    book.save(path)
    return path


def records(model: Any, n: int, inputs: list[str]) -> Any:
    """n patients with their treatment line (from dtrun's treatment_line), valid inputs only, as text."""
    import pandas as pd
    from make_patients import make_patients

    frames, have = [], 0
    seed_block = 0
    while have < n:
        patients = make_patients(min(max(n - have, 1000) * 2, 1_000_000), 1, start=seed_block * 1_000_000)
        seed_block += 1
        lines = engine.evaluate_frame(model, patients, decisions=("treatment_line",))
        frame = pd.DataFrame({"line": lines["treatment_line.line"].astype(object).where(lambda s: s.notna(), ""),
                              "taxane_contraindicated": patients["taxane_contraindicated"],
                              "hr_status": patients["hr_status"]}).astype(str)
        valid = (frame["line"] != "") & frame["taxane_contraindicated"].isin(["true", "false"]) & \
            frame["hr_status"].isin(["positive", "negative"])
        frames.append(frame[valid])
        have += int(valid.sum())
    return pd.concat(frames, ignore_index=True).iloc[:n][inputs]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--peer-records", type=int, default=2000)
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=5, help="dtrun runs per round (median); pyDMNrules runs once")
    parser.add_argument("--repeat", type=int, default=1, help="rounds of both engines in this process")
    args = parser.parse_args()

    from engine import load_workbook

    her2 = load_workbook(WORKBOOK)
    policy, inputs, outputs, rules = table_cells(her2)
    ours = dtrun_model(her2, policy, inputs, outputs, rules)
    frame = records(her2, max(args.records, args.peer_records), inputs)

    started = time.perf_counter()
    import pyDMNrules  # about 20 s: it builds its FEEL parser on import

    imported = time.perf_counter() - started
    with tempfile.TemporaryDirectory() as folder:
        peer = pyDMNrules.DMN()
        status = peer.load(str(pydmnrules_workbook(Path(folder) / "peer.xlsx", policy, inputs, outputs, rules)))
        if "errors" in status:
            raise SystemExit(f"pyDMNrules refused the table: {status['errors']}")
    gc.freeze()  # what both engines loaded is left out of the collector's passes: neither pays for the other's
    shared = frame.iloc[:args.peer_records]
    typed = [{"line": r.line, "taxane_contraindicated": r.taxane_contraindicated == "true", "hr_status": r.hr_status}
             for r in shared.itertuples(index=False)]
    rounds = [_round(ours, peer, frame.iloc[:args.records], typed, args.runs) for _ in range(args.repeat)]
    disagree = _disagreements(engine.evaluate_frame(ours, shared), rounds[-1][2], typed, outputs[0])

    print(f"Table {TABLE} ({len(rules)} rules, hit policy {policy}); pyDMNrules import {imported:.1f} s.\n")
    print("| round | pyDMNrules `decide()` per record | records/s | dtrun `evaluate_frame` (median of "
          f"{args.runs}) | records/s | ratio |\n|---|---|---|---|---|---|")
    ratios = []
    for number, (peer_seconds, ours_seconds, _) in enumerate(rounds, start=1):
        peer_rate, ours_rate = len(typed) / peer_seconds, args.records / ours_seconds
        ratios.append(ours_rate / peer_rate)
        print(f"| {number} | {len(typed):,} in {peer_seconds:.2f} s | {peer_rate:,.0f} | {args.records:,} in "
              f"{ours_seconds:.3f} s | {ours_rate:,.0f} | {ratios[-1]:,.0f}× |")
    ratio = statistics.median(ratios)
    print(f"\nRatio (median of {len(ratios)} round(s)): dtrun {ratio:,.0f}× pyDMNrules' records per second "
          f"(target ≥ {TARGET_RATIO:,}×: {'met' if ratio >= TARGET_RATIO else 'not met'}). Agreement on the "
          f"{len(typed):,} shared records: {len(typed) - len(disagree):,} agree, {len(disagree)} differ.")
    for item in disagree[:10]:
        print("differs:", item)
    if disagree:
        raise SystemExit(1)


def _round(ours: Any, peer: Any, frame: Any, typed: list[dict[str, Any]], runs: int) -> tuple[float, float, list[Any]]:
    """(pyDMNrules' seconds for the typed records, dtrun's median seconds for the frame, pyDMNrules' results)."""
    started = time.perf_counter()
    peer_results = [peer.decide(record) for record in typed]
    peer_seconds = time.perf_counter() - started
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        engine.evaluate_frame(ours, frame)
        times.append(time.perf_counter() - started)
    return peer_seconds, statistics.median(times), peer_results


def _disagreements(mine: Any, peer_results: list[Any], typed: list[dict[str, Any]], output: str) -> list[tuple]:
    """The shared records on which the engines' results differ (or pyDMNrules reported an error)."""
    disagree = []
    for i, (status, decided) in enumerate(peer_results):
        row = decided[-1] if isinstance(decided, list) else decided
        theirs = row.get("Result", {}).get(output) if isinstance(row, dict) else None
        ours_value = mine[f"{TABLE}.{output}"].iloc[i]
        if "errors" in status or theirs != ours_value:
            disagree.append((i, typed[i], theirs, ours_value, status.get("errors")))
    return disagree


if __name__ == "__main__":
    main()
