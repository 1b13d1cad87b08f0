"""Lint findings rendered for people and for tools: text, JSON, SARIF 2.1.0, GitHub annotations
(and through ``engine.review.lint_report``, the HTML and Markdown reports for guideline editors).

Owns only formatting; the findings themselves come from ``engine.analysis.lint``.  Every format is
deterministic (findings are sorted first), so that outputs can be compared and diffed.  Text,
SARIF and GitHub list at most ``LIMIT`` findings of one code per table, then one finding with
code ``summary`` giving the count (``summarised``); JSON lists them all.  In SARIF each rule
(finding code) has a ``helpUri`` to its section of docs/lint.md: ``$DTRUN_DOCS_URL#<code>``
(the dtrun GitHub Action sets it to the absolute address of its own docs/lint.md), else the
relative ``docs/lint.md#<code>``; every result has a region (``startLine`` 1), which GitHub
code scanning requires.

Waived findings (accepted in the workbook's Waivers sheet: ``engine.analysis.waivers``) are
listed as waived and never counted: text marks them ``waived[code]`` with the reason on the
next line, JSON gives ``"waived": true`` and the waiver, SARIF gives the result a
``suppressions`` entry (kind ``inSource``, status ``accepted``); GitHub annotations leave
them out (an annotation cannot say it is accepted).
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from engine._core.version import __version__
from engine.analysis.findings import CODES, Finding, summarised

if TYPE_CHECKING:  # pragma: no cover
    from engine.model.types import Model

FORMATS = ("text", "json", "sarif", "github", "html", "markdown")
_SARIF_LEVEL = {"error": "error", "warning": "warning", "info": "note"}
_GITHUB_LEVEL = {"error": "error", "warning": "warning", "info": "notice"}


def render(findings: list[Finding], fmt: str, models: Iterable[Model] = ()) -> str:
    """``findings`` in ``fmt``; the reports for people (html, markdown: ``engine.review.lint_report``)
    also show the ``models`` they came from (every table, rules as written)."""
    if fmt in ("html", "markdown"):
        from engine.review.lint_report import render as report

        return report(findings, fmt, models)
    return {"text": text, "json": as_json, "sarif": sarif, "github": github}[fmt](findings)




def text(findings: list[Finding]) -> str:
    lines = []
    for finding in summarised(findings):
        lines.append(str(finding))
        if finding.box:
            lines.append("    records: " + ", ".join(f"{k} {v}" for k, v in finding.box.items()))
        if finding.example:
            lines.append("    example: " + ", ".join(f"{k}={_show(v)}" for k, v in finding.example.items()))
        if finding.waiver:
            lines.append(f"    waived ({finding.severity}): {_waiver_text(finding.waiver)}")
    counts = {s: sum(f.severity == s and f.counts for f in findings) for s in ("error", "warning", "info")}
    waived = sum(f.waived for f in findings)
    lines.append(", ".join(_count(counts[s], word) for s, word in
                           (("error", "error"), ("warning", "warning"), ("info", "note")))
                 + (f", {waived} waived" if waived else ""))
    return "\n".join(lines) + "\n"


def _waiver_text(waiver: dict[str, str]) -> str:
    """``kept for its citation (by A. Author, 2024-05-01; Waivers!A2)``."""
    who = ", ".join(part for part in (f"by {waiver['by']}" if waiver.get("by") else "", waiver.get("date", ""))
                    if part)
    return f"{waiver['reason']} ({'; '.join(p for p in (who, waiver['at']) if p)})"


def _count(number: int, word: str) -> str:
    return f"{number} {word}" + ("" if number == 1 else "s")


def _show(value: Any) -> str:
    return "null" if value is None else json.dumps(value, ensure_ascii=False)


def as_json(findings: list[Finding]) -> str:
    return json.dumps([f.as_json() for f in findings], ensure_ascii=False, indent=1, default=str) + "\n"


def github(findings: list[Finding]) -> str:
    lines = []
    for finding in summarised([f for f in findings if not f.waived]):
        message = _escape(_located(finding))
        where = finding.table or finding.sheet  # the table concerned, else the sheet or element
        title = f"{finding.code} ({where})" if where else finding.code
        properties = f"file={_escape(finding.workbook, True)},title={_escape(title, True)}"
        lines.append(f"::{_GITHUB_LEVEL[finding.severity]} {properties}::{message}")
    return "\n".join(lines) + ("\n" if lines else "")


def _located(finding: Finding) -> str:
    """The finding as one text for CI views: its sheet and first cell, the advice, an example."""
    where = f"{finding.sheet}!{finding.cells[0]}" if finding.cells else finding.sheet
    if finding.table_unsaid:
        where += f" (table {finding.table})"
    text = f"{where}: {finding.advice}" if where else finding.advice
    if finding.example:
        text = text.rstrip(".") + ". Example: " + ", ".join(f"{k}={_show(v)}" for k, v in finding.example.items())
    return text


def _escape(text: str, property: bool = False) -> str:
    """GitHub workflow-command escaping (properties also escape : and ,)."""
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return text.replace(":", "%3A").replace(",", "%2C") if property else text


def sarif(findings: list[Finding], docs: str | None = None) -> str:
    docs = docs or os.environ.get("DTRUN_DOCS_URL") or "docs/lint.md"
    codes = sorted({f.code for f in findings} | set(CODES))
    rules = [{"id": code, "shortDescription": {"text": CODES.get(code, ("error", code))[1]},
              "helpUri": f"{docs}#{code}",
              "help": {"text": f"See docs/lint.md, section {code}.",
                       "markdown": f"See [docs/lint.md, section `{code}`]({docs}#{code})."},
              "defaultConfiguration": {"level": _SARIF_LEVEL[CODES.get(code, ("error",))[0]]}} for code in codes]
    results = [_sarif_result(f, codes.index(f.code)) for f in summarised(findings)]
    document = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{"tool": {"driver": {"name": "dtrun", "version": __version__, "rules": rules}},
                  "results": results}],
    }
    return json.dumps(document, ensure_ascii=False, indent=1, default=str) + "\n"


def _sarif_result(finding: Finding, index: int) -> dict[str, Any]:
    dmn = finding.workbook.lower().endswith(".dmn")  # sheet: a DMN element, cells: parts of it
    logical = [{"name": f"{finding.sheet}!{cell}", "kind": "element" if dmn else "cell"} for cell in finding.cells] or \
        [{"name": finding.sheet or ("definitions" if dmn else "workbook"), "kind": "element" if dmn else "sheet"}]
    if finding.table:  # after the places, which tools take first: the decision table they belong to
        logical.append({"name": finding.table, "kind": "table"})
    text = _located(finding)  # code-scanning views show only the text: the place and example go in it
    identity = "|".join((finding.code, finding.sheet, ",".join(finding.cells), ",".join(map(str, finding.rules))))
    result: dict[str, Any] = {
        "ruleId": finding.code,
        "ruleIndex": index,
        "level": _SARIF_LEVEL[finding.severity],
        "message": {"text": text},
        "partialFingerprints": {"dtrunFinding/v1": hashlib.sha256(identity.encode("utf-8")).hexdigest()[:32]},
        "locations": [{"physicalLocation": {"artifactLocation": {"uri": quote(finding.workbook.replace("\\", "/"))},
                                            "region": {"startLine": 1}},
                       "logicalLocations": logical}],
    }
    properties = {k: v for k, v in (("rules", list(finding.rules)), ("example", finding.example),
                                    ("box", finding.box)) if v}
    result["properties"] = {"table": finding.table, **properties}  # null: a finding about no table
    if finding.waiver:
        result["suppressions"] = [{
            "kind": "inSource", "status": "accepted", "justification": finding.waiver["reason"],
            "location": {"physicalLocation": {"artifactLocation": {"uri": quote(finding.workbook.replace("\\", "/"))},
                                              "region": {"startLine": 1}},
                         "logicalLocations": [{"name": finding.waiver["at"], "kind": "cell"}]},
            "properties": {k: finding.waiver[k] for k in ("by", "date") if finding.waiver.get(k)}}]
    elif finding.waived:  # a summary of waived findings
        result["suppressions"] = [{"kind": "inSource", "status": "accepted"}]
    return result
