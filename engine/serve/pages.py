"""The web pages of ``dtrun serve``, beside its JSON API: Jinja2 templates, no script.

Owns the routes of the pages and what each one shows:

* ``/``: the models served;
* ``/m/{name}``: the **workbook**: About, Inputs, every table with its rules, the lint
  findings marked on their cells, the Tests sheet's cases run (pass or fail, and why) and
  the rules each table's cases fire;
* ``/m/{name}/try``: **try a patient**: the form of the Inputs sheet (``engine.serve.form``),
  sent with GET so that the URL holds the patient; every table with the rules that matched
  highlighted, its outputs, Reference and Guidance, and for a table where no rule matched the
  nearest rules with their failing cells marked (``engine.evaluation.explain``);
* ``/m/{name}/coverage/{table}?x=&y=``: a table's coverage picture over two chosen inputs;
* ``POST /reload``: the served files loaded again, all or none (``Models.reload``), then back
  to the page it was asked from.

Every page is made from the templates in ``engine/serve/templates`` (which extend those of
``engine.review.html``, autoescaped); a page carries a Content-Security-Policy that allows no
script, no frame and no form posted elsewhere.  What is computed from a model alone (lint,
the test run) is kept per model until it is reloaded.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from engine._core.errors import WorkbookError
from engine.analysis.findings import Finding
from engine.model.types import Model, Table
from engine.review.html import Marks, environment, heading, mark_findings
from engine.review.testing import TestReport
from engine.review.view import Section, sections
from engine.serve import form
from engine.serve.models import Models, Served

TEMPLATES = Path(__file__).resolve().parent / "templates"
HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; "
                               "form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


@dataclass(frozen=True)
class Analysis:
    """What the workbook page shows of a model that depends on nothing else: its lint findings,
    its Tests sheet run (None without cases), and each table's coverage picture over its
    default axes (or why it has none)."""

    findings: tuple[Finding, ...]
    tests: TestReport | None
    pictures: dict[str, Any]
    unpictured: dict[str, str]


class Pages:
    """The pages of the models in ``models``, rendered from the templates."""

    def __init__(self, models: Models) -> None:
        from starlette.templating import Jinja2Templates

        self.models = models
        self.templates = Jinja2Templates(env=environment(TEMPLATES))
        self._analysed: dict[int, tuple[Model, Analysis]] = {}
        self._lock = threading.Lock()

    def routes(self) -> list[Route]:
        return [Route("/", self.index, name="index"),
                Route("/m/{name}", self.workbook, name="workbook"),
                Route("/m/{name}/try", self.patient, name="patient"),
                Route("/m/{name}/coverage/{table}", self.coverage, name="coverage"),
                Route("/reload", self.reload, methods=["POST"], name="reload")]

    # ------------------------------------------------------------------ pages
    def index(self, request: Request) -> Response:
        served = self.models.all()
        return self.render(request, "index.html", models=[(s, heading(s.model)) for s in served])

    def workbook(self, request: Request) -> Response:
        served = self._served(request)
        if isinstance(served, Response):
            return served
        model = served.model
        analysis = self.analysis(model)
        view = sections(model)
        listed, marks = mark_findings(view, analysis.findings)
        if analysis.tests is not None:
            _mark_tests(model, view, analysis.tests, marks)
        return self.render(request, "workbook.html", served=served, title=heading(model), view=view,
                          findings=listed, marks=marks, tests=analysis.tests,
                          cases=_cases(analysis.tests) if analysis.tests else [], drawn=_drawer() is not None,
                          pictures=analysis.pictures, unpictured=analysis.unpictured, axes=_axes(model))

    def patient(self, request: Request) -> Response:
        served = self._served(request)
        if isinstance(served, Response):
            return served
        from engine.serve.patient import explain_form

        model = served.model
        query = dict(request.query_params)
        view = sections(model)
        marks = Marks()
        results = explain_form(model, query, view, marks) if form.submitted(model, query) else None
        return self.render(request, "patient.html", served=served, title=heading(model),
                          fields=form.fields(model, query), results=results, marks=marks,
                          tables={s.sheet: s for s in view if s.kind == "table"})

    def coverage(self, request: Request) -> Response:
        served = self._served(request)
        if isinstance(served, Response):
            return served
        model, name = served.model, request.path_params["table"]
        table = next((t for t in model.tables if t.name == name), None)
        if table is None:
            names = ", ".join(t.name for t in model.tables)
            return self.error(request, 404, f"{served.path.name} has no table named {name!r}; its tables are "
                                            f"{names}")
        inputs = [c.name for c in table.inputs]
        x, y = request.query_params.get("x") or None, request.query_params.get("y") or None
        for axis in (x, y):
            if axis is not None and axis not in inputs:
                return self.error(request, 404, f"table {name} of {served.path.name} has no input {axis!r}; "
                                                f"its inputs are {', '.join(inputs)}")
        findings = self.analysis(model).findings
        view = sections(model, table.name)
        listed, marks = mark_findings(view, findings)  # numbered as on the workbook page: the picture links them
        picture, why = _picture(model, table, x, y, findings)
        return self.render(request, "coverage.html", served=served, title=heading(model), table=table,
                          inputs=inputs, x=x or "", y=y or "", picture=picture, unpictured=why,
                          drawn=_drawer() is not None, view=view, findings=listed, marks=marks)

    def reload(self, request: Request) -> Response:
        origin = request.headers.get("origin")
        if origin and urlsplit(origin).netloc != request.headers.get("host", ""):
            return self.error(request, 403, f"a reload asked by another site ({origin}) is refused; use the "
                                            "button on dtrun's own page")
        try:
            self.models.reload()
        except WorkbookError:
            pass  # the models served before stay served; the pages say why (Models.failure)
        back = request.query_params.get("next", "/")
        if not back.startswith("/") or back.startswith("//"):
            back = "/"
        return RedirectResponse(back, status_code=303)

    def error(self, request: Request, status: int, message: str) -> Response:
        return self.render(request, "error.html", status=status, title=f"{status}", code=status, message=message)

    # ------------------------------------------------------------------ support
    def analysis(self, model: Model) -> Analysis:
        with self._lock:
            kept = self._analysed.get(id(model))
        if kept is not None and kept[0] is model:
            return kept[1]
        from engine.analysis.lint import lint_model
        from engine.review.testing import run_tests

        findings = tuple(lint_model(model))
        pictures, unpictured = _pictures(model, findings)
        found = Analysis(findings, run_tests(model) if model.tests else None, pictures, unpictured)
        with self._lock:
            current = {id(s.model) for s in self.models.all()}
            self._analysed = {k: v for k, v in self._analysed.items() if k in current}
            self._analysed[id(model)] = (model, found)
        return found

    def _served(self, request: Request) -> Served | Response:
        name = request.path_params["name"]
        served = self.models.get(name)
        if served is None:
            names = ", ".join(s.name for s in self.models.all())
            return self.error(request, 404, f"no model named {name!r} is served; the models served are {names}")
        return served

    def render(self, request: Request, template: str, status: int = 200, **context: Any) -> Response:
        context.update(failure=self.models.failure, models_served=self.models.all())
        response = self.templates.TemplateResponse(request, template, context, status_code=status)
        response.headers.update(HEADERS)
        return response


def _mark_tests(model: Model, view: list[Section], report: TestReport, marks: Marks) -> None:
    """The rules no case fires (their id cell), and the Tests sheet's cells that failed."""
    for section in view:
        if section.kind != "table":
            continue
        untested = set(report.uncovered.get(section.sheet, ()))
        rules = model.table(section.sheet).rules
        for index, (rule, _row) in enumerate(zip(rules, section.rows)):
            if rule.id in untested:
                where, part = model.source.place(section.sheet, f"A{rule.row}")
                marks.add((where, part), "untested", "no case of the Tests sheet fires this rule")
                marks.add_row(section.sheet, index, "untested")
    for failure in report.failures:
        marks.add(("Tests", failure.cell), "failed", f"{failure.column}: {failure.reason or 'not as expected'}")


@dataclass(frozen=True)
class Case:
    """One case of the Tests sheet as run: its id, and per expected cell whether it held."""

    id: str
    passed: bool
    checks: tuple[tuple[str, str, str, str, str], ...]  # (column, cell, expected, actual, reason); failures only


def _cases(report: TestReport) -> list[Case]:
    from engine.review.testing import show, show_expected

    found: dict[str, list[Any]] = {}
    for check in report.checks:
        failed = found.setdefault(check.case.id, [])
        if check.failure:
            f = check.failure
            failed.append((f.column, f.cell, show_expected(f), show(f.actual), f.reason))
    return [Case(case, not failed, tuple(failed)) for case, failed in found.items()]


def _axes(model: Model) -> dict[str, list[str]]:
    return {t.name: [c.name for c in t.inputs] for t in model.tables}


def _drawer() -> Any:
    """``engine.review.pictures`` when it is there (None in a version without the pictures)."""
    try:
        from engine.review import pictures
    except ImportError:
        return None
    return pictures


def _picture(model: Model, table: Table, x: str | None, y: str | None, findings: tuple[Finding, ...]
             ) -> tuple[Any, str]:
    """The coverage picture of ``table`` as inline SVG (markup made by the plotting library, the
    workbook's texts escaped in it), or None and why not.  ``findings`` are all of the model's,
    in the order the pages number them: the picture links a gap to ``#f<number>``."""
    draw = _drawer()
    if draw is None:
        return None, ""
    from markupsafe import Markup

    try:
        return Markup(draw.coverage_svg(model, table.name, x=x, y=y, findings=findings)), ""
    except ValueError as error:  # NoPicture: a table that cannot be pictured, and why
        return None, str(error)


def _pictures(model: Model, findings: tuple[Finding, ...]) -> tuple[dict[str, Any], dict[str, str]]:
    draw = _drawer()
    if draw is None:
        return {}, {}
    from markupsafe import Markup

    drawn = {name: Markup(svg) for name, svg in draw.pictures(model, findings).items()}
    return drawn, {**draw.skipped(model), **{t.name: "" for t in model.tables if t.name not in drawn}}
