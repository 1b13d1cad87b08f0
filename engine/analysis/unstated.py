"""Lint of tables that state no hit policy (a WHO DAK's): the checks of ``U``, as warnings.

Owns what ``dtrun lint`` reports for a model whose source says its tables state no hit
policy (``Source.stated_policy`` False: a DAK read without ``--hit-policy``).  Such a table is
evaluated with ``C`` (every matching rule's outputs), which has no overlaps or gaps to
report; yet two rules that can match one patient are what a reviewer of a guideline must
see.  So the tables are checked as if ``U``, and the findings say so: ``overlap`` (warning)
where the overlapping rules give the same outputs, ``conflict`` (warning) where they differ,
``gap`` (warning) for patients no rule matches.  Rules split from one written row (a DAK row
with OR across data elements: ``R12a``, ``R12b1``) are exclusive, except where one cell per
element cannot say so; then they overlap as the row's OR does, which ``dak-or`` reports: not
reported again here.
"""

from __future__ import annotations

from dataclasses import replace

from engine.analysis.findings import Finding
from engine.model.hit_policy import HitPolicy
from engine.model.types import Model

CHECKED_AS = HitPolicy("U")
_NOTE = "(the table states no hit policy: checked as U)"


def as_unique(model: Model) -> Model:
    """``model`` with every table's hit policy U, for the searches."""
    return replace(model, tables=tuple(replace(t, hit_policy=CHECKED_AS) for t in model.tables))


def unstated_findings(model: Model, findings: list[Finding]) -> list[Finding]:
    """The findings of ``as_unique(model)`` as a table without a stated policy has them."""
    source = model.source
    tables = {source.table_name(t.name) or t.name: t for t in model.tables}
    row_of = getattr(source, "written_row", lambda table, rule: rule)
    result = []
    for finding in findings:
        if finding.code == "overlap" and len({row_of(finding.table, r) for r in finding.rules}) == 1:
            continue  # the alternatives of one written row (R12a, R12b) overlap only under a dak-or warning
        if finding.code == "gap" and finding.severity == "error":
            finding = replace(finding, severity="warning", message=f"{finding.message} {_NOTE}")
        elif finding.code == "overlap" and finding.severity == "error":
            table = tables.get(finding.table or "")
            rules = {r.id: r for r in table.rules} if table is not None else {}
            outputs = {tuple(" ".join(e.text.split()) for e in rules[r].outputs) for r in finding.rules if r in rules}
            message = finding.message.replace(f" under hit policy {source.policy(CHECKED_AS)}", "")
            if len(outputs) > 1:
                finding = replace(finding, severity="warning", code="conflict",
                                  message=f"{message} and give different outputs {_NOTE}",
                                  hint="check which recommendation the guideline means for these records, and "
                                       "narrow the rules so that they exclude each other (dtrun evaluate gives "
                                       "both: hit policy C)")
            else:
                finding = replace(finding, severity="warning", message=f"{message} with the same outputs {_NOTE}",
                                  hint="merge the rules, or narrow them so that they exclude each other")
        result.append(finding)
    return result
