"""``dtrun lint --annotate``: a copy of a workbook with the lint findings on its cells.

Owns how findings are shown inside Excel: every finding becomes part of a cell comment
(author ``dtrun lint``; severity, code, message and hint; several findings on one cell
are joined, an author's own comment is kept above them) and the cells concerned get a fill
colour by their worst severity (error red, warning amber, info lavender: none of them the
header fills of ``dtrun new``), unless the author filled the cell: dtrun never paints over
an author's formatting.  Gaps point at the headings of the columns they constrain; a
finding about one rule (masked, partly masked, subsumed) at that rule only, not at the rules
that mask it; table-level findings at A1 of their sheet, workbook-level ones at A1 of the
first sheet.  Annotating a copy annotated before first removes dtrun's earlier marks (its
comments, and its fills on the cells it commented), so the copy shows today's findings only.
Waived findings are not marked.

The original workbook is never modified: the copy is written to another path, atomically
(a temporary file beside it, renamed over it only when complete).  The copy is made with
openpyxl, which keeps values, formulas, styles, comments, hidden state and column widths,
but not every Excel feature (images and charts are dropped).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from engine._core.errors import InputDataError
from engine.analysis.findings import Finding

AUTHOR = "dtrun lint"
FILLS = {"error": "FFC7CE", "warning": "FFEB9C", "info": "E4DFEC"}  # Excel's light red, amber, lavender
SEPARATOR = f"\n\n--- {AUTHOR} ---\n"  # between an author's comment and dtrun's findings
ABOUT_ONE_RULE = frozenset({"masked-rule", "partly-masked-rule", "subsumed-rule"})  # the other cells are context
_RANK = {"error": 0, "warning": 1, "info": 2}
_MAX_COMMENT = 32_000  # Excel keeps at most 32,767 characters in a comment
_MAX_RANGE = 200  # cells of one range reference that get a comment each


def annotate(workbook_path: str | Path, findings: Iterable[Finding], out_path: str | Path) -> Path:
    """Write a copy of ``workbook_path`` to ``out_path`` with ``findings`` (those of this
    workbook) as comments and fills; returns ``out_path``."""
    import openpyxl

    source, target = Path(workbook_path), Path(out_path)
    if target.exists() and source.exists() and target.resolve() == source.resolve():
        raise InputDataError(f"{target}: --annotate writes a copy; give another file name than the workbook's")
    if target.suffix.lower() != ".xlsx":
        raise InputDataError(f"{target}: the annotated copy must be an .xlsx file")
    try:
        book = openpyxl.load_workbook(source)
    except Exception as error:  # openpyxl raises many kinds for files that are not workbooks
        raise InputDataError(f"{source}: cannot read the workbook to annotate it ({error})") from None
    _remove_earlier_marks(book)
    mine = [f for f in findings if _same_file(f.workbook, source) and not f.waived]  # accepted: no mark
    notes: dict[tuple[str, str], list[Finding]] = {}
    for finding in mine:
        sheet = finding.sheet if finding.sheet in book.sheetnames else book.sheetnames[0]
        for cell in _targets(book[sheet], finding):
            notes.setdefault((sheet, cell), []).append(finding)
    for (sheet, ref), found in notes.items():
        _mark(book[sheet][ref], found)
    with _atomic(target) as temporary:
        book.save(temporary)
    return target


def annotate_all(workbooks: list[Path], findings: list[Finding], out: str | Path) -> list[Path]:
    """The ``--annotate OUT`` option: OUT.xlsx for one workbook; for several, OUT must be a
    folder and each copy keeps its workbook's name there."""
    out = Path(out)
    models = [w for w in workbooks if w.suffix.lower() == ".dmn"]
    if models:
        raise InputDataError(f"{models[0]}: --annotate marks cells of .xlsx workbooks only; convert the DMN model "
                             "with dtrun convert MODEL.dmn MODEL.xlsx and lint that workbook")
    readable = [w for w in workbooks
                if not any(f.code == "unreadable" and _same_file(f.workbook, w) for f in findings)]
    if out.is_dir():
        targets = [(w, out / w.name) for w in readable]
        names = [t.name for _, t in targets]
        if len(set(names)) != len(names):
            raise InputDataError(f"{out}: several workbooks have the same name; annotate them one at a time")
    elif len(workbooks) == 1:
        targets = [(w, out) for w in readable]
    else:
        raise InputDataError(f"{out}: with several workbooks, --annotate needs an existing folder")
    return [annotate(workbook, findings, target) for workbook, target in targets]


def comment_text(findings: list[Finding]) -> str:
    """The text dtrun puts in a comment: one paragraph per finding, errors first."""
    parts = []
    for finding in sorted(findings, key=lambda f: (_RANK.get(f.severity, 3), f.code, f.message)):
        text = f"{finding.severity} [{finding.code}]: {finding.message}"
        if finding.rules:
            text += f" (rules {', '.join(finding.rules)})"
        if finding.hint:
            text += f"\nHint: {finding.hint}"
        parts.append(text)
    return "\n\n".join(dict.fromkeys(parts))


def _mark(cell: Any, findings: list[Finding]) -> None:
    from openpyxl.comments import Comment
    from openpyxl.styles import PatternFill

    text, author = comment_text(findings), AUTHOR
    if cell.comment is not None:  # the author's own comment stays, above, with its author
        text, author = f"{cell.comment.text.rstrip()}{SEPARATOR}{text}", cell.comment.author or AUTHOR
    if len(text) > _MAX_COMMENT:
        text = text[:_MAX_COMMENT - 20] + "\n[... cut short]"
    lines = sum(1 + len(line) // 60 for line in text.splitlines())
    cell.comment = Comment(text, author, height=min(600, 20 + 15 * lines), width=420)
    if cell.fill is not None and cell.fill.fill_type not in (None, "none"):
        return  # the author's fill: never painted over
    worst = min(findings, key=lambda f: _RANK.get(f.severity, 3)).severity
    colour = FILLS.get(worst, FILLS["info"])
    cell.fill = PatternFill(fill_type="solid", start_color=colour, end_color=colour)


def _remove_earlier_marks(book: Any) -> None:
    """dtrun's comments and, on the cells they were on, its fills, from an earlier annotation."""
    from openpyxl.comments import Comment
    from openpyxl.styles import PatternFill

    ours = {f"00{c}" for c in FILLS.values()} | {f"FF{c}" for c in FILLS.values()} | set(FILLS.values())
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                comment = cell.comment
                if comment is None or (comment.author != AUTHOR and SEPARATOR not in comment.text):
                    continue
                kept = comment.text.split(SEPARATOR)[0] if SEPARATOR in comment.text else ""
                cell.comment = Comment(kept, comment.author) if kept.strip() else None
                if cell.fill is not None and cell.fill.fill_type == "solid" and str(cell.fill.fgColor.rgb) in ours:
                    cell.fill = PatternFill(fill_type=None)


def _targets(sheet: Any, finding: Finding) -> list[str]:
    """The cells of ``sheet`` a finding is shown on (A1 when it names none that exist)."""
    from openpyxl.utils.cell import range_boundaries
    from openpyxl.utils.exceptions import CellCoordinatesException

    if finding.sheet != sheet.title:
        return ["A1"]  # a workbook-level finding, or a sheet that is gone
    cells: list[str] = []
    for ref in (finding.cells[:1] if finding.code in ABOUT_ONE_RULE else finding.cells) or ("A1",):
        try:
            low_col, low_row, high_col, high_row = range_boundaries(ref.replace("$", ""))
        except (ValueError, TypeError, CellCoordinatesException):
            continue
        if None in (low_col, low_row, high_col, high_row):
            continue  # a whole row or column: not a cell
        for row in range(low_row, high_row + 1):
            for column in range(low_col, high_col + 1):
                if len(cells) < _MAX_RANGE:
                    cells.append(sheet.cell(row=row, column=column).coordinate)
    return list(dict.fromkeys(cells)) or ["A1"]


def _same_file(name: str, path: Path) -> bool:
    if not name:
        return True
    try:
        return Path(name).resolve() == path.resolve()
    except OSError:
        return Path(name) == path


def _atomic(target: Path) -> Any:
    from engine._core.atomic import atomic_path

    return atomic_path(target)
