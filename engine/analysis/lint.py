"""``dtrun lint``: every check of a workbook, as one sorted list of findings.

Owns the orchestration (loader problems, then per table in evaluation order: the columns and
their cells' checks (``engine.analysis.column_checks``), output values, then the searches of
``engine.analysis.verify``), the values an upstream table can give, and the workbook-wide
checks (unused inputs).

A workbook with cells that cannot be read is analysed as far as it can be, without false
findings (the loader's problems come first, as the root causes): a rule whose input cell
cannot be read takes part in the gap search as if the cell were ``-`` (it matches at least
what it would, so every gap reported is one whatever the cell says) and is left out of the
overlap, masking and redundancy checks; a table whose column cannot be read is not checked
for overlaps; a gap that an unreadable allowed-values cell may cause says so.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

from engine._core.errors import WorkbookError
from engine.analysis.column_checks import narrow, table_columns
from engine.analysis.findings import Finding, located, sort_findings
from engine.analysis.verify import TableAnalysis, gap_findings, masking_findings, overlap_findings, redundancy_findings
from engine.analysis.waivers import apply_waivers
from engine.feel import values
from engine.feel.conditions import KIND_NAMES
from engine.feel.sets import Domain, ValueSet
from engine.model.computed import read_through
from engine.model.graph import table_names
from engine.model.hit_policy import HitPolicy
from engine.model.types import Model, Table


def lint(target: Model | str | Path) -> list[Finding]:
    """Every finding of ``dtrun lint`` for a loaded model, or for the workbook or DMN model
    at a path (a file that cannot be loaded gives its problems as findings)."""
    return lint_model(target) if isinstance(target, Model) else lint_workbook(target)


def lint_workbook(path: str | Path, input_types: str = "declared", dictionary: str | Path | None = None,
                  hit_policy: str | None = None) -> list[Finding]:
    """Every finding for the workbook, DMN model or DAK ``path``, placed and worded as its
    format names things (``engine.model.source``); with ``input_types="cells"``, of the model
    whose inputs take the types their cells test (``engine.model.cell_types``); ``dictionary``
    (a DAK's data dictionary) and ``hit_policy`` as ``engine.formats.read`` takes them."""
    return lint_file(path, input_types, dictionary, hit_policy)[1]


def lint_file(path: str | Path, input_types: str = "declared", dictionary: str | Path | None = None,
              hit_policy: str | None = None) -> tuple[Model | None, list[Finding]]:
    """``lint_workbook``'s findings with the model they are about (None for a file that could
    not be read into one), for the reports that show the tables themselves."""
    from engine.formats import bare_source, read
    from engine.model.cell_types import retyped

    try:
        model = read(path, recover=True, dictionary=dictionary, hit_policy=hit_policy)
    except WorkbookError as error:
        source = bare_source(path)
        return None, sort_findings([Finding.from_problem(p, source) for p in (*error.problems, *error.warnings)])
    model = retyped(model) if input_types == "cells" else model
    return model, lint_model(model)


def lint_model(model: Model) -> list[Finding]:
    """Every finding for ``model``; a model read with problems (``Model.problems``) gives them
    first, then what the rest of it shows.  Tables that state no hit policy (a DAK's) are
    checked as U, with warnings (``engine.analysis.unstated``)."""
    if getattr(model.source, "stated_policy", True) is False:
        from engine.analysis.unstated import as_unique, unstated_findings

        return _told_once(model, unstated_findings(model, _lint_model(as_unique(model))))
    return _told_once(model, _lint_model(model))


def _told_once(model: Model, findings: list[Finding]) -> list[Finding]:
    """Without a check's finding that repeats, at the same cell, a finding of the same code the
    reader already made in the file's own words (a DAK's unsatisfiable condition)."""
    told = {(p.code, p.sheet, p.cell): p.message for p in model.warnings if p.cell}
    return [f for f in findings if told.get((f.code, f.sheet, f.cells[0] if f.cells else ""), f.message) == f.message]


def _lint_model(model: Model) -> list[Finding]:
    source, words = model.source, model.source.words
    findings = [Finding.from_problem(p, source) for p in model.warnings]  # the loader's: hidden parts, macros
    for table, analysis, notes in analysed_tables(model):
        findings += _output_checks(model, table)
        findings += notes
        if not table.rules:
            findings.append(located(source, "error", "empty-table", table.name,
                                    words.say("empty_table", table=source.name(table.name)), ("A4",),
                                    hint=words.empty_table_fix))
        if analysis is not None:
            for check in (overlap_findings, masking_findings, redundancy_findings):
                findings += check(analysis)
    if not model.unbuilt and not any(_unread_columns(t) for t in model.tables):  # else a reader may be missing
        findings += _unused_inputs(model)
    findings = apply_waivers(model, findings)  # the loader's problems (below) are never waived
    order = tuple(dict.fromkeys(source.place(sheet)[0] for sheet in ("About", "Inputs", *_upstream_first(model),
                                                                     "Tests", "Waivers")))
    if model.problems:
        return sort_findings([Finding.from_problem(p, source) for p in model.problems], order) + \
            sort_findings(findings, order)
    return sort_findings(findings, order)


def _unread_columns(table: Table) -> list[str]:
    """The heading and role cells of ``table`` that could not be read: their columns are left out."""
    return [ref for ref in table.unread if ref[-1] in "12" and not ref[-2].isdigit()]


def _upstream_first(model: Model) -> list[str]:
    """Table names, each after the tables it reads (by depth in the chain, then by name), so
    that a gap upstream is listed before the missing values it causes downstream."""
    depth: dict[str, int] = {}
    for table in model.tables:  # evaluation order: upstream tables come first
        depth[table.name] = 1 + max((depth.get(d, 0) for d in table.depends_on), default=0)
    return sorted(depth, key=lambda name: (depth[name], name))


def analysed_tables(model: Model) -> Iterator[tuple[Table, TableAnalysis | None, list[Finding]]]:
    """Each table in evaluation order with its columns cut into atoms (None when some cell
    or domain cannot be modelled) and its notes and gap findings.  Each upstream output's
    domain is known before the tables that read it, including whether it can be missing
    because the upstream table has a gap."""
    produced: dict[str, ValueSet | None] = {}
    for table in model.tables:
        analysis, notes = None, []
        if table.rules:
            columns, notes = table_columns(model, table, produced)
            if columns is not None:
                analysis = TableAnalysis(model, table, columns)
                gaps = gap_findings(analysis)
                notes += _hedged(model, table, gaps) if model.problems else gaps
        has_gap = analysis is None or any(f.code == "gap" for f in notes)  # (a default output fills gaps)
        if model.problems and table.incomplete:
            notes += _readable_checks(model, table, produced)
            analysis = None  # its rules as written are not all known: no overlaps from them, no diff behaviour
        yield table, analysis, notes
        produced.update(_produced(table, has_gap))


def _readable_checks(model: Model, table: Table, produced: dict[str, ValueSet | None]) -> list[Finding]:
    """The overlap, masking and redundancy findings among the rules of ``table`` that could be
    read (true whatever the unreadable cells say); none when a column could not be read."""
    source = model.source
    unread = _unread_columns(table)
    if unread:
        return [located(source, "info", "not-analysed", table.name,
                        f"overlaps of {source.name(table.name)} are not checked while its column heading or role "
                        "cannot be read", tuple(unread), hint="correct the cell (see the error there)")]
    readable = replace(table, rules=tuple(rule for rule in table.rules if not rule.broken))
    if not readable.rules:
        return []
    columns, _ = table_columns(model, readable, produced)
    if columns is None:
        return []
    analysis = TableAnalysis(model, readable, columns)
    return [f for check in (overlap_findings, masking_findings, redundancy_findings) for f in check(analysis)]


def _hedged(model: Model, table: Table, gaps: list[Finding]) -> list[Finding]:
    """Gap findings that an unreadable allowed-values or type cell may cause (the values it
    would exclude are taken as allowed) say so."""
    source = model.source
    where = lambda sheet, ref: "!".join(p for p in source.place(sheet, ref) if p)  # noqa: E731
    cells = [where(table.name, ref) for ref in table.unread if ref.endswith("3") and not ref[-2].isdigit()]
    cells += [where("Inputs", ref) for column in table.inputs
              for ref in getattr(model.inputs.get(column.name), "unread", ())]
    if not cells:
        return gaps
    why = f" (this may come from {', '.join(dict.fromkeys(cells))}, which cannot be read: the values it " \
          "would exclude are taken as allowed)"
    return [replace(f, message=f.message + why) if f.code == "gap" else f for f in gaps]


# ---------------------------------------------------------------------- domains
def _produced(table: Table, has_gap: bool) -> dict[str, ValueSet | None]:
    result: dict[str, ValueSet | None] = {}
    for position, output in enumerate(table.outputs):
        name = table.qualified(output)
        if table.hit_policy.returns_list:
            result[name] = None
            continue
        unread = {rule.row for rule in table.rules for ref, _ in rule.broken if ref == f"{output.column}{rule.row}"}
        if unread and not output.values:  # a value it gives cannot be read
            result[name] = None
            continue
        constants = [rule.outputs[position].constant for rule in table.rules if rule.row not in unread]
        if output.default is not None:  # the value of records no rule matches
            constants.append(output.default.constant)
        gap = has_gap and output.default is None
        known = [v for ok, v in constants if ok and v is not None] + list(output.values)
        kinds = {KIND_NAMES.get(values.kind_of(v)) for v in known}
        if len(kinds) != 1 or None in kinds:
            result[name] = None
            continue
        if table.hit_policy.code == "C#":
            domain = Domain("integer", nullable=False)
            result[name] = ValueSet.interval(domain, 0, len(table.rules))
            continue
        nullable = gap or any(not ok or v is None for ok, v in constants) or not table.hit_policy.single_hit
        domain = Domain(kinds.pop(), nullable=nullable)
        if output.values:
            full = narrow(ValueSet.full(domain), output.allowed)
        elif all(ok for ok, _ in constants):
            full = ValueSet.points(domain, [v for _, v in constants if v is not None])
        else:
            full = ValueSet.full(domain)
        result[name] = full | ValueSet.null_only(domain) if nullable else full
    return result


# ---------------------------------------------------------------------- cells
def _output_checks(model: Model, table: Table) -> Iterator[Finding]:
    policy, source = table.hit_policy, model.source
    for position, output in enumerate(table.outputs):
        for rule in table.rules:
            known, value = rule.outputs[position].constant
            ref = f"{output.column}{rule.row}"
            if not known or value is None:
                continue
            if output.allowed is not None and not output.allowed.names and not output.allowed.matches(value):
                options = [v for v in output.values if isinstance(v, str)]
                close = difflib.get_close_matches(str(value), options, n=1, cutoff=0.6)
                allowed = source.text(table.name, f"{output.column}3", output.allowed_text)
                hint = (f'did you mean "{close[0]}"?' if close else
                        f"use one of {allowed}, or {source.words.add_output_value}")
                yield located(source, "error", "value-not-allowed", table.name,
                              f"output {source.text(table.name, ref, rule.outputs[position].text)} is not among the "
                              f"allowed values of {output.name} ({allowed})", (ref,), (rule.id,), hint)
            kind = values.kind_of(value)
            if (policy.code == "C+" and kind != values.NUMBER) or (
                    policy.code in ("C<", "C>") and kind not in values.ORDERED_KINDS):
                names = {code: source.policy(HitPolicy(code)) for code in ("C+", "C<", "C>")}
                yield located(source, "error", "type-mismatch", table.name,
                              f"hit policy {source.policy(policy)} cannot {'add' if policy.code == 'C+' else 'order'} "
                              f"the output {source.text(table.name, ref, rule.outputs[position].text)}", (ref,),
                              (rule.id,), f"use numbers for {names['C+']}, and numbers, texts or dates for "
                              f"{names['C<']} and {names['C>']}")


def _unused_inputs(model: Model) -> Iterator[Finding]:
    source = model.source
    used = set().union(*(table_names(t, model) for t in model.tables)) if model.tables else set()
    used = read_through(model.inputs, used)  # an input a computed input reads is used
    for name, definition in model.inputs.items():
        if name not in used:
            yield located(source, "warning", "unused-input", "Inputs",
                          source.words.say("unused_input", name=source.name(name)), (definition.location.cell,),
                          hint=source.words.unused_input_fix)
