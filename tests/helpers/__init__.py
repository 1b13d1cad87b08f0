"""What the tests share, in one package: the repository's paths, and builders of inputs.
Test modules import from here, never from each other.

- ``helpers.workbooks``: decision-table workbooks built in code (``sheets_for``,
  ``make_workbook``, ``model_for``);
- ``helpers.dmn``: DMN models written in code;
- ``helpers.frames``: result frames compared by value;
- ``helpers.tables``: random small tables for the verifier's brute-force oracle;
- ``helpers.unary``: random cells of unary tests from given literals (hypothesis);
- ``helpers.hostile``: hostile and broken workbook files.
"""

from __future__ import annotations

import os
from pathlib import Path

from helpers.dmn import ITEMS, clause, decision, dmn, rule, without_spans, write
from helpers.frames import missing, plain, rows
from helpers.tables import (
    CELLS_BY_KIND,
    POLICIES,
    PRIORITIES,
    Col,
    Spec,
    parse_cell,
    random_spec,
)
from helpers.workbooks import (
    INPUT_HEADER,
    Unwritable,
    inputs_sheet,
    make_workbook,
    model_for,
    one_table,
    sheets_for,
    table_sheet,
    write_sheets,
)

TESTS = Path(__file__).resolve().parent.parent
ROOT = TESTS.parent
EXAMPLE_WORKBOOK = ROOT / "decision_tables" / "her2_mbc_brain_mets.xlsx"
EXAMPLE_PATIENTS = ROOT / "decision_tables" / "examples" / "her2_patients.csv"
# The DMN TCK cases lie in shared/ beside the checkout (as on developers' machines and in CI).
TCK = Path(os.environ.get("DTRUN_TCK", ROOT.parent / "shared" / "tck"))

__all__ = [
    "CELLS_BY_KIND", "EXAMPLE_PATIENTS", "ITEMS", "EXAMPLE_WORKBOOK", "INPUT_HEADER", "POLICIES", "PRIORITIES", "ROOT", "TCK",
    "TESTS", "Col", "Spec", "Unwritable", "clause", "decision", "dmn", "inputs_sheet", "make_workbook", "missing",
    "model_for", "one_table", "parse_cell", "plain", "random_spec", "rows", "rule", "sheets_for", "table_sheet",
    "without_spans", "write", "write_sheets",
]
