"""The view of a model as HTML, through Jinja2 templates (``engine/review/templates``).

Owns what the HTML pages of a model share: the templates' environment (autoescaped: every
text of a workbook is escaped where it is written), the anchor of a cell, the marks put on
cells and rows (lint findings with their numbered footnotes, and whatever a page adds: the
rules that matched a patient, the cells that failed), the columns of sentences that keep
their width in a table that scrolls (Reference, Guidance, descriptions), and the page of
``dtrun show --format html``.  ``dtrun serve``'s pages (``engine.serve``) extend the same
templates.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from engine.analysis.findings import Finding, summarised
from engine.review.anchors import anchor
from engine.review.view import Cell, Section

TEMPLATES = Path(__file__).resolve().parent / "templates"
RANK = {"error": 0, "warning": 1, "info": 2}
MARKS = 5  # findings a cell's tooltip and footnotes name; past them, a count and a link to the list
Place = tuple[str, str]  # (sheet or DMN element, cell address or DMN part), as lint findings name it


def environment(*folders: Path) -> Any:
    """A Jinja2 environment over ``folders`` then this package's templates, autoescaping all."""
    import jinja2

    env = jinja2.Environment(loader=jinja2.FileSystemLoader([*map(str, folders), str(TEMPLATES)]),
                             autoescape=True, trim_blocks=True, lstrip_blocks=True,
                             undefined=jinja2.StrictUndefined, keep_trailing_newline=True)
    env.globals.update(anchor=anchor, place_of=place_of, prose_columns=prose_columns)
    return env


def place_of(section: Section, cell: Cell) -> Place | None:
    """Where ``cell`` is, as findings name places; None for a cell that is no place of its own."""
    return (cell.where or section.sheet, cell.ref) if cell.ref or cell.where else None


@dataclass
class Marks:
    """What a page marks (built up while the page is made, then read by its template): per
    cell its classes, its tooltip lines and its footnotes (label, link); per row of a section
    (sheet, index in ``Section.rows``) its classes."""

    cells: dict[Place, dict[str, list[Any]]] = field(default_factory=dict)
    rows: dict[tuple[str, int], list[str]] = field(default_factory=dict)

    def cell(self, place: Place | None) -> dict[str, list[Any]]:
        empty: dict[str, list[Any]] = {"classes": [], "tips": [], "notes": []}
        return self.cells.get(place, empty) if place else empty

    def row(self, sheet: str, index: int) -> list[str]:
        return self.rows.get((sheet, index), [])

    def add(self, place: Place, css: str = "", tip: str = "", note: tuple[str, str] | None = None) -> None:
        mark = self.cells.setdefault(place, {"classes": [], "tips": [], "notes": []})
        if css and css not in mark["classes"]:
            mark["classes"].append(css)
        if tip:
            mark["tips"].append(tip)
        if note:
            mark["notes"].append(note)

    def add_row(self, sheet: str, index: int, css: str) -> None:
        self.rows.setdefault((sheet, index), []).append(css)


@dataclass(frozen=True)
class Numbered:
    """A finding as listed on a page: its number, its place's text and the link to its cell."""

    number: int
    finding: Finding
    where: str
    link: str  # '' when its cell is not shown


def mark_findings(view: Sequence[Section], findings: Iterable[Finding], marks: Marks | None = None,
                  prefix: str = "f") -> tuple[list[Numbered], Marks]:
    """The findings numbered and marked on their cells: the worst severity colours a cell, its
    tooltip gives the first ``MARKS`` findings on it, each a footnote linking to its entry, and
    the count of the others (a page of thousands of findings stays a page, not gigabytes)."""
    marks = marks if marks is not None else Marks()
    shown = {place_of(s, c) for s in view for row in (*s.header, *s.rows) for c in row} - {None}
    listed = []
    worst: dict[Place, str] = {}
    count: dict[Place, int] = {}
    for number, finding in enumerate(findings, start=1):
        first = finding.cells[0] if finding.cells else ""
        where = f"{finding.sheet}!{first}" if first else finding.sheet or "workbook"
        link = f"#{anchor(finding.sheet, first)}" if (finding.sheet, first) in shown else ""
        listed.append(Numbered(number, finding, where, link))
        for ref in finding.cells or ("",):
            place = (finding.sheet, ref)
            count[place] = count.get(place, 0) + 1
            if count[place] <= MARKS:
                marks.add(place, tip=f"{finding.severity}[{finding.code}]: {finding.advice}",
                          note=(str(number), f"#{prefix}{number}"))
            worst[place] = min(worst.get(place, finding.severity), finding.severity, key=lambda s: RANK.get(s, 3))
    for place, severity in worst.items():
        marks.cells[place]["classes"].insert(0, severity)
        if count[place] > MARKS:
            more = count[place] - MARKS
            marks.add(place, tip=f"... and {more} more findings on this cell (see the list of findings)",
                      note=(f"+{more}", "#findings"))
    return listed, marks


def prose_columns(section: Section) -> list[int]:
    """The columns of sentences (annotations such as Reference and Guidance, descriptions): a
    table that scrolls keeps them wide enough to read."""
    count = max((len(row) for row in (*section.header, *section.rows)), default=0)
    found = []
    for index in range(count):
        cells = [row[index] for row in section.rows if index < len(row)]
        roles = [row[index].text for row in section.header[1:2] if index < len(row)]
        if "annotation" in roles or (not any(c.code for c in cells)
                                     and any(" " in c.text and len(c.text) > 20 for c in cells)):
            found.append(index)
    return found


def heading(model: Any) -> str:
    """The model's title and version; never the file's name (git's textconv gives a temporary one)."""
    title = model.title or "Decision tables"
    return f"{title} (version {model.version})" if model.version else title


def show_page(model: Any, view: Sequence[Section], findings: Sequence[Finding]) -> str:
    """``dtrun show --format html``: a standalone page, findings marked on their cells."""
    findings = summarised(list(findings))  # as dtrun lint lists them: the first 20 of a code in a table, then a count
    listed, marks = mark_findings(view, findings)
    drawn: dict[str, str] = {}
    reasons: dict[str, str] = {}
    if any(section.kind == "table" for section in view):  # the coverage pictures of the tables shown
        from engine.review.pictures import pictures_and_reasons

        drawn, reasons = pictures_and_reasons(model, findings)
    return environment().get_template("show.html").render(title=heading(model), view=view, findings=listed,
                                                          marks=marks, extra={}, drawn=drawn, reasons=reasons)

