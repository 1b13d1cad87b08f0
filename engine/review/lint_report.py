"""``dtrun lint --format html`` and ``--format markdown``: the lint report a guideline editor reads.

Owns the rendering of the report's content (``engine.review.lint_view``) with the Jinja2
templates in ``engine/review/templates/`` (``lint_report.html``, ``lint_report.md``): no markup
is built here.  The HTML page is self-contained (inline CSS, no scripts, no external assets,
readable printed) and every text is escaped by Jinja2's autoescape; in Markdown every value is
escaped for GitHub (``engine.review.show.md_text``) unless a filter marks it as a code span.
Each table of the HTML report has its coverage picture (``engine.review.pictures.coverage_svg``),
or the reason it has none.
The output depends only on the findings and models, in their order.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence
from typing import Any

from engine.analysis.findings import Finding
from engine.model.types import Model
from engine.review.lint_view import LIMIT, Report, build
from engine.review.show import md_code, md_text

FORMATS = ("html", "markdown")
_TEMPLATES = {"html": "lint_report.html", "markdown": "lint_report.md"}


def render(findings: Sequence[Finding], fmt: str, models: Iterable[Model] = (), pictures: bool = True) -> str:
    """The report of ``findings`` in ``fmt`` (html or markdown); ``models``: the models they came
    from (every table listed, rules shown as written, overlaps side by side); ``pictures``: draw a
    coverage picture per table (HTML only)."""
    if fmt not in _TEMPLATES:
        raise ValueError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    report = build(findings, models)
    if fmt == "html" and pictures:
        _draw(report, findings)
    text = _environment(fmt).get_template(_TEMPLATES[fmt]).render(report=report, limit=LIMIT)
    return re.sub(r"\n{3,}", "\n\n", text).strip("\n") + "\n"  # the templates' blank lines, at most one


def _draw(report: Report, findings: Sequence[Finding]) -> None:
    """Each table's coverage picture (``engine.review.pictures``), or why it has none.  The
    picture links its gaps and overlaps to finding ``k`` of the list it is given as ``#fk``,
    the id of the finding's article: it is given every finding, those of other files blanked."""
    from engine.review.pictures import NoPicture, coverage_svg

    for file in report.files:
        mine = tuple(f if f.workbook == file.path else _ELSEWHERE for f in findings)
        for table in file.tables:
            if table.model is None or table.table is None or not table.table.rules:
                continue
            try:
                table.picture = str(coverage_svg(table.model, table.table.name, findings=mine))
            except NoPicture as why:  # a table that cannot be pictured keeps its findings
                table.no_picture = str(why)


_ELSEWHERE = Finding("info", "summary", "", "", "")  # a finding of another file: linked to nothing


class _Raw(str):
    """Markdown that a template filter made (a code span): written as it is."""


def _markdown_value(value: Any) -> str:
    """Every value a Markdown template writes, escaped unless a filter made it."""
    if isinstance(value, _Raw):
        return value
    return md_text("" if value is None else str(value))


@functools.cache
def _environment(fmt: str) -> Any:
    from jinja2 import Environment, PackageLoader, StrictUndefined
    from markupsafe import Markup

    if fmt == "html":
        environment = Environment(loader=PackageLoader("engine.review", "templates"), autoescape=True,
                                  undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
        environment.filters["svg"] = Markup  # a picture our own code drew, its texts escaped there
    else:
        environment = Environment(loader=PackageLoader("engine.review", "templates"), autoescape=False,
                                  undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                                  finalize=_markdown_value)
        environment.filters["code"] = lambda value: _Raw(md_code(str(value)))
        environment.filters["raw"] = _Raw  # text of the template's own (no workbook text in it)
    environment.filters["plural"] = lambda n, word: f"{n} {word}" + ("" if n == 1 else "s")
    return environment
