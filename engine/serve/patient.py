"""One patient from the form through the model, as the *Try a patient* page shows it.

Owns what the page says per table: its status, the rules that matched (their rows marked
``matched``, the rules that make the result ``fired``), the outputs, the matched rules'
annotations (Reference, Guidance: each annotation column by its heading), why there is no
result, and for a table where no rule matched the nearest rules with their failing cells
marked ``failing``.  Everything comes from ``engine.evaluation.explain`` (the reference
meaning, shared with ``dtrun explain`` and ``dtrun test``): the page never evaluates a cell
itself.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from engine.evaluation.explain import explain_record, near_text, show_value, why
from engine.model.types import Model
from engine.review.html import Marks
from engine.review.view import Section
from engine.serve.form import record


@dataclass(frozen=True)
class TableResult:
    """One table for the patient: ``notes`` are (rule id, rule label, ((column, text), ...)) of the rules
    that matched (the id first); ``nearest`` the nearest rules, in words."""

    table: str
    title: str
    status: str
    why: str
    matched: tuple[str, ...]
    fired: tuple[str, ...]
    outputs: tuple[tuple[str, str, str], ...]  # (table.output, as the file names it, value)
    notes: tuple[tuple[str, str, tuple[tuple[str, str], ...]], ...]
    nearest: tuple[str, ...]
    errors: tuple[str, ...]
    warnings: tuple[str, ...]


@dataclass(frozen=True)
class PatientResult:
    """The patient as the tables saw it, the problems of its values, and each table's result."""

    values: tuple[tuple[str, str], ...]
    input_errors: tuple[str, ...]
    tables: tuple[TableResult, ...]


def explain_form(model: Model, query: Mapping[str, str], view: list[Section], marks: Marks) -> PatientResult:
    """The patient of ``query`` through ``model``; its rules and cells marked in ``marks``."""
    source = model.source
    explanation = explain_record(model, record(model, query))
    rows = {s.sheet: s for s in view if s.kind == "table"}
    tables = []
    for trace in explanation.tables:
        table = model.table(trace.table)
        positions = {rule.id: index for index, rule in enumerate(table.rules)}
        section = rows.get(trace.table)
        for rule_id in trace.matched:
            if section is not None and rule_id in positions:
                marks.add_row(trace.table, positions[rule_id], "fired" if rule_id in trace.fired else "matched")
        for rank, near in enumerate(trace.nearest, start=1):
            if near.rule in positions:
                marks.add_row(trace.table, positions[near.rule], "near")
            for cell in near.failed:
                marks.add(source.place(trace.table, cell.ref), "failing",
                          f"nearest rule {rank}: fails on {show_value(cell.value)}")
        notes = tuple((rule_id, source.rule_label(trace.table, rule_id), tuple((source.name(c), t) for c, t in texts))
                      for rule_id, texts in trace.annotations)
        tables.append(TableResult(
            trace.table, source.words.say("table_title", table=source.name(trace.table)), trace.status,
            why(model, explanation, trace.table), trace.matched, trace.fired,
            tuple((n, source.name(n), show_value(v)) for n, v in trace.outputs), notes,
            tuple(near_text(model, trace.table, near) for near in trace.nearest),
            tuple(e.partition(": ")[2] or e for e in trace.errors),
            tuple(w.partition(": ")[2] or w for w in trace.warnings)))
    values = tuple((source.name(n), show_value(v)) for n, v in explanation.values.items())
    return PatientResult(values, tuple(explanation.input_errors.values()), tuple(tables))
