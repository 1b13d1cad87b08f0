"""The population page of ``dtrun serve``: what a file of patients did in each table.

Owns ``/m/{name}/population``: with ``dtrun serve --patients FILE``, GET shows the
population view (``engine.review.population``) of FILE through the model (counted once per
model and version of the file, kept until either changes); POST takes a patient file sent
from the page's form (``multipart/form-data``, field ``patients``, and ``sheet`` for an
Excel file), bounded by ``--max-body`` as it arrives (413 past it), and shows its view.  The
file is read as ``dtrun evaluate`` reads one (the same checks and the same messages, which
name the file by the name it was sent with; a file that cannot be used is a 400 page); it is
kept in a temporary folder only while it is counted.  Multipart bodies are read with the
standard library's e-mail parser: nothing else to install.
"""

from __future__ import annotations

import re
import shutil
import tempfile
import threading
from email.parser import BytesParser
from email.policy import HTTP
from pathlib import Path
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from engine._core.errors import DtrunError, InputDataError
from engine.model.types import Model
from engine.review.population import Population, population_of_file
from engine.serve.bodies import read_body
from engine.serve.models import Models, Served

ACCEPTED = (".csv", ".txt", ".tsv", ".parquet", ".pq", ".xlsx", ".xlsm", ".xls", ".ods")


class PopulationPages:
    """The population page of each served model; ``patients``: the file of ``--patients``."""

    def __init__(self, pages: Any, models: Models, patients: str | Path | None, max_body: int) -> None:
        self.pages, self.models, self.max_body = pages, models, max_body
        self.patients = Path(patients) if patients else None
        self._kept: dict[tuple[int, int, int], tuple[Model, Population]] = {}
        self._lock = threading.Lock()

    def routes(self) -> list[Route]:
        return [Route("/m/{name}/population", self.page, methods=["GET", "POST"], name="population")]

    async def page(self, request: Request) -> Response:
        name = request.path_params["name"]
        served = self.models.get(name)
        if served is None:
            names = ", ".join(s.name for s in self.models.all())
            return self.pages.error(request, 404, f"no model named {name!r} is served; the models served are {names}")
        if request.method == "POST":
            body = await read_body(request, self.max_body, too_large)
            upload, sheet = uploaded(request.headers.get("content-type", ""), body)
            try:
                population = await run_in_threadpool(count_upload, served.model, upload, sheet)
            except DtrunError as error:
                return self._show(request, served, None, 400, f"error: {error}")
            return self._show(request, served, population)
        if self.patients is None:
            return self._show(request, served, None)
        try:
            population = await run_in_threadpool(self.of_patients, served)
        except DtrunError as error:
            return self._show(request, served, None, 400, f"error: {error}")
        return self._show(request, served, population)

    def of_patients(self, served: Served) -> Population:
        """The population of ``--patients`` through the model, kept per model and file version."""
        assert self.patients is not None
        stat = self.patients.stat()
        key = (id(served.model), stat.st_mtime_ns, stat.st_size)
        with self._lock:
            kept = self._kept.get(key)
        if kept is not None and kept[0] is served.model:
            return kept[1]
        population = population_of_file(served.model, self.patients)
        with self._lock:
            current = {id(s.model) for s in self.models.all()}
            self._kept = {k: v for k, v in self._kept.items() if k[0] in current}
            self._kept[key] = (served.model, population)
        return population

    def _show(self, request: Request, served: Served, population: Population | None, status: int = 200,
              message: str = "") -> Response:
        from engine.review.html import heading

        return self.pages.render(request, "population.html", status=status, served=served, title=heading(served.model),
                                population=population, message=message, max_body=self.max_body,
                                patients=self.patients.name if self.patients else "", accepted=",".join(ACCEPTED))


def too_large(size: int, limit: int) -> str:
    return (f"the file sent is {size:,} bytes or more, more than the limit of {limit:,}; count a sample of it (or "
            "start dtrun serve with a larger --max-body, or with --patients FILE)")


def uploaded(content_type: str, body: bytes) -> tuple[tuple[str, bytes], str | None]:
    """The file sent in a multipart/form-data body as (its name, its bytes), and the sheet
    asked for (None: the first); a 400 for a body that holds no file."""
    if not content_type.lower().startswith("multipart/form-data"):
        raise HTTPException(400, "send the patient file from the page's form (multipart/form-data, field "
                                 f"'patients'), not as {content_type or 'a body without a Content-Type'}")
    message = BytesParser(policy=HTTP).parsebytes(b"Content-Type: " + content_type.encode("latin-1") + b"\r\n\r\n"
                                                  + body)
    found, sheet = None, None
    if message.is_multipart():
        for part in message.iter_parts():
            field = part.get_param("name", header="content-disposition")
            payload = part.get_payload(decode=True)
            if field == "patients" and part.get_filename() is not None:
                found = (str(part.get_filename()), payload if isinstance(payload, bytes) else b"")
            elif field == "sheet" and isinstance(payload, bytes) and payload.strip():
                sheet = payload.decode("utf-8", "replace").strip()
    if found is None or not found[0]:
        raise HTTPException(400, "no patient file was sent: choose a file (CSV, Parquet or an Excel sheet of "
                                 "patients) in the field 'patients'")
    return found, sheet


def count_upload(model: Model, upload: tuple[str, bytes], sheet: str | None) -> Population:
    """The population of a file sent, written to a temporary folder under a name made of
    its own (letters, digits, dots, dashes), read as ``dtrun evaluate`` reads a file; its
    messages name it by the name it was sent with."""
    from engine.files.pipeline import Options

    sent, data = upload
    name = safe_name(sent)
    folder = Path(tempfile.mkdtemp(prefix="dtrun-upload-"))
    try:
        path = folder / name
        path.write_bytes(data)
        try:
            return population_of_file(model, path, Options(sheet=sheet), source=Path(sent).name)
        except InputDataError as error:
            raise InputDataError(str(error).replace(str(path), Path(sent).name).replace(str(folder), "")) from None
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def safe_name(sent: str) -> str:
    """A file name of the sent one's letters, digits, dots, dashes and underscores (never
    hidden, never a path), with its suffix if dtrun reads that kind of file, else .csv."""
    base = re.sub(r"[^A-Za-z0-9._-]", "_", sent.replace("\\", "/").rsplit("/", 1)[-1]).lstrip(".")[:100]
    suffix = Path(base).suffix.lower()
    if suffix not in ACCEPTED:
        base = f"{base or 'patients'}.csv"
    return base
