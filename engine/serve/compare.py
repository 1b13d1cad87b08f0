"""The diff page of ``dtrun serve``: two served versions of a workbook side by side.

Owns ``/diff?a=OLD&b=NEW`` (the names of two served models; without them, a form to choose
them): what ``dtrun diff OLD NEW`` finds (``engine.review.diff.compare``), shown as its
summary and, for each table present in both versions that changed, the old and the new
version side by side with the rules added, removed and changed marked on their rows, and the
behaviour regions (``engine.analysis.behaviour``: the boxes of the input space where the two
versions give a record different outcomes) listed with an example record and both outcomes,
and drawn on each version's coverage picture (``engine.review.pictures``).  Tables
added or removed, and the whole text of ``dtrun diff``, follow.  A comparison is made once per
pair of models and kept until either is reloaded.

Why a route and not ``dtrun serve OLD NEW --compare``: any two models served can be compared
(two files, or a folder holding every version), the page links back to each version's own
pages, and serving stays one mode with one set of options.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from engine.model.types import Model
from engine.review.diff import ADDED, CHANGED, REMOVED, TableDiff, WorkbookDiff
from engine.review.html import Marks
from engine.review.view import Section, table_section
from engine.serve.models import Models, Served

STYLES = {"old": "old", "new": "new"}  # the pictures' style of a region, per side (engine.review.pictures)


@dataclass(frozen=True)
class Region:
    """One behaviour region, numbered in its table: the box (input heading -> unary test in
    table notation), an example record and both outcomes, as text; ``anchor`` its id."""

    number: int
    box: tuple[tuple[str, str], ...]
    example: str
    old: str
    new: str
    anchor: str


@dataclass(frozen=True)
class Side:
    """One version of a table: its section as ``dtrun show`` sees it, its marks, its picture."""

    section: Section
    marks: Marks
    picture: Any  # inline SVG (Markup) or None
    why: str = ""  # why there is no picture, when it could not be drawn


@dataclass(frozen=True)
class TableComparison:
    name: str  # as the new version's file names it
    diff: TableDiff | None  # None: unchanged in structure (its behaviour changed anyway?)
    regions: tuple[Region, ...]
    old: Side
    new: Side


class Comparison:
    """The diff page; ``compared`` keeps each pair of models' comparison."""

    def __init__(self, pages: Any, models: Models) -> None:
        self.pages, self.models = pages, models
        self._kept: dict[tuple[int, int], tuple[Model, Model, Any]] = {}
        self._lock = threading.Lock()

    def routes(self) -> list[Route]:
        return [Route("/diff", self.page, name="diff")]

    async def page(self, request: Request) -> Response:
        served = self.models.all()
        a, b = request.query_params.get("a"), request.query_params.get("b")
        if not a or not b:
            return self.pages.render(request, "diff.html", title="Compare two versions", served_models=served,
                                    a=a or "", b=b or "", old=None, new=None, diff=None, tables=[], text="")
        old, new = self.models.get(a), self.models.get(b)
        if old is None or new is None:
            names = ", ".join(s.name for s in served)
            missing = a if old is None else b
            return self.pages.error(request, 404, f"no model named {missing!r} is served; the models served are "
                                                  f"{names}")
        from engine.review.diff_render import summary

        diff, tables, text = await run_in_threadpool(self.compared, old, new)
        return self.pages.render(request, "diff.html", title=f"Compare {old.name} and {new.name}",
                                served_models=served, a=a, b=b, old=old, new=new, diff=diff, tables=tables,
                                text=text, summary=summary(diff))

    def compared(self, old: Served, new: Served) -> tuple[WorkbookDiff, list[TableComparison], str]:
        key = (id(old.model), id(new.model))
        with self._lock:
            kept = self._kept.get(key)
        if kept is not None and kept[0] is old.model and kept[1] is new.model:
            return kept[2]
        found = compare_models(old.model, new.model)
        with self._lock:
            current = {id(s.model) for s in self.models.all()}
            self._kept = {k: v for k, v in self._kept.items() if k[0] in current and k[1] in current}
            self._kept[key] = (old.model, new.model, found)
        return found


def compare_models(old: Model, new: Model) -> tuple[WorkbookDiff, list[TableComparison], str]:
    """``dtrun diff``'s comparison, its text, and per table present in both that changed (in
    structure or in behaviour) both versions side by side with its regions."""
    from engine.review.diff import compare
    from engine.review.diff_render import example_text, render

    diff = compare(old, new)
    named = {new.source.name(t.name): t.name for t in new.tables}
    by_table = {d.name: d for d in diff.tables if d.status == CHANGED}
    changes: dict[str, list[Any]] = {}
    for change in diff.behaviour:
        changes.setdefault(change.table, []).append(change)
    before = {t.name for t in old.tables}
    draw = drawer()
    tables = []
    for shown, name in named.items():
        if name not in before or (shown not in by_table and shown not in changes):
            continue
        regions = tuple(Region(n, tuple(c.box.items()), example_text(c.example), c.old, c.new,
                               f"region-{name}-{n}") for n, c in enumerate(changes.get(shown, ()), start=1))
        table_diff = by_table.get(shown)
        tables.append(TableComparison(shown, table_diff, regions, _side(old, name, table_diff, regions, "old", draw),
                                      _side(new, name, table_diff, regions, "new", draw)))
    return diff, tables, render(diff, "text")


def _side(model: Model, name: str, table_diff: TableDiff | None, regions: tuple[Region, ...], side: str,
          draw: Callable[..., str] | None) -> Side:
    table = model.table(name)
    section = table_section(model, table)
    marks = Marks()
    status = {r.id: r.status for r in table_diff.rules} if table_diff else {}
    gone = REMOVED if side == "old" else ADDED
    for index, rule in enumerate(table.rules):
        if status.get(rule.id) in (gone, CHANGED):
            marks.add_row(section.sheet, index, status[rule.id])
    picture, why = None, ""
    if draw is not None and table.inputs and table.rules:
        from markupsafe import Markup

        headings = {c.heading for c in table.inputs} | {model.source.name(c.heading) for c in table.inputs}
        boxes = [picture_region(r, side, headings) for r in regions]
        x, y = (list(axes(regions, headings)) + [None, None])[:2]
        try:
            picture = Markup(draw(model, name, x=x, y=y, regions=boxes))
        except (KeyError, ValueError) as error:  # NoPicture: too many regions, no input to draw, ...
            why = str(error).strip("'\"")
    return Side(section, marks, picture, why)


def axes(regions: tuple[Region, ...], headings: set[str]) -> list[str]:
    """The inputs to draw both versions over: those the regions narrow most often (at most two,
    of the inputs this version has), so that the change is seen where it lies and both
    pictures have the same axes; the rest are the picture's own choice."""
    counts: dict[str, int] = {}
    for region in regions:
        for heading, test in region.box:
            if test not in ("-", "") and heading in headings:
                counts[heading] = counts.get(heading, 0) + 1
    return sorted(counts, key=lambda h: -counts[h])[:2]


def picture_region(region: Region, side: str, headings: set[str]) -> Any:
    """A region as the coverage picture draws it over one version: its tests of the inputs
    this version has, labelled with its number and linked to its row in the list."""
    from engine.review.pictures import Region as Box

    box = {heading: test for heading, test in region.box if test not in ("-", "") and heading in headings}
    return Box(box, f"region {region.number}", f"#{region.anchor}", STYLES[side],
               f"region {region.number}: {region.old} -> {region.new}")


def drawer() -> Callable[..., str] | None:
    """``engine.review.pictures.coverage_svg``, when the pictures can be drawn (matplotlib)."""
    try:
        from engine.review.pictures import coverage_svg
    except ImportError:
        return None
    return coverage_svg
