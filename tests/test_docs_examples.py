"""The workbook examples of the documentation run as shown: every ```workbook block in
docs/*.md is built into an .xlsx (openpyxl, in tmp_path), loaded with ``engine.load`` and
evaluated on the example's ```patients; every cell of its ```results is compared with what
``dtrun evaluate`` writes (CSV text) and with the reference, ``engine.evaluate`` record by
record; a ```lint block lists the finding codes ``dtrun lint`` must report, no more, no less.

The form of an example, in a page::

    ```workbook
    Sheet: Inputs
    | Name      | Type   | Allowed values |
    | weight_kg | number | [1..400]       |
    Sheet: dose
    | U  | weight_kg | dose_mg                        |
    |    | input     | output                         |
    |    |           |                                |
    | R1 | -         | round half up(8 * weight_kg, 0) |
    ```

One line per row of a sheet, from row 1, its cells between ``|`` from column A; a blank cell
is an empty cell (an empty row 3 is ``|  |  |``); a line of dashes (``|---|---|``) is skipped;
every cell is written as text (so a cell cannot hold ``|``), the About sheet may be left out.
The ```patients block is a CSV file; the ```results block a CSV file of result columns
(``dose.dose_mg``, ``_errors``) with one row per patient, each cell the text ``dtrun
evaluate`` writes (``...`` in a cell stands for any text, as in a doctest).  A ```lint
block holds finding codes separated by spaces (``(no findings)``: none).  A failing
example names the page, the line of its ```workbook block and the cell that differs.
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import ROOT, write_sheets

import engine
from engine.cli import main
from engine.evaluation.record import format_cell
from engine.files import read_patients

DOCS = ROOT / "docs"
FENCE = re.compile(r"^```(\w*)\s*$")
SEPARATOR = re.compile(r"^\|?[\s:|-]*-{3,}[\s:|-]*$")


@dataclass
class Example:
    """One ```workbook block of a page and the blocks that follow it."""

    page: str
    line: int  # of the ```workbook fence, 1-based
    sheets: dict[str, list[list[str | None]]] = field(default_factory=dict)
    patients: str | None = None
    results: str | None = None
    lint: list[str] | None = None

    @property
    def name(self) -> str:
        return f"{self.page}:{self.line}"


def examples_in(path: Path, page: str | None = None) -> list[Example]:
    """The examples of one page, in order; a block other than workbook/patients/results/lint
    ends nothing and belongs to no example."""
    found: list[Example] = []
    lines = path.read_text(encoding="utf-8").splitlines()
    index = 0
    while index < len(lines):
        opened = FENCE.match(lines[index])
        if not opened or not opened.group(1):
            index += 1
            continue
        start, kind = index + 1, opened.group(1)
        end = start
        while end < len(lines) and lines[end].strip() != "```":
            end += 1
        body = lines[start:end]
        if kind == "workbook":
            found.append(Example(page or path.name, start, _sheets(body, f"{page or path.name}:{start}")))
        elif kind in ("patients", "results", "lint") and found:
            text = "\n".join(body) + "\n"
            if kind == "lint":  # the codes; "(no findings)" (any text in brackets) for none
                codes = re.sub(r"\(.*?\)", " ", text).split()
                found[-1].lint = sorted(code.strip(",") for code in codes)
            else:
                setattr(found[-1], kind, text)
        index = end + 1
    return found


def _sheets(body: list[str], where: str) -> dict[str, list[list[str | None]]]:
    sheets: dict[str, list[list[str | None]]] = {}
    rows: list[list[str | None]] | None = None
    for text in body:
        line = text.strip()
        if line.lower().startswith("sheet:"):
            rows = sheets.setdefault(line.split(":", 1)[1].strip(), [])
        elif not line or SEPARATOR.match(line):
            continue
        elif rows is None:
            raise AssertionError(f"{where}: a row before the first 'Sheet: NAME' line: {text!r}")
        else:
            line = line[1:] if line.startswith("|") else line
            line = line[:-1] if line.endswith("|") else line
            rows.append([cell.strip() or None for cell in line.split("|")])
    return sheets


def all_examples() -> list[Example]:
    return [example for page in sorted(DOCS.glob("*.md")) for example in examples_in(page, f"docs/{page.name}")]


# ---------------------------------------------------------------------- the check
def differences(example: Example, folder: Path) -> list[str]:
    """What differs between the example and what dtrun does, one line per cell."""
    workbook = write_sheets(folder / "example.xlsx", example.sheets)
    found: list[str] = []
    if example.results is not None:
        found += _results_differ(example, workbook, folder)
    if example.lint is not None:
        found += _lint_differs(example, workbook)
    return [f"{example.name}: {line}" for line in found]


def _results_differ(example: Example, workbook: Path, folder: Path) -> list[str]:
    if example.patients is None:
        return ["a ```results block needs a ```patients block before it"]
    patients = folder / "patients.csv"
    patients.write_text(example.patients, encoding="utf-8")
    run = CliRunner().invoke(main, ["evaluate", str(workbook), str(patients), "-o", "-"])
    if run.exit_code != 0:
        return [f"dtrun evaluate exits {run.exit_code}: {run.output.strip()}"]
    written = list(csv.DictReader(io.StringIO(run.stdout)))
    expected = list(csv.DictReader(io.StringIO(example.results)))
    model = engine.load(workbook)
    records = read_patients(patients).to_dict("records")  # the rows dtrun reads (a blank line too)
    found = [] if len(written) == len(expected) else [f"{len(expected)} result rows shown, dtrun gives {len(written)}"]
    for number, (want, got, record) in enumerate(zip(expected, written, records), start=1):
        reference = engine.evaluate(model, {k: v for k, v in record.items() if v not in ("", None)})
        for column, text in want.items():
            if column not in got:
                found.append(f"results column {column}: dtrun writes no such column")
                continue
            if not _same(text, got[column]):
                found.append(f"results row {number}, column {column}: shown {text!r}, dtrun evaluate writes "
                             f"{got[column]!r}")
            mine = _reference_text(reference, column)
            if mine is not None and not _same(text, mine):
                found.append(f"results row {number}, column {column}: shown {text!r}, engine.evaluate gives "
                             f"{mine!r}")
    return found


def _reference_text(result: engine.RecordResult, column: str) -> str | None:
    """The reference's value as a CSV cell's text (None: a column the reference does not give)."""
    row = result.row()
    if column not in row:
        return None
    value = format_cell(row[column])
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _same(shown: str, actual: str) -> bool:
    if "..." not in shown:
        return shown == actual
    return re.fullmatch(".*?".join(re.escape(part) for part in shown.split("...")), actual, re.DOTALL) is not None


def _lint_differs(example: Example, workbook: Path) -> list[str]:
    run = CliRunner().invoke(main, ["lint", str(workbook), "--format", "json"])
    if run.exit_code not in (0, 1):
        return [f"dtrun lint exits {run.exit_code}: {run.output.strip()}"]
    codes = sorted(finding["code"] for finding in _findings(json.loads(run.stdout)))
    if codes != example.lint:
        return [f"lint: shown {' '.join(example.lint) or '(no finding)'}, dtrun lint reports "
                f"{' '.join(codes) or '(no finding)'}"]
    return []


def _findings(report: object) -> list[dict]:
    if isinstance(report, list):
        return [item for part in report for item in _findings(part)]
    if isinstance(report, dict):
        if "code" in report:
            return [report]
        return [item for value in report.values() if isinstance(value, (list, dict)) for item in _findings(value)]
    return []


# ---------------------------------------------------------------------- the tests
EXAMPLES = all_examples()


@pytest.mark.parametrize("example", EXAMPLES, ids=[example.name for example in EXAMPLES])
def test_the_example_gives_what_the_page_shows(example: Example, tmp_path: Path) -> None:
    assert example.results is not None or example.lint is not None, \
        f"{example.name}: a ```workbook block needs a ```results or a ```lint block after it"
    assert differences(example, tmp_path) == []


def test_the_conditions_page_has_an_example_of_each_kind() -> None:
    shown = {example.line: example for example in EXAMPLES if example.page == "docs/conditions.md"}
    text = json.dumps([example.sheets for example in shown.values()])
    for kind in ("Expression", "date", "list of string", "round half up"):
        assert kind in text, f"docs/conditions.md has no workbook example with {kind}"


BROKEN = """\
```workbook
Sheet: Inputs
| Name      | Type   |
|-----------|--------|
| weight_kg | number |
Sheet: dose
| U  | weight_kg | dose_mg     |
|    | input     | output      |
|    |           |             |
| R1 | < 10      | 8 * weight_kg |
```

```patients
weight_kg
5
50.475
```

```results
dose.dose_mg,dose.rules,_errors
40,R1,
404,R1,...
```

```lint
overlap
```
"""


def test_a_wrong_example_fails_naming_the_page_line_and_cell(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text(BROKEN, encoding="utf-8")
    (example,) = examples_in(page)
    assert example.sheets["dose"][2] == [None, None, None] and example.lint == ["overlap"]
    assert differences(example, tmp_path) == [
        "page.md:1: results row 2, column dose.dose_mg: shown '404', dtrun evaluate writes ''",
        "page.md:1: results row 2, column dose.dose_mg: shown '404', engine.evaluate gives ''",
        "page.md:1: results row 2, column dose.rules: shown 'R1', dtrun evaluate writes ''",
        "page.md:1: results row 2, column dose.rules: shown 'R1', engine.evaluate gives ''",
        "page.md:1: lint: shown overlap, dtrun lint reports gap",
    ]


def test_an_ellipsis_stands_for_any_text() -> None:
    assert _same("a: ... is not allowed", "a: 200 is not allowed") and not _same("a: ...!", "a: 200 is not")
    assert _same("x", "x") and not _same("x", "x ")
