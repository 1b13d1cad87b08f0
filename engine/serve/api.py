"""The JSON API of ``dtrun serve``, an ASGI application on Starlette.

Owns the routes of the API (``GET /api/tables``, ``GET /api/lint``, ``POST /api/evaluate``,
``POST /api/explain``, ``POST /api/reload``, ``GET /openapi.json``), the limits on what a request may carry
(records and bytes: 413 past them, read without trusting the declared length) and the
errors: a 4xx with the command line's message in ``{"error": ...}``, and never a stack
trace, not even for a bug (500, one line).  Records are evaluated through the vectorized
path (``evaluate_frame``), each value read as a CSV cell with it would be (``12``, ``"12"``
and ``12.0`` alike: ``engine.files.spreadsheet.cell_text``, as for a sheet of patients);
the keys of a result are those of ``dtrun evaluate --format json``.  The web pages
(``engine.serve.pages``) are served beside it; an error on a page is a page.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from engine._core.errors import DtrunError, WorkbookError
from engine.files.spreadsheet import cell_text
from engine.model.types import is_list
from engine.serve.bodies import read_body
from engine.serve.models import Models, Served

MAX_RECORDS = 10_000
MAX_BODY = 16 * 1024 * 1024


def create_app(models: Models, max_records: int = MAX_RECORDS, max_body: int = MAX_BODY,
               patients: str | Path | None = None) -> Starlette:
    """The application serving ``models``; ``max_records`` and ``max_body`` bound a request;
    ``patients``: the file the population page shows (``engine.serve.population``)."""

    async def tables(request: Request) -> JSONResponse:
        return JSONResponse({"models": [_describe(s) for s in models.all()]})

    async def lint(request: Request) -> JSONResponse:
        from engine.analysis.lint import lint_model

        served = _model(models, request)
        findings = [f.as_json() for f in lint_model(served.model)]
        counts = {s: sum(f["severity"] == s for f in findings) for s in ("error", "warning", "info")}
        return JSONResponse({"model": served.name, "counts": counts, "findings": findings})

    async def evaluate(request: Request) -> JSONResponse:
        served = _model(models, request)
        body = await _json(request, max_body, _lists(served.model))
        records = body if isinstance(body, list) else [body]
        if len(records) > max_records:
            raise HTTPException(413, f"{len(records):,} records, more than the limit of {max_records:,} per request; "
                                     "send them in several requests (or start dtrun serve with --max-records)")
        results = _evaluate(served, records, request.query_params.getlist("decision"),
                            request.query_params.get("explain", "").lower() in ("1", "true", "yes"))
        return JSONResponse(results if isinstance(body, list) else results[0])

    async def explain(request: Request) -> JSONResponse:
        served = _model(models, request)
        body = await _json(request, max_body, _lists(served.model))
        if not isinstance(body, dict):
            raise HTTPException(400, "explain takes one record, a JSON object; send a list to /api/evaluate")
        return JSONResponse(_explain(served, body, request.query_params.getlist("decision")))

    async def reload(request: Request) -> JSONResponse:
        try:
            fresh = models.reload()
        except WorkbookError as error:  # the models served before stay served
            raise HTTPException(422, f"not reloaded, the files served are unchanged: {error}") from None
        return JSONResponse({"reloaded": [s.name for s in fresh]})

    async def openapi(request: Request) -> JSONResponse:
        return JSONResponse(OPENAPI)

    from engine.serve.compare import Comparison
    from engine.serve.pages import Pages
    from engine.serve.population import PopulationPages

    pages = Pages(models)
    views = [*PopulationPages(pages, models, patients, max_body).routes(), *Comparison(pages, models).routes()]
    routes = [*pages.routes(), *views, Route("/api/tables", tables), Route("/api/lint", lint),
              Route("/api/evaluate", evaluate, methods=["POST"]), Route("/api/explain", explain, methods=["POST"]),
              Route("/api/reload", reload, methods=["POST"]),
              Route("/openapi.json", openapi)]

    async def http_error(request: Request, error: Exception) -> Response:
        assert isinstance(error, HTTPException)
        if _page(request):
            message = f"nothing here at {request.url.path}; the models served are listed at /" \
                if error.status_code == 404 else str(error.detail)
            return pages.error(request, error.status_code, message)
        return JSONResponse({"error": error.detail}, status_code=error.status_code)

    async def bug(request: Request, error: Exception) -> Response:
        message = (f"internal error ({type(error).__name__}); this is a bug in dtrun, not in your "
                   "request: please report it with the request")
        if _page(request):
            return pages.error(request, 500, message)
        return JSONResponse({"error": message}, status_code=500)

    handlers = {HTTPException: http_error, Exception: bug}
    return Starlette(routes=routes, exception_handlers=handlers)  # type: ignore[arg-type]


def _page(request: Request) -> bool:
    """A request for a page (answered in HTML), not for the API (answered in JSON)."""
    path = request.url.path
    return not (path.startswith("/api/") or path == "/openapi.json")


def _model(models: Models, request: Request) -> Served:
    name = request.query_params.get("model")
    served = models.get(name)
    if served is None:
        names = ", ".join(s.name for s in models.all())
        raise HTTPException(404 if name else 400, f"no model named {name!r}; the models served are {names}" if name
                            else f"several models are served ({names}); say which with ?model=NAME")
    return served


def _lists(model: Any) -> frozenset[str]:
    """The names (and DMN names) of the inputs that take a JSON list: those of type ``list of ...``."""
    names = {name for name, d in model.inputs.items() if is_list(d.type)}
    return frozenset(names | {model.input_aliases[n] for n in names if n in model.input_aliases})


async def _json(request: Request, max_body: int, lists: frozenset[str] = frozenset()) -> Any:
    raw = await read_body(request, max_body, _too_large)
    try:
        body = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as error:
        raise HTTPException(400, f"the request body is not JSON ({error}); send one record as a JSON object, or "
                                 "a list of them") from None
    items = body if isinstance(body, list) else [body]
    for number, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            raise HTTPException(400, f"record {number} is a JSON {type(item).__name__}, not an object; send "
                                     '{"input name": value, ...} per record')
        for name, value in item.items():
            if isinstance(value, list) and name in lists and not any(isinstance(v, (list, dict)) for v in value):
                continue  # a list input's list
            if isinstance(value, (list, dict)):
                raise HTTPException(400, f"record {number}: {name!r} holds a JSON {type(value).__name__}; a value "
                                         "is a text, a number, true, false or null (a list of them for an input "
                                         "of type list of ...)")
    return body


def _too_large(size: int, limit: int) -> str:
    return (f"the request body is {size:,} bytes or more, more than the limit of {limit:,}; send fewer records per "
            "request (or start dtrun serve with --max-body)")


def _evaluate(served: Served, records: list[dict[str, Any]], decisions: list[str], explain: bool
              ) -> list[dict[str, Any]]:
    import pandas as pd

    from engine.evaluation.frame import evaluate_frame
    from engine.files.json_cells import json_records

    columns = list(dict.fromkeys(name for record in records for name in record))
    frame = pd.DataFrame([[cell_text(r.get(c)) for c in columns] for r in records], columns=columns, dtype=object)
    try:
        result = evaluate_frame(served.model, frame, decisions, explain)
    except DtrunError as error:  # a required input no record gives, an unknown decision, ...
        raise HTTPException(400, str(error)) from None
    return json_records(result)


def _explain(served: Served, record: dict[str, Any], decisions: list[str]) -> dict[str, Any]:
    from engine.evaluation.binding import input_columns
    from engine.evaluation.explain import explain_record
    from engine.review.explanation import record_from, render

    known = set(input_columns(served.model, list(record)).values())  # other keys (an id, say) pass, as in evaluate
    try:
        given = {k: cell_text(v) for k, v in record.items() if k in known}
        values = record_from(served.model, record=json.dumps(given))
        document = json.loads(render(served.model, explain_record(served.model, values, decisions), "json"))
    except DtrunError as error:  # an unknown decision
        raise HTTPException(400, str(error)) from None
    return {**document, "ignored": [k for k in record if k not in known]}


def _describe(served: Served) -> dict[str, Any]:
    model = served.model
    return {
        "name": served.name, "file": served.path.name, "version": model.version,
        "inputs": [{"name": d.name, "type": d.type, "required": d.required, "unit": d.unit}
                   for d in model.inputs.values()],
        "tables": [{"name": t.name, "hit_policy": t.hit_policy.code, "inputs": [c.name for c in t.inputs],
                    "outputs": list(t.output_names), "rules": len(t.rules)} for t in model.tables],
    }


_ERROR = {"description": "what is wrong, as the command line says it",
          "content": {"application/json": {"schema": {"type": "object", "properties": {"error": {"type": "string"}}}}}}
_MODEL = {"name": "model", "in": "query", "required": False, "schema": {"type": "string"},
          "description": "which model, when several are served (its file name without the suffix)"}
OPENAPI: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {"title": "dtrun", "description": "Decision tables over HTTP (docs/serve.md)", "version": "1"},
    "paths": {
        "/api/tables": {"get": {"summary": "The models served: their inputs and tables",
                                "responses": {"200": {"description": "models"}}}},
        "/api/lint": {"get": {"summary": "Every finding of dtrun lint (the keys of --format json), with counts",
                              "parameters": [_MODEL], "responses": {"200": {"description": "findings"},
                                                                    "400": _ERROR, "404": _ERROR}}},
        "/api/evaluate": {"post": {
            "summary": "Evaluate one record (a JSON object) or a list of them; the result keys of "
                       "dtrun evaluate --format json",
            "parameters": [_MODEL, {"name": "decision", "in": "query", "required": False,
                                    "schema": {"type": "array", "items": {"type": "string"}},
                                    "description": "only these tables and what they need"},
                           {"name": "explain", "in": "query", "required": False, "schema": {"type": "boolean"},
                            "description": "add each table's references"}],
            "requestBody": {"required": True, "content": {"application/json": {"schema": {"oneOf": [
                {"type": "object"}, {"type": "array", "items": {"type": "object"}}]}}}},
            "responses": {"200": {"description": "one result per record, in order"}, "400": _ERROR, "404": _ERROR,
                          "413": _ERROR}}},
        "/api/explain": {"post": {
            "summary": "One record (a JSON object) through the tables, and why each gave its result: the keys of "
                       "dtrun explain --format json (docs/review.md), and `ignored`: the record's keys that name "
                       "no input",
            "parameters": [_MODEL, {"name": "decision", "in": "query", "required": False,
                                    "schema": {"type": "array", "items": {"type": "string"}}}],
            "requestBody": {"required": True, "content": {"application/json": {"schema": {"type": "object"}}}},
            "responses": {"200": {"description": "the explanation"}, "400": _ERROR, "404": _ERROR, "413": _ERROR}}},
        "/api/reload": {"post": {"summary": "Load the served files again; all of them, or none",
                                 "responses": {"200": {"description": "reloaded"}, "422": _ERROR}}},
        "/openapi.json": {"get": {"summary": "This document", "responses": {"200": {"description": "OpenAPI"}}}},
    },
}
