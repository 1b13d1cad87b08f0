"""``dtrun show``: a workbook rendered as its author sees it, for terminals, pull requests and browsers.

Owns three renderings of the view of a model (``engine.review.view``): ``text`` (rich tables,
no colour, a fixed width), ``markdown`` (GitHub tables) and ``html`` (a standalone page, lint
findings highlighted on their cells).  The output depends only on the workbook's
content, never on the file's name or the clock, so that it can serve as git's text
conversion for ``.xlsx`` files (``docs/review.md``).
"""

from __future__ import annotations

import html
import io
import re
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from engine._core.cells import cell_ref
from engine.analysis.findings import Finding
from engine.formats.xlsx.layout import cell_text
from engine.model.types import Model
from engine.review.anchors import anchor as _anchor
from engine.review.view import BROKEN, Cell, Section, sections

if TYPE_CHECKING:  # pragma: no cover
    from engine._core.errors import WorkbookError

FORMATS = ("text", "markdown", "html", "lines")
DEFAULT_WIDTH = 120


# ---------------------------------------------------------------------- renderings
def render(model: Model, fmt: str = "text", table: str | None = None, findings: Iterable[Finding] = (),
           width: int = DEFAULT_WIDTH) -> str:
    """``model`` shown in ``fmt`` (text, markdown or html); ``findings`` are highlighted in html.
    KeyError if ``table`` names no table of the model."""
    view = sections(model, table)
    if fmt == "text":
        return text(model, view, width)
    if fmt == "markdown":
        return markdown(model, view)
    if fmt == "html":
        name = model.source.table_name(table) if table is not None else None
        shown = [f for f in findings if table is None or f.sheet == table or (name and f.table == name)]
        return page(model, view, shown)
    if fmt == "lines":
        return lines(model, view)
    raise ValueError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")


def _heading(model: Model) -> str:
    """The model's title and version; never the file's name (git's textconv gives a temporary one)."""
    title = model.title or "Decision tables"
    return f"{title} (version {model.version})" if model.version else title


# text --------------------------------------------------------------------------------------
def text(model: Model, view: list[Section], width: int = DEFAULT_WIDTH) -> str:
    from rich import box
    from rich.console import Console
    from rich.table import Table as RichTable
    from rich.text import Text

    buffer = io.StringIO()
    console = Console(file=buffer, width=width, color_system=None, force_terminal=False, force_jupyter=False,
                      force_interactive=False, highlight=False, markup=False, emoji=False, legacy_windows=False)
    console.print(Text(_heading(model)))
    for section in view:
        console.print()
        console.print(Text(f"== {section.title} =="))
        for note in section.notes:
            console.print(Text(note))
        if section.kind in ("about", "tests"):
            for line in _record_lines(section):
                console.print(Text(_wrapped(line, width)))
            continue
        headings = ["\n".join(c.text for c in column if c.text) for column in zip(*section.header)]
        columns = [[heading, *(_plain(row[index]) for row in section.rows)] for index, heading in enumerate(headings)]
        prose = [_prose([row[index] for row in section.rows]) for index in range(len(headings))]
        natural = [max(len(line) for cell in column for line in cell.splitlines() or [""]) for column in columns]
        widths = column_widths(natural, prose, width - 3 * len(headings) - 1)
        grid = RichTable(box=box.SQUARE, show_lines=True, header_style="")
        for heading, room in zip(headings, widths):
            grid.add_column(Text(heading), overflow="fold", width=room)
        for row in section.rows:
            grid.add_row(*(Text(_plain(c)) for c in row))
        console.print(grid)
    return "\n".join(line.rstrip() for line in buffer.getvalue().splitlines()) + "\n"


def lines(model: Model, view: list[Section]) -> str:
    """One line per row (an About key, an input, a table's header row or rule, a test case),
    never wrapped or aligned, in the workbook's order: for git's textconv, so that a one-cell
    change is a one-line diff (``git diff --word-diff`` then shows the cell)."""
    out = [_heading(model)]
    for section in view:
        out += ["", f"== {section.title} ==", *section.notes]
        if section.kind in ("about", "tests"):
            out += [_one_line(line) for line in _record_lines(section)]
            continue
        headings = [" ".join(c.text for c in column if c.text) for column in zip(*section.header[:2])]
        if section.kind == "table":
            out.append("columns: " + " | ".join(headings[1:]))
            if len(section.header) > 2:
                out.append("allowed: " + " | ".join(f"{h}: {_one_line(c.text)}" for h, c in
                                                     zip(headings[1:], section.header[2][1:]) if c.text))
            headings = ["", *(h.rsplit(" ", 1)[0] for h in headings[1:])]  # the name, not the role
        for row in section.rows:
            first, rest = row[0], zip(headings[1:], row[1:])
            out.append(_one_line(_plain(first)) + ": " + " | ".join(f"{h}: {_one_line(_plain(c))}" for h, c in rest
                                                                      if c.text))
    return "\n".join(out) + "\n"


def _one_line(text: str) -> str:
    return text.replace("\\", "\\\\").replace("\r", "\\r").replace("\n", "\\n")


def _plain(cell: Cell) -> str:
    return BROKEN + cell.text if cell.broken else cell.text


PROSE_MINIMUM = 16  # a column of sentences keeps at least this many characters a line


def column_widths(natural: Sequence[int], prose: Sequence[bool], room: int) -> list[int]:
    """Widths within ``room`` characters: each column its natural width if all fit; else the
    condition columns first (shared fairly), then the sentence columns share what is left."""
    if sum(natural) <= room:
        return list(natural)
    reserved = sum(min(n, PROSE_MINIMUM) for n, p in zip(natural, prose) if p)
    code = _share([n for n, p in zip(natural, prose) if not p], max(room - reserved, 0))
    text = _share([n for n, p in zip(natural, prose) if p], max(room - sum(code), reserved))
    code_widths, text_widths = iter(code), iter(text)
    return [max(next(text_widths) if p else next(code_widths), 1) for p in prose]


def _share(natural: Sequence[int], room: int) -> list[int]:
    """Max-min fair shares: a column needing less than an equal share keeps its width; the
    others divide the rest equally."""
    widths = [0] * len(natural)
    left, pending = room, sorted(range(len(natural)), key=lambda i: natural[i])
    while pending:
        share = left // len(pending)
        index = pending[0]
        if natural[index] <= share:
            widths[index] = natural[index]
            left -= natural[index]
            pending.pop(0)
            continue
        for index in pending:
            widths[index] = max(share, 1)
        break
    return widths


def _prose(cells: Sequence[Cell]) -> bool:
    """A column of sentences (descriptions, guidance) takes the room the other columns leave."""
    return not any(c.code for c in cells) and any(" " in c.text and len(c.text) > 20 for c in cells)


def _record_lines(section: Section) -> list[str]:
    """About as 'key: value'; a test case as 'id: input value, ... -> result value, ...'."""
    if section.kind == "about":
        return [f"{key.text}: {value.text}" for key, value in section.rows]
    headings, roles = section.header
    lines = []
    for row in section.rows:
        given = [f"{h.text}={c.text}" for h, r, c in zip(headings, roles, row) if r.text == "input" and c.text]
        wanted = [f"{h.text}={c.text}" for h, r, c in zip(headings, roles, row) if r.text == "expected" and c.text]
        lines.append(f"{row[0].text}: {', '.join(given) or 'no inputs'} -> {', '.join(wanted) or 'nothing checked'}")
    return lines


def _wrapped(line: str, width: int) -> str:
    import textwrap

    return "\n".join(textwrap.wrap(line, width, subsequent_indent="    ", break_long_words=True,
                                   break_on_hyphens=False)) or line


# markdown ----------------------------------------------------------------------------------
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>|&#~!])")


def md_text(value: str) -> str:
    """Plain text for a GitHub table cell: markdown and HTML characters escaped, lines as <br>."""
    return "<br>".join(_MARKDOWN_SPECIAL.sub(r"\\\1", line) for line in value.splitlines())


def md_code(value: str, in_table: bool = True) -> str:
    """Condition-language text as a code span (backticks inside are fenced; in a table cell,
    | is escaped, which GitHub requires even inside code spans)."""
    if not value:
        return ""
    value = " ".join(value.split())
    fence = "`" * (max((len(run) for run in re.findall(r"`+", value)), default=0) + 1)
    pad = " " if value.startswith("`") or value.endswith("`") else ""
    return f"{fence}{pad}{value.replace('|', chr(92) + '|') if in_table else value}{pad}{fence}"


def _md_cell(cell: Cell) -> str:
    shown = md_code(cell.text) if cell.code else md_text(cell.text)
    return BROKEN + shown if cell.broken else shown


def markdown(model: Model, view: list[Section]) -> str:
    lines = [f"# {md_text(_heading(model))}"]
    for section in view:
        lines += ["", f"## {md_text(section.title)}", ""]
        if section.notes:
            lines += [md_text(note) + "  " for note in section.notes[:-1]] + [md_text(section.notes[-1]), ""]
        first, *more = section.header
        top = [" / ".join(md_text(c.text) for c in column if c.text) for column in zip(first, *more[:1])]
        lines.append("| " + " | ".join(top) + " |")
        lines.append("|" + "---|" * len(top))
        for row in more[1:]:  # allowed values (row 3) as the first body row, in italics
            lines.append("| " + " | ".join(f"*{_md_cell(c)}*" if c.text else "" for c in row) + " |")
        lines += ["| " + " | ".join(_md_cell(c) for c in row) + " |" for row in section.rows]
    return "\n".join(lines) + "\n"


# html --------------------------------------------------------------------------------------
STYLE = """
body { font-family: system-ui, sans-serif; margin: 2em; color: #1b1b1b; }
table { border-collapse: collapse; margin: 0.5em 0 2em; }
th, td { border: 1px solid #c8c8c8; padding: 0.25em 0.5em; vertical-align: top; text-align: left; }
th { background: #ddebf7; }
th.role, th.allowed { font-weight: normal; font-style: italic; }
code { font-family: ui-monospace, monospace; white-space: pre-wrap; }
td.error, th.error { background: #f8d7da; outline: 2px solid #c62828; }
td.warning, th.warning { background: #fff3cd; outline: 2px solid #b8860b; }
td.info, th.info { background: #e3f2fd; outline: 2px dashed #1565c0; }
li.error { color: #8b0000; } li.warning { color: #7a5c00; }
.notes { color: #444; margin: 0.2em 0; }
figure.coverage { margin: 0 0 2em; max-width: 100%; overflow-x: auto; }
figure.coverage svg { height: auto; max-width: 100%; }
figure.coverage a:hover path { stroke-width: 2.5; }
""".strip()
_RANK = {"error": 0, "warning": 1, "info": 2}


def page(model: Model, view: list[Section], findings: Sequence[Finding]) -> str:
    """A standalone HTML page; every text is escaped, findings are marked on their cells."""
    shown = {(c.where or s.sheet, c.ref) for s in view for row in (*s.header, *s.rows) for c in row
             if c.ref or c.where}
    numbered = list(enumerate(findings, start=1))
    at: dict[tuple[str, str], list[tuple[int, Finding]]] = {}
    for number, finding in numbered:
        for ref in finding.cells or ("",):
            at.setdefault((finding.sheet, ref), []).append((number, finding))
    title = html.escape(_heading(model))
    parts = ["<!DOCTYPE html>", '<html lang="en">', "<head>", '<meta charset="utf-8">', f"<title>{title}</title>",
             f"<style>\n{STYLE}\n</style>", "</head>", "<body>", f"<h1>{title}</h1>"]
    parts += _findings_list(numbered, shown)
    drawn, reasons = _pictures(model, view, findings)
    for section in view:
        parts += _html_section(section, at)
        if section.kind == "table":
            parts += _picture(section, drawn, reasons)
    parts += ["</body>", "</html>"]
    return "\n".join(parts) + "\n"


def _pictures(model: Model, view: list[Section], findings: Sequence[Finding]) -> tuple[dict[str, str], dict[str, str]]:
    """The coverage pictures of the tables shown (``engine.review.pictures``), and why the
    others have none; none at all for a page without tables."""
    if not any(section.kind == "table" for section in view):
        return {}, {}
    from engine.review.pictures import pictures_and_reasons

    return pictures_and_reasons(model, findings)


def _picture(section: Section, drawn: dict[str, str], reasons: dict[str, str]) -> list[str]:
    """A table's coverage picture as inline SVG (its shapes link to the rules' rows and the
    findings above), or why it has none."""
    if section.sheet in drawn:
        label = html.escape(f"Coverage picture of {section.title}", quote=True)
        return [f'<figure class="coverage" aria-label="{label}">', drawn[section.sheet], "</figure>"]
    if section.sheet in reasons:
        return [f'<p class="notes">No coverage picture: {html.escape(reasons[section.sheet])}.</p>']
    return []


def _findings_list(numbered: list[tuple[int, Finding]], shown: set[tuple[str, str]]) -> list[str]:
    if not numbered:
        return ['<p class="notes">dtrun lint: no findings.</p>']
    parts = [f"<h2>Lint findings ({len(numbered)})</h2>", "<ol>"]
    for number, finding in numbered:
        where = html.escape(f"{finding.sheet}!{finding.cells[0]}" if finding.cells else finding.sheet or "workbook")
        first = finding.cells[0] if finding.cells else ""
        if (finding.sheet, first) in shown:
            where = f'<a href="#{_anchor(finding.sheet, first)}">{where}</a>'
        table = f" (table {finding.table})" if finding.table_unsaid else ""
        text = html.escape(f"{finding.severity}[{finding.code}]{table}: {finding.advice}")
        about = f' data-table="{html.escape(finding.table, quote=True)}"' if finding.table else ""
        parts.append(f'<li id="f{number}" class="{finding.severity}"{about}>{where}: {text}</li>')
    return parts + ["</ol>"]


def _html_section(section: Section, at: dict[tuple[str, str], list[tuple[int, Finding]]]) -> list[str]:
    parts = [f'<section id="{_anchor(section.sheet, "")}">', f"<h2>{html.escape(section.title)}</h2>"]
    parts += [f'<p class="notes">{html.escape(note)}</p>' for note in section.notes]
    parts.append("<table>")
    row_classes = ("heading", "role", "allowed")
    for index, row in enumerate(section.header):
        kind = row_classes[min(index, 2)]
        parts.append("<tr>" + "".join(_html_cell(section.sheet, c, at, "th", kind) for c in row) + "</tr>")
    for row in section.rows:
        parts.append("<tr>" + "".join(_html_cell(section.sheet, c, at, "td", "") for c in row) + "</tr>")
    return parts + ["</table>", "</section>"]


def _html_cell(sheet: str, cell: Cell, at: dict[tuple[str, str], list[tuple[int, Finding]]], tag: str,
               kind: str) -> str:
    content = "<br>".join(html.escape(line) for line in cell.text.splitlines())
    if cell.code and content:
        content = f"<code>{content}</code>"
    if cell.broken:
        content = BROKEN + content
    classes = [kind] if kind else []
    attributes = ""
    if cell.ref or cell.where:
        sheet = cell.where or sheet
        attributes += f' id="{_anchor(sheet, cell.ref)}"'
        marks = at.get((sheet, cell.ref), [])
        if marks:
            worst = min((f.severity for _, f in marks), key=lambda s: _RANK.get(s, 3))
            classes.append(worst)
            tip = "\n".join(f"{f.severity}[{f.code}]: {f.advice}" for _, f in marks)
            attributes += f' title="{html.escape(tip, quote=True)}"'
            content += "".join(f'<sup><a href="#f{n}">{n}</a></sup>' for n, _ in marks)
    if classes:
        attributes += f' class="{" ".join(classes)}"'
    return f"<{tag}{attributes}>{content}</{tag}>"


# ---------------------------------------------------------------------- a workbook that cannot be used
def broken_text(workbook: str, error: WorkbookError) -> str:
    """For git's textconv: the problems of a workbook that cannot be used, then every
    non-empty cell as ``sheet!ref: text`` (nothing when the file cannot be read at all)."""
    from engine._core.errors import WorkbookError
    from engine.formats.xlsx.safety import read_workbook

    lines = ["This workbook cannot be used; dtrun lint explains each problem:"]
    for problem in (*error.problems, *error.warnings):
        where = f"{problem.sheet}!{problem.cell}" if problem.cell else problem.sheet or "the file"
        lines.append(f"  {where}: {problem.severity}[{problem.code}]: {problem.message}")
    try:
        loaded = read_workbook(workbook)
    except WorkbookError:
        return "\n".join(lines) + "\n"
    for sheet, rows in loaded.sheets.items():
        lines += ["", f"== {sheet} =="]
        lines += [f"{cell_ref(r, c)}: {cell_text(value)}" for r, row in enumerate(rows, 1)
                  for c, value in enumerate(row, 1) if cell_text(value)]
    return "\n".join(lines) + "\n"
