"""The per-table counts of docs/dak.md: each decision table of the WHO ANC DAK as dtrun reads it.

For every Decision ID block read from the DAK decision-logic workbook (with its data dictionary):
the DAK's rule rows, the dtrun rules they become, the condition cells (non-blank cells under
Input(s)), how many are read and why the others are not, and dtrun lint's findings by code.  The
Markdown table is written into docs/dak.md between the markers below (the rest of the page is
kept); tests/formats/test_dak_anc.py recomputes it from the shipped workbook and compares.

    python scripts/dak_report.py                  # print the table
    python scripts/dak_report.py --write          # and write it into docs/dak.md
    python scripts/dak_report.py --dak X.xlsx --dictionary Y.xlsx
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "dak" / "anc"
DAK, DICTIONARY = SHARED / "WHO-SRH-21.2-eng.xlsx", SHARED / "WHO-ANC.xlsx"
DOC = ROOT / "docs" / "dak.md"
BEGIN, END = "<!-- dak_report: begin (scripts/dak_report.py writes this table) -->", "<!-- dak_report: end -->"
CODES = ("dak-syntax", "unsatisfiable", "dak-name", "dak-pairing", "value-not-allowed", "type-mismatch",
         "conflict*", "conflict", "overlap", "gap", "subsumed-rule", "mergeable-rules", "not-analysed")
KINDS = ("closing quote but no opening quote", "has no closing quote", "a quote inside the words", "a doubled quote",
         "is not a comparison", "is not compared with anything", "two units", "unexpected text",
         "nothing between them", "more than 64 alternatives", "tests")  # a reason, without the names it holds


def kind(reason: str) -> str:
    return next((k for k in KINDS if k in reason), reason)


def tested(table, rule_id: str) -> frozenset[int]:  # type: ignore[no-untyped-def]
    """The input columns a rule tests (not -)."""
    rule = next(r for r in table.rules if r.id == rule_id)
    return frozenset(i for i, cell in enumerate(rule.inputs) if not cell.is_any)


def code_of(finding, tables) -> str:  # type: ignore[no-untyped-def]
    """``conflict*`` for a conflict between rules that test the same data elements (the kind a
    reviewer must look at first), else the finding's code."""
    table = tables.get(finding.table)
    if finding.code != "conflict" or table is None:
        return finding.code
    return "conflict*" if len({tested(table, r) for r in finding.rules}) == 1 else "conflict"


def report(dak: Path = DAK, dictionary: Path | None = DICTIONARY) -> str:
    """The Markdown of the per-table counts and the totals."""
    sys.path.insert(0, str(ROOT))
    from engine.analysis.lint import lint_model
    from engine.formats.dak.reader import read_dak

    document, model = read_dak(dak, dictionary, recover=True)
    findings = lint_model(model)
    tables = {model.source.table_name(t.name): t for t in model.tables}
    by_table: dict[str, Counter[str]] = {}
    for finding in findings:
        by_table.setdefault(finding.table or "", Counter())[code_of(finding, tables)] += 1
    lines = ["| Decision ID | sheet | DAK rules | dtrun rules | condition cells | read | not read (reason: cells) "
             "| findings by code |", "|---|---|---|---|---|---|---|---|"]
    cells = read = 0
    for counts in document.counts:
        why: Counter[str] = Counter()
        for reason, n in counts.not_read.items():
            why[kind(reason)] += n
        reasons = "; ".join(f"{k}: {n}" for k, n in sorted(why.items())) or "–"
        found = by_table.get(counts.decision_id, Counter())
        codes = ", ".join(f"{code} {found[code]}" for code in CODES if found[code]) or "–"
        lines.append(f"| {counts.decision_id} | {counts.sheet} | {counts.rules} | {counts.dtrun_rules} | "
                     f"{counts.condition_cells} | {counts.read} | {reasons} | {codes} |")
        cells, read = cells + counts.condition_cells, read + counts.read
    total = Counter(code_of(f, tables) for f in findings)
    lines += ["", f"**{len(document.counts)} decision tables; {read} of {cells} condition cells read "
              f"({100 * read / cells:.1f}%).** Findings in all: "
              + ", ".join(f"{code} {total[code]}" for code in sorted(total)) + "."]
    return "\n".join(lines) + "\n"


def write(text: str, doc: Path = DOC) -> None:
    page = doc.read_text(encoding="utf-8")
    if BEGIN not in page or END not in page:
        raise SystemExit(f"{doc}: the markers {BEGIN} and {END} are missing")
    head, rest = page.split(BEGIN, 1)
    doc.write_text(f"{head}{BEGIN}\n{text}{END}{rest.split(END, 1)[1]}", encoding="utf-8")


def documented(doc: Path = DOC) -> str:
    """The table as docs/dak.md holds it."""
    page = doc.read_text(encoding="utf-8")
    return page.split(BEGIN, 1)[1].split(END, 1)[0].lstrip("\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dak", type=Path, default=DAK)
    parser.add_argument("--dictionary", type=Path, default=DICTIONARY)
    parser.add_argument("--write", action="store_true", help="write the table into docs/dak.md")
    args = parser.parse_args()
    text = report(args.dak, args.dictionary)
    print(text)
    if args.write:
        write(text)


if __name__ == "__main__":
    main()
