"""``dtrun lint`` on a DMN file: the findings told in DMN terms.

Owns turning the findings of a model read from DMN (``engine.formats.dmn.importer``), which the checks
make at sheet cells (``Dish!B5``) in workbook words (``row 3``, ``the Inputs sheet``), into
findings that point at DMN elements and speak DMN: the ``sheet`` field holds the element
(``decision "Dish" (id d1)``, ``inputData "Age" (id i1)``) and each of ``cells`` a part of
it (``rule 2 (id r2), inputEntry 1``, ``input 1 "Season" (id c1)``, ``decisionTable``);
rules are named by their number in the table and their id, names are the DMN names
(``Person age``, not ``Person_age``), hit policies DMN's (``UNIQUE``), and hints name the
DMN place to edit (``the input's allowed values (inputValues)``).  The JSON and SARIF
structure of a finding stays as it is for workbooks.
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path
from typing import Any

from engine.formats.dmn.names import dmn_hit_policy
from engine.formats.dmn.read import DmnDocument
from engine._core.errors import WorkbookError
from engine.analysis.findings import Finding, sort_findings
from engine.model.hit_policy import HitPolicy

TABLE_PART = "decisionTable"  # a finding about the whole table (a gap in every column, no rules)

# Workbook words → DMN words, in this order (the longer phrases first).
_PHRASES: tuple[tuple[str, str], ...] = (
    (r"widen the allowed values in the Inputs sheet or row 3",
     "widen the input's allowed values (inputValues) or the inputData's itemDefinition allowedValues"),
    (r"or add it to row 3", "or add it to the output's allowed values (outputValues)"),
    (r"write the rules from row 4 on, one per row", "add rules to the decision table"),
    (r"give the upstream output's values in its row 3",
     "give the required decision's output its allowed values (outputValues)"),
    (r"use it in a table, or delete its row if it is not needed",
     ("read it in a decision table (an input whose inputExpression is its name), or delete the inputData if it "
      "is not needed")),
    (r"^input (.+) is declared but no table reads it$", r'inputData "\1" is declared but no decision table reads it'),
    (r"^table (.+) has no rules$", r'decision "\1" has a decision table without rules'),
    (r"add it to the Inputs sheet", "add an inputData for it"),
    (r"the Inputs sheet", "the inputData elements"),
    (r"\bthe cell\b", "the entry"),
    (r"\bcell '", "entry '"),
    (r"\bC\+ ", "COLLECT SUM "),
    (r"\bC\+,", "COLLECT SUM,"),
    (r"\bC< and C>", "COLLECT MIN and COLLECT MAX"),
)
_POLICY = re.compile(r"\bhit policy (C\+|C<|C>|C#|[UAPFROC])(?![\w+<>#])")


def lint_dmn(path: str | Path) -> list[Finding]:
    """Every finding of ``dtrun lint`` for the DMN file ``path``, located at DMN elements."""
    from engine.formats.dmn.importer import build_dmn_model, read_dmn
    from engine.analysis.lint import lint_model

    document = read_dmn(path)
    try:
        model = build_dmn_model(document)
    except WorkbookError as error:  # already located at DMN elements by build_dmn_model
        return sort_findings([in_dmn_terms(document, Finding.from_problem(p))
                              for p in (*error.problems, *error.warnings)])
    return sort_findings([in_dmn_terms(document, f) for f in lint_model(model)])


def in_dmn_terms(document: DmnDocument, finding: Finding) -> Finding:
    """``finding`` located at the DMN element its cells came from, in DMN words."""
    table = finding.sheet
    sheet, cells = _where(document, finding)
    names = _names(document)
    return replace(finding, sheet=sheet, cells=cells,
                   message=_words(finding.message, names, document.rules, table),
                   hint=_words(finding.hint, names, document.rules, table),
                   example=_keys(finding.example, names), box=_keys(finding.box, names))


def _where(document: DmnDocument, finding: Finding) -> tuple[str, tuple[str, ...]]:
    """(DMN element, its parts) of the finding's sheet and cells."""
    if (finding.sheet, "") not in document.places and not _input_row(document, finding):
        return finding.sheet, finding.cells  # already a DMN element, or the file itself
    if finding.sheet == "Inputs":
        where = document.places.get(("Inputs", finding.cells[0]), ("Inputs", ""))[0] if finding.cells else "Inputs"
        return where, ()  # the inputData itself
    where = document.places[finding.sheet, ""][0]
    parts: list[str] = []
    for cell in finding.cells:
        place = document.places.get((finding.sheet, cell))
        part = TABLE_PART if place is None or (finding.code == "gap" and cell == "A1") else place[1]
        if part not in parts:
            parts.append(part)
    return where, tuple(parts)


def _input_row(document: DmnDocument, finding: Finding) -> bool:
    return finding.sheet == "Inputs" and any(("Inputs", c) in document.places for c in finding.cells)


def _names(document: DmnDocument) -> dict[str, str]:
    """dtrun name → DMN name (inputData, decision, decision.output), for the names that differ."""
    names = {ours: theirs for theirs, ours in document.inputs.items()}
    for decision, owner in document.decisions.items():
        names[owner] = decision
        outputs = document.outputs.get(owner, {})
        for theirs, ours in outputs.items():  # a decision with one output is that output's value
            names[f"{owner}.{ours}"] = decision if len(outputs) == 1 else f"{decision}.{theirs or ours}"
    return {ours: theirs for ours, theirs in names.items() if ours != theirs}


def _words(text: str, names: dict[str, str], rules: dict[tuple[str, str], str], table: str) -> str:
    if not text:
        return text
    text = _rule_names(text, {rule: shown for (owner, rule), shown in rules.items() if owner == table})
    text = _POLICY.sub(lambda m: "hit policy " + " ".join(filter(None, dmn_hit_policy(HitPolicy(m[1])))), text)
    if names:  # not inside a FEEL string ("Person_age" is a value, not a name)
        alternatives = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
        text = re.sub(rf"(?<![\w.\"])({alternatives})(?![\w\"])", lambda m: names[m[1]], text)
    for pattern, wording in _PHRASES:
        text = re.sub(pattern, wording, text)
    return text


def _rule_names(text: str, shown: dict[str, str]) -> str:
    """``rules r1 and r2`` → ``rules 1 (id r1) and 2 (id r2)``: only the ids in lists after
    the word rule(s), so that a rule id that is also a number or a name elsewhere stays."""
    if not shown:
        return text
    one = "|".join(re.escape(r) for r in sorted(shown, key=len, reverse=True))
    listed = re.compile(rf"\b(rules? )((?:{one})(?:(?:, | and )(?:{one}))*)(?![\w.\-])")

    def renamed(match: re.Match[str]) -> str:
        ids = re.sub(rf"(?<![\w.\-])({one})(?![\w.\-])", lambda m: shown[m[1]].removeprefix("rule "), match[2])
        return match[1] + ids

    return listed.sub(renamed, text)


def _keys(mapping: dict[str, Any] | None, names: dict[str, str]) -> dict[str, Any] | None:
    return None if mapping is None else {names.get(k, k): v for k, v in mapping.items()}

