"""The condition cells of a WHO SMART Guidelines DAK decision-logic workbook, for the tests of the
DAK pseudo-code reader: every cell under the ``Input(s)`` heading of each ``Decision ID`` block,
one rule per row until a blank row or the next block; and the input entries of a DAK's DMN files.  ``DAK`` is the shared material beside the
checkout (``../shared/dak``), as the DMN TCK is."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from openpyxl.utils import get_column_letter

ROOT = Path(__file__).resolve().parent.parent.parent
DAK = Path(os.environ.get("DTRUN_DAK", ROOT.parent / "shared" / "dak"))
ANC_LOGIC = DAK / "anc" / "WHO-SRH-21.2-eng.xlsx"
IMMZ = DAK / "immz"


@dataclass(frozen=True)
class DakCell:
    sheet: str
    cell: str
    decision: str
    text: str


def condition_cells(path: Path, sheet_prefix: str = "") -> list[DakCell]:
    """The non-blank cells of the input columns of every decision table in the workbook (a block
    whose Decision ID reads like ``ANC.DT.25 ...``; the README's example block is not one) on the sheets
    whose names start with ``sheet_prefix`` (``ANC.DT``: the ANC workbook's ``Dev`` sheet copies a table)."""
    import openpyxl

    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    found: list[DakCell] = []
    try:
        for sheet in (s for s in book.worksheets if s.title.startswith(sheet_prefix)):
            decision, inputs = "", None
            for number, row in enumerate(sheet.iter_rows(values_only=True), 1):
                cells = ["" if value is None else str(value) for value in row]
                filled = [(k, c.strip()) for k, c in enumerate(cells) if c.strip()]
                if filled and filled[0][1].startswith("Decision ID"):
                    named = filled[1][1] if len(filled) > 1 else ""
                    decision, inputs = (named if re.match(r"[A-Z]+\.DT\.\d+", named) else ""), None
                elif decision and inputs is None:
                    inputs = _input_columns(filled)
                elif inputs is not None and not filled:
                    decision, inputs = "", None
                elif inputs is not None:
                    found += [DakCell(sheet.title, f"{get_column_letter(k + 1)}{number}", decision, cells[k])
                              for k in inputs if k < len(cells) and cells[k].strip()]
    finally:
        book.close()
    return found


def _input_columns(heading: list[tuple[int, str]]) -> range | None:
    """The columns under ``Input(s)``: from its heading to the next heading on its right."""
    starts = [k for k, text in heading if re.match(r"(?i)inputs?\b|input\(s\)", text)]
    if not starts:
        return None
    after = [k for k, _ in heading if k > starts[0]]
    return range(starts[0], after[0] if after else starts[0] + 1)


def dmn_input_entries(paths: list[Path]) -> list[str]:
    """The pseudo-code of every input entry (its ``<description>``) of WHO DAK DMN files."""
    from xml.etree import ElementTree  # the shared test material, not a user's file

    found = []
    for path in paths:
        for entry in ElementTree.parse(path).iter():
            if entry.tag.endswith("}inputEntry"):
                found += [child.text or "" for child in entry if child.tag.endswith("}description")]
    return found
