"""The workbook examples of docs/conditions.md run as written: each ```workbook block (a sheet per
``Sheet: NAME`` line, its pipe-table rows as the workbook holds them, header row first) is
built into a workbook, the ```patients block after it (CSV) evaluated with ``dtrun evaluate``,
and the output columns compared with the ```results block (CSV, ``table.output`` headers).

(A harness for these blocks across the docs comes with the docs-examples work; this one checks
the examples of "Dates, times and durations" until it does.)"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import write_sheets

from engine.cli import main

DOC = Path(__file__).parent.parent / "docs" / "conditions.md"
_BLOCK = re.compile(r"```(workbook|patients|results)\n(.*?)```", re.S)


def examples(text: str) -> list[tuple[str, str, str]]:
    """(workbook, patients, results) blocks, in the order the page gives them."""
    found, current = [], {}
    for kind, body in _BLOCK.findall(text):
        current[kind] = body
        if kind == "results":
            found.append((current.pop("workbook"), current.pop("patients"), body))
    return found


def sheets(block: str) -> dict[str, list[list[object]]]:
    """``Sheet: NAME`` then ``| a | b |`` rows: the sheets, an empty cell as no value."""
    result: dict[str, list[list[object]]] = {}
    rows: list[list[object]] = []
    for line in block.splitlines():
        if line.startswith("Sheet:"):
            rows = result.setdefault(line.split(":", 1)[1].strip(), [])
        elif line.strip().startswith("|"):
            cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
            rows.append([cell or None for cell in cells])
    return result


EXAMPLES = examples(DOC.read_text(encoding="utf-8"))


def test_the_page_has_the_temporal_examples() -> None:
    assert len(EXAMPLES) >= 2
    assert any("days and time duration" in workbook for workbook, _, _ in EXAMPLES)


@pytest.mark.parametrize("workbook, patients, results", EXAMPLES, ids=lambda text: text.split("\n")[0][:40])
def test_an_example_gives_its_results(tmp_path: Path, workbook: str, patients: str, results: str) -> None:
    path = write_sheets(tmp_path / "example.xlsx", sheets(workbook))
    data = tmp_path / "patients.csv"
    data.write_text(patients, encoding="utf-8")
    run = CliRunner().invoke(main, ["evaluate", str(path), str(data), "-o", "-"])
    assert run.exit_code == 0, run.output
    got = list(csv.DictReader(io.StringIO(run.stdout)))
    wanted = list(csv.DictReader(io.StringIO(results)))
    assert all(row["_errors"] == "" for row in got), [row["_errors"] for row in got]
    assert [{k: row[k] for k in wanted[0]} for row in got] == wanted
